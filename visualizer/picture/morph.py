"""The easing of a morph between two vectors, shared by the renderer and the CPU reference."""

from __future__ import annotations


def ease(t: float) -> float:
    """Smoothstep: 0 -> 0, 1 -> 1, gentle at both ends; t outside [0, 1] is clamped."""
    t = min(max(float(t), 0.0), 1.0)
    return t * t * (3.0 - 2.0 * t)
