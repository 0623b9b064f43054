"""What the two server sources share: one httpx client, timeouts, one retry, and reply reading.

The first request that makes vectors may wait for the server to load the model (a minute is not
unusual), so it gets a long read timeout and, after `loading_after_s` without an answer, a
"loading model …" status; later requests get a shorter one. Connection failures, 5xx and 503
are retried once after a pause; 4xx never is, since the same request would fail the same way.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any
from urllib.parse import urlsplit

import httpx

from visualizer.errors import BadReply, ServerUnavailable, SourceError, UsageError
from visualizer.sources.base import DEFAULT_WINDOW, Source
from visualizer.sources.validate import quote

log = logging.getLogger(__name__)

#: transport failures worth one more try: the server may be starting or was briefly overloaded
RETRIED = (httpx.NetworkError, httpx.RemoteProtocolError, httpx.ConnectTimeout)


def checked_address(url: str, option: str) -> str:
    """`url` if it is a usable http(s) address; else a UsageError naming `option`."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - reading the port is the check ("Port out of range")
    except ValueError as exc:
        raise UsageError(
            f"{option} {url!r} is not a usable address ({exc}): give http://host:port"
        ) from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"{option} {url!r} is not a usable address: give http://host:port")
    return url


class HttpSource(Source):
    """A source behind an HTTP server; subclasses build requests and read replies."""

    #: how messages name the server: "Ollama", "the OpenAI-compatible server"
    server_kind = "the server"
    #: what the user can do when the server does not answer
    unavailable_advice = "start it or use --source local"

    connect_timeout_s = 3.0
    first_timeout_s = 120.0
    timeout_s = 30.0
    loading_after_s = 1.0
    retry_backoff_s = 0.5

    def __init__(
        self,
        model: str,
        address: str,
        *,
        window: int = DEFAULT_WINDOW,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(model, address, window=window)
        self._client = httpx.Client(
            base_url=address,
            headers=headers or {},
            timeout=httpx.Timeout(self.timeout_s, connect=self.connect_timeout_s),
        )
        self._lock = threading.Lock()
        self._warm = False

    def close(self) -> None:
        self._client.close()

    def _request(
        self, method: str, path: str, payload: object = None, *, embeds: bool = False
    ) -> httpx.Response:
        """Send a request, retrying once after a transport failure or a 5xx; any final reply.

        `embeds` marks a request that makes vectors: until one has succeeded it gets the long
        first timeout and the "loading model" status.
        """
        first = embeds and not self._warm
        read_s = self.first_timeout_s if first else self.timeout_s
        timeout = httpx.Timeout(read_s, connect=self.connect_timeout_s)
        try:
            response = self._send(method, path, payload, timeout, first)
            failure = ""
            if response.status_code >= 500 and not self._will_fail_again(response):
                failure = f"status {response.status_code}"
        except RETRIED as exc:
            failure = str(exc) or type(exc).__name__

        if failure:
            log.info(
                "%s at %s failed on %s %s (%s): retrying in %.1f s",
                self.server_kind,
                self.address,
                method,
                path,
                failure,
                self.retry_backoff_s,
            )
            time.sleep(self.retry_backoff_s)
            try:
                response = self._send(method, path, payload, timeout, first)
            except RETRIED as exc:
                raise self._unavailable(exc) from exc

        if embeds and response.is_success:
            self._warm = True
        return response

    def _will_fail_again(self, response: httpx.Response) -> bool:
        """Whether a 5xx reply is one the same request would get again (not worth a retry)."""
        return False

    def _send(
        self, method: str, path: str, payload: object, timeout: httpx.Timeout, first: bool
    ) -> httpx.Response:
        """One try; failures worth a retry pass through, the others become SourceErrors."""
        try:
            if not first:
                return self._client.request(method, path, json=payload, timeout=timeout)
            return self._send_first(method, path, payload, timeout)
        except RETRIED:
            raise
        except httpx.TimeoutException as exc:
            raise ServerUnavailable(
                f"{self.server_kind} at {self.address} did not answer {path} within "
                f"{timeout.read or 0:g} s: the model may still be loading or the server is "
                f"stuck; try again, or {self.unavailable_advice}"
            ) from exc
        except httpx.HTTPError as exc:
            raise SourceError(
                f"cannot send a request to {self.server_kind} at {self.address} ({exc}): "
                "check the address (http://host:port)"
            ) from exc

    def _send_first(
        self, method: str, path: str, payload: object, timeout: httpx.Timeout
    ) -> httpx.Response:
        """The first request that makes vectors: says "loading model" if it is slow.

        The status callback runs on a timer thread; an empty status clears the message.
        """
        shown = threading.Event()

        def loading() -> None:
            shown.set()
            self._status(self._loading_text())

        started = time.perf_counter()
        timer = threading.Timer(self.loading_after_s, loading)
        timer.daemon = True
        timer.start()
        try:
            response = self._client.request(method, path, json=payload, timeout=timeout)
        except httpx.HTTPError:
            timer.cancel()
            if shown.is_set():
                self._status("")
            raise

        timer.cancel()
        if shown.is_set():
            elapsed = time.perf_counter() - started
            self._status(f"model {self.model} ready ({elapsed:.1f} s)")
        return response

    def _loading_text(self) -> str:
        return f"loading model {self.model} on {self.address}…"

    def _unavailable(self, exc: Exception) -> ServerUnavailable:
        return ServerUnavailable(
            f"{self.server_kind} at {self.address} is not answering "
            f"({exc or type(exc).__name__}), even after a retry: {self.unavailable_advice}"
        )

    def _json(self, response: httpx.Response, path: str) -> Any:
        """The JSON body of a reply, or BadReply quoting what came instead."""
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            kind = response.headers.get("content-type", "no content type")
            raise BadReply(
                f"{self.server_kind} at {self.address} answered {path} ({response.status_code}, "
                f"{kind}) with something that is not JSON: {quote(response.text)}; "
                f"is {self.address} really {self.server_kind}? check the address"
            ) from exc

    @staticmethod
    def error_text(response: httpx.Response) -> str:
        """The server's own words for an error: Ollama's "error", OpenAI's "error.message"."""
        try:
            body = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            return response.text.strip()[:200] or response.reason_phrase
        error = body.get("error") if isinstance(body, dict) else None
        if isinstance(error, dict):
            error = error.get("message")
        return str(error) if error else json.dumps(body)[:200]
