"""The vector cache: hits never touch the network, keys keep vectors apart, bad files recover."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from tests.servers import OllamaTestServer, reference_vectors
from visualizer.sources import open_source
from visualizer.sources.base import Fetched
from visualizer.sources.cache import FILE_NAME, CachedSource, VectorCache

Factory = Callable[..., OllamaTestServer]


def test_second_run_of_the_same_texts_makes_no_request(
    ollama_server: Factory, case_texts: dict[str, str]
) -> None:
    server = ollama_server()
    texts = list(case_texts.values())
    source = open_source("ollama", "all-minilm", host=server.url)
    first = source.embed(texts)
    requests_after_first = server.requests

    second = source.embed(texts)
    assert server.requests == requests_after_first == 1
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a.vector, b.vector)
        assert not a.cached and b.cached == (not b.blank)
    source.close()


def test_cache_survives_a_new_run(ollama_server: Factory, private_cache: Path) -> None:
    server = ollama_server()
    with open_source("ollama", "all-minilm", host=server.url) as source:
        source.embed(["remembered across runs", "and this too"])
    assert (private_cache / FILE_NAME).is_file()

    server.reset_counts()
    with open_source("ollama", "all-minilm", host=server.url) as source:
        again = source.embed(["remembered across runs", "and this too", "   "])
    assert server.requests == 0
    assert all(e.cached for e in again[:2]) and again[2].blank and again[2].dims == 384
    expected = reference_vectors(["remembered across runs"])[0]
    np.testing.assert_allclose(again[0].vector, expected, atol=1e-6)


def test_only_the_missing_texts_are_sent(ollama_server: Factory) -> None:
    server = ollama_server()
    source = open_source("ollama", "all-minilm", host=server.url)
    source.embed(["old one", "old two"])
    source.embed(["old two", "new one", "old one"])

    inputs = [body["input"] for _m, path, body in server.log if path == "/api/embed"]
    assert inputs == [["old one", "old two"], ["new one"]]


def test_model_address_and_prefix_keep_vectors_apart(ollama_server: Factory) -> None:
    server = ollama_server()
    open_source("ollama", "all-minilm", host=server.url).embed_one("shared text")
    open_source("ollama", "e5-small", host=server.url).embed_one("shared text")
    assert server.embed_requests == 2

    query = open_source("local", prefix="query").embed_one("shared text")
    passage = open_source("local", prefix="passage").embed_one("shared text")
    assert not query.cached and not passage.cached
    assert not np.allclose(query.vector, passage.vector)
    assert open_source("local", prefix="passage").embed_one("shared text").cached


def test_no_cache_always_asks(ollama_server: Factory) -> None:
    server = ollama_server()
    for _ in range(2):
        open_source("ollama", "all-minilm", host=server.url, cache=False).embed_one("again")
    assert server.embed_requests == 2


def test_legacy_vectors_are_cached_under_their_endpoint(ollama_server: Factory) -> None:
    server = ollama_server(no_embed_route=True)
    source = open_source("ollama", "all-minilm", host=server.url)
    first = source.embed_one("legacy text")
    again = source.embed_one("legacy text")

    assert again.cached and not again.normalized
    np.testing.assert_array_equal(first.vector, again.vector)
    assert source.endpoint == "/api/embeddings" and server.embed_requests == 2


def test_a_new_run_on_a_legacy_server_finds_its_vectors_without_asking(
    ollama_server: Factory,
) -> None:
    server = ollama_server(no_embed_route=True)
    with open_source("ollama", "all-minilm", host=server.url) as source:
        first = source.embed(["legacy one", "legacy two"])

    server.reset_counts()
    with open_source("ollama", "all-minilm", host=server.url) as source:
        again = source.embed(["legacy two", "legacy one"])
        assert source.dims() == 384
    assert server.requests == 0
    assert all(e.cached and not e.normalized for e in again)
    np.testing.assert_array_equal(again[0].vector, first[1].vector)


def test_corrupt_cache_file_is_moved_aside(
    private_cache: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = private_cache / FILE_NAME
    path.write_bytes(b"this is not an sqlite database" * 100)
    caplog.set_level(logging.WARNING)

    with open_source("local") as source:
        source.embed_one("after the damage")
    with open_source("local") as source:
        assert source.embed_one("after the damage").cached

    assert "unreadable" in caplog.text and str(path) in caplog.text
    assert (private_cache / (FILE_NAME + ".corrupt")).read_bytes().startswith(b"this is not")


def test_unwritable_cache_folder_falls_back_to_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("EMBVIZ_CACHE_DIR", str(blocker / "cache"))
    caplog.set_level(logging.WARNING)

    source = open_source("local")
    source.embed_one("memory only")
    assert source.embed_one("memory only").cached
    assert "caching in memory only" in caplog.text


def test_memory_lru_evicts_the_oldest_but_disk_keeps_it(tmp_path: Path) -> None:
    cache = VectorCache(tmp_path / FILE_NAME, memory_items=2)
    key = ("local", "here", "m", "e", "query")
    vectors = {text: np.full(4, i, dtype=np.float32) for i, text in enumerate("abc")}
    cache.put_many(key, [(text, Fetched(v, False)) for text, v in vectors.items()])

    assert [text for (_key, text) in cache._memory] == ["b", "c"]
    found = cache.get_many(key, ["a", "b", "z"])
    assert set(found) == {"a", "b"} and found["a"].cached
    np.testing.assert_array_equal(found["a"].vector, vectors["a"])
    assert cache.dims(key) == 4 and cache.dims(("other", "", "", "", "")) is None
    cache.close()


def test_a_hit_is_a_copy_the_caller_may_change(tmp_path: Path) -> None:
    source = CachedSource(open_source("local", cache=False), VectorCache(tmp_path / FILE_NAME))
    source.embed_one("mutable")
    hit = source.embed_one("mutable")
    hit.vector[:] = 0

    assert source.embed_one("mutable").vector.any()


def test_many_threads_share_one_cached_source(ollama_server: Factory) -> None:
    server = ollama_server()
    source = open_source("ollama", "all-minilm", host=server.url)
    texts = [f"thread text {i % 6}" for i in range(36)]
    errors: list[BaseException] = []
    results: dict[int, np.ndarray] = {}

    def work(indices: range) -> None:
        try:
            for i in indices:
                results[i] = source.embed_one(texts[i]).vector
        except BaseException as exc:  # noqa: BLE001 (reported by the assertion below)
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(range(k, 36, 4),)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not errors and len(results) == 36
    expected = reference_vectors([f"thread text {i}" for i in range(6)])
    for i, vector in results.items():
        np.testing.assert_allclose(vector, expected[i % 6], atol=1e-6)
    # each thread asks for each distinct text at most once; a race may repeat a miss
    assert 6 <= server.texts_embedded <= 24


def test_a_cache_file_that_cannot_be_opened_is_left_alone_and_memory_serves(
    private_cache: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (private_cache / FILE_NAME).mkdir()  # sqlite: "unable to open database file"
    caplog.set_level(logging.WARNING)
    with open_source("local") as source:
        source.embed_one("kept in memory")
        assert source.embed_one("kept in memory").cached

    assert "cannot be opened" in caplog.text and "memory only" in caplog.text
    assert (private_cache / FILE_NAME).is_dir()
    assert not (private_cache / (FILE_NAME + ".corrupt")).exists()
