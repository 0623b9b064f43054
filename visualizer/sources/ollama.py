"""Vectors from an Ollama server: POST /api/embed, or the legacy /api/embeddings if that is all.

The address comes from --host, else $OLLAMA_HOST, else http://localhost:11434. /api/embed takes
a batch and returns L2-normalised vectors; a server without that route (404 with no JSON error:
an Ollama older than 0.3) is asked one text at a time at /api/embeddings, whose vectors are not
normalised. Every request sends keep_alive so the model stays loaded during a session.
"""

from __future__ import annotations

import logging
import os
import re
from urllib.parse import urlsplit

import httpx

from visualizer.errors import (
    BadReply,
    ModelNotFound,
    NotAnEmbeddingModel,
    ServerUnavailable,
    SourceError,
)
from visualizer.sources.base import DEFAULT_WINDOW, Fetched, ModelInfo, is_unit
from visualizer.sources.http import HttpSource, checked_address
from visualizer.sources.validate import check_vectors, quote

log = logging.getLogger(__name__)

DEFAULT_HOST = "http://localhost:11434"
DEFAULT_MODEL = "nomic-embed-text"
DEFAULT_PORT = {"http": 11434, "https": 443}
BROKEN_NUMBERS = re.compile(r"\b(nan|inf)\b")
SUGGESTED = "nomic-embed-text, all-minilm, mxbai-embed-large or bge-m3"

EMBED = "/api/embed"
LEGACY = "/api/embeddings"


def ollama_address(host: str | None = None) -> str:
    """The base URL of the Ollama server: `host`, else $OLLAMA_HOST, else localhost:11434.

    Accepts what OLLAMA_HOST accepts: "host", "host:port", ":port", "http://host[:port]".
    """
    value = (host or os.environ.get("OLLAMA_HOST") or DEFAULT_HOST).strip().rstrip("/")
    if "://" not in value:
        value = "http://" + value
    parts = urlsplit(checked_address(value, "--host / OLLAMA_HOST"))
    scheme = parts.scheme or "http"
    hostname = parts.hostname or "localhost"
    if ":" in hostname:
        hostname = f"[{hostname}]"
    port = parts.port or DEFAULT_PORT.get(scheme, 11434)
    return f"{scheme}://{hostname}:{port}{parts.path}"


class OllamaSource(HttpSource):
    """An Ollama server's embedding model."""

    name = "ollama"
    server_kind = "Ollama"
    unavailable_advice = "start it with `ollama serve`, pass --host, or use --source local"

    #: how long Ollama keeps the model loaded after each request
    keep_alive = "30m"

    def __init__(
        self, model: str | None = None, *, host: str | None = None, window: int = DEFAULT_WINDOW
    ) -> None:
        super().__init__(model or DEFAULT_MODEL, ollama_address(host), window=window)
        self.legacy = False

    @property
    def endpoint(self) -> str:
        return LEGACY if self.legacy else EMBED

    def cache_keys(self) -> list[tuple[str, str, str, str, str]]:
        keys = self.cache_key()
        if self.legacy:
            return [keys]
        # Until a request shows the route is missing, vectors that an earlier run got from this
        # server's legacy route count too, so a text seen before never touches the network.
        return [keys, (self.name, self.address, self.model, LEGACY, self.prefix)]

    def models(self) -> list[ModelInfo]:
        """The models of /api/tags, each asked at /api/show whether it embeds."""
        response = self._request("GET", "/api/tags")
        self._raise_for_error(response, "/api/tags", [])
        body = self._json(response, "/api/tags")
        entries = body.get("models") if isinstance(body, dict) else None
        if not isinstance(entries, list):
            raise BadReply(
                f"Ollama at {self.address} sent {quote(body)} for /api/tags, with no model list: "
                "is this an Ollama server? check --host"
            )
        return [self._model_info(entry) for entry in entries if isinstance(entry, dict)]

    def _fetch(self, sent: list[str]) -> list[Fetched]:
        with self._lock:
            if not self.legacy:
                fetched = self._embed_batch(sent)
                if fetched is not None:
                    return fetched
            return [self._embed_legacy(text) for text in sent]

    def _embed_batch(self, sent: list[str]) -> list[Fetched] | None:
        """Vectors from /api/embed, or None when the server has no such route."""
        payload = {"model": self.model, "input": sent, "keep_alive": self.keep_alive}
        response = self._request("POST", EMBED, payload, embeds=True)
        if response.status_code == 404 and not self._has_json_error(response):
            log.warning(
                "Ollama at %s has no %s (older than 0.3?): using the legacy %s, one text a "
                "request, whose vectors are not normalised",
                self.address,
                EMBED,
                LEGACY,
            )
            self.legacy = True
            return None

        self._raise_for_error(response, EMBED, sent)
        body = self._json(response, EMBED)
        raw = body.get("embeddings") if isinstance(body, dict) else body
        vectors = check_vectors(raw, sent, where=self._where(EMBED), advice=self._advice())
        return [Fetched(vector, normalized=is_unit(vector)) for vector in vectors]

    def _embed_legacy(self, text: str) -> Fetched:
        payload = {"model": self.model, "prompt": text, "keep_alive": self.keep_alive}
        response = self._request("POST", LEGACY, payload, embeds=True)
        self._raise_for_error(response, LEGACY, [text])

        body = self._json(response, LEGACY)
        raw = [body.get("embedding")] if isinstance(body, dict) else body
        vector = check_vectors(raw, [text], where=self._where(LEGACY), advice=self._advice())[0]
        return Fetched(vector, normalized=is_unit(vector))

    def _discover_dims(self) -> int:
        """The model's embedding length from /api/show, else from one probe vector."""
        try:
            info = self._show(self.model)
        except SourceError as exc:
            log.debug("no dims from /api/show (%s): embedding a probe", exc)
            info = {}
        dims = _embedding_length(info)
        return dims if dims is not None else super()._discover_dims()

    def _will_fail_again(self, response: httpx.Response) -> bool:
        # Some Ollama versions answer a chat model's embedding request with a 500.
        return "does not support" in self.error_text(response).lower()

    def _raise_for_error(self, response: httpx.Response, path: str, sent: list[str]) -> None:
        """Turn an error reply into the SourceError that says what to do about it."""
        if response.is_success:
            return

        status, error = response.status_code, self.error_text(response)
        said = f'{status} "{error}"'
        lowered = error.lower()
        if status == 404 and "not found" in lowered and "model" in lowered:
            raise ModelNotFound(
                f"model '{self.model}' not found on {self.address}: run "
                f"`ollama pull {self.model}` or pick one of: {self._embedding_model_names()}"
            )
        if "does not support" in lowered or "not support embed" in lowered:
            raise NotAnEmbeddingModel(
                f"model '{self.model}' on {self.address} does not support embeddings: "
                f"pick an embedding model such as {self._embedding_model_names()}"
            )
        if status == 400 and BROKEN_NUMBERS.search(lowered):
            raise BadReply(
                f"Ollama at {self.address} could not embed {self._texts(sent)} with "
                f"'{self.model}' ({said}): this model makes broken numbers for this text; "
                "try another model or --source local"
            )
        if status == 400 and "context length" in lowered:
            raise BadReply(
                f"Ollama at {self.address} refused {self._texts(sent)} as too long for "
                f"'{self.model}' ({said}): lower --window"
            )
        if status == 503:
            raise ServerUnavailable(
                f"Ollama at {self.address} is busy ({said}) even after a retry: wait a moment, "
                "or raise OLLAMA_MAX_QUEUE / OLLAMA_NUM_PARALLEL for the server"
            )
        if status >= 500:
            raise ServerUnavailable(
                f"Ollama at {self.address} failed on {path} twice ({said}): the model runner "
                "may have crashed; look at the `ollama serve` log, or use --source local"
            )
        raise BadReply(f"Ollama at {self.address} refused {path} ({said}){self._advice(': ')}")

    def _embedding_model_names(self) -> str:
        """The server's models that embed, for an error message; a suggestion if none."""
        try:
            infos = self.models()
        except SourceError as exc:
            log.debug("could not list models for the message: %s", exc)
            return f"{SUGGESTED} (`ollama pull` one)"
        names = [info.name for info in infos if info.embeds]
        if not names:
            return f"{SUGGESTED} (`ollama pull` one; this server has none)"
        return ", ".join(names)

    def _model_info(self, entry: dict[str, object]) -> ModelInfo:
        name = str(entry.get("name") or entry.get("model") or "?")
        try:
            show = self._show(name)
        except SourceError as exc:
            log.debug("/api/show %s failed: %s", name, exc)
            show = {}

        capabilities = show.get("capabilities")
        embeds = "embedding" in capabilities if isinstance(capabilities, list) else None
        details = entry.get("details")
        detail = _describe(details) if isinstance(details, dict) else ""
        return ModelInfo(name, embeds, _embedding_length(show), detail)

    def _show(self, name: str) -> dict[str, object]:
        response = self._request("POST", "/api/show", {"model": name})
        self._raise_for_error(response, "/api/show", [])
        body = self._json(response, "/api/show")
        return body if isinstance(body, dict) else {}

    def _where(self, path: str) -> str:
        return f"Ollama at {self.address} ({path}, model '{self.model}')"

    def _advice(self, lead: str = "") -> str:
        return f"{lead}check that '{self.model}' is an embedding model, or use --source local"

    @staticmethod
    def _has_json_error(response: httpx.Response) -> bool:
        try:
            body = response.json()
        except ValueError:
            return False
        return isinstance(body, dict) and "error" in body

    @staticmethod
    def _texts(sent: list[str]) -> str:
        return quote(sent[0]) if len(sent) == 1 else f"{len(sent)} texts"


def _embedding_length(show: dict[str, object]) -> int | None:
    """`<architecture>.embedding_length` from /api/show's model_info, if present."""
    info = show.get("model_info")
    if not isinstance(info, dict):
        return None
    for key, value in info.items():
        if str(key).endswith(".embedding_length") and isinstance(value, int):
            return value
    return None


def _describe(details: dict[str, object]) -> str:
    parts = [
        details.get("family"),
        details.get("parameter_size"),
        details.get("quantization_level"),
    ]
    return ", ".join(str(part) for part in parts if part)
