"""Text in any script: every grapheme finds a font that has it, and CJK and emoji are glyphs."""

from __future__ import annotations

import logging

import moderngl
import numpy as np
import pygame
import pytest
import regex

from gl.vectors import make_vector
from visualizer.gl import fonts
from visualizer.gl.offscreen import BACKGROUND, OffscreenCanvas
from visualizer.gl.text import TextOverlay

#: a code point no font has (a noncharacter): what a missing glyph looks like
MISSING = "\U0010ffff"
BACKGROUND_RGB = np.floor(np.array(BACKGROUND) * 255 + 0.5).astype(int)


@pytest.fixture(scope="module")
def overlay(gl_ctx: moderngl.Context):
    overlay = TextOverlay(gl_ctx)
    yield overlay
    overlay.release()


def pixels(surface: pygame.Surface) -> np.ndarray:
    """A surface's RGBA pixels as (height, width, 4) int."""
    data = pygame.image.tobytes(surface, "RGBA")
    return np.frombuffer(data, np.uint8).reshape(surface.get_height(), -1, 4).astype(int)


def test_every_grapheme_of_the_unicode_case_has_a_font_with_its_glyphs(
    overlay: TextOverlay, case_texts: dict[str, str]
) -> None:
    font = overlay.font(18)
    assert isinstance(font, fonts.ChainFont)
    chain = font.chain
    text = case_texts["unicode"].strip()

    for grapheme in regex.findall(r"\X", text):
        index, shown = chain.pick(grapheme)
        assert chain.covers(index, shown), f"{grapheme!r} drawn by {chain.paths[index]}"
    assert chain.pick("中")[0] != 0 and chain.pick("\U0001f642")[0] != 0  # fallbacks did it
    assert chain.pick("e\u0301") == (0, "e\u0301")  # the mark stays with its base


def test_cjk_and_emoji_render_as_distinct_glyphs_not_boxes(overlay: TextOverlay) -> None:
    box, han, wen = (pixels(overlay.render_text(c, 24)) for c in (MISSING, "中", "文"))
    emoji = pixels(overlay.render_text("\U0001f642", 24))

    # Boxes all look alike; real glyphs differ from the box and from each other.
    assert han.shape[0] == box.shape[0] == emoji.shape[0]  # one line height for every script
    assert han.shape != box.shape or (han != box).any()
    assert han.shape != wen.shape or (han != wen).any()
    ink = emoji[..., 3] > 128
    assert ink.sum() > 50 and np.ptp(emoji[ink][:, :3], axis=0).max() > 60  # a coloured face


def test_width_of_mixed_text_matches_what_is_drawn(
    overlay: TextOverlay, case_texts: dict[str, str]
) -> None:
    text = case_texts["unicode"].strip()
    font = overlay.font(20)
    surface = overlay.render_text(text, 20)

    assert font.size(text) == surface.get_size()
    assert font.size("中文")[0] > font.size("中")[0] > 0
    assert font.size("e\u0301")[0] == font.size("e")[0]  # a combining mark does not advance


def test_hud_font_without_a_file_still_falls_back() -> None:
    font = fonts.ChainFont(None, 20)  # pygame's own font first, as the live window's HUD uses
    box, han = (
        pixels(font.render(MISSING, True, (255, 255, 255))),
        pixels(font.render("中", True, (255, 255, 255))),
    )
    assert han.shape != box.shape or (han != box).any()
    assert font.size("中")[0] == font.render("中", True, (255, 255, 255)).get_width()


def test_missing_fallback_warns_once_naming_the_package(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    nowhere = fonts.Fallback("CJK", "nosuchfontfamily", ("/nonexistent/font.ttf",), "fonts-x")
    monkeypatch.setattr(fonts, "FALLBACKS", (nowhere,))
    fonts.fallback_paths.cache_clear()
    fonts.font_chain.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger="visualizer.gl.fonts"):
            assert fonts.fallback_paths() == ()
            font = fonts.ChainFont(fonts.font_path(), 18)
            assert font.render("a中", True, (255, 255, 255)).get_width() > font.size("a")[0]
    finally:
        fonts.fallback_paths.cache_clear()
        fonts.font_chain.cache_clear()
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "apt-get install fonts-x" in warnings[0]


def test_frame_caption_in_cjk_has_glyph_pixels(gl_ctx: moderngl.Context) -> None:
    with OffscreenCanvas((320, 240), ctx=gl_ctx, colormap="viridis") as canvas:
        vector = make_vector("random", 384)
        x, y, w, h = canvas._areas["caption"]
        frames = {c: canvas.frame(vector, caption=c)[y : y + h, x : x + w] for c in ("中文", "")}
        boxes = canvas.frame(vector, caption=MISSING * 2)[y : y + h, x : x + w]

    ink = (np.abs(frames["中文"].astype(int) - BACKGROUND_RGB).max(axis=-1) > 40).sum()
    assert ink > 40 and not (frames[""] != BACKGROUND_RGB).any()
    assert (frames["中文"] != boxes).any()


def test_legend_labels_fit_inside_the_legend_on_small_frames(gl_ctx: moderngl.Context) -> None:
    with OffscreenCanvas((800, 600), ctx=gl_ctx, colormap="classic", normalization="classic") as c:
        frame = c.frame(make_vector("random", 384))
        x, y, w, h = c._areas["legend"]
    legend = frame[y : y + h, x : x + w].astype(int)

    ink_rows = np.nonzero((np.abs(legend - BACKGROUND_RGB).max(axis=-1) > 40).any(axis=1))[0]
    assert ink_rows.max() < h - 1  # the descenders of "(classic log scale)" end above the edge
    assert len(ink_rows) > h * 0.7  # bar and labels fill the strip
