"""What the live window writes over the picture, drawn with pygame.font into surfaces.

Each piece (side panel, text line, status, help, caption, tooltip) is a pygame Surface built
from a small frozen state; a piece is rebuilt only when its state changes, and the window uploads
it through visualizer.gl.text.TextOverlay. Nothing here touches GL.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import pygame

from visualizer.gl.fonts import ChainFont

log = logging.getLogger(__name__)

Colour = tuple[int, int, int]

TEXT: Colour = (232, 232, 232)
DIM: Colour = (150, 150, 160)
ACCENT: Colour = (120, 200, 255)
ERROR: Colour = (255, 110, 100)
NOTE: Colour = (255, 210, 110)
BACKGROUND = (16, 16, 22, 215)
CARET: Colour = (255, 255, 255)


@dataclass(frozen=True)
class PanelState:
    """Everything the side panel shows; equal states draw equal panels."""

    source: str
    dims: int | None
    normalized: bool | None
    colormap: str
    normalization: str
    layout: str
    similarity: float | None
    similarities: tuple[float, ...]
    latency_ms: float | None
    answered_by: str
    fps: int
    requests: int
    dropped: int
    busy: bool
    recording: str


@dataclass(frozen=True)
class Panel:
    surface: pygame.Surface
    #: where the colormap legend goes, in panel pixels (x, y, w, h), top-left origin
    legend: tuple[int, int, int, int]


class Hud:
    """Fonts sized for the window, and the surfaces of each piece of the HUD."""

    def __init__(self, window_height: int) -> None:
        if not pygame.font.get_init():
            pygame.font.init()
        self.size = max(13, min(22, window_height // 36))
        self.font = ChainFont(None, self.size + 4)  # falls back for CJK and emoji
        self.small = ChainFont(None, self.size + 1)
        self.line = self.font.get_linesize()
        self.label_width = self.small.size("layout  ")[0]
        self._cache: dict[str, tuple[object, object]] = {}

    def _cached(self, name: str, key: object) -> object | None:
        hit = self._cache.get(name)
        return hit[1] if hit is not None and hit[0] == key else None

    def _store(self, name: str, key: object, value: object) -> None:
        self._cache[name] = (key, value)

    # -- side panel ---------------------------------------------------------------------------

    def panel(self, state: PanelState, width: int, height: int) -> Panel:
        key = (state, width, height)
        hit = self._cached("panel", key)
        if isinstance(hit, Panel):
            return hit

        surface = pygame.Surface((width, height), pygame.SRCALPHA)
        surface.fill(BACKGROUND)
        pad, y = self.size // 2, self.size // 2
        y = self._blit(surface, "embviz live", pad, y, ACCENT)
        for line in wrap(self.small, state.source, width - 2 * pad):
            y = self._blit(surface, line, pad, y, TEXT, self.small)

        y += self.size // 3
        legend_h = self.line * 8 // 5
        legend = (pad, y, width - 2 * pad, legend_h)
        for label, value, colour in _panel_rows(state):
            if label == "legend":
                legend = (pad, y, width - 2 * pad, legend_h)
                y += legend_h + self.size // 3
                continue
            if label == "sparkline":
                y = self._sparkline(surface, state.similarities, (pad, y, width - 2 * pad))
                continue
            self._blit(surface, label, pad, y, DIM, self.small)
            y = self._blit(surface, value, pad + self.label_width, y, colour, self.small)

        self._blit(surface, "F1 help", pad, height - self.line - pad // 2, DIM, self.small)
        panel = Panel(surface, legend)
        self._store("panel", key, panel)
        return panel

    def _sparkline(
        self, surface: pygame.Surface, values: Sequence[float], where: tuple[int, int, int]
    ) -> int:
        x, y, w = where
        h = self.line
        pygame.draw.rect(surface, (40, 40, 52), (x, y, w, h))
        if len(values) >= 2:
            low = min(min(values), 0.9)
            span = max(1e-6, 1.0 - low)
            step = w / (len(values) - 1)
            points = [
                (x + i * step, y + h - 1 - (v - low) / span * (h - 2)) for i, v in enumerate(values)
            ]
            pygame.draw.aalines(surface, ACCENT, False, points)
        return y + h + self.size // 3

    # -- text line, status, caption, tooltip, help ----------------------------------------------

    def input_line(
        self, text: str, cursor: int, history: Sequence[str], width: int
    ) -> pygame.Surface:
        """The history row (newest right) over the text being typed, with its caret."""
        key = (text, cursor, tuple(history[-8:]), width)
        hit = self._cached("input", key)
        if isinstance(hit, pygame.Surface):
            return hit

        pad = self.size // 2
        surface = pygame.Surface((width, self.input_height()), pygame.SRCALPHA)
        surface.fill(BACKGROUND)
        trail = "  ·  ".join(history[-8:]) if history else "Enter keeps a text here; Up recalls it"
        self._blit_tail(surface, self.small, trail, (pad, pad // 2, width - 2 * pad), DIM)
        self._draw_editable(surface, text, cursor, (pad, pad // 2 + self.line, width - 2 * pad))
        self._store("input", key, surface)
        return surface

    def input_height(self) -> int:
        return 2 * self.line + self.size // 2 + 4

    def _draw_editable(
        self, surface: pygame.Surface, text: str, cursor: int, where: tuple[int, int, int]
    ) -> None:
        x, y, w = where
        if not text:
            self._blit(surface, "type here…", x, y, DIM)
            pygame.draw.line(surface, CARET, (x, y + 2), (x, y + self.line - 4), 2)
            return

        # Show the part of a long line around the cursor: its end, or up to the cursor.
        start = 0
        while start < cursor and self.font.size(text[start:cursor])[0] > w - 8:
            start += max(1, (cursor - start) // 8)
        shown = text[start:]
        self._blit(surface, shown, x, y, TEXT)
        caret_x = x + self.font.size(text[start:cursor])[0]
        pygame.draw.line(surface, CARET, (caret_x, y + 2), (caret_x, y + self.line - 4), 2)

    def status_height(self) -> int:
        """The height of a status band of one line."""
        return self.small.get_linesize() + self.size // 2

    def status(self, lines: Sequence[tuple[str, Colour]], width: int) -> pygame.Surface | None:
        """Errors and notes, wrapped to the width, on a dark band; None when there are none."""
        key = (tuple(lines), width)
        hit = self._cached("status", key)
        if hit is not None or not lines:
            return hit if isinstance(hit, pygame.Surface) else None

        pad = self.size // 2
        rows = [
            (row, colour)
            for text, colour in lines
            for row in wrap(self.small, text, width - 2 * pad)
        ]
        surface = pygame.Surface(
            (width, len(rows) * self.small.get_linesize() + pad), pygame.SRCALPHA
        )
        surface.fill(BACKGROUND)
        y = pad // 2
        for row, colour in rows:
            y = self._blit(surface, row, pad, y, colour, self.small)
        self._store("status", key, surface)
        return surface

    def caption(self, text: str, width: int, height: int) -> pygame.Surface:
        """Presentation mode's big caption: the end of the text, up to two lines."""
        key = (text, width, height)
        hit = self._cached("caption", key)
        if isinstance(hit, pygame.Surface):
            return hit

        font = ChainFont(None, max(24, height // 2))
        surface = pygame.Surface((width, height), pygame.SRCALPHA)
        surface.fill((0, 0, 0, 0))
        lines = wrap(font, text or " ", width - 2 * self.size)[-2:]
        y = (height - len(lines) * font.get_linesize()) // 2
        for line in lines:
            rendered = font.render(line, True, TEXT)
            surface.blit(rendered, ((width - rendered.get_width()) // 2, y))
            y += font.get_linesize()
        self._store("caption", key, surface)
        return surface

    def tooltip(self, text: str) -> pygame.Surface:
        hit = self._cached("tooltip", text)
        if isinstance(hit, pygame.Surface):
            return hit

        rendered = self.small.render(text, True, TEXT)
        surface = pygame.Surface(
            (rendered.get_width() + 10, rendered.get_height() + 6), pygame.SRCALPHA
        )
        surface.fill(BACKGROUND)
        surface.blit(rendered, (5, 3))
        self._store("tooltip", text, surface)
        return surface

    def rec_marker(self) -> pygame.Surface:
        """The REC badge shown while F9 records (on screen only: it is drawn after the frame
        is read for the video)."""
        hit = self._cached("rec", None)
        if isinstance(hit, pygame.Surface):
            return hit

        rendered = self.small.render("REC", True, TEXT)
        height = rendered.get_height() + 6
        surface = pygame.Surface((rendered.get_width() + height + 8, height), pygame.SRCALPHA)
        surface.fill(BACKGROUND)
        pygame.draw.circle(surface, (230, 40, 40), (height // 2 + 2, height // 2), height // 3)
        surface.blit(rendered, (height + 4, 3))
        self._store("rec", None, surface)
        return surface

    def help(self, rows: Sequence[tuple[str, str]], width: int, height: int) -> pygame.Surface:
        """The F1 overlay: every shortcut and what it does, in two columns."""
        key = (tuple(rows), width, height)
        hit = self._cached("help", key)
        if isinstance(hit, pygame.Surface):
            return hit

        line = self.small.get_linesize()
        key_width = max(self.small.size(name)[0] for name, _ in rows) + self.size
        surface = pygame.Surface((width, min(height, (len(rows) + 3) * line)), pygame.SRCALPHA)
        surface.fill((10, 10, 14, 235))
        y = self._blit(surface, "embviz live: keys (F1 closes)", self.size, line // 2, ACCENT)
        for name, action in rows:
            self._blit(surface, name, self.size, y, NOTE, self.small)
            y = self._blit(surface, action, self.size + key_width, y, TEXT, self.small)
        self._store("help", key, surface)
        return surface

    # -- helpers ------------------------------------------------------------------------------

    def _blit(
        self,
        surface: pygame.Surface,
        text: str,
        x: int,
        y: int,
        colour: Colour,
        font: pygame.font.Font | None = None,
    ) -> int:
        font = font or self.font
        surface.blit(font.render(text, True, colour), (x, y))
        return y + font.get_linesize()

    def _blit_tail(
        self,
        surface: pygame.Surface,
        font: pygame.font.Font,
        text: str,
        where: tuple[int, int, int],
        colour: Colour,
    ) -> None:
        x, y, w = where
        while len(text) > 1 and font.size(text)[0] > w:
            text = "…" + text[max(2, len(text) // 8) :]
        surface.blit(font.render(text, True, colour), (x, y))


def wrap(font: pygame.font.Font, text: str, width: int) -> list[str]:
    """Break text into lines no wider than `width` pixels, at spaces where possible."""
    lines: list[str] = []
    for word in text.split(" "):
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and font.size(candidate)[0] <= width:
            lines[-1] = candidate
            continue
        while font.size(word)[0] > width and len(word) > 1:
            cut = max(1, len(word) * width // max(1, font.size(word)[0]))
            lines.append(word[:cut])
            word = word[cut:]
        lines.append(word)
    return lines or [""]


def _panel_rows(state: PanelState) -> list[tuple[str, str, Colour]]:
    dims = "–" if state.dims is None else f"{state.dims}"
    unit = {True: " · unit length", False: " · not unit length", None: ""}[state.normalized]
    similarity = "–" if state.similarity is None else f"{state.similarity:+.3f} to previous"
    latency = (
        "–" if state.latency_ms is None else f"{state.latency_ms:.0f} ms ({state.answered_by})"
    )
    flight = " · waiting" if state.busy else ""
    rows = [
        ("dims", dims + unit, TEXT),
        ("cmap", state.colormap, TEXT),
        ("legend", "", TEXT),
        ("norm", state.normalization, TEXT),
        ("layout", state.layout, TEXT),
        ("cosine", similarity, TEXT),
        ("sparkline", "", TEXT),
        ("embed", latency, TEXT),
        ("sent", f"{state.requests} · {state.dropped} skipped{flight}", DIM),
        ("fps", f"{state.fps}" if state.fps else "idle: drawn on change", TEXT),
    ]
    if state.recording:
        rows.append(("rec", state.recording, ERROR))
    return rows
