"""Surfaces drawn by the text overlay: kept textures are reused only for the same surface."""

from __future__ import annotations

import moderngl
import numpy as np
import pygame

from visualizer.gl.text import TextOverlay

SIZE = (64, 32)


def drawn(ctx: moderngl.Context, overlay: TextOverlay, surface: pygame.Surface) -> np.ndarray:
    fbo = ctx.simple_framebuffer(SIZE)
    try:
        fbo.use()
        ctx.viewport = (0, 0, *SIZE)
        fbo.clear(0.0, 0.0, 0.0, 1.0)
        overlay.draw_surface(surface, 0, 0)
        data = fbo.read(components=3)
    finally:
        fbo.release()
    return np.frombuffer(data, dtype=np.uint8).reshape(SIZE[1], SIZE[0], 3)


def filled(colour: tuple[int, int, int]) -> pygame.Surface:
    surface = pygame.Surface(SIZE, pygame.SRCALPHA)
    surface.fill((*colour, 255))
    return surface


def test_a_new_surface_is_uploaded_and_the_same_one_is_drawn_again(
    gl_ctx: moderngl.Context,
) -> None:
    overlay = TextOverlay(gl_ctx)
    try:
        red, blue = filled((200, 0, 0)), filled((0, 0, 200))
        assert tuple(drawn(gl_ctx, overlay, red)[5, 5]) == (200, 0, 0)
        assert tuple(drawn(gl_ctx, overlay, blue)[5, 5]) == (0, 0, 200)
        assert tuple(drawn(gl_ctx, overlay, red)[5, 5]) == (200, 0, 0)  # its kept texture

        for n in range(40):  # many surfaces, one after another: old textures are let go
            assert tuple(drawn(gl_ctx, overlay, filled((n, 10, 20)))[5, 5]) == (n, 10, 20)
        assert len(overlay._surfaces) <= 12
    finally:
        overlay.release()
