"""Frames without a window: the picture, its legend and a caption, rendered into an image.

`OffscreenCanvas` serves `embviz image`, txt2vid, compare and the tests. It draws with the same
PictureRenderer as the live window, into its own framebuffer, and reads the result back once,
flipped to top-row-first (GL's rows run bottom-up). txt2vid takes GL's rows as they are
(`read(raw=True)`) and has ffmpeg flip them, which costs it nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import moderngl
import numpy as np

from visualizer.errors import UsageError
from visualizer.gl.context import standalone_context
from visualizer.gl.renderer import PictureRenderer, Rect, fit_picture
from visualizer.gl.text import TEXT_COLOUR, Colour, TextOverlay
from visualizer.picture.layout import make_layout

log = logging.getLogger(__name__)

#: background of frames, a dark grey that no colormap's centre is mistaken for
BACKGROUND = (0.08, 0.08, 0.09)
#: the colour of the highlighted end of a caption (the characters just typed)
HIGHLIGHT: Colour = (255, 205, 64)
NOTE_COLOUR: Colour = (255, 170, 120)


class OffscreenCanvas:
    """Renders frames of `size` (width, height) pixels: picture, legend strip, caption.

    `caption_lines` lines are kept at the bottom for the caption (0: none), so the picture stays
    put whether or not a frame has a caption.
    """

    def __init__(
        self,
        size: tuple[int, int] = (1280, 720),
        *,
        colormap: str | None = None,
        normalization: str = "linear",
        legend: bool = True,
        ctx: moderngl.Context | None = None,
        layout: str = "grid",
        caption_lines: int = 2,
    ) -> None:
        width, height = int(size[0]), int(size[1])
        if width < 16 or height < 16 or width > 16384 or height > 16384:
            raise UsageError(f"frame size {width}x{height} is out of range: use 16..16384 a side")
        self.size = (width, height)
        self.legend = legend
        self.caption_lines = max(0, int(caption_lines))

        self._own_ctx = ctx is None
        self.ctx = standalone_context() if ctx is None else ctx
        self._fbo = self.ctx.simple_framebuffer(self.size, components=4)
        self._raw = np.empty((height, width, 4), dtype=np.uint8)  # see read(raw=True)
        self.renderer = PictureRenderer(
            self.ctx, colormap=colormap, normalization=normalization, layout=layout
        )
        self.overlay = TextOverlay(self.ctx)
        self._areas = self._plan()
        # The last caption and its lines: txt2vid's next caption extends it, so wrapping resumes
        # at its last line instead of measuring the whole text again on every frame.
        self._wrapped: tuple[str, list[tuple[int, int]]] = ("", [])

    # -- geometry ----------------------------------------------------------------------------

    def _plan(self) -> dict[str, Rect]:
        # Areas in top-left pixel coordinates: picture, legend, caption, top to bottom.
        width, height = self.size
        margin = max(4, round(min(width, height) * 0.02))
        self.caption_size = int(min(36, max(12, round(height / 24))))
        line = self.overlay.font(self.caption_size).get_linesize()
        caption_h = self.caption_lines * line + margin if self.caption_lines else 0
        legend_h = int(min(48, max(18, round(height / 14)))) if self.legend else 0

        picture_h = max(1, height - 2 * margin - caption_h - legend_h - (margin if legend_h else 0))
        picture = (margin, margin, max(1, width - 2 * margin), picture_h)
        legend_w = max(1, round(width * 0.7))
        legend = ((width - legend_w) // 2, margin + picture_h + margin, legend_w, legend_h)
        caption = (margin, height - caption_h, max(1, width - 2 * margin), caption_h)
        return {"picture": picture, "legend": legend, "caption": caption}

    def _gl(self, rect: Rect) -> Rect:
        x, y, w, h = rect
        return x, self.size[1] - y - h, w, h

    def cell_centres(self, dims: int) -> np.ndarray:
        """(dims, 2) float pixel centres (x, y from the top) of each dimension's cell in frames."""
        stats = self.renderer.stats
        variance = stats.variance if stats.dims == dims else None
        layout = make_layout(self.renderer.layout_name, dims, variance)
        x, y, w, h = fit_picture(self._gl(self._areas["picture"]), layout.cols, layout.rows)
        top = self.size[1] - (y + h)

        cell = layout.cell_of()
        cols, rows = cell % layout.cols, cell // layout.cols
        xs = x + (cols + 0.5) * (w / layout.cols)
        ys = top + (rows + 0.5) * (h / layout.rows)
        return np.stack([xs, ys], axis=1)

    # -- frames ------------------------------------------------------------------------------

    def frame(
        self,
        vector: np.ndarray | None,
        *,
        previous: np.ndarray | None = None,
        t: float = 1.0,
        caption: str | None = None,
        highlight: int = 0,
        note: str | None = None,
        raw: bool = False,
    ) -> np.ndarray:
        """One frame as (height, width, 3) uint8, top row first (`raw`: see read()).

        The picture blends `previous` into `vector` at t in [0, 1] (eased); `caption` is written
        below with its last `highlight` characters highlighted. `vector=None` draws the
        no-vector placeholder with `note` saying why.
        """
        if vector is None:
            self.renderer.clear()
        else:
            self.renderer.pose(vector, previous, t)
        return self.shown(caption=caption, highlight=highlight, note=note, raw=raw)

    def shown(
        self,
        *,
        caption: str | None = None,
        highlight: int = 0,
        note: str | None = None,
        raw: bool = False,
    ) -> np.ndarray:
        """The renderer's picture as it stands (after pose(), or show() and update()), as
        frame() draws it."""
        self._fbo.use()
        self.ctx.viewport = (0, 0, *self.size)
        self.ctx.clear(*BACKGROUND, 1.0)
        picture = self._gl(self._areas["picture"])

        self.renderer.draw(picture)
        if self.renderer.current is None:
            self._draw_note(note or "no vector", self._areas["picture"])
        elif self.legend:
            self.renderer.draw_legend(self._gl(self._areas["legend"]))

        if caption is not None and self.caption_lines:
            self._draw_caption(caption, highlight)
        return self.read(raw=raw)

    def read(self, *, raw: bool = False) -> np.ndarray:
        """The framebuffer as (height, width, 3) uint8, top row first.

        `raw`: as GL holds it, (height, width, 4) RGBA with the bottom row first, in a buffer
        that the next raw read overwrites: no conversion, no flip, no allocation (on Mesa's
        llvmpipe a fifth of the cost). VideoWriter(gl_frames=True) takes these; ffmpeg flips.
        """
        if raw:
            self._fbo.read_into(self._raw, components=4, alignment=1)
            return self._raw
        width, height = self.size
        data = self._fbo.read(components=3, alignment=1)
        return np.frombuffer(data, dtype=np.uint8).reshape(height, width, 3)[::-1].copy()

    def _draw_note(self, note: str, area: Rect) -> None:
        x, y, w, h = area
        size = self.caption_size
        tw, th = self.overlay.text_size(note, size)
        self.ctx.viewport = (0, 0, *self.size)
        self.overlay.draw_text(note, x + (w - tw) / 2, y + (h - th) / 2, size, NOTE_COLOUR)

    def _draw_caption(self, caption: str, highlight: int) -> None:
        x, y, w, h = self._areas["caption"]
        font = self.overlay.font(self.caption_size)
        lines = self._wrap_caption(caption, lambda s: font.size(s)[0], w)
        # Limitation: a caption longer than caption_lines shows only its end (marked "...").
        shown = lines[-self.caption_lines :]
        split = len(caption) - max(0, min(highlight, len(caption)))

        self.ctx.viewport = (0, 0, *self.size)
        line_h = font.get_linesize()
        for i, (start, end) in enumerate(shown):
            prefix = "..." if i == 0 and len(lines) > len(shown) else ""
            cx = x + self._draw_run(prefix, x, y + i * line_h, TEXT_COLOUR)
            plain = caption[start : max(start, min(end, split))]
            cx += self._draw_run(plain, cx, y + i * line_h, TEXT_COLOUR)
            self._draw_run(caption[max(start, split) : end], cx, y + i * line_h, HIGHLIGHT)

    def _wrap_caption(
        self, caption: str, measure: Callable[[str], int], width: int
    ) -> list[tuple[int, int]]:
        before, lines = self._wrapped
        if lines and caption.startswith(before):
            # Greedy wrapping never moves a break once the next line has begun.
            lines = lines[:-1] + wrap(caption, measure, width, start=lines[-1][0])
        else:
            lines = wrap(caption, measure, width)
        self._wrapped = (caption, lines)
        return lines

    def _draw_run(self, text: str, x: float, y: float, colour: Colour) -> int:
        if not text:
            return 0
        width, _ = self.overlay.draw_text(text, x, y, self.caption_size, colour)
        return width

    def release(self) -> None:
        """Release the renderer, the overlay, the framebuffer and (if made here) the context."""
        self.overlay.release()
        self.renderer.release()
        self._fbo.release()
        if self._own_ctx:
            self.ctx.release()

    def __enter__(self) -> OffscreenCanvas:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def wrap(text: str, measure: object, width: int, start: int = 0) -> list[tuple[int, int]]:
    """Lines of `text` as (start, end) character ranges no wider than `width` pixels.

    Breaks after spaces where it can and inside a word where it must; newlines break lines.
    `measure(s)` gives the width of string s in pixels. `start` begins at a line start other
    than the first, for a text whose earlier lines are known.
    """
    width_of = measure if callable(measure) else len
    lines: list[tuple[int, int]] = []
    space = -1
    for i, ch in enumerate(text[start:], start):
        if ch == "\n":
            lines.append((start, i))
            start, space = i + 1, -1
            continue
        if i > start and width_of(text[start : i + 1].rstrip(" ")) > width:
            cut = space if space > start else i
            lines.append((start, cut))
            start, space = cut, -1
        if ch == " ":
            space = i + 1
    lines.append((start, len(text)))
    return lines
