"""How two embeddings differ, in numbers: cosine similarity, Euclidean distance, and which
dimensions carry the cosine.

The cosine of a and b is a sum over dimensions, cos = sum_i a_i * b_i / (|a| |b|), so each
dimension adds one term. A dimension's *share* is its term over the sum of the absolute terms:
shares lie in [-1, 1], a negative share pulls the two vectors apart, and the absolute shares of
all dimensions add up to 1. The dimensions with the largest absolute terms are the ones whose
agreement (or disagreement) decides the cosine.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from visualizer.errors import UsageError

log = logging.getLogger(__name__)

#: how many contributing dimensions the HUD, the image and the CLI list by default
TOP = 5


@dataclass(frozen=True)
class Contribution:
    """One dimension's part in the cosine: its term of the sum and its share of all terms."""

    dim: int
    term: float
    share: float


@dataclass(frozen=True)
class Comparison:
    """The figures that compare two vectors of equal dims."""

    dims: int
    cosine: float
    distance: float
    top: tuple[Contribution, ...]

    def describe(self) -> list[str]:
        """Lines for a terminal or a HUD: the cosine, the distance, then one line a dimension."""
        lines = [f"cosine {format_cosine(self.cosine)}", f"distance {self.distance:.4f}"]
        lines += [
            f"dim {c.dim:>4}  {c.term:+.4f}  {c.share:>+6.1%}  of the cosine" for c in self.top
        ]
        return lines


def mismatch(a: np.ndarray, b: np.ndarray) -> str | None:
    """Why a and b cannot be compared dimension by dimension, or None when they can."""
    if a.ndim != 1 or b.ndim != 1:
        return f"vectors must be one-dimensional, got shapes {a.shape} and {b.shape}"
    if a.shape != b.shape:
        return (
            f"dims differ ({a.shape[0]} vs {b.shape[0]}): dimension i of one model means "
            "nothing to the other; compare two texts through one model, or two models with "
            "equal dims"
        )
    return None


def _checked(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    a64 = np.asarray(a, dtype=np.float64)
    b64 = np.asarray(b, dtype=np.float64)
    reason = mismatch(a64, b64)
    if reason is not None:
        raise UsageError(f"cannot compare these vectors: {reason}")
    return a64, b64


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine similarity of a and b; NaN when either is all zeros (blank text has no direction)."""
    a64, b64 = _checked(a, b)
    norms = float(np.linalg.norm(a64) * np.linalg.norm(b64))
    if norms == 0.0:
        return float("nan")
    return float(np.dot(a64, b64) / norms)


def distance(a: np.ndarray, b: np.ndarray) -> float:
    """Euclidean distance between a and b."""
    a64, b64 = _checked(a, b)
    return float(np.linalg.norm(a64 - b64))


def difference(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """A - B as float32, the vector the difference pane draws on a diverging colormap."""
    a64, b64 = _checked(a, b)
    return (a64 - b64).astype(np.float32)


def terms(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Each dimension's term a_i * b_i / (|a| |b|) of the cosine; NaN for a zero vector."""
    a64, b64 = _checked(a, b)
    norms = float(np.linalg.norm(a64) * np.linalg.norm(b64))
    if norms == 0.0:
        return np.full(a64.shape, np.nan)
    return a64 * b64 / norms


def contributions(a: np.ndarray, b: np.ndarray, top: int = TOP) -> tuple[Contribution, ...]:
    """The `top` dimensions with the largest absolute term in the cosine, largest first.

    Empty when either vector is all zeros, since then there is no cosine to share out.
    """
    each = terms(a, b)
    if top <= 0 or np.isnan(each).any():
        return ()

    total = float(np.abs(each).sum())
    # Stable sort so equal terms keep dimension order, which keeps the HUD from flickering.
    order = np.argsort(-np.abs(each), kind="stable")[:top]
    return tuple(
        Contribution(int(i), float(each[i]), float(each[i]) / total if total else 0.0)
        for i in order
    )


def compare(a: np.ndarray, b: np.ndarray, top: int = TOP) -> Comparison:
    """Cosine, distance and the top contributing dimensions of a and b (equal dims required)."""
    a64, b64 = _checked(a, b)
    return Comparison(
        dims=int(a64.shape[0]),
        cosine=cosine(a64, b64),
        distance=distance(a64, b64),
        top=contributions(a64, b64, top),
    )


def format_cosine(value: float) -> str:
    """The cosine as the HUD and the CLI print it; 'n/a (blank)' when it is undefined."""
    if np.isnan(value):
        return "n/a (blank text)"
    return f"{value:+.4f}"
