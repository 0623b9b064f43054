"""Record the live window to an MP4 at a steady frame rate, however fast the window draws.

The window offers each frame it draws with the time it was drawn. The video has a slot every
1/fps seconds from the first frame; each slot shows the newest frame offered at or before its
time, so a frame is repeated when the window is slower than the video and dropped when it is
faster, and a second of video is always a second of the session. Frames are handed to a writer
thread, so ffmpeg's pace never stalls the window unless it falls far behind.
"""

from __future__ import annotations

import logging
import math
import os
import queue
import threading
import time
from datetime import datetime
from pathlib import Path

import numpy as np

from visualizer.errors import RecordError
from visualizer.record.encoder import VideoWriter
from visualizer.record.plan import RECORDINGS

log = logging.getLogger(__name__)

DEFAULT_FPS = 30
#: fast enough for 1280x720 at 30 fps on two cores, at the cost of a bigger file
SESSION_PRESET = "ultrafast"
SESSION_CRF = 20
#: frames waiting for the writer thread before `offer` waits for it
QUEUE_FRAMES = 8

_STOP = None


def default_session_path(now: datetime | None = None, folder: Path = RECORDINGS) -> Path:
    """recordings/session-<YYYYmmdd-HHMMSS>.mp4"""
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    return folder / f"session-{stamp}.mp4"


def even_size(size: tuple[int, int]) -> tuple[int, int]:
    """A window size made acceptable to H.264: each side rounded down to even, at least 2."""
    width, height = size
    return max(2, width - width % 2), max(2, height - height % 2)


class SessionRecorder:
    """Frames of the live session into `path` (default recordings/session-<time>.mp4).

    `size` may be odd (it is rounded down to even). A frame of another size, after the window
    was resized, is cropped or padded with black at its right and bottom edges. Times passed to
    `offer` and `close` are seconds on one clock (default: time.perf_counter()).
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        size: tuple[int, int] = (1280, 720),
        fps: float = DEFAULT_FPS,
        *,
        crf: int = SESSION_CRF,
        preset: str = SESSION_PRESET,
    ) -> None:
        self.path = Path(path) if path is not None else default_session_path()
        self.size = even_size(size)
        self.fps = float(fps)
        # Started now, so a folder that cannot be written fails at the key press, not later.
        self.writer = VideoWriter(self.path, self.size, self.fps, crf=crf, preset=preset).open()
        self.offered = 0
        self.dropped = 0
        self.repeated = 0

        self._slots = 0
        self._start: float | None = None
        self._last: np.ndarray | None = None
        self._queue: queue.Queue[tuple[np.ndarray, int] | None] = queue.Queue(QUEUE_FRAMES)
        self._thread: threading.Thread | None = None
        self._error: RecordError | None = None
        self._closed = False
        self._result: Path | None = None

    @property
    def recording(self) -> bool:
        """True from construction until `close()`: the window shows REC while this is True."""
        return not self._closed

    @property
    def seconds(self) -> float:
        """Length of the video so far."""
        return self._slots / self.fps

    def offer(self, frame: np.ndarray, now: float | None = None) -> None:
        """The frame the window just drew, (h, w, 3) uint8 top row first, drawn at `now`."""
        if self._closed:
            raise RecordError(f"the recording {self.path} is already closed")
        if self._error is not None:
            self._shut_down()
        now = time.perf_counter() if now is None else now
        frame = self._fit(frame)
        self.offered += 1

        if self._start is None:
            self._start = now
            self._thread = threading.Thread(target=self._write, name="session-rec", daemon=True)
            self._thread.start()
        due = self._due(now)
        if due <= self._slots:
            self.dropped += 1
        else:
            self._fill(due - 1)
            self._send(frame, 1)
        self._last = frame

    def close(self, now: float | None = None) -> Path | None:
        """Finish the video, the last frame held until `now`; its path, None if never offered.

        Safe to call twice and from a `finally`; raises RecordError if ffmpeg failed.
        """
        if self._closed:
            self._raise_writer_error()
            return self._result
        self._closed = True
        try:
            if self._start is not None:
                self._fill(self._due(time.perf_counter() if now is None else now))
        finally:
            self._stop_thread()

        self._raise_writer_error()
        if self.writer.frames_written == 0:
            self.writer.abort()
            return None
        self._result = self.writer.close()
        log.info(
            "session recorded to %s: %.1f s, %d frames repeated, %d dropped",
            self._result,
            self.seconds,
            self.repeated,
            self.dropped,
        )
        return self._result

    def _due(self, now: float) -> int:
        """Slots whose time is at or before `now` (slot k is at start + k / fps)."""
        start = self._start if self._start is not None else now
        return math.floor((now - start) * self.fps + 1e-6) + 1

    def _fill(self, slots: int) -> None:
        """Repeat the last frame until `slots` slots are filled."""
        missing = slots - self._slots
        if missing > 0 and self._last is not None:
            self.repeated += missing
            self._send(self._last, missing)

    def _send(self, frame: np.ndarray, count: int) -> None:
        # Limitation: a long stall of the window (a debugger, a suspend) is recorded at its
        # true length as one held frame, which can take a while to encode.
        self._slots += count
        while self._error is None:
            try:
                self._queue.put((frame, count), timeout=0.5)
                return
            except queue.Full:
                log.debug("the session encoder is behind; waiting for it")
        if not self._closed:
            self._shut_down()

    def _shut_down(self) -> None:
        """After an encoder failure: stop the writer thread, mark closed, raise the error."""
        self._closed = True
        self._stop_thread()
        self._raise_writer_error()

    def _write(self) -> None:
        """The writer thread: frames off the queue into ffmpeg until the stop mark."""
        while (item := self._queue.get()) is not _STOP:
            frame, count = item
            if self._error is not None:
                continue
            try:
                for _ in range(count):
                    self.writer.write(frame)
            except RecordError as exc:
                self._error = exc
                self.writer.abort()

    def _stop_thread(self) -> None:
        thread = self._thread
        if thread is None:
            return
        while thread.is_alive():
            try:
                self._queue.put(_STOP, timeout=0.5)
                break
            except queue.Full:
                continue
        thread.join()
        self._thread = None

    def _raise_writer_error(self) -> None:
        if self._error is not None:
            raise self._error

    def _fit(self, frame: np.ndarray) -> np.ndarray:
        """A copy of the frame at the recording's size (cropped or padded at right/bottom)."""
        width, height = self.size
        if frame.ndim != 3 or frame.shape[2] != 3 or frame.dtype != np.uint8:
            got = f"{frame.shape} {frame.dtype}"
            raise RecordError(f"frame of shape {got}: a session takes (height, width, 3) uint8")
        if frame.shape[:2] == (height, width):
            return frame.copy()

        fitted = np.zeros((height, width, 3), np.uint8)
        rows, cols = min(height, frame.shape[0]), min(width, frame.shape[1])
        fitted[:rows, :cols] = frame[:rows, :cols]
        return fitted
