"""txt2vid: a video of a text being written, one step (character, grapheme or word) at a time.

Three stages run at once: a thread embeds the steps a few batches ahead (`EmbedAhead`), the
job's own thread renders each frame offscreen, and ffmpeg encodes in its own process as frames
arrive through a pipe (`VideoWriter`). Nothing holds more than a few batches of vectors and one
frame, whatever the text's length.

The same job serves the command line (`run(progress=...)`, a progress bar) and the live window
(`start()` in a background thread, `poll()` for messages, `cancel()`).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from visualizer.errors import EmbvizError, UsageError
from visualizer.record import plan
from visualizer.record.ahead import DEFAULT_BATCH, EmbedAhead, StepVector
from visualizer.record.encoder import DEFAULT_CRF, DEFAULT_PRESET, VideoWriter, check_size
from visualizer.sources.base import Source
from visualizer.sources.text import StepBy, clean, is_blank, steps

if TYPE_CHECKING:
    from visualizer.gl.offscreen import OffscreenCanvas

log = logging.getLogger(__name__)

DEFAULT_SIZE = (1280, 720)


@dataclass(frozen=True)
class Txt2VidOptions:
    """How a txt2vid looks; `fps=None` picks about ten seconds (see visualizer.record.plan)."""

    size: tuple[int, int] = DEFAULT_SIZE
    fps: float | None = None
    step: StepBy = "char"
    hold: int = 1
    morph: int = 0
    caption: bool = True
    colormap: str | None = None
    normalization: str = "linear"
    crf: int = DEFAULT_CRF
    preset: str = DEFAULT_PRESET
    batch: int = DEFAULT_BATCH


@dataclass(frozen=True)
class FailedStep:
    """A step drawn as a placeholder: its number from 1, its text, and why it has no vector."""

    number: int
    text: str
    reason: str


@dataclass(frozen=True)
class Progress:
    """Where a running job is; passed to the progress callback after every step."""

    frames_done: int
    frames_total: int
    steps_done: int
    steps_total: int

    @property
    def fraction(self) -> float:
        return self.frames_done / self.frames_total if self.frames_total else 1.0


@dataclass(frozen=True)
class Txt2VidResult:
    """What a job made. `partial` is True when it was cancelled and kept NAME.partial.mp4."""

    path: Path | None
    frames: int
    frames_planned: int
    steps: int
    size: tuple[int, int]
    fps: float
    failed: tuple[FailedStep, ...] = ()
    partial: bool = False
    windowed_steps: int = 0
    timings: dict[str, float] = field(default_factory=dict)


ProgressCallback = Callable[[Progress], None]
MessageKind = Literal["started", "progress", "done", "cancelled", "failed"]


@dataclass(frozen=True)
class JobMessage:
    """A line for the window's status area; `result` on done/cancelled, `error` on failed."""

    kind: MessageKind
    text: str
    percent: int = 0
    result: Txt2VidResult | None = None
    error: BaseException | None = None


class Txt2VidJob:
    """One txt2vid of `text`, embedded by `source` (which the caller owns and closes).

    Synchronous: `result = job.run(progress=callback)`; the callback is called in the thread
    that runs the job. In the background: `job.start()`, then `job.poll()` from any thread for
    the JobMessages since the last poll, `job.cancel()` to stop early (a partial file is kept),
    `job.join()`. The source must not be used by another thread while the job runs.
    """

    def __init__(
        self,
        text: str,
        source: Source,
        output: str | Path | None = None,
        options: Txt2VidOptions | None = None,
    ) -> None:
        self.options = options or Txt2VidOptions()
        self.text = clean(text)
        if is_blank(self.text):
            what = "empty" if not self.text else "only whitespace"
            raise UsageError(f"the text is {what}, so there is nothing to record: give some words")

        check_size(self.options.size)
        self.prefixes = steps(self.text, self.options.step)
        self.frames_total = plan.frame_count(
            len(self.prefixes), self.options.hold, self.options.morph
        )
        self.fps = self.options.fps or plan.default_fps(self.frames_total)
        self.output = Path(output) if output is not None else plan.default_output(self.text)
        self.source = source

        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None
        self._messages: deque[JobMessage] = deque()
        self._lock = threading.Lock()
        self._last_percent = -1

    # -- running in the caller's thread

    def run(self, progress: ProgressCallback | None = None) -> Txt2VidResult:
        """Make the video; returns when it is finished, cancelled (partial) or failed (raises)."""
        from visualizer.gl.offscreen import OffscreenCanvas

        writer = VideoWriter(
            self.output,
            self.options.size,
            self.fps,
            crf=self.options.crf,
            preset=self.options.preset,
        )
        ahead = EmbedAhead(self.source, self.prefixes, self._cancel, batch=self.options.batch)
        ahead.start()
        if os.environ.get("EMBVIZ_NICE"):
            _yield_cpu_to_embedding()
        canvas = OffscreenCanvas(
            self.options.size,
            colormap=self.options.colormap,
            normalization=self.options.normalization,
        )
        try:
            return self._record(canvas, ahead, writer, progress)
        finally:
            ahead.stop()
            canvas.release()

    def cancel(self) -> None:
        """Stop after the frame being made; the video so far is kept as NAME.partial.mp4."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    # -- running in the background (the live window)

    def start(self) -> None:
        """Run the job in a daemon thread; follow it with `poll()`."""
        if self._thread is not None:
            raise UsageError("this txt2vid job was already started; make a new one")
        self._thread = threading.Thread(target=self._run_in_background, name="txt2vid", daemon=True)
        self._thread.start()

    def poll(self) -> list[JobMessage]:
        """The messages since the last poll, oldest first; safe from any thread."""
        with self._lock:
            messages = list(self._messages)
            self._messages.clear()
        return messages

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the background run to end; True if it has."""
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.running

    def _run_in_background(self) -> None:
        name = self.output.name
        self._say(JobMessage("started", f"txt2vid: {self.frames_total} frames to {name}"))
        try:
            result = self.run(progress=self._report_percent)
        except EmbvizError as exc:
            self._say(JobMessage("failed", f"txt2vid failed: {exc}", error=exc))
            return
        except Exception as exc:  # a bug: still tell the window, and log the traceback
            log.exception("txt2vid failed")
            self._say(JobMessage("failed", f"txt2vid failed: {exc!r}", error=exc))
            return
        self._say(_final_message(result))

    def _report_percent(self, progress: Progress) -> None:
        percent = int(progress.fraction * 100)
        if percent > self._last_percent:
            self._last_percent = percent
            self._say(JobMessage("progress", f"txt2vid {percent}%", percent=percent))

    def _say(self, message: JobMessage) -> None:
        with self._lock:
            self._messages.append(message)

    # -- the pipeline

    def _record(
        self,
        canvas: OffscreenCanvas,
        ahead: EmbedAhead,
        writer: VideoWriter,
        progress: ProgressCallback | None,
    ) -> Txt2VidResult:
        clock = _Clock()
        failed: list[FailedStep] = []
        windowed = 0
        previous: StepVector | None = None

        with writer:
            for current in ahead:
                if self._cancel.is_set():
                    break
                if current.vector is None:
                    text = self.prefixes[current.index]
                    failed.append(FailedStep(current.index + 1, text, current.reason))
                windowed += current.windowed

                self._write_step(canvas, writer, previous, current, clock)
                previous = current
                if progress is not None:
                    done = Progress(
                        writer.frames_written,
                        self.frames_total,
                        current.index + 1,
                        len(self.prefixes),
                    )
                    progress(done)

            if self._cancel.is_set():
                path = writer.interrupt()
            else:
                path = writer.close()

        timings = {"embed_s": ahead.embed_s, **clock.totals(), "total_s": clock.elapsed()}
        return Txt2VidResult(
            path=path,
            frames=writer.frames_written,
            frames_planned=self.frames_total,
            steps=len(self.prefixes),
            size=self.options.size,
            fps=float(self.fps),
            failed=tuple(failed),
            partial=self._cancel.is_set(),
            windowed_steps=windowed,
            timings=timings,
        )

    def _write_step(
        self,
        canvas: OffscreenCanvas,
        writer: VideoWriter,
        previous: StepVector | None,
        current: StepVector,
        clock: _Clock,
    ) -> None:
        """The morph frames into this step (if any), then the step held for `hold` frames."""
        index = current.index
        caption, highlight = self._caption(index)
        morph = self.options.morph if index > 0 else 0

        for j in range(1, morph + 1):
            if self._cancel.is_set():
                return
            t = j / (morph + 1)
            with clock.stage("render_s"):
                frame = self._render(canvas, previous, current, t, caption, highlight)
            with clock.stage("encode_s"):
                writer.write(frame)

        with clock.stage("render_s"):
            frame = self._render(canvas, previous, current, 1.0, caption, highlight)
        with clock.stage("encode_s"):
            for _ in range(self.options.hold):
                writer.write(frame)

    def _render(
        self,
        canvas: OffscreenCanvas,
        previous: StepVector | None,
        current: StepVector,
        t: float,
        caption: str | None,
        highlight: int,
    ) -> np.ndarray:
        """One frame; a morph next to a placeholder cuts over rather than blends."""
        if current.vector is None:
            note = f"step {current.index + 1}: no vector ({current.short})"
            return canvas.frame(None, caption=caption, highlight=highlight, note=note)

        before = previous.vector if previous is not None and t < 1.0 else None
        blend = t if before is not None else 1.0
        return canvas.frame(
            current.vector, previous=before, t=blend, caption=caption, highlight=highlight
        )

    def _caption(self, index: int) -> tuple[str | None, int]:
        """The text so far and how many of its last characters the newest step added."""
        if not self.options.caption:
            return None, 0
        prefix = self.prefixes[index]
        before = len(self.prefixes[index - 1]) if index > 0 else 0
        return prefix, len(prefix) - before


def _yield_cpu_to_embedding() -> None:
    """Lower this thread's priority (Linux nice is per thread), so rendering and the GL driver's
    threads made from here give way to the embedding thread, the slowest stage."""
    tid = threading.get_native_id()
    os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid) + 5)


class _Clock:
    """Time spent per stage, for the benchmark and `--verbose`."""

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
        return dict(self._totals)

    def elapsed(self) -> float:
        return time.perf_counter() - self.started


def _final_message(result: Txt2VidResult) -> JobMessage:
    if result.partial:
        kept = f"kept {result.frames} frames in {result.path}" if result.path else "nothing kept"
        return JobMessage("cancelled", f"txt2vid cancelled: {kept}", result=result)

    text = f"txt2vid done: {result.path}"
    if result.failed:
        numbers = ", ".join(str(step.number) for step in result.failed)
        text += f" (steps {numbers} have no vector)"
    return JobMessage("done", text, percent=100, result=result)
