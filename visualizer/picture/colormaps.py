"""Colormaps as 256-entry lookup tables, taken from the `cmap` library (no hand-typed tables).

Every normalisation turns a value into a position p in [-1, 1]; the table is read at
x = (p + 1) / 2 * 255 with linear interpolation between its two nearest entries, on the GPU and
in the CPU reference alike. Positions beyond +-1 get the OVER and UNDER colours, and cells with
no dimension behind them the NO_DATA colour, none of which any table here comes close to.
"""

from __future__ import annotations

import functools
import logging

import numpy as np

from visualizer.errors import UsageError

log = logging.getLogger(__name__)

#: our name -> the `cmap` library's name; the first is the default
SOURCES: dict[str, str] = {
    "rdbu": "colorbrewer:RdBu",  # diverging, light centre: red negative, blue positive
    "berlin": "crameri:berlin",  # diverging, dark centre (for dark slides)
    "puor": "colorbrewer:PuOr",  # diverging, colour-blind safe
    "vik": "crameri:vik",  # diverging, light centre, perceptually uniform, colour-blind safe
    "viridis": "bids:viridis",  # sequential
    "magma": "bids:magma",  # sequential
    "cividis": "cividis:cividis",  # sequential, colour-blind safe
}

#: colormap names the CLI and the window accept; the first is the default
COLORMAPS: tuple[str, ...] = (*SOURCES, "classic")

#: one-line descriptions, for --help and the README
DESCRIPTIONS: dict[str, str] = {
    "rdbu": "diverging, light centre (ColorBrewer RdBu): red below zero, blue above",
    "berlin": "diverging, dark centre (Crameri berlin), for dark slides",
    "puor": "diverging, colour-blind safe (ColorBrewer PuOr)",
    "vik": "diverging, light centre, colour-blind safe (Crameri vik)",
    "viridis": "sequential (viridis)",
    "magma": "sequential (magma)",
    "cividis": "sequential, colour-blind safe (cividis)",
    "classic": "the original tool's red-green-blue ramp: red below zero, blue above",
}

#: drawn where a value lies above the range (p > 1)
OVER = np.array([1.0, 0.0, 1.0], dtype=np.float32)
#: drawn where a value lies below the range (p < -1)
UNDER = np.array([0.0, 1.0, 1.0], dtype=np.float32)
#: trailing cells with no dimension (hatched with NO_DATA_STRIPE when cells are large)
NO_DATA = np.array([0.25, 0.30, 0.20], dtype=np.float32)
NO_DATA_STRIPE = np.array([0.40, 0.45, 0.33], dtype=np.float32)

LUT_SIZE = 256


def classic_colour(r: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The original tool's colour for red and blue intensities in [0, 255]: (..., 3) in [0, 1].

    (R, G, B) = (int(r), 64 + int((r + b) / 4), int(b)), int truncating toward zero.
    """
    r = np.trunc(np.asarray(r, dtype=np.float64))
    g = 64.0 + np.trunc((np.asarray(r) + np.asarray(b)) / 4.0)
    b = np.trunc(np.asarray(b, dtype=np.float64))
    return np.stack([r, g, b], axis=-1) / 255.0


def _classic_table() -> np.ndarray:
    # The original's ramp sampled along p: red grows towards -1, blue towards +1.
    p = np.linspace(-1.0, 1.0, LUT_SIZE)
    red = np.maximum(-p, 0.0) * 255.0
    blue = np.maximum(p, 0.0) * 255.0
    return classic_colour(red, blue)


@functools.cache
def _table(name: str) -> np.ndarray:
    if name == "classic":
        table = _classic_table()
    else:
        import cmap  # imported here: the library loads its catalogue on first use

        table = np.asarray(cmap.Colormap(SOURCES[name]).lut(LUT_SIZE))[:, :3]
    out = np.ascontiguousarray(table, dtype=np.float32)
    out.setflags(write=False)
    return out


def lut(name: str) -> np.ndarray:
    """The (256, 3) float32 table of colormap `name`, RGB in [0, 1], read-only."""
    if name not in COLORMAPS:
        raise UsageError(f"unknown colormap {name!r}: choose one of {', '.join(COLORMAPS)}")
    return _table(name)


def lookup(table: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Colours at positions p in [-1, 1], interpolated linearly between entries (float32).

    Positions outside [-1, 1] are clamped here; the caller paints them OVER or UNDER.
    """
    x = (np.clip(np.asarray(p, dtype=np.float32), -1.0, 1.0) + np.float32(1.0)) * np.float32(
        0.5 * (LUT_SIZE - 1)
    )
    i0 = np.floor(x).astype(np.int64)
    i1 = np.minimum(i0 + 1, LUT_SIZE - 1)
    f = (x - i0.astype(np.float32))[..., None]
    return table[i0] * (np.float32(1.0) - f) + table[i1] * f
