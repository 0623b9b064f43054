"""The compare view: two embeddings side by side, their difference, and the figures.

Pane A and pane B each have their own text (an Editor), their own source (two models, or one
model twice) and their own renderer. A third pane draws A - B on a diverging colormap when the
dims agree and says why not otherwise. Tab moves typing between A and B. Under the panes the
figures (cosine similarity, Euclidean distance, and the dimensions that carry most of the
cosine with their share) follow every change of either vector.

A view is hosted by a window (or drawn offscreen): it gets pygame events (`handle_event`), the
time (`update`) and an area to draw in (`draw`). Areas are (x, y, w, h) in pixels of the
framebuffer with y down, as pygame reports the mouse; the view turns them into GL viewports.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import moderngl
import numpy as np
import pygame

from visualizer.app import hud
from visualizer.app.commands import EDITS, MOVES
from visualizer.app.editor import Editor
from visualizer.app.keys import binding_for
from visualizer.app.worker import EmbedResult, EmbedWorker, Failure, StatusNote
from visualizer.errors import UsageError
from visualizer.gl.renderer import PictureRenderer
from visualizer.gl.text import TextOverlay
from visualizer.picture import metrics
from visualizer.picture.colormaps import COLORMAPS
from visualizer.picture.normalize import NORMALIZATIONS
from visualizer.sources.base import Embedding, Source

log = logging.getLogger(__name__)

Rect = tuple[int, int, int, int]
Size = tuple[int, int]
RendererFactory = Callable[[], PictureRenderer]

#: colormaps with a neutral centre, fit for a difference whose sign matters
DIVERGING = ("puor", "rdbu", "vik", "berlin", "classic")
#: the difference pane's default: diverging, colour-blind safe, unlike the panes' default
DIFF_COLORMAP = "puor"
#: the names of the panes, in the order Tab visits them
PANES = ("A", "B")
BACKGROUND = (0.05, 0.05, 0.07)


class View(Protocol):
    """What a window needs from a view it hosts."""

    def handle_event(self, event: pygame.event.Event) -> bool: ...

    def update(self, now: float) -> bool: ...

    def draw(self, area: Rect, size: Size) -> None: ...

    def release(self) -> None: ...


def gl_rect(rect: Rect, size: Size) -> Rect:
    """A y-down rectangle of a framebuffer of `size` as a GL viewport (y up)."""
    x, y, w, h = rect
    return x, size[1] - y - h, w, h


def contains(rect: Rect, pos: tuple[int, int]) -> bool:
    x, y, w, h = rect
    return x <= pos[0] < x + w and y <= pos[1] < y + h


def one_line(text: str) -> str:
    """Whitespace runs (line breaks of a chunk included) as single spaces, for a HUD line."""
    return " ".join(text.split())


def fit_tail(font: pygame.font.Font, text: str, width: int) -> str:
    """The end of `text` that fits `width` pixels, with "..." in front when it was cut."""
    if font.size(text)[0] <= width:
        return text
    low, high = 0, len(text)
    while low < high:
        middle = (low + high) // 2
        if font.size("..." + text[middle:])[0] <= width:
            high = middle
        else:
            low = middle + 1
    return "..." + text[low:]


def cross_model_note(a: Embedding | None, b: Embedding | None) -> str | None:
    """A warning when A and B come from different models, whose dimensions do not correspond."""
    if a is None or b is None or (a.source, a.model) == (b.source, b.model):
        return None
    return "two models: dimension i of one need not mean dimension i of the other"


@dataclass
class Pane:
    """One side of the comparison: its text, where vectors come from, and what it shows."""

    name: str
    editor: Editor
    renderer: PictureRenderer
    worker: EmbedWorker | None
    embedding: Embedding | None = None
    #: where a loaded text came from (a chunk's file and lines); "" for typed text
    origin: str = ""
    error: str = ""
    note: str = ""

    @property
    def source_label(self) -> str:
        if self.worker is not None:
            return self.worker.label
        if self.embedding is not None:
            return f"{self.embedding.source}:{self.embedding.model}"
        return "no source"


class CompareView:
    """Panes A and B, the difference pane and the figures; typing goes to the active pane."""

    def __init__(
        self,
        ctx: moderngl.Context,
        sources: Sequence[Source | None] = (None, None),
        *,
        texts: Sequence[str] = ("", ""),
        colormap: str | None = None,
        normalization: str = "linear",
        diff_colormap: str = DIFF_COLORMAP,
        morph_s: float = 0.15,
        top: int = metrics.TOP,
        make_renderer: RendererFactory | None = None,
    ) -> None:
        if len(sources) != len(PANES) or len(texts) != len(PANES):
            raise UsageError(f"a compare view has two panes: got {len(sources)} sources")
        if diff_colormap not in DIVERGING:
            raise UsageError(
                f"difference colormap {diff_colormap!r} is not diverging: use one of "
                f"{', '.join(DIVERGING)}, so that zero sits in the middle"
            )
        self.ctx = ctx
        self.morph_s = morph_s
        self.top = top
        make = make_renderer or (
            lambda: PictureRenderer(ctx, colormap=colormap, normalization=normalization)
        )

        # Built in order and released in reverse by release(); a failure part-way releases too.
        self._owned: list[PictureRenderer | TextOverlay | EmbedWorker] = []
        try:
            self.panes = [
                self._pane(name, make, source) for name, source in zip(PANES, sources, strict=True)
            ]
            self.diff_renderer = make()
            self._owned.append(self.diff_renderer)
            self.diff_renderer.set_colormap(diff_colormap)
            self.diff_renderer.set_normalization("linear")
            self.overlay = TextOverlay(ctx)
            self._owned.append(self.overlay)
        except BaseException:
            self.release()
            raise

        self.active = 0
        #: False for a still image: no caret, no active pane, no hints
        self.editing = True
        self.comparison: metrics.Comparison | None = None
        self.reason: str | None = None
        self.diff: np.ndarray | None = None
        self._mouse: tuple[int, int] | None = None
        self._now: float | None = None
        self._area: Rect = (0, 0, 1, 1)
        self._size: Size = (1, 1)
        for pane, text in zip(self.panes, texts, strict=True):
            if text:
                self._set_text(pane, text)

    def _pane(self, name: str, make: RendererFactory, source: Source | None) -> Pane:
        renderer = make()
        self._owned.append(renderer)
        worker = EmbedWorker(source) if source is not None else None
        if worker is not None:
            self._owned.append(worker)
        return Pane(name, Editor(), renderer, worker)

    def release(self) -> None:
        """Stop the workers and release every GL object, newest first; safe to call twice."""
        while self._owned:
            owned = self._owned.pop()
            if isinstance(owned, EmbedWorker):
                owned.close()
            else:
                owned.release()

    # -- texts and vectors --------------------------------------------------------------------

    def pane(self, name: str) -> Pane:
        """Pane "A" or "B"."""
        return self.panes[PANES.index(name)]

    def load(
        self, name: str, text: str, embedding: Embedding | None = None, *, origin: str = ""
    ) -> None:
        """Put `text` in pane `name`; with its `embedding` it shows at once, else it is fetched."""
        pane = self.pane(name)
        if embedding is None:
            self._set_text(pane, text)
        else:
            pane.editor = Editor(text=text, cursor=len(text))
            self._show(pane, embedding, self._now)
        pane.origin = origin

    def _set_text(self, pane: Pane, text: str) -> None:
        pane.editor = Editor(text=text, cursor=len(text))
        self._edited(pane, True)

    def _edited(self, pane: Pane, changed: bool) -> None:
        note = pane.editor.take_note()
        if note:
            pane.note = note
        if not changed:
            return
        pane.origin = ""
        if pane.worker is None:
            pane.note = "no source for this pane: its vector cannot change"
            return
        pane.worker.request(pane.editor.text)

    def update(self, now: float) -> bool:
        """Take the vectors the workers delivered and advance the morphs; True if anything moved."""
        changed, self._now = False, now
        for pane in self.panes:
            if pane.worker is None:
                continue
            for message in pane.worker.poll():
                changed |= self._receive(pane, message, now)

        moving = [r.update(now) for r in (*self.renderers(), self.diff_renderer)]
        return changed or any(moving)

    def renderers(self) -> list[PictureRenderer]:
        return [pane.renderer for pane in self.panes]

    @property
    def animating(self) -> bool:
        return any(r.animating for r in (*self.renderers(), self.diff_renderer))

    @property
    def busy(self) -> bool:
        return any(pane.worker is not None and pane.worker.busy for pane in self.panes)

    def _receive(self, pane: Pane, message: object, now: float) -> bool:
        if isinstance(message, EmbedResult):
            if message.text != pane.editor.text:
                return False  # typed on since; the newer text's vector is on its way
            self._show(pane, message.embedding, now)
            return True
        if isinstance(message, Failure):
            pane.error = f"{message.what}: {message.message}"
            return True
        if isinstance(message, StatusNote):
            pane.note = message.message
            return True
        return False

    def _show(self, pane: Pane, embedding: Embedding, now: float | None) -> None:
        pane.embedding = embedding
        pane.error = pane.note = ""
        pane.renderer.show(embedding.vector, morph_s=self.morph_s, now=now)
        self._recompare(now)

    def _recompare(self, now: float | None) -> None:
        a, b = (pane.embedding for pane in self.panes)
        self.comparison, self.diff = None, None
        self.reason = None if a and b else "waiting for both vectors"
        if a is None or b is None:
            self.diff_renderer.clear()
            return

        self.reason = metrics.mismatch(a.vector, b.vector)
        if self.reason is not None:
            self.diff_renderer.clear()
            return
        self.comparison = metrics.compare(a.vector, b.vector, self.top)
        self.diff = metrics.difference(a.vector, b.vector)
        self.diff_renderer.show(self.diff, morph_s=self.morph_s, now=now)

    # -- input --------------------------------------------------------------------------------

    def handle_event(self, event: pygame.event.Event) -> bool:
        """Typing, Tab, editing keys and F2/F3/F6 for the panes; True when the view used it."""
        pane = self.panes[self.active]
        if event.type == pygame.TEXTINPUT:
            self._edited(pane, pane.editor.insert(event.text))
            return True
        if event.type == pygame.MOUSEMOTION:
            self._mouse = event.pos
            return False
        if event.type == pygame.MOUSEBUTTONDOWN and event.button == 1:
            return self._click(event.pos)
        if event.type == pygame.KEYDOWN:
            return self._key(pane, event)
        return False

    def _click(self, pos: tuple[int, int]) -> bool:
        areas = self.areas()
        for i, name in enumerate(PANES):
            if contains(areas[name], pos):
                self.active = i
                return True
        return False

    def _key(self, pane: Pane, event: pygame.event.Event) -> bool:
        if event.key == pygame.K_TAB:
            self.active = (self.active + 1) % len(self.panes)
            return True

        binding = binding_for(event.key, event.mod)
        action = binding.action if binding else ""
        if action in EDITS:
            self._edited(pane, getattr(pane.editor, action)())
        elif action in MOVES:
            MOVES[action](pane.editor)
        elif action == "paste":
            self._paste(pane)
        elif action in ("next_colormap", "previous_colormap"):
            self._cycle_colormap(-1 if action.startswith("previous") else 1)
        elif action in ("next_normalization", "previous_normalization"):
            self._cycle_normalization(-1 if action.startswith("previous") else 1)
        elif action == "toggle_grid":
            for renderer in (*self.renderers(), self.diff_renderer):
                renderer.grid_lines = not renderer.grid_lines
        else:
            return False
        return True

    def _paste(self, pane: Pane) -> None:
        try:
            if not pygame.scrap.get_init():
                pygame.scrap.init()
            pasted = pygame.scrap.get_text()
        except pygame.error as exc:
            pane.error = f"cannot read the clipboard: {exc}"
            return
        self._edited(pane, pane.editor.paste(pasted or ""))

    def _cycle_colormap(self, step: int) -> None:
        names = COLORMAPS
        here = names.index(self.panes[0].renderer.colormap)
        for renderer in self.renderers():
            renderer.fade(self.morph_s, self._now)  # as the live window: fade, not cut
            renderer.set_colormap(names[(here + step) % len(names)])

    def _cycle_normalization(self, step: int) -> None:
        names = NORMALIZATIONS
        here = names.index(self.panes[0].renderer.normalization)
        for renderer in self.renderers():
            renderer.fade(self.morph_s, self._now)  # as the live window: fade, not cut
            renderer.set_normalization(names[(here + step) % len(names)])

    # -- geometry -----------------------------------------------------------------------------

    def text_size(self) -> int:
        """The HUD's font size for the current area."""
        return max(12, min(20, self._area[3] // 34))

    def areas(self) -> dict[str, Rect]:
        """Where each part goes in the last area drawn: A, B, diff, their pictures, the HUD.

        A wide area gets A | B | A - B in a row with the figures under them; a narrower one
        gets A | B over A - B | figures, so that no picture gets too small for its legend.
        """
        x, y, w, h = self._area
        gap = max(4, w // 160)
        if w >= 1.5 * h:
            hud_h = 5 * self._line() + gap
            pane_w, pane_h = max(1, (w - 4 * gap) // 3), max(1, h - hud_h - 2 * gap)
            corners = [(x + gap + i * (pane_w + gap), y + gap) for i in range(4)]
            corners[3] = (x + gap, y + h - hud_h)
            hud = (*corners[3], max(1, w - 2 * gap), hud_h)
        else:
            pane_w, pane_h = max(1, (w - 3 * gap) // 2), max(1, (h - 3 * gap) // 2)
            corners = [
                (x + gap + col * (pane_w + gap), y + gap + row * (pane_h + gap))
                for row in (0, 1)
                for col in (0, 1)
            ]
            hud = (*corners[3], pane_w, pane_h)

        areas: dict[str, Rect] = {"hud": hud}
        for name, corner in zip((*PANES, "diff"), corners, strict=False):
            areas.update(self._pane_areas(name, (*corner, pane_w, pane_h)))
        return areas

    def _line(self) -> int:
        return int(self.overlay.font(self.text_size()).get_linesize())

    def _pane_areas(self, name: str, rect: Rect) -> dict[str, Rect]:
        # Title lines on top, then the picture as large as fits, then its legend right under it.
        x, y, w, h = rect
        title_h, legend_h = 2 * self._line(), max(18, self._line() * 3 // 2)
        picture_h = max(1, min(w, h - title_h - legend_h - 4))
        legend_w = w if w < 400 else w * 4 // 5
        return {
            name: rect,
            f"{name} picture": (x, y + title_h, w, picture_h),
            f"{name} legend": (
                x + (w - legend_w) // 2,
                y + title_h + picture_h + 4,
                legend_w,
                legend_h,
            ),
        }

    def _renderer(self, name: str) -> PictureRenderer:
        return self.diff_renderer if name == "diff" else self.pane(name).renderer

    def cell_centres(self, name: str) -> np.ndarray:
        """(dims, 2) pixels (x, y down) of each dimension's cell in pane "A", "B" or "diff"."""
        renderer = self._renderer(name)
        layout = renderer.layout
        if layout is None:
            return np.zeros((0, 2), dtype=np.int64)
        x, y, w, h = renderer.picture_rect(gl_rect(self.areas()[f"{name} picture"], self._size))
        top = self._size[1] - y - h

        cell = layout.cell_of()
        cx = x + (cell % layout.cols + 0.5) * w / layout.cols
        cy = top + (cell // layout.cols + 0.5) * h / layout.rows
        return np.stack([cx, cy], axis=1).astype(np.int64)

    # -- drawing ------------------------------------------------------------------------------

    def draw(self, area: Rect, size: Size) -> None:
        """Draw the three panes and the figures into `area` of a framebuffer of `size`."""
        self._area, self._size = area, size
        areas = self.areas()
        for name in (*PANES, "diff"):
            renderer = self._renderer(name)
            renderer.draw(gl_rect(areas[f"{name} picture"], size))
            if renderer.current is not None:
                renderer.draw_legend(gl_rect(areas[f"{name} legend"], size))

        self.ctx.viewport = (0, 0, *size)
        for i, pane in enumerate(self.panes):
            self._draw_title(pane, areas[pane.name], active=self.editing and i == self.active)
        self._draw_diff_title(areas["diff"], areas["diff picture"])
        self._draw_hud(areas["hud"])

    def _text(self, text: str, x: int, y: int, colour: hud.Colour = hud.TEXT) -> int:
        """Draw one line at (x, y) in framebuffer pixels; the y of the next line."""
        size = self.text_size()
        self.overlay.draw_text(text, x, y, size, colour)
        return y + self.overlay.font(size).get_linesize()

    def _fit(self, text: str, width: int) -> str:
        return fit_tail(self.overlay.font(self.text_size()), text, width)

    def _fit_head(self, text: str, width: int) -> str:
        """The start of `text` that fits `width` pixels (figures keep their first entries)."""
        font = self.overlay.font(self.text_size())
        while text and font.size(text)[0] > width:
            text = text[: max(0, min(len(text) - 1, len(text) * width // font.size(text)[0]))]
        return text

    def _draw_title(self, pane: Pane, rect: Rect, *, active: bool) -> None:
        x, y, w, _ = rect
        shown = pane.embedding
        dims = "" if shown is None else f" · {shown.dims} dims"
        dims += " (blank)" if shown is not None and shown.blank else ""
        prefix = f"{'▶ ' if active else ''}{pane.name} · "
        rest = self._fit(f"{pane.origin or pane.source_label}{dims}", w - self._width(prefix))
        y = self._text(prefix + rest, x, y, hud.ACCENT if active else hud.TEXT)

        if pane.error:
            self._text(self._fit(pane.error, w), x, y, hud.ERROR)
        elif pane.note or (pane.worker is not None and pane.worker.busy):
            self._text(self._fit(pane.note or "embedding…", w), x, y, hud.NOTE)
        elif pane.origin:
            self._text(self._fit(pane.source_label, w), x, y, hud.DIM)

    def _width(self, text: str) -> int:
        return int(self.overlay.font(self.text_size()).size(text)[0])

    def _draw_diff_title(self, rect: Rect, picture: Rect) -> None:
        x, y, w, _ = rect
        self._text(self._fit(f"A − B · {self.diff_renderer.colormap}", w), x, y)
        if self.reason is None:
            return

        font = self.overlay.font(self.text_size())
        lines = hud.wrap(font, self.reason, picture[2] - 8)
        line_h = font.get_linesize()
        ty = picture[1] + (picture[3] - line_h * len(lines)) // 2
        for line in lines:
            ty = self._text(self._fit(line, picture[2]), picture[0] + 4, ty, hud.NOTE)

    def _draw_hud(self, rect: Rect) -> None:
        x, y, w, _ = rect
        for i, pane in enumerate(self.panes):
            active = self.editing and i == self.active
            text = one_line(pane.editor.text) or ("type here…" if self.editing else "(empty)")
            if active:
                text = one_line(pane.editor.text[: pane.editor.cursor]) + "|"
                text += one_line(pane.editor.text[pane.editor.cursor :])
            colour = hud.DIM if self.editing and not active else hud.TEXT
            prefix = f"{pane.name}: "
            y = self._text(prefix + self._fit(text, w - self._width(prefix)), x, y, colour)

        room = (rect[1] + rect[3] - y) // self._line()
        for line, colour in self.figures(listed=room >= 4 + self.top):
            y = self._text(self._fit_head(line, w), x, y, colour)

    def figures(self, listed: bool = False) -> list[tuple[str, hud.Colour]]:
        """The HUD's figure lines: cosine and distance, the top dims (on one line, or `listed`
        one a line), and the values of the cell under the mouse."""
        result = self.comparison
        if result is None:
            reason = self.reason or "waiting for both vectors"
            hint = "Tab: type in the other pane" if self.editing else ""
            return [(f"no figures: {reason}", hud.NOTE), (hint, hud.DIM)]

        figures = f"cosine {metrics.format_cosine(result.cosine)}    distance {result.distance:.4f}"
        top = [f"{c.dim} {c.term:+.3f} ({c.share:+.1%})" for c in result.top]
        lines = [(figures, hud.ACCENT)]
        if listed:
            lines.append(("top dims: cosine term (share)", hud.DIM))
            lines += [(f"  dim {entry}", hud.TEXT) for entry in top]
        else:
            lines.append(("top dims  " + "   ".join(top), hud.TEXT))
        # The last line: the cell under the mouse, else a caveat, else how to use the view.
        note = cross_model_note(*(pane.embedding for pane in self.panes))
        hover = self._hover() if self.editing else None
        if hover:
            lines.append((hover, hud.DIM))
        elif note:
            lines.append((note, hud.NOTE))
        elif self.editing:
            lines.append(("Tab: type in the other pane · hover a cell for its values", hud.DIM))
        return lines

    def _hover(self) -> str | None:
        if self._mouse is None or self.diff is None:
            return None
        areas = self.areas()
        for name in (*PANES, "diff"):
            x, y, w, h = areas[f"{name} picture"]
            viewport = gl_rect((x, y, w, h), self._size)
            found = self._renderer(name).dimension_at(
                self._mouse[0] - x, self._mouse[1] - y, viewport
            )
            if found is not None:
                return self._describe_dim(found[0])
        return None

    def _describe_dim(self, dim: int) -> str:
        a, b = (pane.embedding for pane in self.panes)
        if a is None or b is None or self.diff is None:
            return ""
        term = float(metrics.terms(a.vector, b.vector)[dim])
        described = f"dim {dim}:  A {a.vector[dim]:+.4f}   B {b.vector[dim]:+.4f}   "
        described += f"A−B {self.diff[dim]:+.4f}"
        return described + (f"   cosine term {term:+.4f}" if math.isfinite(term) else "")


def render_compare(
    a: Embedding,
    b: Embedding,
    size: Size = (1500, 700),
    *,
    origins: tuple[str, str] = ("", ""),
    colormap: str | None = None,
    normalization: str = "linear",
    diff_colormap: str = DIFF_COLORMAP,
    top: int = metrics.TOP,
    ctx: moderngl.Context | None = None,
) -> np.ndarray:
    """The compare view of two embeddings as an (h, w, 3) uint8 image, top row first."""
    from visualizer.gl.context import standalone_context

    own = ctx is None
    context = standalone_context() if ctx is None else ctx
    try:
        fbo = context.simple_framebuffer(size, components=4)
        try:
            view = CompareView(
                context,
                colormap=colormap,
                normalization=normalization,
                diff_colormap=diff_colormap,
                morph_s=0.0,
                top=top,
            )
            try:
                view.load("A", a.text, a, origin=origins[0])
                view.load("B", b.text, b, origin=origins[1])
                view.editing = False
                fbo.use()
                context.viewport = (0, 0, *size)
                context.clear(*BACKGROUND, 1.0)
                view.draw((0, 0, *size), size)
                data = fbo.read(components=3, alignment=1)
            finally:
                view.release()
        finally:
            fbo.release()
    finally:
        if own:
            context.release()
    return np.frombuffer(data, dtype=np.uint8).reshape(size[1], size[0], 3)[::-1].copy()
