"""The CPU picture: what the GPU must draw at each cell centre, computed with numpy.

It follows the fragment shader step by step (normalise, morph, colormap, over/under, no data)
with the same float32 arithmetic, so tests can compare the two within 1/255 per channel. The
classic mapping is computed here in float64, as the original tool did.
"""

from __future__ import annotations

import logging

import numpy as np

from visualizer.picture.colormaps import NO_DATA, OVER, UNDER, classic_colour, lookup, lut
from visualizer.picture.layout import Layout
from visualizer.picture.morph import ease
from visualizer.picture.normalize import (
    RunningStats,
    classic_channels,
    positions,
    prepare,
    scale_for,
)

log = logging.getLogger(__name__)


def reference_cells(
    vector: np.ndarray,
    layout: Layout,
    normalization: str,
    colormap: str,
    stats: RunningStats | None = None,
    *,
    previous: np.ndarray | None = None,
    t: float = 1.0,
    from_colours: np.ndarray | None = None,
) -> np.ndarray:
    """The colour of every cell as (rows, cols, 3) uint8, for `vector` (morphing from `previous`
    at time t in [0, 1], eased) under `layout`, `normalization` and `colormap`.

    `stats` supplies zscore's per-dimension mean and spread; without it z-scores are 0.
    `from_colours` ((rows, cols, 3) floats in [0, 1]) replaces `previous` with the colours a
    morph started from, as the renderer's show() does: colours are blended, not values.
    """
    rgb = _colours(vector, layout, normalization, colormap, stats)
    e = np.float32(ease(t))
    if from_colours is not None and e < 1.0:
        rgb = _blend(np.asarray(from_colours, np.float32), rgb, e)
    elif previous is not None and len(previous) == len(vector) and e < 1.0:
        if normalization == "classic" and colormap == "classic":
            before = _colours(previous, layout, normalization, colormap, stats)
            rgb = _blend(before, rgb, e)
        else:
            p0 = _positions(previous, layout, normalization, stats)
            p1 = _positions(vector, layout, normalization, stats)
            rgb = _paint(_blend(p0, p1, e), colormap)

    rgb = np.where((layout.order >= 0).reshape(layout.rows, layout.cols, 1), rgb, NO_DATA)
    return np.floor(np.clip(rgb, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def _blend(a: np.ndarray, b: np.ndarray, e: np.float32) -> np.ndarray:
    # As the shader: the ends as they are (an infinite position never meets 0 * inf).
    if e <= 0.0:
        return a
    with np.errstate(invalid="ignore"):
        return a * (np.float32(1.0) - e) + b * e


def zscore_cells(layout: Layout, stats: RunningStats | None) -> tuple[np.ndarray, np.ndarray]:
    """zscore's mean and 1/(3 std) in cells; zeros when stats are missing or of other dims."""
    if stats is None or stats.dims != layout.dims or stats.count == 0:
        zero = np.zeros((layout.rows, layout.cols), dtype=np.float32)
        return zero, zero
    mean, inv = stats.zscore_tables()
    return layout.arrange(mean), layout.arrange(inv)


def _positions(
    vector: np.ndarray, layout: Layout, normalization: str, stats: RunningStats | None
) -> np.ndarray:
    v = prepare(vector)
    scale = scale_for(v, normalization)
    mean, inv = zscore_cells(layout, stats)
    return positions(layout.arrange(v), scale, mean, inv)


def _colours(
    vector: np.ndarray,
    layout: Layout,
    normalization: str,
    colormap: str,
    stats: RunningStats | None,
) -> np.ndarray:
    if normalization == "classic" and colormap == "classic":
        v = prepare(vector)
        r, b = classic_channels(layout.arrange(v), scale_for(v, "classic"))
        return classic_colour(r, b).astype(np.float32)
    return _paint(_positions(vector, layout, normalization, stats), colormap)


def _paint(p: np.ndarray, colormap: str) -> np.ndarray:
    rgb = lookup(lut(colormap), p)
    rgb = np.where((p > 1.0)[..., None], OVER, rgb)
    return np.where((p < -1.0)[..., None], UNDER, rgb).astype(np.float32)
