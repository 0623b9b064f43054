"""The renderer in a pygame window's own GL 3.3 core context (SDL offscreen driver, EGL)."""

from __future__ import annotations

import moderngl
import numpy as np
import pygame

from gl.vectors import make_vector
from visualizer.gl.context import window_context
from visualizer.gl.renderer import PictureRenderer
from visualizer.gl.text import TextOverlay
from visualizer.picture.layout import Layout
from visualizer.picture.reference import reference_cells


def test_renderer_draws_into_a_pygame_window_context(gl_ctx: moderngl.Context) -> None:
    pygame.display.init()
    try:
        pygame.display.gl_set_attribute(pygame.GL_CONTEXT_MAJOR_VERSION, 3)
        pygame.display.gl_set_attribute(pygame.GL_CONTEXT_MINOR_VERSION, 3)
        pygame.display.gl_set_attribute(
            pygame.GL_CONTEXT_PROFILE_MASK, pygame.GL_CONTEXT_PROFILE_CORE
        )
        pygame.display.set_mode((320, 240), pygame.OPENGL | pygame.DOUBLEBUF)
        ctx = window_context()  # after the session's standalone context: not GLX detection
        renderer, overlay = PictureRenderer(ctx, colormap="magma"), TextOverlay(ctx)
        try:
            vector = make_vector("random", 1024)
            ctx.screen.use()
            ctx.viewport = (0, 0, 320, 240)
            ctx.clear(0.0, 0.0, 0.0, 1.0)
            renderer.show(vector)
            renderer.draw((0, 40, 320, 200))
            renderer.draw_legend((0, 0, 320, 30))
            overlay.draw_text("dim 7", 4, 4)
            pixels = np.frombuffer(ctx.screen.read(components=3), np.uint8)
            frame = pixels.reshape(240, 320, 3)[::-1]
        finally:
            overlay.release()
            renderer.release()
    finally:
        pygame.display.quit()

    assert len({tuple(p) for p in frame[215:, 40:280:4].reshape(-1, 3)}) > 20  # the colour bar
    x, y, w, h = renderer.picture_rect((0, 40, 320, 200))
    cell, top = w // 32, 240 - (y + h)
    expected = reference_cells(vector, Layout.grid(1024), "linear", "magma")
    got = frame[top + cell // 2 : top + h : cell, x + cell // 2 : x + w : cell]
    assert got.shape == expected.shape
    assert np.abs(got.astype(int) - expected).max() <= 1
