"""One standalone GL context (Mesa llvmpipe through EGL) and one canvas for the whole session."""

from __future__ import annotations

from collections.abc import Iterator

import moderngl
import numpy as np
import pytest

from visualizer.gl.context import standalone_context
from visualizer.gl.offscreen import OffscreenCanvas

#: a canvas where 4096 dims still get 4-pixel cells and 384 dims 13-pixel ones (grid lines on)
PICTURE_SIZE = (272, 272)


@pytest.fixture(scope="session")
def gl_ctx() -> Iterator[moderngl.Context]:
    ctx = standalone_context()
    yield ctx
    ctx.release()


@pytest.fixture(scope="session")
def _picture_canvas(gl_ctx: moderngl.Context) -> Iterator[OffscreenCanvas]:
    canvas = OffscreenCanvas(PICTURE_SIZE, legend=False, caption_lines=0, ctx=gl_ctx)
    yield canvas
    canvas.release()


@pytest.fixture
def picture_canvas(_picture_canvas: OffscreenCanvas) -> OffscreenCanvas:
    """The session's picture-only canvas, back to defaults and fresh statistics."""
    renderer = _picture_canvas.renderer
    renderer.set_colormap("rdbu")
    renderer.set_normalization("linear")
    renderer.set_layout("grid")
    renderer.grid_lines = True
    renderer.stats.reset()
    renderer.clear()
    return _picture_canvas


def cells_of(frame: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """The colours of `frame` at pixel centres (x, y), as (n, 3) int."""
    xs, ys = np.floor(centres[:, 0]).astype(int), np.floor(centres[:, 1]).astype(int)
    return frame[ys, xs].astype(int)
