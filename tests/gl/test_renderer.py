"""PictureRenderer behaviour: orientation, hover readout, morph clock, switches, viewports."""

from __future__ import annotations

from pathlib import Path

import moderngl
import numpy as np
import pytest

from gl.vectors import make_vector
from visualizer.errors import ShaderError, UsageError
from visualizer.gl.offscreen import OffscreenCanvas
from visualizer.gl.renderer import PictureRenderer
from visualizer.gl.shaders import load_program
from visualizer.picture.colormaps import NO_DATA, lut


def test_first_dimension_is_drawn_top_left(picture_canvas: OffscreenCanvas) -> None:
    v = np.zeros(384, np.float32)
    v[0], v[383] = -1.0, 1.0
    picture_canvas.renderer.set_colormap("viridis")
    frame = picture_canvas.frame(v)

    x, y, w, h = picture_canvas.renderer.picture_rect((0, 0, *picture_canvas.size))
    top = picture_canvas.size[1] - (y + h)
    cell = w // 20
    top_left = frame[top + cell // 2, x + cell // 2].astype(int)
    assert np.abs(top_left - np.round(lut("viridis")[0] * 255)).max() <= 1
    last = frame[top + 19 * cell + cell // 2, x + 3 * cell + cell // 2].astype(int)  # dim 383
    assert np.abs(last - np.round(lut("viridis")[255] * 255)).max() <= 1


def test_dimension_at_names_the_dimension_and_value_under_the_mouse(
    picture_canvas: OffscreenCanvas,
) -> None:
    renderer = picture_canvas.renderer
    renderer.set_layout("variance")
    for seed in range(3):
        renderer.pose(make_vector("random", 768, seed) * (1 + np.arange(768) % 5))
    v = make_vector("random", 768, 8)
    picture_canvas.frame(v)

    viewport = (0, 0, *picture_canvas.size)
    centres = picture_canvas.cell_centres(768)
    for dim in (0, 1, 100, 767):
        found = renderer.dimension_at(centres[dim, 0], centres[dim, 1], viewport)
        assert found == (dim, pytest.approx(float(v[dim])))
    assert renderer.dimension_at(1, 1, viewport) is None  # the margin


def test_no_data_cells_are_hatched_with_the_no_data_colour_at_their_centre(
    picture_canvas: OffscreenCanvas,
) -> None:
    frame = picture_canvas.frame(make_vector("random", 384))
    x, y, w, h = picture_canvas.renderer.picture_rect((0, 0, *picture_canvas.size))
    top, cell = picture_canvas.size[1] - (y + h), w // 20

    col = 10  # cell 390 of 400: no dimension behind it
    block = frame[top + 19 * cell : top + 20 * cell, x + col * cell : x + (col + 1) * cell]
    centre = block[cell // 2, cell // 2].astype(int)
    assert np.abs(centre - np.floor(NO_DATA * 255 + 0.5)).max() <= 1
    assert len({tuple(p) for p in block.reshape(-1, 3)}) > 1  # stripes (and the grid line)


def test_morph_runs_on_the_clock_and_cuts_over_on_new_dims(gl_ctx: moderngl.Context) -> None:
    renderer = PictureRenderer(gl_ctx)
    try:
        a, b = make_vector("random", 384, 1), make_vector("random", 384, 2)
        renderer.show(a, now=10.0)
        assert not renderer.animating and np.array_equal(renderer.current, a)

        renderer.show(b, morph_s=0.2, now=11.0)
        assert renderer.update(11.1) is True
        done = 1.0 - 0.5**3  # ease-out at t = 0.5
        np.testing.assert_allclose(renderer.current, a + (b - a) * done, atol=1e-6)
        assert renderer.update(11.25) is False and np.array_equal(renderer.current, b)

        renderer.show(b, morph_s=0.2, now=12.0)
        renderer.update(12.1)
        renderer.show(make_vector("random", 1024, 3), morph_s=0.2, now=12.1)
        assert not renderer.animating and renderer.current.size == 1024
    finally:
        renderer.release()


def test_switching_colormap_keeps_the_uploaded_vector(picture_canvas: OffscreenCanvas) -> None:
    renderer = picture_canvas.renderer
    v = make_vector("random", 1024)
    picture_canvas.frame(v)
    textures = [t.glo for t in renderer._textures]
    uploaded = renderer._textures[0].read()

    renderer.set_colormap("magma")
    frame = picture_canvas.read()  # nothing redrawn yet
    renderer.draw(picture_canvas._gl(picture_canvas._areas["picture"]))
    assert [t.glo for t in renderer._textures] == textures
    assert renderer._textures[0].read() == uploaded
    assert not np.array_equal(picture_canvas.read(), frame)


def test_draw_respects_an_offset_viewport(gl_ctx: moderngl.Context) -> None:
    fbo = gl_ctx.simple_framebuffer((200, 100), components=4)
    renderer = PictureRenderer(gl_ctx, colormap="viridis")
    try:
        fbo.use()
        gl_ctx.clear(0.0, 0.0, 0.0, 1.0)
        renderer.show(np.full(16, 0.5, np.float32))
        renderer.draw((100, 0, 100, 100))
        assert gl_ctx.viewport == (0, 0, 200, 100)  # restored

        pixels = np.frombuffer(fbo.read(components=3), np.uint8).reshape(100, 200, 3)
        assert pixels[:, :100].max() == 0  # nothing drawn left of the viewport
        assert renderer.picture_rect((100, 0, 100, 100)) == (100, 0, 100, 100)
        assert pixels[50, 150].tolist() != [0, 0, 0]
    finally:
        renderer.release()
        fbo.release()


def test_unknown_names_are_usage_errors(picture_canvas: OffscreenCanvas) -> None:
    renderer = picture_canvas.renderer
    for setter, name in (
        (renderer.set_colormap, "jet"),
        (renderer.set_normalization, "log"),
        (renderer.set_layout, "spiral"),
    ):
        with pytest.raises(UsageError, match=name):
            setter(name)


def test_a_broken_shader_names_its_file_and_line(gl_ctx: moderngl.Context, tmp_path: Path) -> None:
    (tmp_path / "ok.vert").write_text(
        "#version 330\nvoid main() {\n    gl_Position = vec4(0.0);\n}\n"
    )
    (tmp_path / "broken.frag").write_text(
        "// broken.frag: a test\n// of errors\n#version 330\nout vec4 f_colour;\n"
        "void main() {\n    f_colour = vec4(undeclared);\n}\n"
    )
    with pytest.raises(ShaderError, match=r"broken\.frag:6.*undeclared"):
        load_program(gl_ctx, "ok.vert", "broken.frag", directory=tmp_path)


def test_grid_lines_darken_cell_edges_only_when_switched_on(
    picture_canvas: OffscreenCanvas,
) -> None:
    renderer = picture_canvas.renderer
    v = np.full(384, 0.5, np.float32)
    lined = picture_canvas.frame(v)
    x, y, w, h = renderer.picture_rect((0, 0, *picture_canvas.size))
    top, cell = picture_canvas.size[1] - (y + h), w // 20
    edge_y, centre_y = top + 5 * cell, top + 5 * cell + cell // 2  # a cell's first pixel row
    column = x + 2 * cell + cell // 2

    assert lined[edge_y, column].sum() < lined[centre_y, column].sum() * 0.7
    renderer.grid_lines = False
    plain = picture_canvas.frame(v)
    assert plain[edge_y, column].tolist() == plain[centre_y, column].tolist()
