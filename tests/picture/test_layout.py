"""Layouts: near-square grids as the original drew them, and re-ordered ones that keep the map."""

from __future__ import annotations

import numpy as np
import pytest

from visualizer.errors import UsageError
from visualizer.picture.layout import Layout, grid_shape, make_layout


@pytest.mark.parametrize(
    ("dims", "shape"),
    [
        (384, (20, 20)),
        (768, (28, 28)),
        (1024, (32, 32)),
        (2560, (51, 51)),
        (4096, (64, 64)),
        (1, (1, 1)),
        (2, (1, 2)),
        (3, (2, 2)),
        (1536, (39, 40)),
    ],
)
def test_grid_shape_is_round_sqrt_wide_and_ceil_tall(dims: int, shape: tuple[int, int]) -> None:
    assert grid_shape(dims) == shape


def test_grid_is_row_major_with_trailing_no_data_cells() -> None:
    layout = Layout.grid(384)

    assert layout.order[:384].tolist() == list(range(384))
    assert (layout.order[384:] == -1).all() and layout.cells == 400
    assert layout.dimension_at(0, 0) == 0
    assert layout.dimension_at(19, 0) == 19
    assert layout.dimension_at(3, 1) == 23
    assert layout.dimension_at(4, 19) is None  # cell 384: no data
    assert layout.dimension_at(20, 0) is None and layout.dimension_at(-1, 0) is None


def test_variance_layout_puts_the_most_varying_dimension_first() -> None:
    variance = np.array([0.1, 5.0, 0.3, 2.0, 0.0])
    layout = Layout.by_variance(5, variance)

    assert layout.order[:5].tolist() == [1, 3, 2, 0, 4]
    assert layout.dimension_at(0, 0) == 1
    assert layout.cell_of().tolist() == [3, 0, 2, 1, 4]


def test_arrange_moves_each_value_into_its_dimension_cell() -> None:
    values = np.arange(10, dtype=np.float32) * 10
    layout = Layout.by_variance(10, np.arange(10.0))
    cells = layout.arrange(values, fill=-1.0)

    for dim, cell in enumerate(layout.cell_of()):
        assert cells.reshape(-1)[cell] == values[dim]
    assert layout.order[:10].tolist() == list(range(9, -1, -1))
    assert cells.shape == (layout.rows, layout.cols)
    assert (cells.reshape(-1)[10:] == -1.0).all()


def test_unknown_layout_and_empty_vector_are_usage_errors() -> None:
    with pytest.raises(UsageError, match="spiral"):
        make_layout("spiral", 10)
    with pytest.raises(UsageError, match="dims=0"):
        grid_shape(0)
