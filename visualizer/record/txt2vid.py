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
import sys
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from visualizer.errors import EmbvizError, RecordError, UsageError
from visualizer.record import plan
from visualizer.record.ahead import DEFAULT_BATCH, EmbedAhead, StepVector
from visualizer.record.encoder import (
    DEFAULT_CRF,
    DEFAULT_PRESET,
    VideoWriter,
    check_output,
    check_size,
)
from visualizer.record.frames import StepFrames
from visualizer.sources.base import Source
from visualizer.sources.text import StepBy, clean, is_blank

if TYPE_CHECKING:
    from visualizer.gl.offscreen import OffscreenCanvas

log = logging.getLogger(__name__)

DEFAULT_SIZE = (1280, 720)
#: how much rendering and encoding give way to embedding (nice levels)
NICE = 5

_WAIT_S = 0.1


@dataclass(frozen=True)
class Txt2VidOptions:
    """How a txt2vid looks; `fps=None` picks about ten seconds (see visualizer.record.plan)."""

    size: tuple[int, int] = DEFAULT_SIZE
    fps: float | None = None
    step: StepBy = "char"
    hold: int = 1
    morph: int = 0
    caption: bool = True
    legend: bool = True
    colormap: str | None = None
    normalization: str = "linear"
    layout: str = "grid"
    grid_lines: bool = True
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
    """Where a running job is; passed to the progress callback after every frame sent.
    `steps_done` counts the step being drawn as done."""

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

    @property
    def final(self) -> bool:
        """True for the last message of a job: done, cancelled or failed."""
        return self.kind in ("done", "cancelled", "failed")


class Txt2VidJob:
    """One txt2vid of `text`, its steps embedded by `source`.

    Synchronous: `result = job.run(progress=callback)`; the callback is called from the job's
    render thread after every step. In the background: `job.start()`, then `job.poll()` from
    any thread for the JobMessages since the last poll, `job.cancel()` to stop early (a partial
    file is kept), `job.join()`. Embedding runs in a thread of its own, so the source must be
    safe to call from another thread (every embviz source is); the caller owns and closes it.
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
        self.prefixes = plan.Prefixes(self.text, self.options.step)
        self.frames_total = plan.frame_count(
            len(self.prefixes), self.options.hold, self.options.morph
        )
        fps = self.options.fps
        self.fps = plan.default_fps(self.frames_total) if fps is None else fps
        self.output = check_output(_output_path(self.text, output))
        self.source = source

        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None
        self._messages: deque[JobMessage] = deque()
        self._lock = threading.Lock()
        self._last_percent = -1

    # -- running in the caller's thread

    def run(self, progress: ProgressCallback | None = None) -> Txt2VidResult:
        """Make the video; returns when it is finished or cancelled (partial), raises if failed.

        The frames are made in a thread of the job's own (at a lower priority, see NICE), so the
        caller's thread only waits, and stays free to take signals. `progress` is called from
        that thread.
        """
        outcome: list[Txt2VidResult | BaseException] = []
        worker = threading.Thread(
            target=self._work, args=(progress, outcome), name="txt2vid-render", daemon=True
        )
        worker.start()
        try:
            while worker.is_alive():
                worker.join(_WAIT_S)
        except BaseException:  # Ctrl+C in the caller: let the worker keep the partial file
            self.cancel()
            worker.join()
            raise

        if not outcome:
            raise RecordError(f"txt2vid of {self.output} ended without a result")
        if isinstance(outcome[0], BaseException):
            raise outcome[0]
        return outcome[0]

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

    def _work(
        self, progress: ProgressCallback | None, outcome: list[Txt2VidResult | BaseException]
    ) -> None:
        """The render thread: embedding starts first, then this thread gives way to it."""
        from visualizer.gl.offscreen import OffscreenCanvas

        options = self.options
        ahead = EmbedAhead(self.source, self.prefixes, self._cancel, batch=options.batch)
        canvas: OffscreenCanvas | None = None
        try:
            writer = VideoWriter(
                self.output,
                options.size,
                self.fps,
                crf=options.crf,
                preset=options.preset,
                nice=NICE,
                gl_frames=True,
            )
            ahead.start()
            _yield_cpu_to_embedding()

            canvas = OffscreenCanvas(
                options.size,
                colormap=options.colormap,
                normalization=options.normalization,
                legend=options.legend,
                layout=options.layout,
            )
            canvas.renderer.grid_lines = options.grid_lines
            outcome.append(self._record(canvas, ahead, writer, progress))
        except BaseException as exc:  # handed to run(), which raises it in the caller's thread
            outcome.append(exc)
        finally:
            ahead.stop()
            if canvas is not None:
                canvas.release()

    def _record(
        self,
        canvas: OffscreenCanvas,
        ahead: EmbedAhead,
        writer: VideoWriter,
        progress: ProgressCallback | None,
    ) -> Txt2VidResult:
        frames = StepFrames(
            canvas,
            writer,
            self.prefixes,
            hold=self.options.hold,
            morph=self.options.morph,
            caption=self.options.caption,
            cancel=self._cancel,
        )
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

                step = current.index + 1

                def report(step: int = step) -> None:
                    if progress is not None:
                        total, steps = self.frames_total, len(self.prefixes)
                        progress(Progress(writer.frames_written, total, step, steps))

                frames.write(previous, current, on_frame=report)
                previous = current

            if len(failed) == len(self.prefixes) and not self._cancel.is_set():
                # Placeholders only: nothing of the model to see; the file is discarded.
                raise RecordError(
                    f"no step got a vector (step 1: {failed[0].reason}), so no video was made: "
                    "fix the source or use --source local"
                )
            path = writer.interrupt() if self._cancel.is_set() else writer.close()

        timings = {"embed_s": ahead.embed_s, **frames.clock.totals()}
        log.debug("txt2vid stages (s, overlapping): %s", timings)
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


def _output_path(text: str, output: str | Path | None) -> Path:
    """The given path, or a name made from the text in recordings/ (or in the given folder)."""
    if output is None:
        return plan.default_output(text)
    if Path(output).is_dir():
        return plan.default_output(text, folder=Path(output))
    return Path(output)


def _yield_cpu_to_embedding() -> None:
    """Lower the priority of this thread, which renders, so that it (and the GL driver's threads
    it starts) give way to the embedding thread, the slowest stage, when cores are few.

    Called after the embedding thread has started, so that thread keeps the old priority.
    """
    # Limitation: Linux only: elsewhere a thread's priority cannot be set on its own.
    if not sys.platform.startswith("linux"):
        return
    tid = threading.get_native_id()
    try:
        os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid) + NICE)
    except OSError as exc:
        log.debug("could not lower the render thread's priority: %s", exc)


def _final_message(result: Txt2VidResult) -> JobMessage:
    if result.partial:
        kept = f"kept {result.frames} frames in {result.path}" if result.path else "nothing kept"
        return JobMessage("cancelled", f"txt2vid cancelled: {kept}", result=result)

    text = f"txt2vid done: {result.path}"
    if result.failed:
        numbers = ", ".join(str(step.number) for step in result.failed)
        text += f" (steps {numbers} have no vector)"
    return JobMessage("done", text, percent=100, result=result)
