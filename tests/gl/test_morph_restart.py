"""A vector that arrives mid-morph: the new morph starts from the colours on screen, no jump."""

from __future__ import annotations

import numpy as np
import pytest

from gl.conftest import cells_of
from gl.vectors import make_vector
from visualizer.gl.offscreen import OffscreenCanvas
from visualizer.picture.layout import make_layout
from visualizer.picture.reference import reference_cells

MORPH_S = 0.4
DIMS = 768


def cell_colours(canvas: OffscreenCanvas, frame: np.ndarray) -> np.ndarray:
    """(cells, 3) int colours at each cell's centre, in cell order (whatever the layout)."""
    by_dim = canvas.cell_centres(DIMS)
    layout = canvas.renderer.layout
    assert layout is not None
    centres = np.zeros((layout.rows * layout.cols, 2))
    centres[layout.cell_of()] = by_dim
    return cells_of(frame, centres[:DIMS]).astype(int)


def shown_at(canvas: OffscreenCanvas, now: float) -> np.ndarray:
    canvas.renderer.update(now)
    return canvas.shown()


@pytest.mark.parametrize(
    ("norm", "cmap", "layout"),
    [
        ("linear", "rdbu", "grid"),
        ("symlog", "berlin", "grid"),
        ("zscore", "vik", "grid"),
        ("classic", "classic", "grid"),
        ("linear", "viridis", "variance"),
    ],
)
def test_a_vector_mid_morph_continues_from_the_picture_on_screen(
    picture_canvas: OffscreenCanvas, norm: str, cmap: str, layout: str
) -> None:
    renderer = picture_canvas.renderer
    renderer.set_normalization(norm)
    renderer.set_colormap(cmap)
    renderer.set_layout(layout)
    a, b, c = (make_vector("random", DIMS, seed) for seed in (11, 12, 13))
    for seed in (1, 2, 3):  # some statistics for zscore and the variance layout
        renderer.show(make_vector("random", DIMS, seed), morph_s=0.0, now=0.0)
    renderer.show(a, morph_s=0.0, now=0.0)

    renderer.show(b, morph_s=MORPH_S, now=1.0)
    before = cell_colours(picture_canvas, shown_at(picture_canvas, 1.1))
    renderer.show(make_vector("random", DIMS, 14), morph_s=MORPH_S, now=1.1)
    renderer.show(c, morph_s=MORPH_S, now=1.1)  # two vectors with no frame between them
    after = cell_colours(picture_canvas, shown_at(picture_canvas, 1.1))
    assert renderer.animating
    # Every cell as it was, even where the variance layout re-sorted (one 8-bit step allowed).
    assert np.abs(after - before).max() <= 1

    # A quarter of the way on: the kept colours blended into c's own, as the reference says.
    later = cell_colours(picture_canvas, shown_at(picture_canvas, 1.1 + MORPH_S / 4))
    grid = make_layout(renderer.layout_name, DIMS, renderer.stats.variance)
    cells = grid.rows * grid.cols
    kept = np.zeros((cells, 3), dtype=np.float32)
    kept[:DIMS] = before / 255.0
    expected = reference_cells(
        c,
        grid,
        norm,
        cmap,
        renderer.stats,
        t=0.25,
        from_colours=kept.reshape(grid.rows, grid.cols, 3),
    )
    assert np.abs(later - expected.reshape(-1, 3)[:DIMS].astype(int)).max() <= 1
    assert np.abs(later - before).max() > 10  # and it does move toward c

    renderer.update(1.1 + MORPH_S)
    assert not renderer.animating
    final = reference_cells(c, grid, norm, cmap, renderer.stats).reshape(-1, 3)[:DIMS]
    assert np.abs(cell_colours(picture_canvas, picture_canvas.shown()) - final).max() <= 1


@pytest.mark.parametrize(
    ("change", "value"),
    [("set_colormap", "magma"), ("set_normalization", "symlog"), ("set_layout", "variance")],
)
def test_a_switch_of_colormap_normalisation_or_layout_fades_in(
    picture_canvas: OffscreenCanvas, change: str, value: str
) -> None:
    renderer = picture_canvas.renderer
    for seed in (1, 2, 3):
        renderer.show(make_vector("random", DIMS, seed), morph_s=0.0, now=0.0)
    vector = make_vector("outlier", DIMS, 4)
    renderer.show(vector, morph_s=0.0, now=0.0)
    before = cell_colours(picture_canvas, shown_at(picture_canvas, 1.0))

    renderer.fade(MORPH_S, now=1.0)
    getattr(renderer, change)(value)
    assert np.abs(cell_colours(picture_canvas, shown_at(picture_canvas, 1.0)) - before).max() <= 1

    half = cell_colours(picture_canvas, shown_at(picture_canvas, 1.0 + MORPH_S / 2))
    grid = make_layout(renderer.layout_name, DIMS, renderer.stats.variance)
    kept = np.zeros((grid.rows * grid.cols, 3), dtype=np.float32)
    kept[:DIMS] = before / 255.0
    args = (vector, grid, renderer.normalization, renderer.colormap, renderer.stats)
    expected = reference_cells(*args, t=0.5, from_colours=kept.reshape(grid.rows, grid.cols, 3))
    assert np.abs(half - expected.reshape(-1, 3)[:DIMS].astype(int)).max() <= 1

    final = reference_cells(*args).reshape(-1, 3)[:DIMS].astype(int)
    assert np.abs(cell_colours(picture_canvas, shown_at(picture_canvas, 2.0)) - final).max() <= 1
    assert np.abs(final - before).max() > 30  # the switch did change the picture
