"""How a value becomes a position on the colormap: the normalisations, and their per-vector scale.

Every normalisation maps a value v to a position p: p in [-1, 1] is read from the colormap,
p > 1 is drawn OVER and p < -1 UNDER. The per-vector numbers live in a `Scale`, which the shader
gets as uniforms and the CPU reference uses with the same float32 arithmetic, in the same order:

- linear:  p = v * g / L, g = sqrt(dims) / |v| puts every model on one scale (unit vectors times
           sqrt(dims), so values are in units of the vector's RMS); L is the 99th percentile of
           |v * g|, so one outlier does not flatten the rest (it is drawn OVER/UNDER instead).
- symlog:  p = sign(v) * log(1 + |v * g| / c) / L, c = 1 RMS, L the largest such log: linear
           near zero, logarithmic for the outliers, which stay in range.
- zscore:  p = (v - mean) / (3 * std) per dimension, mean and std over the vectors seen so far
           (`RunningStats`): what is unusual about this text, beyond +-3 sigma drawn OVER/UNDER.
- classic: the original Java tool's per-vector log mapping, saturation included (see
           `classic_channels`); with the `classic` colormap it reproduces its colours exactly.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np

from visualizer.errors import UsageError

log = logging.getLogger(__name__)

#: normalisation names the CLI and the window accept; the first is the default
NORMALIZATIONS = ("linear", "symlog", "zscore", "classic")

#: one-line descriptions, for --help and the README
DESCRIPTIONS: dict[str, str] = {
    "linear": "symmetric around 0, range = 99th percentile of |v| (outliers drawn over/under)",
    "symlog": "sign(v) * log1p(|v| / c), c = 1 RMS: small values linear, outliers compressed",
    "zscore": "per dimension, against the mean and spread of the vectors seen this session",
    "classic": "the original tool's per-vector log scale (saturates on unit vectors)",
}

#: the percentile of |v| that sets the linear range
ROBUST_PERCENTILE = 99.0
#: the symlog knee, in RMS units
SYMLOG_C = 1.0
#: the z-score drawn at the ends of the colormap
ZSCORE_LIMIT = 3.0
# Ranges are widened by this much so the value that sets them is not at p = 1 to the last bit.
_SLACK = 1e-6
_SYMLOG_SLACK = 1e-4
# Below this a spread counts as zero (z-scores are then 0): it only occurs for repeated vectors.
_TINY_STD = 1e-30

# Kinds of a classic factor, so the shader can follow IEEE arithmetic on infinities and NaN.
FINITE, POS_INF, NEG_INF, NAN = 0, 1, 2, 3


def prepare(vector: np.ndarray) -> np.ndarray:
    """The vector as float32 with NaN -> 0, infinities -> the largest float32 and subnormals -> 0.

    GPUs flush subnormal floats to zero; doing it here keeps the CPU reference in step.
    """
    v = np.asarray(vector, dtype=np.float32).reshape(-1)
    if not np.all(np.isfinite(v)):
        log.warning(
            "vector has %d non-finite values; drawing them as 0 or +-max", (~np.isfinite(v)).sum()
        )
        v = np.nan_to_num(v, nan=0.0)
    tiny = np.finfo(np.float32).tiny
    return np.where(np.abs(v) < tiny, np.float32(0.0), v).astype(np.float32)


def _split(factor: float) -> tuple[float, float]:
    # One factor as two float32 factors that are both normal numbers (GPUs flush subnormals).
    if factor < 2.0**-100:
        return 2.0**-64, factor * 2.0**64
    if factor > 2.0**100:
        return 2.0**64, factor / 2.0**64
    return 1.0, factor


def _kind(x: float) -> tuple[float, int]:
    if math.isnan(x):
        return 0.0, NAN
    if math.isinf(x):
        return 0.0, POS_INF if x > 0 else NEG_INF
    return x, FINITE


@dataclass(frozen=True)
class Scale:
    """The numbers the shader needs to normalise one vector (see the module docstring).

    `k` holds three float32 factors: linear uses p = (v * k0) * k1; symlog uses
    p = sign(v) * log(1 + (|v| * k0) * k1) * k2. `classic` holds (rf, bf, kind_r, kind_b).
    `low`/`high` are the values at the ends of the colormap and `unit` their unit, for the legend.
    """

    normalization: str
    k: tuple[float, float, float] = (1.0, 1.0, 1.0)
    classic: tuple[float, float, int, int] = (0.0, 0.0, FINITE, FINITE)
    low: float = -1.0
    high: float = 1.0
    unit: str = ""

    def labels(self) -> tuple[str, str, str]:
        """Legend texts for the left end, the centre and the right end of the colour bar."""
        if self.normalization == "zscore":
            return "-3\u03c3", "0  (zscore)", "+3\u03c3"
        if self.normalization == "classic":
            return f"min {self.low:.3g}", "0  (classic log scale)", f"max {self.high:.3g}"
        centre = f"0  ({self.normalization}, {self.unit} units)"
        return f"{self.low:.3g}", centre, f"+{self.high:.3g}"


def gain(v: np.ndarray) -> float:
    """sqrt(dims) / |v|: unit vectors times sqrt(dims), any vector to RMS 1 (1 for a zero one)."""
    norm = float(np.linalg.norm(v.astype(np.float64)))
    return math.sqrt(v.size) / norm if norm > 0 else 1.0


def scale_for(vector: np.ndarray, normalization: str) -> Scale:
    """The Scale of one prepared vector (zscore's per-dimension numbers come from RunningStats)."""
    v = prepare(vector)
    if normalization == "linear":
        return _linear(v)
    if normalization == "symlog":
        return _symlog(v)
    if normalization == "zscore":
        return Scale("zscore", low=-ZSCORE_LIMIT, high=ZSCORE_LIMIT, unit="sigma")
    if normalization == "classic":
        return _classic(v)
    raise UsageError(
        f"unknown normalization {normalization!r}: choose one of {', '.join(NORMALIZATIONS)}"
    )


def _linear(v: np.ndarray) -> Scale:
    g = gain(v)
    a = np.abs(v.astype(np.float64)) * g
    limit = float(np.percentile(a, ROBUST_PERCENTILE)) if a.size else 0.0
    if limit <= 0.0:
        limit = float(a.max(initial=0.0)) or 1.0

    limit *= 1.0 + _SLACK
    k0, k1 = _split(g / limit)
    return Scale("linear", (k0, k1, 1.0), low=-limit, high=limit, unit="RMS")


def _symlog(v: np.ndarray) -> Scale:
    k0, k1 = _split(gain(v) / SYMLOG_C)
    x = (np.abs(v) * np.float32(k0)) * np.float32(k1)
    s = np.log(np.float32(1.0) + x)
    limit = float(s.max(initial=0.0)) * (1.0 + _SYMLOG_SLACK) or 1.0

    reach = math.expm1(limit) * SYMLOG_C
    return Scale("symlog", (k0, k1, 1.0 / limit), low=-reach, high=reach, unit="RMS")


def _classic(v: np.ndarray) -> Scale:
    # The original: mn = ln(-min), mx = ln(max); rf = 255 / mn; bf = 255 / mx (IEEE doubles).
    mn = float(v.min(initial=0.0)) if v.size else 0.0
    mx = float(v.max(initial=0.0)) if v.size else 0.0
    with np.errstate(all="ignore"):
        rf = float(np.float64(255.0) / np.log(np.float64(-mn)))
        bf = float(np.float64(255.0) / np.log(np.float64(mx)))

    (rf_value, rf_kind), (bf_value, bf_kind) = _kind(rf), _kind(bf)
    return Scale("classic", classic=(rf_value, bf_value, rf_kind, bf_kind), low=mn, high=mx)


def classic_channels(v: np.ndarray, scale: Scale) -> tuple[np.ndarray, np.ndarray]:
    """The original's red and blue intensities in [0, 255] (float64, before truncation).

    For d < 0: r = ln(-d) * rf, b = 0; else r = 0, b = ln(d) * bf; each clamped to [0, 255]
    with NaN (from 0 * inf or ln of a negative number) counting as 0, as Java's (int) cast does.
    """
    rf = _factor(scale.classic[0], scale.classic[2])
    bf = _factor(scale.classic[1], scale.classic[3])
    d = np.asarray(v, dtype=np.float32).astype(np.float64)
    negative = d < 0

    with np.errstate(all="ignore"):
        r = np.where(negative, np.log(-d) * rf, 0.0)
        b = np.where(negative, 0.0, np.log(d) * bf)
    return _clamp_keep_nan(r), _clamp_keep_nan(b)


def _factor(value: float, kind: int) -> float:
    return {FINITE: value, POS_INF: math.inf, NEG_INF: -math.inf, NAN: math.nan}[kind]


def _clamp_keep_nan(x: np.ndarray) -> np.ndarray:
    x = np.where(x > 255.0, 255.0, x)
    x = np.where(x < 0.0, 0.0, x)
    return np.nan_to_num(x, nan=0.0)


def positions(
    cells: np.ndarray,
    scale: Scale,
    mean: np.ndarray | None = None,
    inv_spread: np.ndarray | None = None,
) -> np.ndarray:
    """Positions p (float32) of values, as the shader computes them.

    `mean` and `inv_spread` (1 / (3 std), per value) are zscore's tables from RunningStats.
    """
    v = np.asarray(cells, dtype=np.float32)
    k0, k1, k2 = (np.float32(k) for k in scale.k)
    with np.errstate(over="ignore", invalid="ignore"):
        # Overflow to +-inf is meant: such a value is far beyond the range, drawn OVER/UNDER.
        if scale.normalization == "linear":
            return (v * k0) * k1
        if scale.normalization == "symlog":
            return np.sign(v) * np.log(np.float32(1.0) + (np.abs(v) * k0) * k1) * k2
        if scale.normalization == "zscore":
            if mean is None or inv_spread is None:
                return np.zeros_like(v)
            return (v - mean.astype(np.float32)) * inv_spread.astype(np.float32)

    r, b = classic_channels(v, scale)
    return ((b - r) / 255.0).astype(np.float32)


class RunningStats:
    """Per-dimension mean and variance of the vectors seen so far (Welford's method, float64).

    Feeds the zscore normalisation and the variance layout. A vector of other dims starts over.
    """

    def __init__(self) -> None:
        self.count = 0
        self.mean = np.zeros(0)
        self._m2 = np.zeros(0)

    @property
    def dims(self) -> int:
        return int(self.mean.size)

    def reset(self) -> None:
        self.count = 0
        self.mean = np.zeros(0)
        self._m2 = np.zeros(0)

    def add(self, vector: np.ndarray) -> None:
        v = prepare(vector).astype(np.float64)
        if v.size != self.dims:
            if self.count:
                log.info("running stats restart: dims %d -> %d", self.dims, v.size)
            self.reset()
            self.mean = np.zeros(v.size)
            self._m2 = np.zeros(v.size)

        self.count += 1
        delta = v - self.mean
        self.mean = self.mean + delta / self.count
        self._m2 = self._m2 + delta * (v - self.mean)

    @property
    def variance(self) -> np.ndarray:
        """Population variance per dimension (zeros before two vectors were seen)."""
        if self.count < 2:
            return np.zeros(self.dims)
        return self._m2 / self.count

    @property
    def std(self) -> np.ndarray:
        return np.sqrt(self.variance)

    # Limitation: stats restart only when dims change; two models of equal dims share them
    # unless the caller resets them on a model switch.
    def zscore_tables(self) -> tuple[np.ndarray, np.ndarray]:
        """(mean, 1 / (3 std)) per dimension as float32; 0 where the spread is zero.

        Before two vectors were seen every spread is zero, so every z-score is 0 (a flat field).
        """
        std = self.std
        with np.errstate(divide="ignore"):
            inv = np.where(std > _TINY_STD, 1.0 / (ZSCORE_LIMIT * std), 0.0)
        mean = prepare(self.mean) if self.dims else self.mean.astype(np.float32)
        return mean, prepare(np.minimum(inv, np.finfo(np.float32).max))
