"""The easing of a morph between two vectors, shared by the renderer and the CPU reference."""

from __future__ import annotations


def ease(t: float) -> float:
    """Cubic ease-out: 0 -> 0, 1 -> 1, quick to start and gentle to land; t is clamped to [0, 1].

    Quick to start because the picture answers a keystroke: the first frame after a vector
    arrives already shows a third of the change (at 150 ms and 60 fps), where an ease-in curve
    would spend its first frames on changes too small to see.
    """
    t = min(max(float(t), 0.0), 1.0)
    return 1.0 - (1.0 - t) ** 3
