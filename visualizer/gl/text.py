"""Text and other pygame surfaces drawn over the picture as textures.

Positions are pixels from the top-left corner of the current viewport (`ctx.viewport`), so with
a full-window viewport they are window pixels. Text is rendered by pygame.font through a font
chain (visualizer.gl.fonts), so CJK, emoji and other scripts the primary font lacks still show
their glyphs, and the textures are cached.
"""

from __future__ import annotations

import logging
import os
from collections import OrderedDict

import moderngl

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
import pygame  # noqa: E402  (after the variable that silences its banner)

from visualizer.gl.fonts import FONT_NAMES as FONT_NAMES  # noqa: E402
from visualizer.gl.fonts import ChainFont  # noqa: E402
from visualizer.gl.fonts import font_path as font_path  # noqa: E402
from visualizer.gl.shaders import load_program, set_uniform  # noqa: E402

log = logging.getLogger(__name__)

Colour = tuple[int, int, int] | tuple[int, int, int, int]

#: default text colour, light grey for a dark background
TEXT_COLOUR: Colour = (230, 230, 230)
_CACHE_SIZE = 128
#: surfaces whose textures are kept: enough for every part of a frame (panel, text line, ...)
_SURFACES_KEPT = 12


class TextOverlay:
    """Draws pygame surfaces and text over whatever is in the bound framebuffer."""

    def __init__(self, ctx: moderngl.Context) -> None:
        if not pygame.font.get_init():
            pygame.font.init()
        self.ctx = ctx
        self._program = load_program(ctx, "overlay.vert", "overlay.frag")
        self._vao = ctx.vertex_array(self._program, [])
        self._fonts: dict[int, ChainFont] = {}
        self._cache: OrderedDict[tuple[str, int, tuple[int, ...]], moderngl.Texture] = OrderedDict()
        self._surfaces: OrderedDict[int, tuple[pygame.Surface, moderngl.Texture]] = OrderedDict()

    def font(self, size: int) -> pygame.font.Font:
        """The text font at `size` pixels (cached): a ChainFont, which falls back per grapheme."""
        if size not in self._fonts:
            self._fonts[size] = ChainFont(font_path(), size)
        return self._fonts[size]

    def text_size(self, text: str, size: int = 18) -> tuple[int, int]:
        """Width and height in pixels that `text` takes at `size`."""
        width, height = self.font(size).size(text)
        return int(width), int(height)

    def render_text(
        self, text: str, size: int = 18, colour: Colour = TEXT_COLOUR
    ) -> pygame.Surface:
        """`text` rendered (antialiased) onto a transparent surface."""
        return self.font(size).render(text, True, colour)

    def draw_surface(self, surface: pygame.Surface, x: float, y: float) -> None:
        """Draw `surface` with its top-left corner at (x, y) pixels of the viewport.

        The texture of each of the last few surfaces drawn is kept and drawn again while the
        same surface object comes back (the HUD hands out a new surface when its content
        changes), so an unchanged panel costs no upload. A caller that draws into a surface it
        has drawn before must pass a new one (or a copy).
        """
        kept = self._surfaces.pop(id(surface), None)
        texture = kept[1] if kept is not None else self._upload(surface)
        self._surfaces[id(surface)] = (surface, texture)
        while len(self._surfaces) > _SURFACES_KEPT:
            self._surfaces.popitem(last=False)[1][1].release()
        self._draw(texture, x, y)

    def draw_text(
        self, text: str, x: float, y: float, size: int = 18, colour: Colour = TEXT_COLOUR
    ) -> tuple[int, int]:
        """Draw `text` with its top-left corner at (x, y); returns its (width, height)."""
        if not text:
            return 0, self.font(size).get_height()
        key = (text, size, tuple(int(c) for c in colour))
        texture = self._cache.pop(key, None)
        if texture is None:
            texture = self._upload(self.render_text(text, size, colour))
        self._cache[key] = texture
        while len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)[1].release()

        self._draw(texture, x, y)
        return texture.size

    def _upload(self, surface: pygame.Surface) -> moderngl.Texture:
        width, height = surface.get_size()
        data = pygame.image.tobytes(surface, "RGBA")
        texture = self.ctx.texture((max(width, 1), max(height, 1)), 4, data or bytes(4))
        texture.filter = (moderngl.NEAREST, moderngl.NEAREST)
        return texture

    def _draw(self, texture: moderngl.Texture, x: float, y: float) -> None:
        _, _, vw, vh = self.ctx.viewport
        width, height = texture.size
        set_uniform(self._program, "u_viewport", (float(vw), float(vh)))
        set_uniform(self._program, "u_rect", (float(x), float(y), float(width), float(height)))
        set_uniform(self._program, "u_surface", 0)
        texture.use(0)

        self.ctx.enable(moderngl.BLEND)
        # Straight alpha for colour; alpha itself accumulates (the stub knows only 2-tuples).
        self.ctx.blend_func = (  # type: ignore[assignment]
            moderngl.SRC_ALPHA,
            moderngl.ONE_MINUS_SRC_ALPHA,
            moderngl.ONE,
            moderngl.ONE_MINUS_SRC_ALPHA,
        )
        try:
            self._vao.render(moderngl.TRIANGLE_STRIP, vertices=4)
        finally:
            self.ctx.disable(moderngl.BLEND)

    def release(self) -> None:
        """Release the cached text textures and the program."""
        for texture in reversed(list(self._cache.values())):
            texture.release()
        self._cache.clear()
        for _, texture in reversed(list(self._surfaces.values())):
            texture.release()
        self._surfaces.clear()
        self._vao.release()
        self._program.release()
