"""Colormap tables from the cmap library, and the colours reserved for over, under and no data."""

from __future__ import annotations

import numpy as np
import pytest

from visualizer.errors import UsageError
from visualizer.picture.colormaps import (
    COLORMAPS,
    NO_DATA,
    NO_DATA_STRIPE,
    OVER,
    UNDER,
    classic_colour,
    lookup,
    lut,
)


@pytest.mark.parametrize("name", COLORMAPS)
def test_every_table_has_256_rgb_entries_in_range(name: str) -> None:
    table = lut(name)

    assert table.shape == (256, 3) and table.dtype == np.float32
    assert table.min() >= 0.0 and table.max() <= 1.0
    assert np.abs(np.diff(table, axis=0)).sum() > 1.0  # a ramp, not a flat colour


def test_diverging_maps_are_light_or_dark_in_the_middle() -> None:
    def lightness(rgb: np.ndarray) -> float:
        return float(rgb @ np.array([0.2126, 0.7152, 0.0722]))

    for name in ("rdbu", "vik", "puor"):
        middle, ends = lut(name)[128], (lut(name)[0], lut(name)[255])
        assert lightness(middle) > max(lightness(e) for e in ends) + 0.3, name
    middle, ends = lut("berlin")[128], (lut("berlin")[0], lut("berlin")[255])
    assert lightness(middle) < min(lightness(e) for e in ends) - 0.3


def test_rdbu_is_red_below_zero_and_blue_above_like_the_original() -> None:
    red, blue = lut("rdbu")[0], lut("rdbu")[255]
    assert red[0] > red[2] and blue[2] > blue[0]


@pytest.mark.parametrize(("colour", "margin"), [(OVER, 0.45), (UNDER, 0.45), (NO_DATA, 0.15)])
def test_reserved_colours_are_far_from_every_colormap_entry(
    colour: np.ndarray, margin: float
) -> None:
    for name in COLORMAPS:
        distance = np.linalg.norm(lut(name) - colour, axis=1).min()
        assert distance > margin, (name, distance)
    assert np.linalg.norm(OVER - UNDER) > 1.0 and np.linalg.norm(OVER - NO_DATA) > 0.5


def cielab(rgb: np.ndarray) -> np.ndarray:
    """sRGB in [0, 1] to CIELAB (D65), for distances as the eye sees them (delta E)."""
    c = np.asarray(rgb, dtype=np.float64)
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    to_xyz = np.array(
        [[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]
    )
    xyz = linear @ to_xyz.T / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 216 / 24389, np.cbrt(xyz), (24389 / 27 * xyz + 16) / 116)
    return np.stack(
        [116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], -1
    )


@pytest.mark.parametrize("colour", [NO_DATA, NO_DATA_STRIPE])
def test_no_data_colours_are_told_apart_from_every_colour_a_cell_can_have(
    colour: np.ndarray,
) -> None:
    every = np.concatenate([*(lut(name) for name in COLORMAPS), OVER[None], UNDER[None]])
    delta_e = np.linalg.norm(cielab(every) - cielab(colour), axis=1)
    assert delta_e.min() > 15  # well beyond a just-noticeable difference (about 2.3)


def test_lookup_interpolates_between_neighbouring_entries() -> None:
    table = lut("viridis")
    x = np.float32(100.25)
    p = x / np.float32(127.5) - np.float32(1.0)

    colour = lookup(table, np.array([p], dtype=np.float32))[0]
    np.testing.assert_allclose(colour, table[100] * 0.75 + table[101] * 0.25, atol=2e-4)
    np.testing.assert_array_equal(lookup(table, np.array([-1.0, 1.0, 7.0])), table[[0, 255, 255]])


def test_classic_table_follows_the_original_channel_formula() -> None:
    table = lut("classic")

    assert np.array_equal(np.round(table[0] * 255), [255, 127, 0])  # r = 255: g = 64 + 63
    assert np.array_equal(np.round(table[255] * 255), [0, 127, 255])
    assert np.array_equal(np.round(table[128] * 255), [0, 64, 0])  # b = 0.99.. truncates to 0
    assert np.array_equal(np.round(classic_colour(100.9, 0.0) * 255), [100, 89, 0])


def test_unknown_colormap_names_the_choices() -> None:
    with pytest.raises(UsageError, match="rdbu"):
        lut("jet")
