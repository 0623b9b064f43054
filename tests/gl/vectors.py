"""Known vectors for the GPU-versus-reference tests."""

from __future__ import annotations

import numpy as np

KINDS = ("random", "zeros", "constant", "outlier", "extremes", "positive", "large")
DIMS = (384, 768, 1024, 2560, 4096)


def make_vector(kind: str, dims: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed + dims)
    unit = rng.standard_normal(dims)
    unit /= np.linalg.norm(unit)
    if kind == "random":
        v = unit
    elif kind == "zeros":
        v = np.zeros(dims)
    elif kind == "constant":
        v = np.full(dims, -0.25)
    elif kind == "outlier":
        v = unit.copy()
        v[dims // 3] = 1e4
    elif kind == "extremes":
        # Finite extremes: the largest float32s, tiny normal numbers, exact zeros, +-1.
        v = unit * 1e-3
        v[:6] = [3.4e38, -3.4e38, 1.2e-38, -1.2e-38, 0.0, -0.0]
        v[6:8] = [1.0, -1.0]
    elif kind == "positive":
        v = np.abs(unit) + 1e-4
    else:  # "large": an unnormalised model with values well above 1
        v = unit * 40.0
    return v.astype(np.float32)
