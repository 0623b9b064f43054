"""The ollama source against the local Ollama test server: real sockets, real vectors."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from typing import Any

import httpx
import numpy as np
import pytest

from tests.servers import LEGACY_SCALE, OllamaTestServer, free_port, reference_vectors
from visualizer.errors import BadReply, ModelNotFound, NotAnEmbeddingModel, ServerUnavailable
from visualizer.sources import open_source
from visualizer.sources.ollama import OllamaSource, ollama_address
from visualizer.sources.text import window

Factory = Callable[..., OllamaTestServer]


def quick(server: OllamaTestServer, model: str = "all-minilm", **kwargs: Any) -> OllamaSource:
    """An uncached ollama source on `server` with a short retry pause, to keep tests fast."""
    source = OllamaSource(model, host=server.url, **kwargs)
    source.retry_backoff_s = 0.05
    return source


def embed_inputs(server: OllamaTestServer) -> list[Any]:
    """What each request to an embed route carried as its text(s)."""
    return [
        body.get("input", body.get("prompt"))
        for _method, path, body in server.log
        if path in ("/api/embed", "/api/embeddings")
    ]


def test_batch_of_texts_makes_one_request(ollama_server: Factory) -> None:
    server = ollama_server()
    texts = ["the cat sat", "on the mat", "the cat sat"]
    embeddings = quick(server).embed(texts)

    expected = reference_vectors(["the cat sat", "on the mat"])
    np.testing.assert_allclose(embeddings[0].vector, expected[0], atol=1e-6)
    np.testing.assert_allclose(embeddings[1].vector, expected[1], atol=1e-6)
    assert all(e.normalized and e.dims == 384 and e.source == "ollama" for e in embeddings)
    assert server.embed_requests == 1
    method, path, body = server.log[0]
    assert (method, path) == ("POST", "/api/embed")
    assert body == {
        "model": "all-minilm",
        "input": ["the cat sat", "on the mat"],
        "keep_alive": "30m",
    }


def test_case_texts_go_through_and_blanks_are_never_sent(
    ollama_server: Factory, case_texts: dict[str, str]
) -> None:
    server = ollama_server()
    names = sorted(case_texts)
    embeddings = quick(server).embed([case_texts[name] for name in names])

    windowed = {name: window(text, 256)[0] for name, text in case_texts.items()}
    assert embed_inputs(server) == [[windowed[n] for n in names if n not in ("blank", "empty")]]
    for name, embedding in zip(names, embeddings, strict=True):
        assert embedding.blank == (name in ("blank", "empty"))
        assert embedding.dims == 384
        if not embedding.blank:
            expected = reference_vectors([windowed[name]])[0]
            np.testing.assert_allclose(embedding.vector, expected, atol=1e-6)


def test_only_blank_texts_ask_show_for_dims_and_embed_nothing(ollama_server: Factory) -> None:
    server = ollama_server()
    embedding = quick(server).embed_one("  \t ")

    assert embedding.blank and embedding.dims == 384 and not embedding.vector.any()
    assert server.embed_requests == 0
    assert [path for _method, path, _body in server.log] == ["/api/show"]


def test_the_server_answers_empty_input_with_no_vectors(ollama_server: Factory) -> None:
    server = ollama_server()
    reply = httpx.post(f"{server.url}/api/embed", json={"model": "all-minilm", "input": ""})
    legacy = httpx.post(f"{server.url}/api/embeddings", json={"model": "all-minilm", "prompt": ""})

    assert reply.status_code == 200 and reply.json() == {
        "model": "all-minilm:latest",
        "embeddings": [],
    }
    assert legacy.status_code == 200 and legacy.json() == {"embedding": []}


def test_legacy_route_is_used_when_embed_is_missing(ollama_server: Factory) -> None:
    server = ollama_server(no_embed_route=True)
    source = quick(server)
    first, second = source.embed(["alpha", "beta"])

    expected = reference_vectors(["alpha", "beta"])
    np.testing.assert_allclose(first.vector, expected[0] * LEGACY_SCALE, rtol=1e-5)
    np.testing.assert_allclose(second.vector, expected[1] * LEGACY_SCALE, rtol=1e-5)
    assert not first.normalized and not second.normalized
    assert abs(np.linalg.norm(first.vector) - LEGACY_SCALE) < 1e-3
    assert source.endpoint == "/api/embeddings"

    source.embed(["gamma"])
    paths = [path for _method, path, _body in server.log]
    assert paths == ["/api/embed", "/api/embeddings", "/api/embeddings", "/api/embeddings"]
    assert server.log[1][2] == {"model": "all-minilm", "prompt": "alpha", "keep_alive": "30m"}


def test_unknown_model_names_the_pull_command_and_the_choices(ollama_server: Factory) -> None:
    server = ollama_server()
    with pytest.raises(ModelNotFound) as caught:
        quick(server, "nomic-embed-text").embed_one("hello")

    message = str(caught.value)
    assert f"model 'nomic-embed-text' not found on {server.url}" in message
    assert "`ollama pull nomic-embed-text`" in message
    assert "all-minilm:latest, e5-small:latest" in message and "llama3.2" not in message
    assert server.embed_requests == 1


@pytest.mark.parametrize("status", [400, 500])
def test_chat_model_is_not_an_embedding_model(ollama_server: Factory, status: int) -> None:
    server = ollama_server(unsupported_status=status)
    with pytest.raises(NotAnEmbeddingModel) as caught:
        quick(server, "llama3.2").embed_one("hello")

    message = str(caught.value)
    assert "'llama3.2'" in message and "does not support embeddings" in message
    assert "all-minilm:latest" in message
    assert server.embed_requests == 1  # the same request would fail again: not retried


def test_nan_error_is_reported_and_not_retried(ollama_server: Factory) -> None:
    server = ollama_server(fail_texts={"poison"})
    with pytest.raises(BadReply) as caught:
        quick(server).embed(["fine", "poison"])

    assert "embedding contains NaN or Inf values" in str(caught.value)
    assert "try another model or --source local" in str(caught.value)
    assert server.embed_requests == 1


def test_500_once_is_retried_after_a_pause(ollama_server: Factory) -> None:
    server = ollama_server(fail_next=[500])
    source = OllamaSource("all-minilm", host=server.url)
    started = time.perf_counter()
    embedding = source.embed_one("retry me")

    assert time.perf_counter() - started >= source.retry_backoff_s
    np.testing.assert_allclose(embedding.vector, reference_vectors(["retry me"])[0], atol=1e-6)
    assert server.embed_requests == 2


@pytest.mark.parametrize(
    ("status", "words"), [(503, "is busy"), (500, "failed on /api/embed twice")]
)
def test_server_errors_are_retried_once_then_reported(
    ollama_server: Factory, status: int, words: str
) -> None:
    server = ollama_server(always_status=status)
    with pytest.raises(ServerUnavailable, match=words) as caught:
        quick(server).embed_one("hello")
    assert server.url in str(caught.value)
    assert server.embed_requests == 2


def test_connection_refused_says_start_ollama() -> None:
    address = f"127.0.0.1:{free_port()}"
    source = OllamaSource("all-minilm", host=address)
    source.retry_backoff_s = 0.05
    with pytest.raises(ServerUnavailable) as caught:
        source.embed_one("hello")

    message = str(caught.value)
    assert f"Ollama at http://{address} is not answering" in message
    assert "`ollama serve`" in message and "--source local" in message


def test_empty_reply_is_a_count_mismatch(ollama_server: Factory) -> None:
    server = ollama_server(empty_reply=True)
    with pytest.raises(BadReply, match=r"sent 0 vector\(s\) for 2 text\(s\)"):
        quick(server).embed(["one", "two"])


def test_garbage_reply_is_quoted(ollama_server: Factory) -> None:
    server = ollama_server(garbage=True)
    with pytest.raises(BadReply) as caught:
        quick(server).embed_one("hello")
    assert "not JSON" in str(caught.value) and "Welcome to nginx" in str(caught.value)


def _null(vectors: list[list[float]]) -> object:
    vectors[1][5] = None  # type: ignore[call-overload]
    return vectors


def _nan(vectors: list[list[float]]) -> object:
    vectors[0][7] = math.nan
    return vectors


def _inf(vectors: list[list[float]]) -> object:
    vectors[0][0] = math.inf
    return vectors


def _ragged(vectors: list[list[float]]) -> object:
    return [vectors[0], vectors[1][:100]]


def _empty(vectors: list[list[float]]) -> object:
    return [vectors[0], []]


def _extra(vectors: list[list[float]]) -> object:
    return [*vectors, vectors[0]]


def _text(vectors: list[list[float]]) -> object:
    return [vectors[0], "0.1, 0.2"]


def _huge(vectors: list[list[float]]) -> object:
    vectors[1][3] = 1e300
    return vectors


@pytest.mark.parametrize(
    ("tamper", "expected"),
    [
        (_null, r"sent None at dimension 5 of vector 1 \(for 'second'\)"),
        (_nan, r"sent nan at dimension 7 of vector 0 \(for 'first'\)"),
        (_inf, r"sent inf at dimension 0 of vector 0"),
        (_ragged, r"vectors of different lengths \(100, 384\)"),
        (_empty, r"sent an empty vector 1 \(for 'second'\).*pick an embedding model"),
        (_extra, r"sent 3 vector\(s\) for 2 text\(s\)"),
        (_text, r"sent '0.1, 0.2' as vector 1"),
        (_huge, r"sent 1e\+300 at dimension 3 of vector 1"),
    ],
)
def test_every_reply_is_validated(
    ollama_server: Factory, tamper: Callable[[list[list[float]]], object], expected: str
) -> None:
    server = ollama_server(tamper=tamper)
    with pytest.raises(BadReply, match=expected):
        quick(server).embed(["first", "second"])


def test_slow_first_reply_says_loading_then_ready(ollama_server: Factory) -> None:
    server = ollama_server(first_delay_s=0.6)
    source = quick(server)
    source.loading_after_s = 0.2
    statuses: list[str] = []
    source.on_status = statuses.append

    source.embed_one("first")
    source.embed_one("second")
    assert len(statuses) == 2
    assert statuses[0] == f"loading model all-minilm on {server.url}…"
    assert statuses[1].startswith("model all-minilm ready (")


def test_a_reply_slower_than_the_timeout_is_reported(ollama_server: Factory) -> None:
    server = ollama_server(delay_s=1.0)
    source = quick(server)
    source.first_timeout_s = 0.3
    with pytest.raises(ServerUnavailable, match=r"did not answer /api/embed within 0.3 s"):
        source.embed_one("hello")
    assert server.embed_requests == 1


def test_text_hygiene_reaches_the_wire(ollama_server: Factory) -> None:
    server = ollama_server()
    source = quick(server, window=20)
    long = "a long text whose start is cut off by the window"
    source.embed(["bad \ud800 surrogate", long])

    (inputs,) = embed_inputs(server)
    assert inputs == ["bad \ufffd surrogate", long[-20:]]


def test_models_lists_tags_with_capabilities(ollama_server: Factory) -> None:
    server = ollama_server()
    infos = {info.name: info for info in quick(server).models()}

    assert set(infos) == {"all-minilm:latest", "e5-small:latest", "llama3.2:latest"}
    assert infos["all-minilm:latest"].embeds is True and infos["all-minilm:latest"].dims == 384
    assert infos["llama3.2:latest"].embeds is False
    assert "3.2B" in infos["llama3.2:latest"].detail
    assert server.embed_requests == 0


def test_address_from_host_env_or_default(
    ollama_server: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OLLAMA_HOST", raising=False)
    assert ollama_address() == "http://localhost:11434"
    assert ollama_address("0.0.0.0") == "http://0.0.0.0:11434"
    assert ollama_address("https://ollama.example") == "https://ollama.example:443"
    assert ollama_address("example:8080/") == "http://example:8080"

    server = ollama_server()
    monkeypatch.setenv("OLLAMA_HOST", server.url.removeprefix("http://"))
    source = open_source("ollama", "all-minilm", cache=False)
    assert source.address == server.url
    assert source.embed_one("via the environment").dims == 384


def test_json_is_what_ollama_would_parse(ollama_server: Factory) -> None:
    server = ollama_server()
    reply = httpx.post(f"{server.url}/api/embed", content=b"{not json")
    assert reply.status_code == 400 and "error" in reply.json()
    assert json.loads(httpx.get(f"{server.url}/api/tags").text)["models"][0]["details"]
