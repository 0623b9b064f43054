"""The CPU reference: classic against the original tool's formula, written out value by value."""

from __future__ import annotations

import math

import numpy as np
import pytest

from visualizer.picture.colormaps import NO_DATA, OVER, UNDER, lut
from visualizer.picture.layout import Layout
from visualizer.picture.normalize import RunningStats
from visualizer.picture.reference import reference_cells


def java_log(x: float) -> float:
    if math.isnan(x) or x < 0:
        return math.nan
    return -math.inf if x == 0 else math.log(x)


def java_div(a: float, b: float) -> float:
    if b == 0:
        return math.copysign(math.inf, b) * math.copysign(1.0, a)
    return a / b


def java_int(x: float) -> int:
    return 0 if math.isnan(x) else int(x)


def original_colours(vector: np.ndarray) -> list[tuple[int, int, int]]:
    """The original Java tool's colours, transcribed operation by operation in doubles."""
    values = [float(d) for d in vector]
    mn, mx = java_log(-min(values)), java_log(max(values))
    rf, bf = java_div(255.0, mn), java_div(255.0, mx)
    out = []
    for d in values:
        if d < 0:
            r, b = java_log(-d) * rf, 0.0
        else:
            r, b = 0.0, java_log(d) * bf
        r = 255.0 if r > 255 else 0.0 if r < 0 else r  # NaN passes both tests unchanged
        b = 255.0 if b > 255 else 0.0 if b < 0 else b
        out.append((java_int(r), 64 + java_int((r + b) / 4), java_int(b)))
    return out


def vectors() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(7)
    unit = rng.standard_normal(384)
    unit /= np.linalg.norm(unit)
    wide = rng.standard_normal(384) * 3.0
    mixed = np.concatenate([unit[:380], [0.0, -0.0, 1.0, -1.0]])
    return {
        "unit": unit,
        "wide": wide,
        "mixed": mixed,
        "zeros": np.zeros(384),
        "positive": np.abs(unit) + 1e-3,
        "negative": -np.abs(wide) - 1e-3,
        "constant": np.full(384, 2.5),
    }


@pytest.mark.parametrize("name", list(vectors()))
def test_classic_reproduces_the_original_formula(name: str) -> None:
    v = vectors()[name].astype(np.float32)
    layout = Layout.grid(v.size)

    cells = reference_cells(v, layout, "classic", "classic").reshape(-1, 3)[: v.size]
    assert cells.tolist() == [list(c) for c in original_colours(v)]


def test_classic_saturates_unit_vectors_into_a_map_of_signs() -> None:
    v = vectors()["unit"].astype(np.float32)
    cells = reference_cells(v, Layout.grid(384), "classic", "classic").reshape(-1, 3)[:384]

    negative = v < 0
    assert set(map(tuple, cells[negative])) == {(255, 127, 0)}
    assert set(map(tuple, cells[~negative])) == {(0, 127, 255)}


def test_no_data_over_and_under_cells_get_their_reserved_colours() -> None:
    v = vectors()["unit"].astype(np.float32)
    v[0], v[1] = 40.0, -40.0
    cells = reference_cells(v, Layout.grid(384), "linear", "viridis").reshape(-1, 3)

    assert cells[0].tolist() == np.round(OVER * 255).tolist()
    assert cells[1].tolist() == np.round(UNDER * 255).tolist()
    assert (cells[384:] == np.floor(NO_DATA * 255 + 0.5)).all()


def test_morph_half_done_lies_between_the_two_pictures() -> None:
    layout = Layout.grid(384)
    a, b = vectors()["unit"].astype(np.float32), -vectors()["unit"].astype(np.float32)

    start = reference_cells(b, layout, "linear", "viridis", previous=a, t=0.0)
    assert np.array_equal(start, reference_cells(a, layout, "linear", "viridis"))
    half_done = 1.0 - 0.5 ** (1.0 / 3.0)  # the ease-out curve is at 0.5 here
    middle = reference_cells(b, layout, "linear", "viridis", previous=a, t=half_done)
    centre = np.round(lut("viridis")[127:129].mean(axis=0) * 255)
    assert np.abs(middle[:19].reshape(-1, 3) - centre).max() <= 1  # a and -a meet at zero


def test_zscore_of_the_mean_vector_is_the_centre_colour() -> None:
    rng = np.random.default_rng(2)
    stats = RunningStats()
    batch = rng.standard_normal((10, 384)).astype(np.float32)
    for row in batch:
        stats.add(row)

    mean = stats.mean.astype(np.float32)
    cells = reference_cells(mean, Layout.grid(384), "zscore", "rdbu", stats).reshape(-1, 3)
    centre = np.round(lut("rdbu")[127:129].mean(axis=0) * 255)
    assert np.abs(cells[:384] - centre).max() <= 1
