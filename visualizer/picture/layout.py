"""Where each dimension of a vector sits in the picture: a grid of cells, one per dimension.

A `Layout` maps cells (row-major, top-left first) to dimension indices. `order[cell]` is the
dimension drawn in that cell, or -1 for the trailing cells the grid has beyond `dims`, which are
drawn in the no-data colour. Re-ordered layouts keep this mapping, so a readout under the mouse
still names the true dimension.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field

import numpy as np

from visualizer.errors import UsageError

log = logging.getLogger(__name__)

#: layout names the CLI and the window accept; the first is the default
LAYOUTS = ("grid", "variance")


def grid_shape(dims: int) -> tuple[int, int]:
    """Near-square (cols, rows) for `dims` cells: cols = round(sqrt(dims)), as the original."""
    if dims < 1:
        raise UsageError(f"a picture needs at least one dimension, got dims={dims}")

    cols = max(1, int(math.floor(math.sqrt(dims) + 0.5)))
    rows = -(-dims // cols)
    return cols, rows


@dataclass(frozen=True)
class Layout:
    """A grid of `cols` x `rows` cells and which dimension each cell shows."""

    dims: int
    cols: int
    rows: int
    order: np.ndarray = field(repr=False)
    name: str = "grid"

    @classmethod
    def grid(cls, dims: int) -> Layout:
        """Dimensions in their natural order, row-major."""
        cols, rows = grid_shape(dims)
        order = np.full(cols * rows, -1, dtype=np.int64)
        order[:dims] = np.arange(dims)
        return cls(dims, cols, rows, order, "grid")

    @classmethod
    def by_variance(cls, dims: int, variance: np.ndarray | None) -> Layout:
        """Dimensions sorted by variance, most varying first (top-left); ties keep their order."""
        cols, rows = grid_shape(dims)
        order = np.full(cols * rows, -1, dtype=np.int64)
        if variance is None or len(variance) != dims:
            order[:dims] = np.arange(dims)
        else:
            order[:dims] = np.argsort(-np.asarray(variance, dtype=np.float64), kind="stable")
        return cls(dims, cols, rows, order, "variance")

    @property
    def cells(self) -> int:
        return self.cols * self.rows

    def dimension_at(self, col: int, row: int) -> int | None:
        """The dimension shown in cell (col, row), or None outside the grid or on a no-data cell."""
        if not (0 <= col < self.cols and 0 <= row < self.rows):
            return None

        dim = int(self.order[row * self.cols + col])
        return dim if dim >= 0 else None

    def cell_of(self) -> np.ndarray:
        """The inverse of `order`: for each dimension, the index of the cell that shows it."""
        cell = np.empty(self.dims, dtype=np.int64)
        shown = self.order >= 0
        cell[self.order[shown]] = np.nonzero(shown)[0]
        return cell

    def arrange(self, values: np.ndarray, fill: float = 0.0) -> np.ndarray:
        """Per-dimension values put into their cells: (rows, cols) float32, `fill` if no data."""
        out = np.full(self.cells, fill, dtype=np.float32)
        out[: self.dims] = np.asarray(values, dtype=np.float32)[self.order[: self.dims]]
        return out.reshape(self.rows, self.cols)


def make_layout(name: str, dims: int, variance: np.ndarray | None = None) -> Layout:
    """The layout called `name` for `dims` dimensions; `variance` feeds the variance layout."""
    if name == "grid":
        return Layout.grid(dims)
    if name == "variance":
        return Layout.by_variance(dims, variance)
    raise UsageError(f"unknown layout {name!r}: choose one of {', '.join(LAYOUTS)}")
