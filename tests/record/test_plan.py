"""The frame-count rule, the default frame rate and the default file name."""

from __future__ import annotations

import tracemalloc
from datetime import datetime
from pathlib import Path

import pytest

from visualizer.errors import UsageError
from visualizer.record.plan import (
    Prefixes,
    default_fps,
    default_output,
    frame_count,
    plan,
    slug,
)
from visualizer.sources.text import StepBy, steps


@pytest.mark.parametrize(
    ("steps", "hold", "morph", "frames"),
    [(1, 1, 0, 1), (1, 3, 5, 3), (44, 1, 0, 44), (10, 2, 3, 47), (5, 1, 4, 21), (0, 2, 2, 0)],
)
def test_frame_count_is_steps_times_hold_plus_morphs_between(
    steps: int, hold: int, morph: int, frames: int
) -> None:
    assert frame_count(steps, hold, morph) == frames
    planned = list(plan(steps, hold, morph))
    assert sum(frame.repeat for frame in planned) == frames


def test_plan_orders_morphs_before_each_hold() -> None:
    planned = [(f.step, round(f.t, 3), f.repeat) for f in plan(3, hold=2, morph=2)]
    assert planned == [
        (0, 1.0, 2),
        (1, 0.333, 1),
        (1, 0.667, 1),
        (1, 1.0, 2),
        (2, 0.333, 1),
        (2, 0.667, 1),
        (2, 1.0, 2),
    ]


def test_hold_and_morph_are_checked() -> None:
    with pytest.raises(UsageError, match="--hold 0"):
        frame_count(3, hold=0)
    with pytest.raises(UsageError, match="--morph -1"):
        frame_count(3, morph=-1)


@pytest.mark.parametrize(
    ("frames", "fps"),
    [(1, 1), (9, 1), (11, 1.1), (44, 4.4), (296, 29.6), (600, 60), (5000, 60)],
)
def test_default_fps_aims_at_ten_seconds(frames: int, fps: float) -> None:
    assert float(default_fps(frames)) == pytest.approx(fps)
    if 10 <= frames <= 600:
        assert frames / default_fps(frames) == 10


def test_slug_is_short_ascii_and_never_empty() -> None:
    assert slug("Café au lait!") == "cafe-au-lait"
    assert (
        slug("The quick brown fox jumps over the lazy dog.")
        == "the-quick-brown-fox-jumps-over-the-lazy"
    )
    assert slug("日本語 🙂") == "text"
    assert len(slug("x" * 100)) <= 40


def test_default_output_is_stamped_and_not_taken(tmp_path: Path) -> None:
    when = datetime(2026, 12, 3, 20, 15, 7)
    first = default_output("Hello there", when, folder=tmp_path)
    assert first == tmp_path / "hello-there-20261203-201507.mp4"
    first.write_bytes(b"taken")
    assert default_output("Hello there", when, folder=tmp_path).name == (
        "hello-there-20261203-201507-2.mp4"
    )


@pytest.mark.parametrize("by", ["char", "grapheme", "word"])
def test_prefixes_are_the_steps_made_on_demand(by: StepBy) -> None:
    text = "Café naïve e\u0301 🙂 done"
    prefixes = Prefixes(text, by)
    assert list(prefixes) == steps(text, by) and len(prefixes) == len(steps(text, by))
    assert prefixes[1:3] == steps(text, by)[1:3]
    assert [prefixes.added(i) for i in range(len(prefixes))] == [
        len(p) - len(q) for p, q in zip(steps(text, by), ["", *steps(text, by)], strict=False)
    ]


def test_a_long_text_steps_in_linear_memory() -> None:
    text = "word " * 40_000  # 200,000 characters: all its prefixes would be 20 GB
    tracemalloc.start()
    prefixes = Prefixes(text, "char")
    last = prefixes[len(prefixes) - 1]
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert len(prefixes) == 200_000 and last == text
    assert peak < 20_000_000
