"""The gallery: a scrollable grid of thumbnails, one per chunk of a scanned folder.

Each thumbnail is the chunk's picture, drawn by a PictureRenderer of the gallery's own, with the
chunk's file and line range under it. A left click on a thumbnail loads the chunk into pane A of
the compare view, a right click into pane B; the wheel (or Page Up/Down) scrolls. `ScanView` puts
the gallery and the compare view side by side, and `gallery_image` draws the whole grid into an
image for `embviz scan -o`.

Areas are (x, y, w, h) in framebuffer pixels with y down, as in visualizer.app.compare_view.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence

import moderngl
import numpy as np
import pygame

from visualizer.app import hud
from visualizer.app.compare_view import (
    BACKGROUND,
    PANES,
    CompareView,
    Rect,
    RendererFactory,
    Size,
    contains,
    fit_tail,
    gl_rect,
)
from visualizer.errors import UsageError
from visualizer.gl.renderer import PictureRenderer
from visualizer.gl.text import TextOverlay
from visualizer.sources.base import Embedding, Source
from visualizer.sources.chunks import Chunk

log = logging.getLogger(__name__)

#: thumbnail width and height in pixels, and the gap between thumbnails
TILE = 120
GAP = 8
#: label font size under each thumbnail
LABEL_SIZE = 12
#: pixels one notch of the mouse wheel scrolls
WHEEL_STEP = 48
#: the tallest band an export draws at once (GL framebuffers have a maximum size)
BAND = 2048
#: the widest gallery image (OpenGL implementations allow at least this much)
MAX_WIDTH = 8192

Pick = Callable[[str, int], None]


class GalleryView:
    """Thumbnails of chunks; clicks call `on_pick(pane, index)` with pane "A" (left) or "B"."""

    def __init__(
        self,
        ctx: moderngl.Context,
        chunks: Sequence[Chunk],
        embeddings: Sequence[Embedding],
        *,
        on_pick: Pick | None = None,
        colormap: str | None = None,
        normalization: str = "linear",
        tile: int = TILE,
        make_renderer: RendererFactory | None = None,
    ) -> None:
        if len(chunks) != len(embeddings):
            raise UsageError(
                f"the gallery got {len(chunks)} chunks but {len(embeddings)} embeddings: "
                "embed every chunk (visualizer.sources.chunks.embed_chunks) before showing them"
            )
        if tile < 16:
            raise UsageError(f"thumbnail size {tile} is too small: use 16 pixels or more")
        self.ctx = ctx
        self.chunks = list(chunks)
        self.embeddings = list(embeddings)
        self.on_pick = on_pick
        self.tile = tile
        #: which chunk each pane shows, for the badges on the thumbnails
        self.picked: dict[str, int] = {}
        self.scroll = 0

        self.renderer = (make_renderer or (lambda: PictureRenderer(ctx, colormap=colormap)))()
        try:
            self.renderer.set_normalization(normalization)
            self.renderer.grid_lines = False
            self.overlay = TextOverlay(ctx)
        except BaseException:
            self.renderer.release()
            raise
        # zscore compares each chunk with the whole scan, so the scan is the "session" here.
        for embedding in self.embeddings:
            self.renderer.stats.add(embedding.vector)

        self._mouse: tuple[int, int] | None = None
        self._area: Rect = (0, 0, 1, 1)

    def release(self) -> None:
        self.overlay.release()
        self.renderer.release()

    # -- geometry -----------------------------------------------------------------------------

    @property
    def label_height(self) -> int:
        return int(self.overlay.font(LABEL_SIZE).get_linesize()) + 2

    @property
    def pitch(self) -> tuple[int, int]:
        """Pixels from one thumbnail to the next: across, and down (label included)."""
        return self.tile + GAP, self.tile + self.label_height + GAP

    def columns(self, width: int) -> int:
        return max(1, (width - GAP) // self.pitch[0])

    def content_height(self, width: int) -> int:
        """The height of the whole grid at `width` pixels."""
        rows = math.ceil(len(self.chunks) / self.columns(width))
        return GAP + rows * self.pitch[1]

    def max_scroll(self) -> int:
        return max(0, self.content_height(self._area[2]) - self._area[3])

    def scroll_by(self, pixels: int) -> None:
        self.scroll = min(max(0, self.scroll + pixels), self.max_scroll())

    def tile_rect(self, index: int, area: Rect | None = None) -> Rect:
        """The thumbnail square of chunk `index`, in framebuffer pixels (y down)."""
        x, y, w, _ = area or self._area
        columns = self.columns(w)
        across, down = self.pitch
        row, col = divmod(index, columns)
        return x + GAP + col * across, y + GAP + row * down - self.scroll, self.tile, self.tile

    def tile_at(self, pos: tuple[int, int]) -> int | None:
        """The chunk whose thumbnail or label is under `pos`, or None."""
        if not contains(self._area, pos):
            return None
        x, y, w, _ = self._area
        across, down = self.pitch
        col, col_offset = divmod(pos[0] - x - GAP, across)
        row, row_offset = divmod(pos[1] - y - GAP + self.scroll, down)

        index = row * self.columns(w) + col
        inside = col_offset < self.tile and row_offset < self.tile + self.label_height
        if not inside or not 0 <= col < self.columns(w) or not 0 <= index < len(self.chunks):
            return None
        return int(index)

    def visible(self) -> range:
        """The indices of the chunks with a thumbnail at least partly in view."""
        _, _, w, h = self._area
        columns, down = self.columns(w), self.pitch[1]
        first = max(0, (self.scroll - GAP) // down) * columns
        last = min(len(self.chunks), (math.ceil((self.scroll + h) / down) + 1) * columns)
        return range(first, last)

    # -- input --------------------------------------------------------------------------------

    def handle_event(self, event: pygame.event.Event) -> bool:
        """Clicks on thumbnails, the wheel and Page Up/Down; True when the gallery used it."""
        if event.type == pygame.MOUSEMOTION:
            self._mouse = event.pos
            return False
        if event.type == pygame.MOUSEWHEEL:
            if self._mouse is not None and not contains(self._area, self._mouse):
                return False
            self.scroll_by(-int(event.y) * WHEEL_STEP)
            return True
        if event.type == pygame.MOUSEBUTTONDOWN and event.button in (1, 3):
            return self._click(event.pos, PANES[0] if event.button == 1 else PANES[1])
        if event.type == pygame.KEYDOWN and event.key in (pygame.K_PAGEUP, pygame.K_PAGEDOWN):
            page = max(self.pitch[1], self._area[3] - self.pitch[1])
            self.scroll_by(page if event.key == pygame.K_PAGEDOWN else -page)
            return True
        return False

    def _click(self, pos: tuple[int, int], pane: str) -> bool:
        index = self.tile_at(pos)
        if index is None:
            return contains(self._area, pos)
        self.picked[pane] = index
        log.debug("pane %s <- %s", pane, self.chunks[index].label)
        if self.on_pick is not None:
            self.on_pick(pane, index)
        return True

    def update(self, now: float) -> bool:
        return False

    # -- drawing ------------------------------------------------------------------------------

    def draw(self, area: Rect, size: Size) -> None:
        """Draw the thumbnails in view, clipped to `area` of a framebuffer of `size`."""
        self._area = area
        self.scroll = min(self.scroll, self.max_scroll())
        self.draw_tiles(area, size)
        self._draw_scrollbar(area)

    def draw_tiles(self, area: Rect, size: Size) -> None:
        """The thumbnails at the current scroll, unclamped (an export draws bands this way)."""
        self._area = area
        self.ctx.scissor = gl_rect(area, size)
        try:
            # Limitation: one renderer re-uploads every visible thumbnail for each frame drawn
            # (only on a change); on Mesa a gallery of 20 thumbnails takes about 25 ms a frame.
            shown = self.visible()
            for index in shown:
                self.renderer.pose(self.embeddings[index].vector, add_to_stats=False)
                self.renderer.draw(gl_rect(self.tile_rect(index), size))
            self.ctx.viewport = (0, 0, *size)
            for index in shown:
                self._draw_label(index)
            if not self.chunks:
                self.overlay.draw_text("no chunks to show", area[0] + GAP, area[1] + GAP)
        finally:
            self.ctx.scissor = None

    def _draw_scrollbar(self, area: Rect) -> None:
        """A thin bar at the right edge: how much of the grid is in view, and where."""
        x, y, w, h = area
        content = self.content_height(w)
        if content <= h:
            return
        bar_h = max(12, h * h // content)
        bar_y = y + (h - bar_h) * self.scroll // max(1, content - h)
        bar = pygame.Surface((4, bar_h), pygame.SRCALPHA)
        bar.fill((*hud.DIM, 180))
        self.overlay.draw_surface(bar, x + w - 5, bar_y)

    def _draw_label(self, index: int) -> None:
        x, y, w, h = self.tile_rect(index)
        hovered = self._mouse is not None and self.tile_at(self._mouse) == index
        colour = hud.ACCENT if hovered else hud.DIM
        label = fit_tail(self.overlay.font(LABEL_SIZE), self.chunks[index].label, w)
        self.overlay.draw_text(label, x, y + h + 1, LABEL_SIZE, colour)

        badges = "".join(pane for pane in PANES if self.picked.get(pane) == index)
        if badges:
            self.overlay.draw_surface(_badge(self.overlay, badges), x + 2, y + 2)


def _badge(overlay: TextOverlay, text: str) -> pygame.Surface:
    """The pane letters on a dark plate, to mark the thumbnails the panes show."""
    letters = overlay.render_text(text, LABEL_SIZE + 4, hud.ACCENT)
    plate = pygame.Surface((letters.get_width() + 6, letters.get_height() + 2), pygame.SRCALPHA)
    plate.fill((10, 10, 14, 220))
    plate.blit(letters, (3, 1))
    return plate


class ScanView:
    """The gallery on the left and the compare view on the right: `embviz scan`'s window."""

    def __init__(
        self,
        ctx: moderngl.Context,
        chunks: Sequence[Chunk],
        embeddings: Sequence[Embedding],
        sources: Sequence[Source | None] = (None, None),
        *,
        colormap: str | None = None,
        normalization: str = "linear",
        morph_s: float = 0.15,
    ) -> None:
        self.compare = CompareView(
            ctx, sources, colormap=colormap, normalization=normalization, morph_s=morph_s
        )
        try:
            self.gallery = GalleryView(
                ctx,
                chunks,
                embeddings,
                on_pick=self.pick,
                colormap=colormap,
                normalization=normalization,
            )
        except BaseException:
            self.compare.release()
            raise

    def pick(self, pane: str, index: int) -> None:
        """Load chunk `index` (and its vector) into pane "A" or "B"."""
        chunk = self.gallery.chunks[index]
        self.compare.load(pane, chunk.text, self.gallery.embeddings[index], origin=chunk.label)

    def areas(self, area: Rect) -> tuple[Rect, Rect]:
        """The gallery's part of `area` (left, 40%) and the compare view's part (right)."""
        x, y, w, h = area
        left = max(self.gallery.pitch[0] + GAP, w * 2 // 5)
        return (x, y, left, h), (x + left, y, max(1, w - left), h)

    def handle_event(self, event: pygame.event.Event) -> bool:
        used = self.gallery.handle_event(event)
        if used and event.type != pygame.MOUSEMOTION:
            return True
        return self.compare.handle_event(event) or used

    def update(self, now: float) -> bool:
        return self.compare.update(now)

    def draw(self, area: Rect, size: Size) -> None:
        gallery, compare = self.areas(area)
        self.gallery.draw(gallery, size)
        self.compare.draw(compare, size)

    def release(self) -> None:
        self.gallery.release()
        self.compare.release()


def gallery_image(
    chunks: Sequence[Chunk],
    embeddings: Sequence[Embedding],
    *,
    columns: int = 8,
    tile: int = 160,
    colormap: str | None = None,
    normalization: str = "linear",
    ctx: moderngl.Context | None = None,
) -> np.ndarray:
    """Every thumbnail with its label as one (h, w, 3) uint8 image, top row first."""
    from visualizer.gl.context import standalone_context

    if columns < 1:
        raise UsageError(f"--columns must be at least 1, got {columns}")
    columns = min(columns, max(1, len(chunks)))  # a few chunks: no empty columns
    own = ctx is None
    context = standalone_context() if ctx is None else ctx
    try:
        view = GalleryView(
            context, chunks, embeddings, colormap=colormap, normalization=normalization, tile=tile
        )
        try:
            width = GAP + columns * view.pitch[0]
            if width > MAX_WIDTH:
                raise UsageError(
                    f"a gallery {columns} thumbnails wide is {width} pixels, over {MAX_WIDTH}: "
                    "use fewer --columns or a smaller --tile"
                )
            return _draw_bands(context, view, width)
        finally:
            view.release()
    finally:
        if own:
            context.release()


def _draw_bands(ctx: moderngl.Context, view: GalleryView, width: int) -> np.ndarray:
    # A tall gallery is drawn band by band, each band the gallery scrolled down by its offset.
    height = view.content_height(width)
    band_h = min(BAND, height)
    fbo = ctx.simple_framebuffer((width, band_h), components=4)
    try:
        bands = []
        for offset in range(0, height, band_h):
            fbo.use()
            ctx.viewport = (0, 0, width, band_h)
            ctx.clear(*BACKGROUND, 1.0)
            view.scroll = offset
            view.draw_tiles((0, 0, width, band_h), (width, band_h))
            data = fbo.read(components=3, alignment=1)
            bands.append(np.frombuffer(data, np.uint8).reshape(band_h, width, 3)[::-1])
    finally:
        fbo.release()
    return np.concatenate(bands)[:height].copy()
