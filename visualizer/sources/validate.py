"""Checks every reply before its numbers become vectors.

A reply is usable when it holds one vector per text sent, every vector the same non-zero length,
and every value a finite number that fits in float32. Anything else is a BadReply whose message
quotes what arrived, which text it belonged to, and what to try next.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from visualizer.errors import BadReply

#: how much of a text or a reply an error message quotes
QUOTE_CHARS = 60

FLOAT32_MAX = float(np.finfo(np.float32).max)


def quote(value: object, limit: int = QUOTE_CHARS) -> str:
    """A short printable rendering of a text or of part of a reply, for error messages."""
    shown = value if isinstance(value, str) else repr(value)
    if len(shown) > limit:
        shown = shown[: limit - 1] + "…"
    return repr(shown) if isinstance(value, str) else shown


def check_vectors(
    raw: object, texts: Sequence[str], *, where: str, advice: str = ""
) -> list[np.ndarray]:
    """The vectors of `raw` as float32 arrays, or BadReply saying what is wrong with them.

    `where` names the sender ("Ollama at http://… /api/embed"); `advice` ends every message.
    """
    tail = f": {advice}" if advice else ""
    if not isinstance(raw, list):
        raise BadReply(f"{where} sent {quote(raw)} where a list of vectors belongs{tail}")
    if len(raw) != len(texts):
        raise BadReply(f"{where} sent {len(raw)} vector(s) for {len(texts)} text(s){tail}")

    vectors = [_one_vector(item, texts[i], i, where, tail) for i, item in enumerate(raw)]
    lengths = sorted({vector.shape[0] for vector in vectors})
    if len(lengths) > 1:
        raise BadReply(
            f"{where} sent vectors of different lengths ({', '.join(map(str, lengths))}) "
            f"in one reply{tail}"
        )
    return vectors


def _one_vector(item: object, text: str, index: int, where: str, tail: str) -> np.ndarray:
    what = f"vector {index} (for {quote(text)})"
    if isinstance(item, np.ndarray):
        return _one_array(item, what, where, tail)
    if not isinstance(item, list):
        raise BadReply(f"{where} sent {quote(item)} as {what}, not a list of numbers{tail}")
    if not item:
        raise BadReply(
            f"{where} sent an empty {what}; the model may not make embeddings: "
            f"pick an embedding model{tail}"
        )

    for dim, value in enumerate(item):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise BadReply(f"{where} sent {quote(value)} at dimension {dim} of {what}{tail}")
        if not math.isfinite(value) or abs(value) > FLOAT32_MAX:
            raise BadReply(
                f"{where} sent {value!r} at dimension {dim} of {what}: the model produced "
                f"broken numbers for this text; try another model or --source local"
            )
    return np.asarray(item, dtype=np.float32)


def _one_array(item: np.ndarray, what: str, where: str, tail: str) -> np.ndarray:
    if item.size == 0:
        raise BadReply(
            f"{where} sent an empty {what}; the model may not make embeddings: "
            f"pick an embedding model{tail}"
        )
    bad = np.flatnonzero(~np.isfinite(item))
    if bad.size:
        raise BadReply(
            f"{where} sent {float(item[bad[0]])!r} at dimension {int(bad[0])} of {what}: the "
            "model produced broken numbers for this text; try another model or --source local"
        )
    return np.ascontiguousarray(item, dtype=np.float32)


def check_array(array: np.ndarray, texts: Sequence[str], *, where: str) -> list[np.ndarray]:
    """The rows of an (n, dims) array produced in process, checked like a reply."""
    if array.ndim != 2 or array.shape[0] != len(texts) or array.shape[1] == 0:
        raise BadReply(f"{where} produced an array of shape {array.shape} for {len(texts)} text(s)")

    bad = ~np.isfinite(array)
    if bad.any():
        row, dim = (int(v) for v in np.argwhere(bad)[0])
        raise BadReply(
            f"{where} produced {array[row, dim]!r} at dimension {dim} of vector {row} "
            f"(for {quote(texts[row])}): try another model or another text"
        )
    return [np.ascontiguousarray(row, dtype=np.float32) for row in array]
