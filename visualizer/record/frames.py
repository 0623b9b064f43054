"""The frames of one txt2vid step: the morph into it, then the step held, each with its caption.

A step's frames follow visualizer.record.plan.frames_of_step. A step without a vector is drawn
as the canvas's placeholder, with a few words of why, and morphs next to it cut over instead of
blending, since there is nothing to blend with.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import numpy as np

from visualizer.record.ahead import StepVector
from visualizer.record.encoder import VideoWriter
from visualizer.record.plan import Prefixes, frames_of_step

if TYPE_CHECKING:
    from visualizer.gl.offscreen import OffscreenCanvas


class StepFrames:
    """Render each step's frames on `canvas` and send them to `writer`, in order."""

    def __init__(
        self,
        canvas: OffscreenCanvas,
        writer: VideoWriter,
        prefixes: Prefixes,
        *,
        hold: int,
        morph: int,
        caption: bool,
        cancel: threading.Event,
    ) -> None:
        self.canvas = canvas
        self.writer = writer
        self.prefixes = prefixes
        self.hold = hold
        self.morph = morph
        self.caption = caption
        self.cancel = cancel
        self.clock = StageClock()

    def write(
        self,
        previous: StepVector | None,
        current: StepVector,
        on_frame: Callable[[], object] | None = None,
    ) -> None:
        """The frames of `current`; stops between frames once the job is cancelled.
        `on_frame` is called after each frame sent (progress within a long --hold)."""
        caption, highlight = self._caption(current.index)
        for planned in frames_of_step(current.index, self.hold, self.morph):
            if self.cancel.is_set():
                return
            with self.clock.stage("render_s"):
                frame = self._render(previous, current, planned.t, caption, highlight)
            with self.clock.stage("encode_s"):
                for _ in range(planned.repeat):
                    if self.cancel.is_set():  # a long --hold stops within a frame too
                        return
                    self.writer.write(frame)
                    if on_frame is not None:
                        on_frame()

    def _render(
        self,
        previous: StepVector | None,
        current: StepVector,
        t: float,
        caption: str | None,
        highlight: int,
    ) -> np.ndarray:
        if current.vector is None:
            note = f"step {current.index + 1}: no vector ({current.short})"
            return self.canvas.frame(
                None, caption=caption, highlight=highlight, note=note, raw=True
            )

        before = previous.vector if previous is not None and t < 1.0 else None
        blend = t if before is not None else 1.0
        return self.canvas.frame(
            current.vector,
            previous=before,
            t=blend,
            caption=caption,
            highlight=highlight,
            raw=True,  # GL's own order, straight to ffmpeg (VideoWriter(gl_frames=True))
        )

    def _caption(self, index: int) -> tuple[str | None, int]:
        """The text so far and how many of its last characters the newest step added."""
        if not self.caption:
            return None, 0
        return self.prefixes[index], self.prefixes.added(index)


class StageClock:
    """Seconds spent per stage, for the benchmark and --verbose."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self._totals: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self._totals[name] = self._totals.get(name, 0.0) + time.perf_counter() - started

    def totals(self) -> dict[str, float]:
        return {**self._totals, "total_s": time.perf_counter() - self.started}
