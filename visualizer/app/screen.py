"""Where each part of the live window goes, and drawing it: picture, HUD, text line, status.

The window is split into areas (picture, side panel, text line; or picture and caption in
presentation mode). Rectangles here are window pixels from the top-left, as pygame gives mouse
positions; `gl_rect` turns one into a GL viewport (y from the bottom) for the renderer.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import moderngl
import numpy as np

from visualizer.app.hud import Hud, PanelState
from visualizer.app.keys import help_rows
from visualizer.gl.renderer import PictureRenderer
from visualizer.gl.text import TextOverlay

if TYPE_CHECKING:
    from visualizer.app.window import LiveWindow

log = logging.getLogger(__name__)

Rect = tuple[int, int, int, int]

BACKGROUND = (0.05, 0.05, 0.07)
#: pixels between the picture and the edge of its area
PICTURE_MARGIN = 6


def inset(rect: Rect, by: int) -> Rect:
    x, y, w, h = rect
    return (x + by, y + by, max(1, w - 2 * by), max(1, h - 2 * by))


class Screen:
    """Lays out and draws one frame of the live window; owns the text overlay it draws with."""

    def __init__(self, ctx: moderngl.Context, renderer: PictureRenderer, height: int) -> None:
        self.ctx = ctx
        self.renderer = renderer
        self.overlay = TextOverlay(ctx)
        self.hud = Hud(height)

    def release(self) -> None:
        self.overlay.release()

    def resized(self, height: int) -> None:
        """Fonts follow the window's height."""
        self.hud = Hud(height)

    # -- geometry -----------------------------------------------------------------------------

    def areas(self, window: LiveWindow) -> dict[str, Rect]:
        """Where each part goes, in window pixels (x, y from the top, w, h)."""
        width, height = window.size
        if window.presenting:
            caption = max(60, height // 5)
            return {
                "picture": (0, 0, width, height - caption),
                "caption": (0, height - caption, width, caption),
            }

        # Below the picture, a band of one status line, so that a note covers no cell (more
        # lines at once grow up over the picture).
        text_h, status_h = self.hud.input_height(), self.hud.status_height()
        above = height - text_h
        picture_w = width
        areas = {"text": (0, above, width, text_h)}
        if window.show_hud:
            panel_w = min(360, max(200, width * 28 // 100))
            picture_w = width - panel_w
            areas["panel"] = (picture_w, 0, panel_w, above)
        areas["picture"] = (0, 0, picture_w, max(1, above - status_h))
        areas["status"] = (0, max(1, above - status_h), picture_w, status_h)
        return areas

    def picture_viewport(self, window: LiveWindow) -> Rect:
        """The area the picture is fitted into, as a GL viewport (y from the bottom)."""
        return gl_rect(inset(self.areas(window)["picture"], PICTURE_MARGIN), window.size[1])

    def cell_centres(self, window: LiveWindow) -> np.ndarray:
        """(dims, 2) window pixels (x, y from the top) of each dimension's cell centre."""
        layout = self.renderer.layout
        if layout is None:
            return np.zeros((0, 2), dtype=np.int64)
        x, y, w, h = self.renderer.picture_rect(self.picture_viewport(window))
        top = window.size[1] - y - h

        cell = layout.cell_of()
        cx = x + (cell % layout.cols + 0.5) * w / layout.cols
        cy = top + (cell // layout.cols + 0.5) * h / layout.rows
        return np.stack([cx, cy], axis=1).astype(np.int64)

    # -- drawing ------------------------------------------------------------------------------

    def draw(self, window: LiveWindow, now: float) -> None:
        """The whole frame into the window's framebuffer."""
        width, height = window.size
        self.renderer.colour_cells()  # first: see PictureRenderer.colour_cells
        self.ctx.screen.use()
        self.ctx.viewport = (0, 0, width, height)
        self.ctx.clear(*BACKGROUND)

        areas = self.areas(window)
        self.renderer.draw(viewport=self.picture_viewport(window))
        if "panel" in areas:
            self._panel(window, areas["panel"])
        if "text" in areas:
            x, y, w, _ = areas["text"]
            editor = window.editor
            line = self.hud.input_line(editor.text, editor.cursor, editor.history, w)
            self.overlay.draw_surface(line, x, y)
        if "caption" in areas:
            x, y, w, h = areas["caption"]
            self.overlay.draw_surface(self.hud.caption(window.editor.text, w, h), x, y)

        self._status(window, areas.get("status", areas["picture"]), now)
        window.hover = self._hover(window, areas["picture"])
        if window.show_help:
            self._help(window)

    def rec_marker(self, window: LiveWindow) -> None:
        """REC in the picture's top-left corner, over whatever is drawn there."""
        x, y, _, _ = inset(self.areas(window)["picture"], PICTURE_MARGIN)
        self.ctx.viewport = (0, 0, *window.size)
        self.overlay.draw_surface(self.hud.rec_marker(), x + 4, y + 4)

    def _panel(self, window: LiveWindow, rect: Rect) -> None:
        x, y, w, h = rect
        panel = self.hud.panel(panel_state(window), w, h)
        self.overlay.draw_surface(panel.surface, x, y)
        lx, ly, lw, lh = panel.legend
        self.renderer.draw_legend(gl_rect((x + lx, y + ly, lw, lh), window.size[1]))

    def _status(self, window: LiveWindow, band: Rect, now: float) -> None:
        """Errors and notes, on a band ending at the bottom of `band`."""
        window.status = {k: line for k, line in window.status.items() if line.until > now}
        lines = [(line.text, line.colour) for line in window.status.values()]
        surface = self.hud.status(lines, band[2])
        if surface is not None:
            bottom = band[1] + band[3]
            self.overlay.draw_surface(surface, band[0], bottom - surface.get_height())

    def _hover(self, window: LiveWindow, picture: Rect) -> tuple[int, float] | None:
        """Under the mouse: which dimension the cell shows, and its value."""
        if window.mouse is None:
            return None
        mx, my = window.mouse
        x, y, w, h = inset(picture, PICTURE_MARGIN)
        found = self.renderer.dimension_at(mx - x, my - y, gl_rect((x, y, w, h), window.size[1]))
        if found is None:
            return None

        dim, value = found
        tip = self.hud.tooltip(f"dim {dim}  {value:+.4f}")
        tx = min(mx + 14, window.size[0] - tip.get_width())
        self.overlay.draw_surface(tip, tx, max(0, my - tip.get_height() - 4))
        return found

    def _help(self, window: LiveWindow) -> None:
        width, height = window.size
        surface = self.hud.help(help_rows(), min(width - 40, 760), height - 40)
        self.overlay.draw_surface(surface, (width - surface.get_width()) // 2, 20)


def gl_rect(rect: Rect, window_height: int) -> Rect:
    """A top-left rectangle as GL wants it (y from the bottom)."""
    x, y, w, h = rect
    return (x, window_height - y - h, w, h)


def panel_state(window: LiveWindow) -> PanelState:
    """What the side panel shows, gathered from the window, its worker and its renderer."""
    shown, worker, renderer = window.shown, window.worker, window.renderer
    return PanelState(
        source=worker.label,
        dims=None if shown is None else shown.dims,
        normalized=None if shown is None or shown.blank else shown.normalized,
        colormap=renderer.colormap,
        normalization=renderer.normalization,
        layout=renderer.layout_name,
        similarity=window.similarity,
        similarities=tuple(window.similarities),
        latency_ms=window.latency_ms,
        answered_by=window.answered_by,
        fps=window.fps,
        requests=worker.requests_sent,
        dropped=worker.texts_skipped + window.not_shown,
        busy=worker.busy,
        recording=window.recordings.session_label(),
    )
