"""The live window's recorders: the session as an MP4 (F9) and a txt2vid of the text (F10).

Both run off the main loop: the session recorder hands frames to its own writer thread, and a
txt2vid job renders and encodes on its own thread with its own offscreen context. The window
reads their progress through `poll()` and closes whatever is still running when it closes.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from visualizer.record.plan import default_output
from visualizer.record.session import SessionRecorder, default_session_path
from visualizer.record.txt2vid import Txt2VidJob, Txt2VidOptions
from visualizer.sources.base import Source

log = logging.getLogger(__name__)

#: the frame rate of a session recording
SESSION_FPS = 30


@dataclass(frozen=True)
class RecordingNote:
    """A line for the status area: `error` lines are red, `lasting` ones stay until replaced."""

    text: str
    error: bool = False
    lasting: bool = False


class Recordings:
    """At most one session recording and one txt2vid job, and the files they made."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.session: SessionRecorder | None = None
        self.job: Txt2VidJob | None = None
        self._job_source: Source | None = None
        self.made: list[Path] = []

    @property
    def recording(self) -> bool:
        return self.session is not None

    @property
    def txt2vid_running(self) -> bool:
        return self.job is not None and self.job.running

    # -- the session --------------------------------------------------------------------------

    def start_session(self, size: tuple[int, int]) -> Path:
        """Start recording frames of `size`; raises RecordError if ffmpeg cannot start."""
        path = default_session_path(folder=self.out_dir)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.session = SessionRecorder(path, size, SESSION_FPS)
        return path

    def offer(self, frame: np.ndarray, now: float) -> None:
        if self.session is not None:
            self.session.offer(frame, now)

    def stop_session(self, now: float) -> Path | None:
        """Finish the video; its path (None if no frame was offered). Raises RecordError."""
        session, self.session = self.session, None
        if session is None:
            return None
        path = session.close(now)
        if path is not None:
            self.made.append(path)
        return path

    def session_label(self) -> str:
        if self.session is None:
            return ""
        return f"● {self.session.seconds:.0f} s {self.session.path.name}"

    # -- txt2vid ------------------------------------------------------------------------------

    def start_txt2vid(
        self,
        text: str,
        source: Source,
        *,
        owns_source: bool,
        colormap: str,
        normalization: str,
        layout: str = "grid",
        grid_lines: bool = True,
    ) -> Path:
        """Record a txt2vid of `text` in the background, drawn as the window draws (colormap,
        normalisation, layout, grid lines); raises UsageError for a blank text."""
        options = Txt2VidOptions(
            colormap=colormap,
            normalization=normalization,
            layout=layout,
            grid_lines=grid_lines,
        )
        job = Txt2VidJob(text, source, default_output(text, folder=self.out_dir), options)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        job.start()
        self.job, self._job_source = job, source if owns_source else None
        return job.output

    def cancel_txt2vid(self) -> None:
        if self.job is not None:
            self.job.cancel()

    def poll(self) -> list[RecordingNote]:
        """What the txt2vid job said since the last poll."""
        job = self.job
        if job is None:
            return []

        # Read `running` before draining: a job that ends between the two would otherwise have
        # its last messages (done, with the path) dropped along with it.
        finished = not job.running
        notes = []
        for message in job.poll():
            notes.append(
                RecordingNote(
                    message.text, message.kind == "failed", message.kind in ("started", "progress")
                )
            )
            if message.result is not None and message.result.path is not None:
                self.made.append(message.result.path)
        if finished:
            self._end_job()
        return notes

    def _end_job(self) -> None:
        self.job = None
        if self._job_source is not None:
            self._job_source.close()
            self._job_source = None

    # -- closing ------------------------------------------------------------------------------

    def close(self, now: float | None = None) -> None:
        """Finish the session video and cancel a txt2vid job (its partial file is kept)."""
        try:
            if self.session is not None:
                self.stop_session(time.perf_counter() if now is None else now)
        finally:
            job = self.job
            if job is not None:
                job.cancel()
                if not job.join(timeout=10):
                    # Limitation: a txt2vid stuck in a slow source cannot be interrupted.
                    log.warning("txt2vid of %s is still running; leaving it", job.output)
                self._end_job()
