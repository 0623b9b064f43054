"""OffscreenCanvas frames: legend, caption with highlight, placeholder, size and orientation."""

from __future__ import annotations

import moderngl
import numpy as np
import pytest

from gl.vectors import make_vector
from visualizer.errors import UsageError
from visualizer.gl.offscreen import BACKGROUND, HIGHLIGHT, OffscreenCanvas, wrap
from visualizer.gl.text import TextOverlay
from visualizer.picture.colormaps import NO_DATA, OVER, UNDER


@pytest.fixture(scope="module")
def full_canvas(gl_ctx: moderngl.Context):
    canvas = OffscreenCanvas((480, 360), ctx=gl_ctx, colormap="viridis")
    yield canvas
    canvas.release()


def has_colour(region: np.ndarray, colour: np.ndarray | tuple, tolerance: int = 2) -> bool:
    target = np.floor(np.asarray(colour, float) * (255 if max(colour) <= 1 else 1) + 0.5)
    return bool((np.abs(region.astype(int) - target).max(axis=-1) <= tolerance).any())


def test_frame_has_the_asked_size_and_a_legend_with_over_and_under(
    full_canvas: OffscreenCanvas,
) -> None:
    frame = full_canvas.frame(make_vector("random", 768))
    assert frame.shape == (360, 480, 3) and frame.dtype == np.uint8

    x, y, w, h = full_canvas._areas["legend"]
    legend = frame[y : y + h, x : x + w]
    assert has_colour(legend, OVER) and has_colour(legend, UNDER)
    assert len({tuple(p) for p in legend[h // 5]}) > 100  # the colour bar's ramp
    assert (legend[h - 4 :] != np.floor(np.array(BACKGROUND) * 255 + 0.5)).any()  # labels


def test_caption_highlights_its_last_characters(full_canvas: OffscreenCanvas) -> None:
    plain = full_canvas.frame(make_vector("random", 384), caption="hello world")
    lit = full_canvas.frame(make_vector("random", 384), caption="hello world", highlight=5)

    x, y, w, h = full_canvas._areas["caption"]
    assert not has_colour(plain[y : y + h, x : x + w], HIGHLIGHT, 30)
    region = lit[y : y + h, x : x + w]
    assert has_colour(region, HIGHLIGHT, 30)
    columns = np.nonzero((np.abs(region.astype(int) - HIGHLIGHT).max(axis=-1) <= 30).any(axis=0))[0]
    assert columns.min() > w * 0.05  # only the end ("world") is highlighted


def test_placeholder_frame_marks_the_missing_vector(full_canvas: OffscreenCanvas) -> None:
    frame = full_canvas.frame(None, note="server not answering")
    x, y, w, h = full_canvas._areas["picture"]
    picture = frame[y : y + h, x : x + w]

    assert has_colour(picture, NO_DATA)
    assert has_colour(picture, (255, 170, 120), 40)  # the note's text
    assert full_canvas.frame(make_vector("random", 384)).shape == frame.shape


def test_cell_centres_lie_inside_the_picture_in_row_major_order(
    full_canvas: OffscreenCanvas,
) -> None:
    centres = full_canvas.cell_centres(1024)
    x, y, w, h = full_canvas._areas["picture"]

    assert centres.shape == (1024, 2)
    assert (centres[:, 0] > x).all() and (centres[:, 0] < x + w).all()
    assert (centres[:, 1] > y).all() and (centres[:, 1] < y + h).all()
    assert centres[1, 0] > centres[0, 0] and centres[32, 1] > centres[0, 1]
    assert centres[32, 0] == centres[0, 0]


def test_wrap_breaks_at_spaces_newlines_and_inside_long_words() -> None:
    text = "aaaa bbbb cccc\ndd eeeeeeeeeeee"
    lines = [text[a:b] for a, b in wrap(text, len, 9)]

    assert lines == ["aaaa bbbb ", "cccc", "dd ", "eeeeeeeee", "eee"]


def test_wrap_resumed_at_a_line_start_gives_the_same_lines(case_texts: dict[str, str]) -> None:
    text = case_texts["paragraph"]
    full = wrap(text, len, 37)
    for k in range(len(full)):
        assert full[:k] + wrap(text, len, 37, start=full[k][0]) == full


def test_a_growing_caption_is_wrapped_as_a_whole_would_be(
    gl_ctx: moderngl.Context, case_texts: dict[str, str]
) -> None:
    canvas = OffscreenCanvas((320, 240), ctx=gl_ctx, caption_lines=3)
    font = canvas.overlay.font(canvas.caption_size)
    measure = lambda s: font.size(s)[0]  # noqa: E731
    text = case_texts["paragraph"]
    try:
        for end in range(1, len(text) + 1, 7):
            got = canvas._wrap_caption(text[:end], measure, 300)
            assert got == wrap(text[:end], measure, 300)
        assert canvas._wrap_caption("other", measure, 300) == [(0, 5)]
    finally:
        canvas.release()


def test_sizes_out_of_range_are_usage_errors(gl_ctx: moderngl.Context) -> None:
    with pytest.raises(UsageError, match="8x8"):
        OffscreenCanvas((8, 8), ctx=gl_ctx)


def test_text_overlay_places_surfaces_from_the_top_left(gl_ctx: moderngl.Context) -> None:
    import pygame

    fbo = gl_ctx.simple_framebuffer((64, 48), components=4)
    overlay = TextOverlay(gl_ctx)
    try:
        fbo.use()
        gl_ctx.clear(0.0, 0.0, 0.0, 1.0)
        square = pygame.Surface((10, 6), pygame.SRCALPHA)
        square.fill((255, 0, 0, 255))
        overlay.draw_surface(square, 5, 3)
        width, height = overlay.draw_text("Hi", 20, 20, size=20)

        pixels = np.frombuffer(fbo.read(components=3), np.uint8).reshape(48, 64, 3)[::-1]
        red = np.nonzero(pixels[..., 0] == 255)
        assert (red[0].min(), red[0].max(), red[1].min(), red[1].max()) == (3, 8, 5, 14)
        assert width > 10 and height > 10
        assert pixels[20 : 20 + height, 20 : 20 + width].max() > 150  # the text
    finally:
        overlay.release()
        fbo.release()
