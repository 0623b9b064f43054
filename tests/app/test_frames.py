"""Frame bookkeeping: what the window redraws, the fps it reports, and the cap's schedule."""

from __future__ import annotations

import pytest

from visualizer.app.frames import IDLE_FRAME_S, FrameClock


def test_fps_is_the_rate_while_moving_and_zero_when_idle() -> None:
    clock = FrameClock(60)
    for n in range(120):
        clock.drawn(n / 50, moving=True)  # 50 frames a second
    assert clock.fps == 50 and clock.frames == 120

    clock.drawn(120 / 50 + 2.0, moving=False)
    assert clock.fps == 0


def test_a_still_picture_is_redrawn_only_for_its_last_pose_and_every_idle_interval() -> None:
    clock = FrameClock(60)
    clock.drawn(0.0, moving=True)
    assert clock.redraw_due(0.01, moving=True)
    assert clock.redraw_due(0.02, moving=False)  # the morph just ended: its last pose
    clock.drawn(0.02, moving=False)

    assert not clock.redraw_due(0.03, moving=False)
    assert not clock.redraw_due(0.02 + IDLE_FRAME_S * 0.9, moving=False)
    assert clock.redraw_due(0.02 + IDLE_FRAME_S, moving=False)


@pytest.mark.parametrize("late", [0.0, 0.004, 0.012])
def test_the_cap_keeps_its_schedule_when_frames_are_a_little_late(late: float) -> None:
    clock = FrameClock(60)
    clock.next_due(0.0)
    for _ in range(59):
        clock.next_due(clock.due + late)
    assert clock.due == pytest.approx(1.0, abs=1e-9)

    clock.next_due(clock.due + 0.5)  # far behind: start afresh from now
    assert clock.due == pytest.approx(1.5 + 1 / 60)
