"""The GPU picture (Mesa llvmpipe) against the CPU reference, cell centre by cell centre.

Tolerance: 1/255 per channel (one step of the 8-bit framebuffer), as stated in the README.
"""

from __future__ import annotations

import numpy as np
import pytest

from gl.conftest import cells_of
from gl.vectors import DIMS, KINDS, make_vector
from visualizer.gl.offscreen import OffscreenCanvas
from visualizer.picture.colormaps import COLORMAPS
from visualizer.picture.layout import make_layout
from visualizer.picture.normalize import NORMALIZATIONS
from visualizer.picture.reference import reference_cells

TOLERANCE = 1


def compare(canvas: OffscreenCanvas, vector: np.ndarray, norm: str, cmap: str, **blend) -> None:
    renderer = canvas.renderer
    renderer.set_normalization(norm)
    renderer.set_colormap(cmap)
    frame = canvas.frame(vector, **blend)

    layout = make_layout(renderer.layout_name, vector.size, renderer.stats.variance)
    expected = reference_cells(vector, layout, norm, cmap, renderer.stats, **blend)
    cell = layout.cell_of()
    got = cells_of(frame, canvas.cell_centres(vector.size))
    want = expected.reshape(-1, 3)[cell].astype(int)

    worst = np.abs(got - want).max(axis=1)
    bad = np.nonzero(worst > TOLERANCE)[0]
    assert bad.size == 0, (
        f"{norm}/{cmap}: {bad.size} cells off, e.g. dim {bad[0]}: value {vector[bad[0]]!r} "
        f"GPU {got[bad[0]].tolist()} reference {want[bad[0]].tolist()}"
    )


@pytest.mark.parametrize("dims", DIMS)
@pytest.mark.parametrize("kind", KINDS)
def test_every_normalization_matches_the_reference(
    picture_canvas: OffscreenCanvas, kind: str, dims: int
) -> None:
    vector = make_vector(kind, dims)
    for i, norm in enumerate(NORMALIZATIONS):
        if norm == "zscore":
            for seed in (1, 2, 3):  # statistics of a few earlier vectors
                picture_canvas.renderer.pose(make_vector("random", dims, seed))
        cmap = COLORMAPS[(i + KINDS.index(kind) + DIMS.index(dims)) % len(COLORMAPS)]
        compare(picture_canvas, vector, norm, cmap)


@pytest.mark.parametrize("dims", DIMS)
@pytest.mark.parametrize("kind", KINDS)
def test_classic_colours_match_the_original_formula_on_the_gpu(
    picture_canvas: OffscreenCanvas, kind: str, dims: int
) -> None:
    compare(picture_canvas, make_vector(kind, dims), "classic", "classic")


@pytest.mark.parametrize("cmap", COLORMAPS)
def test_every_colormap_matches_the_reference(picture_canvas: OffscreenCanvas, cmap: str) -> None:
    compare(picture_canvas, make_vector("random", 1024), "linear", cmap)


@pytest.mark.parametrize("norm", NORMALIZATIONS)
@pytest.mark.parametrize("t", [0.0, 0.3, 0.5, 0.9])
def test_morph_frames_match_the_reference(
    picture_canvas: OffscreenCanvas, norm: str, t: float
) -> None:
    cmap = "classic" if norm == "classic" else "vik"
    a, b = make_vector("random", 768, 1), make_vector("outlier", 768, 2)
    compare(picture_canvas, b, norm, cmap, previous=a, t=t)


def test_variance_layout_matches_the_reference(picture_canvas: OffscreenCanvas) -> None:
    renderer = picture_canvas.renderer
    renderer.set_layout("variance")
    for seed in range(4):
        renderer.pose(make_vector("random", 384, seed) * (1 + np.arange(384) % 7))
    compare(picture_canvas, make_vector("random", 384, 9), "zscore", "puor")
    assert renderer.layout is not None and renderer.layout.name == "variance"
    assert renderer.layout.order[0] % 7 == 6  # the dims scaled most vary most
