"""Normalisations: robust linear range, one scale across models, symlog, zscore, classic."""

from __future__ import annotations

import numpy as np
import pytest

from visualizer.errors import UsageError
from visualizer.picture.normalize import (
    NORMALIZATIONS,
    RunningStats,
    positions,
    prepare,
    scale_for,
)


def unit(dims: int, seed: int = 1) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal(dims)
    return (v / np.linalg.norm(v)).astype(np.float32)


def test_linear_range_is_the_99th_percentile_in_rms_units() -> None:
    v = unit(1024)
    scale = scale_for(v, "linear")
    expected = np.percentile(np.abs(v.astype(np.float64)) * np.sqrt(1024), 99)

    assert scale.high == pytest.approx(expected, rel=1e-5)
    p = positions(v, scale)
    assert np.mean(np.abs(p) > 1.0) == pytest.approx(0.01, abs=0.002)


def test_models_of_different_dims_land_on_one_scale() -> None:
    small, large = scale_for(unit(384), "linear"), scale_for(unit(4096), "linear")

    assert small.high == pytest.approx(large.high, rel=0.15)  # both ~2.6 RMS
    assert 2.0 < small.high < 3.2


def test_one_outlier_does_not_flatten_the_rest() -> None:
    v = unit(768)
    spiked = v.copy()
    spiked[5] = 50.0
    p_plain, p_spiked = (
        positions(v, scale_for(v, "linear")),
        positions(spiked, scale_for(spiked, "linear")),
    )

    assert p_spiked[5] > 1.0  # drawn OVER
    others = np.arange(768) != 5
    spread_ratio = np.std(p_spiked[others]) / np.std(p_plain[others])
    assert spread_ratio > 0.5  # a max-based range would shrink it ~20x


def test_symlog_keeps_everything_in_range_and_is_odd_and_monotonic() -> None:
    v = np.array([-100.0, -1.0, -0.01, 0.0, 0.01, 1.0, 100.0], dtype=np.float32)
    p = positions(v, scale_for(v, "symlog"))

    assert np.all(np.diff(p) > 0)
    np.testing.assert_allclose(p, -p[::-1], atol=1e-6)
    assert np.abs(p).max() < 1.0 and np.abs(p).max() > 0.999


def test_zscore_uses_per_dimension_mean_and_spread() -> None:
    rng = np.random.default_rng(3)
    batch = rng.standard_normal((50, 8)) * np.arange(1, 9) + np.arange(8)
    stats = RunningStats()
    for row in batch:
        stats.add(row)

    np.testing.assert_allclose(stats.mean, batch.mean(axis=0), rtol=1e-5)
    np.testing.assert_allclose(stats.variance, batch.var(axis=0), rtol=1e-4)
    mean, inv = stats.zscore_tables()
    p = positions(batch[0].astype(np.float32), scale_for(batch[0], "zscore"), mean, inv)
    expected = (batch[0] - batch.mean(axis=0)) / batch.std(axis=0) / 3.0
    np.testing.assert_allclose(p, expected, rtol=1e-4, atol=1e-5)


def test_running_stats_start_over_when_dims_change() -> None:
    stats = RunningStats()
    stats.add(np.ones(4))
    stats.add(np.zeros(4))
    stats.add(np.full(6, 2.0))

    assert stats.count == 1 and stats.dims == 6
    assert stats.mean.tolist() == [2.0] * 6 and stats.variance.tolist() == [0.0] * 6


def test_degenerate_vectors_give_defined_positions() -> None:
    for v in (np.zeros(384), np.full(384, 0.3), np.array([1e-30] * 383 + [3e38])):
        for name in NORMALIZATIONS:
            p = positions(prepare(v), scale_for(v, name))
            assert not np.isnan(p).any(), (name, v[:2])
            assert np.all(np.abs(p[:383]) <= 1.0), (name, v[:2])

    spike = np.array([1e-30] * 383 + [3e38])
    assert positions(prepare(spike), scale_for(spike, "linear"))[383] > 1.0  # OVER, not NaN


def test_constant_vector_sits_at_the_ends_of_the_range_not_beyond() -> None:
    p = positions(np.full(100, -0.3, np.float32), scale_for(np.full(100, -0.3), "linear"))
    assert np.all((p < -0.999) & (p >= -1.0))


def test_prepare_flushes_subnormals_and_non_finite_values() -> None:
    v = prepare(np.array([1e-40, np.nan, np.inf, -1.0]))
    assert v.tolist() == [0.0, 0.0, float(np.finfo(np.float32).max), -1.0]


def test_unknown_normalization_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="linear"):
        scale_for(np.ones(3), "log")


def test_legend_labels_give_the_range_of_each_normalization() -> None:
    v = unit(384)
    linear = scale_for(v, "linear")
    assert linear.labels() == (
        f"{-linear.high:.3g}",
        "0  (linear, RMS units)",
        f"+{linear.high:.3g}",
    )
    assert scale_for(v, "zscore").labels()[2] == "+3\u03c3"
    low, _, high = scale_for(v, "classic").labels()
    assert low == f"min {v.min():.3g}" and high == f"max {v.max():.3g}"
