"""The picture on the GPU: a vector as a float32 texture, coloured by cells.frag and picture.frag.

`PictureRenderer` owns its textures and programs and draws into whatever framebuffer is bound
(the window's or an offscreen one). Drawing takes two passes: cells.frag colours one texel per
cell (normalise, morph, colormap) into a small float texture, then picture.frag stretches it over
the picture, hatching no-data cells and drawing grid lines. Mesa's software rasteriser runs the
costly colour maths once per cell instead of once per pixel: at 1280x720 that took a frame from
about 17 ms to a few. Colormap switches swap a lookup-table texture; normalisation
switches change uniforms only; a new vector uploads its values (and zscore's tables) once.
"""

from __future__ import annotations

import logging
import math
import time

import moderngl
import numpy as np

from visualizer.errors import UsageError
from visualizer.gl.shaders import load_program, set_uniform
from visualizer.gl.text import TextOverlay
from visualizer.picture import colormaps
from visualizer.picture.layout import LAYOUTS, Layout, make_layout
from visualizer.picture.morph import ease
from visualizer.picture.normalize import NORMALIZATIONS, RunningStats, Scale, prepare, scale_for

log = logging.getLogger(__name__)

Rect = tuple[int, int, int, int]

_NORM_INDEX = {name: i for i, name in enumerate(NORMALIZATIONS)}
_UNIT_NEXT, _UNIT_PREV, _UNIT_ZSCORE, _UNIT_LUT, _UNIT_FROM = 0, 1, 2, 3, 4
_UNIT_CELLS = 0


def fit_picture(viewport: Rect, cols: int, rows: int) -> Rect:
    """The rectangle of a cols x rows picture in `viewport`: square cells (whole pixels when a
    cell is at least one pixel), centred."""
    x, y, w, h = viewport
    # Limitation: cells smaller than a pixel are sampled at pixel centres, not averaged.
    cell = min(w / cols, h / rows)
    if cell >= 1.0:
        cell = math.floor(cell)
    pw, ph = max(1, round(cols * cell)), max(1, round(rows * cell))
    return x + (w - pw) // 2, y + (h - ph) // 2, pw, ph


class PictureRenderer:
    """Draws the picture of a vector, morphing from the previous one.

    Rectangles (viewport, picture_rect, legend rect) are GL viewports: (x, y, width, height) in
    pixels of the bound framebuffer, y from the bottom, as `ctx.viewport` takes them.
    """

    def __init__(
        self,
        ctx: moderngl.Context,
        *,
        colormap: str | None = None,
        normalization: str = "linear",
        layout: str = "grid",
    ) -> None:
        self.ctx = ctx
        self.stats = RunningStats()
        self.grid_lines = True
        self._check(normalization, NORMALIZATIONS, "normalization")
        self._check(layout, LAYOUTS, "layout")
        self._normalization = normalization
        self._layout_name = layout
        self._colormap = colormaps.COLORMAPS[0]

        self._cells_program = load_program(ctx, "picture.vert", "cells.frag")
        self._program = load_program(ctx, "picture.vert", "picture.frag")
        self._legend_program = load_program(ctx, "picture.vert", "legend.frag")
        self._cells_vao = ctx.vertex_array(self._cells_program, [])
        self._vao = ctx.vertex_array(self._program, [])
        self._legend_vao = ctx.vertex_array(self._legend_program, [])
        self._luts: dict[str, moderngl.Texture] = {}
        self._textures: list[moderngl.Texture] = []
        self._cells: moderngl.Texture | None = None
        self._cells_fbo: moderngl.Framebuffer | None = None
        # The colours on screen when show() began the morph: it starts from them, not from a
        # blend of raw values, whose scale (and zscore's statistics) would differ and jump.
        self._from_cells: moderngl.Texture | None = None
        self._from_fbo: moderngl.Framebuffer | None = None
        self._from_screen = False
        self._cells_fresh = False  # colour_cells() ran since the last draw()
        self._cells_drawn = False  # the cells texture holds the last frame's colours
        self._from_kept = False  # the from texture holds colours kept by _keep_screen
        self._overlay: TextOverlay | None = None

        self._layout: Layout | None = None
        self._prev: np.ndarray | None = None
        self._next: np.ndarray | None = None
        self._scales: tuple[Scale, Scale] | None = None
        self._morph_start = 0.0
        self._morph_s = 0.0
        self._mix = 1.0
        self.set_colormap(colormap or colormaps.COLORMAPS[0])

    # -- state -------------------------------------------------------------------------------

    @staticmethod
    def _check(name: str, choices: tuple[str, ...], what: str) -> None:
        if name not in choices:
            raise UsageError(f"unknown {what} {name!r}: choose one of {', '.join(choices)}")

    @property
    def colormap(self) -> str:
        return self._colormap

    @property
    def normalization(self) -> str:
        return self._normalization

    @property
    def layout(self) -> Layout | None:
        """The layout of the vector on screen (None before the first vector)."""
        return self._layout

    @property
    def layout_name(self) -> str:
        return self._layout_name

    @property
    def animating(self) -> bool:
        return self._mix < 1.0

    @property
    def current(self) -> np.ndarray | None:
        """The vector on screen now: the blend of previous and next at the eased morph time."""
        if self._next is None or self._prev is None:
            return None
        if self._mix >= 1.0:
            return self._next
        e = np.float32(self._mix)
        return (self._prev * (np.float32(1.0) - e) + self._next * e).astype(np.float32)

    @property
    def scale(self) -> Scale | None:
        """The Scale of the vector being shown (the target of the morph)."""
        return self._scales[1] if self._scales else None

    def set_colormap(self, name: str) -> None:
        """Switch colormaps: binds another lookup table, uploads no vector data."""
        self._check(name, colormaps.COLORMAPS, "colormap")
        if name not in self._luts:
            table = colormaps.lut(name)
            texture = self.ctx.texture((table.shape[0], 1), 3, table.tobytes(), dtype="f4")
            texture.filter = (moderngl.NEAREST, moderngl.NEAREST)
            self._luts[name] = texture
        self._colormap = name

    def set_normalization(self, name: str) -> None:
        """Switch normalisations: new uniforms (and zscore's tables), no vector upload."""
        self._check(name, NORMALIZATIONS, "normalization")
        self._normalization = name
        if self._next is not None and self._prev is not None:
            self._scales = (scale_for(self._prev, name), scale_for(self._next, name))
            self._upload_zscore()

    def set_layout(self, name: str) -> None:
        """Switch layouts ("grid", "variance"): re-arranges the cells and re-uploads them."""
        self._check(name, LAYOUTS, "layout")
        self._layout_name = name
        if self._next is not None:
            self._arrange(self._next.size)
            self._upload_all()

    # -- vectors and morphing ----------------------------------------------------------------

    def show(self, vector: np.ndarray, *, morph_s: float = 0.15, now: float | None = None) -> None:
        """Show `vector`, morphing from what is on screen over `morph_s` seconds (eased).

        A vector of different dims (another model) cuts over without blending.
        """
        now = time.monotonic() if now is None else now
        self.update(now)
        target, before = prepare(vector), self.current
        cut = before is None or before.size != target.size or morph_s <= 0
        if not cut:
            # Kept cell by cell: where the variance layout re-sorts, each cell fades from what
            # it showed into its new dimension's colour.
            self._keep_screen()

        self.stats.add(target)
        self.pose(target, None if cut else before, 1.0 if cut else 0.0, add_to_stats=False)
        if not cut:
            self._from_screen = True
            self._morph_start, self._morph_s = now, morph_s

    def fade(self, morph_s: float, now: float | None = None) -> None:
        """Fade from the colours on screen into what the next change draws (a colormap,
        normalisation or layout switch) over `morph_s` seconds, instead of cutting to it."""
        if self._next is None or morph_s <= 0:
            return
        now = time.monotonic() if now is None else now
        self.update(now)
        self._prev = self.current
        self._keep_screen()
        self._from_screen = True
        self._mix, self._morph_start, self._morph_s = 0.0, now, morph_s

    def update(self, now: float | None = None) -> bool:
        """Advance the morph to `now`; True while it is still animating."""
        if self._mix >= 1.0 or self._morph_s <= 0:
            return False  # still, or posed by hand (pose)
        now = time.monotonic() if now is None else now
        t = (now - self._morph_start) / self._morph_s
        self._mix = ease(t) if t < 1.0 else 1.0
        return self._mix < 1.0

    def pose(
        self,
        vector: np.ndarray,
        previous: np.ndarray | None = None,
        t: float = 1.0,
        *,
        add_to_stats: bool = True,
    ) -> None:
        """Set the picture directly: `previous` blended into `vector` at time t in [0, 1] (eased).

        For recorders and tests that step time themselves. A `previous` of other dims is ignored.
        """
        target = prepare(vector)
        before = target if previous is None else prepare(previous)
        if before.size != target.size:
            before, t = target, 1.0
        if add_to_stats and (self._next is None or not np.array_equal(self._next, target)):
            self.stats.add(target)

        self._prev, self._next = before, target
        self._scales = (
            scale_for(before, self._normalization),
            scale_for(target, self._normalization),
        )
        self._mix = ease(t) if t < 1.0 else 1.0
        self._morph_s = 0.0
        self._from_screen = False
        self._arrange(target.size)
        self._upload_all()

    def _keep_screen(self) -> None:
        """Keep the cell colours of the last frame drawn as the next morph's start: what is on
        screen. Only when no frame was drawn from these textures are they coloured here (a
        fresh pass would also make llvmpipe wait for it before the next frame could read it)."""
        if not self._cells_drawn:
            if self._from_kept:
                return  # no frame since the last show(): the kept colours are still on screen
            self._draw_cells()
        self._cells, self._from_cells = self._from_cells, self._cells
        self._cells_fbo, self._from_fbo = self._from_fbo, self._cells_fbo
        self._cells_drawn, self._from_kept = False, True

    def clear(self) -> None:
        """Forget the vector on screen (draw() then draws the no-vector placeholder)."""
        self._prev = self._next = None
        self._scales = None
        self._mix = 1.0
        self._from_screen = False

    # -- uploads -----------------------------------------------------------------------------

    # Limitation: the variance layout re-sorts on every new vector, so cells move while the
    # statistics settle (the first few vectors of a session).
    def _arrange(self, dims: int) -> None:
        variance = self.stats.variance if self.stats.dims == dims else None
        layout = make_layout(self._layout_name, dims, variance)
        if self._layout is None or (layout.cols, layout.rows) != (
            self._layout.cols,
            self._layout.rows,
        ):
            self._make_textures(layout.cols, layout.rows)
        self._layout = layout

    def _make_textures(self, cols: int, rows: int) -> None:
        self._release_textures()
        self._cells, self._cells_fbo = self._cells_texture(cols, rows)
        self._from_cells, self._from_fbo = self._cells_texture(cols, rows)
        self._cells_drawn = self._from_kept = False
        self._textures = [
            self.ctx.texture((cols, rows), 1, dtype="f4"),
            self.ctx.texture((cols, rows), 1, dtype="f4"),
            self.ctx.texture((cols, rows), 2, dtype="f4"),
        ]
        for texture in self._textures:
            texture.filter = (moderngl.NEAREST, moderngl.NEAREST)

    def _cells_texture(self, cols: int, rows: int) -> tuple[moderngl.Texture, moderngl.Framebuffer]:
        """A texture of one RGBA colour per cell, and a framebuffer to draw into it."""
        texture = self.ctx.texture((cols, rows), 4, dtype="f4")
        texture.filter = (moderngl.NEAREST, moderngl.NEAREST)
        return texture, self.ctx.framebuffer(color_attachments=[texture])

    def _upload_all(self) -> None:
        if self._layout is None or self._next is None or self._prev is None:
            return
        self._replace(_UNIT_NEXT, self._layout.arrange(self._next))
        self._replace(_UNIT_PREV, self._layout.arrange(self._prev))
        self._upload_zscore()

    def _upload_zscore(self) -> None:
        if self._layout is None or self._normalization != "zscore":
            return
        layout = self._layout
        if self.stats.dims == layout.dims and self.stats.count:
            mean, inv = self.stats.zscore_tables()
            tables = np.stack([layout.arrange(mean), layout.arrange(inv)], axis=-1)
        else:
            tables = np.zeros((layout.rows, layout.cols, 2), dtype=np.float32)
        self._replace(_UNIT_ZSCORE, tables)

    def _replace(self, unit: int, values: np.ndarray) -> None:
        """A new texture holding `values`, in place of the one at `unit`.

        Writing into a texture that a frame still being rasterised reads makes the driver wait
        for that frame (on Mesa's llvmpipe about 11 ms at 1280x720, a whole frame of delay
        before a new vector shows); a new texture needs no wait, and the old one is freed
        once that frame is done with it.
        """
        old = self._textures[unit]
        texture = self.ctx.texture(
            old.size, old.components, np.ascontiguousarray(values, np.float32).tobytes(), dtype="f4"
        )
        texture.filter = (moderngl.NEAREST, moderngl.NEAREST)
        self._textures[unit] = texture
        old.release()

    # -- geometry ----------------------------------------------------------------------------

    def picture_rect(self, viewport: Rect) -> Rect:
        """Where the picture lands in `viewport`: square cells, centred, whole pixels if >= 1."""
        return fit_picture(viewport, *self._grid_shape())

    def _grid_shape(self) -> tuple[int, int]:
        return (self._layout.cols, self._layout.rows) if self._layout else (16, 16)

    def dimension_at(self, px: float, py: float, viewport: Rect) -> tuple[int, float] | None:
        """The dimension and its value under pixel (px, py) of `viewport`, measured from the
        viewport's top-left corner (y down); None off the picture or on a no-data cell."""
        layout, shown = self._layout, self.current
        if layout is None or shown is None:
            return None
        x, y, w, h = self.picture_rect(viewport)
        vx, vy, vw, vh = viewport
        right, up = (vx + px) - x, (vy + vh - py) - y  # from the picture's bottom-left corner

        col = math.floor(right / w * layout.cols) if w else -1
        row = math.floor((h - up) / h * layout.rows) if h else -1
        dim = layout.dimension_at(col, row)
        if dim is None or not (0 <= up <= h):
            return None
        return dim, float(shown[dim])

    # -- drawing -----------------------------------------------------------------------------

    def colour_cells(self) -> None:
        """The first pass on its own, for a caller that runs it before its other drawing:
        llvmpipe then need not finish that drawing before the second pass reads the cells."""
        if self._next is not None:
            self._draw_cells()
        self._cells_fresh = True

    def draw(self, viewport: Rect) -> None:
        """Draw the picture (or the no-vector placeholder) centred in `viewport`."""
        if self._next is not None and not self._cells_fresh:
            self._draw_cells()
        self._cells_fresh = False

        rect = self.picture_rect(viewport)
        self._set_grid_uniforms(self._program, rect)
        if self._cells is not None:
            self._cells.use(_UNIT_CELLS)
        self._render(self._vao, rect)

    def _draw_cells(self) -> None:
        """The first pass: each cell's colour into the cells texture, one fragment per cell."""
        if self._cells_fbo is None or self._layout is None:
            return
        program = self._cells_program
        self._set_vector_uniforms(program)
        for unit, texture in enumerate(self._textures):
            texture.use(unit)
        self._luts[self._colormap].use(_UNIT_LUT)
        if self._from_cells is not None:
            self._from_cells.use(_UNIT_FROM)

        bound = self.ctx.fbo  # None until a framebuffer was used (a standalone context)
        self._cells_fbo.use()
        try:
            self._render(self._cells_vao, (0, 0, self._layout.cols, self._layout.rows))
        finally:
            if bound is not None:
                bound.use()
        self._cells_drawn = True

    def _set_grid_uniforms(self, program: moderngl.Program, rect: Rect) -> None:
        cols, rows = self._grid_shape()
        set_uniform(program, "u_grid", (cols, rows))
        set_uniform(program, "u_dims", self._layout.dims if self._layout else 0)
        set_uniform(program, "u_cell_px", rect[2] / cols)
        set_uniform(program, "u_grid_lines", bool(self.grid_lines))
        set_uniform(program, "u_placeholder", self._next is None)
        set_uniform(program, "u_cells", _UNIT_CELLS)
        for name, colour in (
            ("u_no_data", colormaps.NO_DATA),
            ("u_no_data_stripe", colormaps.NO_DATA_STRIPE),
        ):
            set_uniform(program, name, tuple(float(c) for c in colour))

    def _set_vector_uniforms(self, program: moderngl.Program) -> None:
        for unit, name in enumerate(("u_next", "u_prev", "u_zscore", "u_lut", "u_from")):
            set_uniform(program, name, unit)
        set_uniform(program, "u_from_screen", self._from_screen)
        for name, colour in (("u_over", colormaps.OVER), ("u_under", colormaps.UNDER)):
            set_uniform(program, name, tuple(float(c) for c in colour))

        prev_scale, next_scale = self._scales or (Scale("linear"), Scale("linear"))
        set_uniform(program, "u_norm", _NORM_INDEX[self._normalization])
        set_uniform(
            program,
            "u_classic_colours",
            self._normalization == "classic" and self._colormap == "classic",
        )
        set_uniform(program, "u_k_next", tuple(float(np.float32(k)) for k in next_scale.k))
        set_uniform(program, "u_k_prev", tuple(float(np.float32(k)) for k in prev_scale.k))
        set_uniform(program, "u_classic_next", tuple(float(c) for c in next_scale.classic))
        set_uniform(program, "u_classic_prev", tuple(float(c) for c in prev_scale.classic))
        set_uniform(program, "u_mix", float(np.float32(self._mix)))

    def draw_legend(self, rect: Rect) -> None:
        """The colour bar in the top part of `rect`, with its values written below it."""
        x, y, w, h = rect
        # The labels get the largest size whose line fits under the bar, then the bar the rest.
        size = self._legend_label_size(h - max(4, round(h * 0.42)) - 2)
        label_h = self._label_overlay().font(size).get_height()
        bar_h = max(4, min(round(h * 0.42), h - 2 - label_h))
        uses_ends = self._normalization in ("linear", "zscore")
        end = min(0.06, bar_h / w) if uses_ends and w > 0 else 0.0

        program = self._legend_program
        set_uniform(program, "u_lut", 0)
        set_uniform(program, "u_end", float(end))
        set_uniform(program, "u_over", tuple(float(c) for c in colormaps.OVER))
        set_uniform(program, "u_under", tuple(float(c) for c in colormaps.UNDER))
        self._luts[self._colormap].use(0)
        self._render(self._legend_vao, (x, y + h - bar_h, w, bar_h))

        self._draw_legend_labels(rect, bar_h, end, size)

    def _label_overlay(self) -> TextOverlay:
        if self._overlay is None:
            self._overlay = TextOverlay(self.ctx)
        return self._overlay

    def _legend_label_size(self, room: int) -> int:
        # The largest font size (9..22) whose line height fits in `room` pixels.
        font = self._label_overlay().font
        size = max(9, min(room, 22))
        while size > 9 and font(size).get_height() > room:
            size -= 1
        return size

    def _draw_legend_labels(self, rect: Rect, bar_h: int, end: float, size: int) -> None:
        overlay = self._label_overlay()
        x, y, w, h = rect
        scale = self.scale or scale_for(np.zeros(1, np.float32), self._normalization)
        left, centre, right = scale.labels()
        if self._normalization == "zscore":
            centre = f"0  (zscore over {self.stats.count} vectors)"
        old = self.ctx.viewport
        self.ctx.viewport = rect
        try:
            inset = round(end * w * 1.25)
            top = bar_h + 2
            overlay.draw_text(left, inset, top, size=size)
            cw, _ = overlay.text_size(centre, size)
            overlay.draw_text(centre, (w - cw) // 2, top, size=size)
            rw, _ = overlay.text_size(right, size)
            overlay.draw_text(right, w - inset - rw, top, size=size)
        finally:
            self.ctx.viewport = old

    def _render(self, vao: moderngl.VertexArray, rect: Rect) -> None:
        old = self.ctx.viewport
        self.ctx.viewport = rect
        try:
            vao.render(moderngl.TRIANGLE_STRIP, vertices=4)
        finally:
            self.ctx.viewport = old

    def release(self) -> None:
        """Release every GL object this renderer made, newest first."""
        if self._overlay is not None:
            self._overlay.release()
            self._overlay = None
        self._release_textures()
        for texture in reversed(list(self._luts.values())):
            texture.release()
        self._luts = {}
        self._legend_vao.release()
        self._vao.release()
        self._cells_vao.release()
        self._legend_program.release()
        self._program.release()
        self._cells_program.release()

    def _release_textures(self) -> None:
        for texture in reversed(self._textures):
            texture.release()
        self._textures = []
        for fbo in (self._from_fbo, self._cells_fbo):
            if fbo is not None:
                fbo.release()
        for cells in (self._from_cells, self._cells):
            if cells is not None:
                cells.release()
        self._cells_fbo = self._cells = self._from_fbo = self._from_cells = None
