"""Vectors from any OpenAI-compatible /v1/embeddings: OpenAI, Ollama, vLLM, LM Studio, llama.cpp.

The address comes from --base-url, else $OPENAI_BASE_URL, else https://api.openai.com/v1; an
address with no path gets /v1. The key comes from $OPENAI_API_KEY and is only ever put in the
Authorization header: never logged, never part of a message or of the cache. encoding_format is
always sent; a reply in either format (a list of floats or base64 of float32) is read.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
from typing import Literal
from urllib.parse import urlsplit

import httpx
import numpy as np

from visualizer.errors import (
    BadReply,
    ModelNotFound,
    NotAnEmbeddingModel,
    ServerUnavailable,
    SourceError,
    UsageError,
)
from visualizer.sources.base import DEFAULT_WINDOW, Fetched, ModelInfo, is_unit
from visualizer.sources.http import HttpSource, checked_address
from visualizer.sources.validate import check_vectors, quote

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.openai.com/v1"
DEFAULT_MODEL = "text-embedding-3-small"
SUGGESTED = "text-embedding-3-small, nomic-embed-text or bge-m3"
ENDPOINT = "/embeddings"

EncodingFormat = Literal["float", "base64"]
ENCODING_FORMATS: tuple[EncodingFormat, ...] = ("float", "base64")


def openai_base_url(base_url: str | None = None) -> str:
    """The base URL: `base_url`, else $OPENAI_BASE_URL, else OpenAI's; /v1 added to a bare host."""
    value = (base_url or os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL).strip()
    value = value.rstrip("/")
    if "://" not in value:
        value = "http://" + value
    checked_address(value, "--base-url / OPENAI_BASE_URL")
    if value.endswith(ENDPOINT):
        value = value[: -len(ENDPOINT)]
    if not urlsplit(value).path:
        value += "/v1"
    return value


class OpenAISource(HttpSource):
    """An OpenAI-compatible server's embedding model."""

    name = "openai"
    server_kind = "the OpenAI-compatible server"
    unavailable_advice = "start it, check --base-url / OPENAI_BASE_URL, or use --source local"

    def __init__(
        self,
        model: str | None = None,
        *,
        base_url: str | None = None,
        window: int = DEFAULT_WINDOW,
        encoding_format: EncodingFormat = "float",
    ) -> None:
        if encoding_format not in ENCODING_FORMATS:
            raise UsageError(
                f"encoding format {encoding_format!r} is not one of {', '.join(ENCODING_FORMATS)}"
            )
        address = openai_base_url(base_url)
        key = os.environ.get("OPENAI_API_KEY", "").strip()
        if not key and urlsplit(address).hostname == "api.openai.com":
            raise UsageError(
                "OPENAI_API_KEY is not set and api.openai.com needs one: export it, or point "
                "--base-url at a local server (Ollama: http://localhost:11434/v1)"
            )

        headers = {"Authorization": f"Bearer {key}"} if key else {}
        super().__init__(model or DEFAULT_MODEL, address, window=window, headers=headers)
        self.encoding_format: EncodingFormat = encoding_format

    @property
    def endpoint(self) -> str:
        return ENDPOINT

    def models(self) -> list[ModelInfo]:
        """The ids of GET /models; the API does not say which embed, so the name decides."""
        response = self._request("GET", "/models")
        self._raise_for_error(response, "/models")
        body = self._json(response, "/models")
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, list):
            raise BadReply(
                f"{self._server()} sent {quote(body)} for /models, with no model list: "
                "check --base-url"
            )

        # Limitation: the OpenAI API does not say which models embed; "embed" in a name does.
        names = [str(item.get("id")) for item in data if isinstance(item, dict) and item.get("id")]
        return [ModelInfo(name, True if "embed" in name.lower() else None) for name in names]

    def _fetch(self, sent: list[str]) -> list[Fetched]:
        payload = {"model": self.model, "input": sent, "encoding_format": self.encoding_format}
        with self._lock:
            response = self._request("POST", ENDPOINT, payload, embeds=True)
        self._raise_for_error(response, ENDPOINT)

        body = self._json(response, ENDPOINT)
        raw = self._decoded(self._ordered(body, len(sent)), sent)
        vectors = check_vectors(raw, sent, where=self._where(), advice=self._advice())
        return [Fetched(vector, normalized=is_unit(vector)) for vector in vectors]

    def _ordered(self, body: object, count: int) -> list[object]:
        """The `embedding` fields of `data`, in the order of their `index`."""
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
            raise BadReply(
                f"{self._where()} sent {quote(body)}, with no `data` list of embeddings: "
                f"{self._advice()}"
            )

        indices = [item.get("index", i) for i, item in enumerate(data)]
        usable = all(isinstance(index, int) for index in indices)
        if not usable or (len(data) == count and sorted(indices) != list(range(count))):
            raise BadReply(
                f"{self._where()} sent embeddings with indices {quote(indices)} for {count} "
                f"text(s): {self._advice()}"
            )
        by_index = sorted(zip(indices, data, strict=True), key=lambda pair: pair[0])
        return [item.get("embedding") for _index, item in by_index]

    def _decoded(self, raw: list[object], sent: list[str]) -> list[object]:
        """Base64 strings become float32 arrays; lists of numbers are left to the checks."""
        decoded: list[object] = []
        for i, item in enumerate(raw):
            if not isinstance(item, str):
                decoded.append(item)
                continue
            try:
                data = base64.b64decode(item, validate=True)
            except binascii.Error as exc:
                raise BadReply(
                    f"{self._where()} sent {quote(item)} as vector {i} (for {quote(sent[i])}), "
                    f"which is not base64 ({exc}): {self._advice()}"
                ) from exc
            if len(data) % 4:
                raise BadReply(
                    f"{self._where()} sent {len(data)} bytes as vector {i} (for "
                    f"{quote(sent[i])}), not a whole number of float32 values"
                )
            decoded.append(np.frombuffer(data, dtype="<f4").astype(np.float32))
        return decoded

    def _will_fail_again(self, response: httpx.Response) -> bool:
        # Ollama's /v1 answers a chat model's embedding request with a 500.
        return "does not support" in self.error_text(response).lower()

    def _raise_for_error(self, response: httpx.Response, path: str) -> None:
        """Turn an error reply into the SourceError that says what to do about it."""
        if response.is_success:
            return

        status, error = response.status_code, self.error_text(response)
        said = f'{status} "{error}"'
        if status in (401, 403):
            raise SourceError(
                f"{self._server()} refused the API key ({said}): set OPENAI_API_KEY to a key "
                "this server accepts"
            )
        if status == 404 and "model" in error.lower():
            raise ModelNotFound(
                f"model '{self.model}' not found on {self.address} ({said}): pick one of: "
                f"{self._model_names()}"
            )
        if status == 404:
            raise BadReply(
                f"{self._server()} has no {path} ({said}): check --base-url, which usually "
                "ends in /v1"
            )
        if "does not support" in error.lower() or "not an embedding" in error.lower():
            raise NotAnEmbeddingModel(
                f"model '{self.model}' on {self.address} does not support embeddings ({said}): "
                f"pick an embedding model such as {SUGGESTED}"
            )
        if status == 429:
            raise ServerUnavailable(
                f"{self._server()} is rate-limiting or out of quota ({said}): wait and retry"
            )
        if status >= 500:
            raise ServerUnavailable(
                f"{self._server()} failed on {path} twice ({said}): look at the server's log, "
                "or use --source local"
            )
        raise BadReply(f"{self._server()} refused {path} ({said}): {self._advice()}")

    def _model_names(self) -> str:
        try:
            names = [info.name for info in self.models()]
        except SourceError as exc:
            log.debug("could not list models for the message: %s", exc)
            return "(the server did not list its models)"
        return ", ".join(names) or "(the server lists none)"

    def _server(self) -> str:
        return f"{self.server_kind} at {self.address}"

    def _where(self) -> str:
        return f"{self._server()} ({ENDPOINT}, model '{self.model}')"

    def _advice(self) -> str:
        return f"check that '{self.model}' is an embedding model, or use --source local"
