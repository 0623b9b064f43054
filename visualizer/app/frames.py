"""The live window's frame bookkeeping: which frames to draw, when the next is due, and fps.

The window draws only when something changed (input, a vector, a running morph, a recording,
a status line expiring) and at least every IDLE_FRAME_S, so an idle window leaves the CPU to the
model. The frame rate it reports is the rate while the picture moves; an idle window reads 0.
"""

from __future__ import annotations

import logging
from collections import deque

log = logging.getLogger(__name__)

#: with nothing changing, the window still redraws this often (seconds)
IDLE_FRAME_S = 0.5
#: how often the reported frame rate is recomputed (seconds)
FPS_EVERY_S = 0.25


class FrameClock:
    """Frames drawn, the frame rate while moving, and the schedule of a frame-rate cap."""

    def __init__(self, max_fps: float) -> None:
        self.max_fps = max_fps
        #: frames drawn so far
        self.frames = 0
        #: frames per second over the last 90 moving frames; 0 when idle
        self.fps = 0
        self.due = 0.0
        self._times: deque[float] = deque(maxlen=90)
        self._fps_at = 0.0
        self._last: float | None = None
        self._moving = False

    @property
    def period(self) -> float:
        """One frame at the cap (at 60 fps when uncapped): how far ahead a frame is drawn."""
        return 1.0 / (self.max_fps if self.max_fps > 0 else 60.0)

    def redraw_due(self, now: float, moving: bool) -> bool:
        """Whether a frame must be drawn without new input: the picture moves or has just
        stopped (its last pose), or IDLE_FRAME_S passed since the last frame."""
        stopped, self._moving = self._moving and not moving, moving
        stale = self._last is None or now - self._last >= IDLE_FRAME_S
        return moving or stopped or stale

    def drawn(self, now: float, moving: bool) -> None:
        """Count a frame drawn at `now`; `moving` if the picture moved (or is recorded)."""
        if moving and self._last is not None and now - self._last < IDLE_FRAME_S:
            self._times.append(now - self._last)
        self._last = now
        self.frames += 1

        if not moving and now - self._fps_at >= IDLE_FRAME_S:
            self.fps, self._fps_at = 0, now
            self._times.clear()
        elif now - self._fps_at >= FPS_EVERY_S and sum(self._times) > 0:
            self.fps, self._fps_at = round(len(self._times) / sum(self._times)), now

    def next_due(self, now: float) -> None:
        """After waiting: keep to the schedule when a little late, start afresh when far behind."""
        period = 1.0 / self.max_fps
        self.due = self.due + period if now < self.due + period else now + period
