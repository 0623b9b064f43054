"""Stream RGB frames into an MP4 through ffmpeg, finishing the file atomically.

Frames go down a pipe to the ffmpeg binary that imageio-ffmpeg ships, encoded as H.264 in
yuv420p (what every player plays). The video is written under a hidden temporary name in the
output folder and renamed only when ffmpeg has exited cleanly and the file reads back with the
expected number of frames. An interrupted recording (Ctrl+C, SIGTERM, cancel) is still closed
properly, so it plays, and is renamed NAME.partial.mp4.

We start ffmpeg ourselves rather than through `imageio_ffmpeg.write_frames`, because that helper
lets ffmpeg's stderr go to the terminal (so its message cannot be put in an error) and does not
check ffmpeg's exit status (so a failed encode would look like a finished one).
"""

from __future__ import annotations

import logging
import math
import os
import re
import secrets
import subprocess
import tempfile
from fractions import Fraction
from pathlib import Path
from types import TracebackType
from typing import IO

import imageio_ffmpeg
import numpy as np

from visualizer.errors import RecordError, UsageError

log = logging.getLogger(__name__)

PRESETS = (
    "ultrafast",
    "superfast",
    "veryfast",
    "faster",
    "fast",
    "medium",
    "slow",
    "slower",
    "veryslow",
)
DEFAULT_CRF = 18
DEFAULT_PRESET = "superfast"
MAX_SIDE = 8192

#: the last lines of ffmpeg's stderr put into an error message
_STDERR_LINES = 12


def check_size(size: tuple[int, int]) -> tuple[int, int]:
    """The size as (width, height) ints, or UsageError if H.264 in yuv420p cannot take it.

    yuv420p stores colour at half resolution, so both sides must be even; we refuse an odd side
    rather than let ffmpeg pad or scale the picture behind the user's back.
    """
    width, height = (int(side) for side in size)
    if not (2 <= width <= MAX_SIDE and 2 <= height <= MAX_SIDE):
        msg = f"video size {width}x{height} is out of range: use sides from 2 to {MAX_SIDE}"
        raise UsageError(msg)

    if width % 2 or height % 2:
        even = f"{width - width % 2}x{height - height % 2}"
        msg = f"video size {width}x{height} has an odd side; H.264 (yuv420p) needs even: try {even}"
        raise UsageError(msg)
    return width, height


def check_output(path: Path) -> Path:
    """The path, or UsageError if it does not name an .mp4 file."""
    if path.suffix.lower() != ".mp4":
        raise UsageError(f"{path} is not an .mp4 name: embviz writes MP4 (H.264) videos")
    return path


def parse_size(text: str) -> tuple[int, int]:
    """'1280x720' -> (1280, 720), checked by `check_size`."""
    match = re.fullmatch(r"\s*(\d+)\s*[xX×]\s*(\d+)\s*", text)
    if match is None:
        raise UsageError(f"video size {text!r} is not WIDTHxHEIGHT: write it like 1280x720")
    return check_size((int(match.group(1)), int(match.group(2))))


def partial_path(path: Path) -> Path:
    """recordings/talk.mp4 -> recordings/talk.partial.mp4"""
    return path.with_name(f"{path.stem}.partial{path.suffix or '.mp4'}")


def probe(path: Path) -> int:
    """The number of frames in the video stream of `path`, counted without decoding.

    RecordError when ffmpeg cannot read the file: no video stream, no index (a file whose
    writer never finished), or not a video at all.
    """
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path)]
    command += ["-map", "0:v:0", "-c", "copy", "-f", "null", "-"]
    done = subprocess.run(command, capture_output=True, text=True, errors="replace", check=False)
    counts = re.findall(r"frame=\s*(\d+)", done.stderr)

    if done.returncode != 0 or not counts:
        raise RecordError(f"{path} is not a readable video: {_tail(done.stderr)}")
    return int(counts[-1])


class VideoWriter:
    """An MP4 being written: `write(frame)` per frame, then `close()` for the finished path.

    `nice` lowers ffmpeg's priority by that many levels (txt2vid: so embedding comes first).

    Used as a context manager, a clean exit closes the video; an exit by exception (including
    KeyboardInterrupt) still closes ffmpeg properly and keeps what was written as
    NAME.partial.mp4 (`interrupt()`), except when ffmpeg itself failed.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        size: tuple[int, int],
        fps: float | Fraction,
        *,
        crf: int = DEFAULT_CRF,
        preset: str = DEFAULT_PRESET,
        nice: int = 0,
        gl_frames: bool = False,
    ) -> None:
        self.path = check_output(Path(path))
        self.gl_frames = gl_frames
        self.size = check_size(size)
        self.fps = check_fps(fps)
        self.crf = _check_crf(crf)
        self.preset = _check_preset(preset)
        self.nice = nice
        self.frames_written = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None
        self._temporary: Path | None = None
        self._finished: Path | None = None

    @property
    def temporary_path(self) -> Path | None:
        """Where the video is being written until it is finished (None before `open`)."""
        return self._temporary

    def open(self) -> VideoWriter:
        """Create the output folder and start ffmpeg; RecordError if it cannot start."""
        if self._process is not None:
            return self
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise RecordError(f"cannot write a video into {self.path.parent}: {exc}") from exc
        if not os.access(self.path.parent, os.W_OK):
            raise RecordError(
                f"cannot write a video into {self.path.parent}: the folder is not writable "
                "(read-only or not yours); choose another -o"
            )
        # A hidden name in the same folder, so the final rename is atomic; ffmpeg creates it
        # (with the user's umask, unlike mkstemp's private mode).
        token = f"{os.getpid()}-{secrets.token_hex(4)}"
        self._temporary = self.path.with_name(f".{self.path.stem}.{token}.part")
        remove_stale_parts(self.path.parent)

        self._stderr = tempfile.TemporaryFile()
        try:
            self._process = subprocess.Popen(
                self._command(self._temporary),
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=self._stderr,
                # Its own session: Ctrl+C in the terminal must reach us, not kill ffmpeg
                # before we have closed the file.
                start_new_session=True,
            )
        except OSError as exc:
            self._discard()
            exe = imageio_ffmpeg.get_ffmpeg_exe()
            raise RecordError(f"cannot start ffmpeg ({exe}): {exc}") from exc
        if self.nice:
            self._lower_priority(self._process.pid)
        log.debug("ffmpeg writing %s (%dx%d, %s fps)", self._temporary, *self.size, self.fps)
        return self

    def write(self, frame: np.ndarray) -> None:
        """Send one (height, width, 3) uint8 frame, top row first; with `gl_frames`, one
        (height, width, 4) RGBA frame, bottom row first, as OffscreenCanvas.read(raw=True)."""
        width, height = self.size
        shape = (height, width, 4 if self.gl_frames else 3)
        if frame.shape != shape or frame.dtype != np.uint8:
            got = f"{frame.shape} {frame.dtype}"
            raise RecordError(f"frame of shape {got}: the video takes {shape} uint8")
        if self._process is None:
            self.open()

        process = self._process
        if process is None or process.stdin is None:
            raise RecordError(f"the video {self.path} is already closed")
        try:
            process.stdin.write(np.ascontiguousarray(frame).data)
        except (BrokenPipeError, OSError) as exc:
            raise self._failure("ffmpeg stopped while writing") from exc
        self.frames_written += 1

    def close(self) -> Path:
        """Finish the video and move it to its name; the path, checked to read back whole."""
        if self._finished is not None:
            return self._finished
        if self.frames_written == 0:
            self._stop(wait=True)
            self._discard()
            raise RecordError(f"no frames were written, so no video was made at {self.path}")
        return self._finish(self.path)

    def interrupt(self) -> Path | None:
        """Close ffmpeg properly and keep what was written as NAME.partial.mp4 (None if empty)."""
        if self._finished is not None:
            return self._finished
        if self.frames_written == 0:
            self._stop(wait=True)
            self._discard()
            return None
        return self._finish(partial_path(self.path))

    def abort(self) -> None:
        """Stop ffmpeg at once and delete the unfinished file (after an encoder failure)."""
        self._stop(wait=False)
        self._discard()

    def __enter__(self) -> VideoWriter:
        return self.open()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if error is None:
            self.close()
        elif isinstance(error, RecordError) or self._finished is not None:
            self.abort()
        else:
            self._keep_partial(error)

    def _keep_partial(self, error: BaseException) -> None:
        """Keep what was written after an exception; a second failure here is only logged."""
        try:
            kept = self.interrupt()
        except RecordError as exc:
            log.error("could not keep the partial video: %s", exc)
            self.abort()
            return
        if kept is not None:
            why = type(error).__name__
            log.warning("stopped by %s: kept %d frames in %s", why, self.frames_written, kept)

    def _finish(self, target: Path) -> Path:
        """Wait for ffmpeg, check the file, rename it to `target`."""
        self._stop(wait=True)
        temporary = self._temporary
        process = self._process
        if temporary is None or process is None:
            raise RecordError(f"the video {self.path} was never started")
        if process.returncode != 0:
            error = self._failure(f"ffmpeg exited with status {process.returncode}")
            self._discard()
            raise error

        try:
            frames = probe(temporary)
        except RecordError:
            self._discard()
            raise
        if frames != self.frames_written or temporary.stat().st_size == 0:
            self._discard()
            msg = f"{target} has {frames} frames after writing {self.frames_written}"
            raise RecordError(f"{msg}: the encoder lost frames; try again or another --preset")

        try:
            os.replace(temporary, target)
        except OSError as exc:
            self._discard()
            raise RecordError(f"cannot move the finished video to {target}: {exc}") from exc
        self._finished = target
        self._close_stderr()
        log.debug("wrote %s (%d frames)", target, frames)
        return target

    def _stop(self, *, wait: bool) -> None:
        """Close ffmpeg's input (it then writes the index and exits) or kill it."""
        process = self._process
        if process is None or process.returncode is not None:
            return
        try:
            if process.stdin is not None:
                process.stdin.close()
        except (BrokenPipeError, OSError):
            log.debug("ffmpeg had already closed its input")

        if not wait:
            process.kill()
        process.wait()

    def _lower_priority(self, pid: int) -> None:
        """ffmpeg `nice` levels below us, so the stages it runs beside come first."""
        try:
            os.setpriority(os.PRIO_PROCESS, pid, os.getpriority(os.PRIO_PROCESS, pid) + self.nice)
        except OSError as exc:
            log.debug("could not lower ffmpeg's priority: %s", exc)

    def _failure(self, what: str) -> RecordError:
        """A RecordError carrying the end of ffmpeg's stderr."""
        self._stop(wait=True)
        stderr = b""
        if self._stderr is not None:
            self._stderr.seek(0)
            stderr = self._stderr.read()
        text = stderr.decode("utf-8", "replace")
        return RecordError(f"{what} for {self.path}: {_tail(text)}")

    def _discard(self) -> None:
        try:
            if self._temporary is not None:
                self._temporary.unlink(missing_ok=True)
        except OSError as exc:  # the error being reported already says why
            log.debug("could not remove %s: %s", self._temporary, exc)
        finally:
            self._close_stderr()

    def _close_stderr(self) -> None:
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    def _command(self, output: Path) -> list[str]:
        width, height = self.size
        command = [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostdin", "-y"]
        pixels = "rgba" if self.gl_frames else "rgb24"
        command += ["-loglevel", "error", "-f", "rawvideo", "-pix_fmt", pixels]
        command += ["-s", f"{width}x{height}", "-framerate", str(self.fps), "-i", "pipe:0"]
        command += ["-an", "-c:v", "libx264", "-preset", self.preset, "-crf", str(self.crf)]
        # Half the cores: the frames that feed it need the rest (on 2 cores, x264's own choice
        # of 3 threads cost 13% more CPU for the same file).
        command += ["-threads", str(max(1, (os.cpu_count() or 2) // 2))]

        # RGB to limited-range BT.709, tagged as such, so players convert back to the same RGB.
        # GL frames come bottom row first; vflip only turns ffmpeg's row pointers around.
        scale = "scale=out_color_matrix=bt709:out_range=tv"
        command += ["-vf", f"vflip,{scale}" if self.gl_frames else scale, "-pix_fmt", "yuv420p"]
        command += ["-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709"]
        command += ["-movflags", "+faststart", "-f", "mp4", str(output)]
        return command


def _tail(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return " / ".join(lines[-_STDERR_LINES:]) or "(ffmpeg said nothing)"


_PART = re.compile(r"^\..+\.(\d+)-[0-9a-f]{8}\.part$")


def remove_stale_parts(folder: Path) -> None:
    """Delete the hidden unfinished videos that killed runs (SIGKILL) left in `folder`: those
    whose writing process no longer exists."""
    for path in folder.glob(".*.part"):
        match = _PART.match(path.name)
        if match is None or _alive(int(match.group(1))):
            continue
        try:
            path.unlink()
            log.info("removed %s, left by a run that was killed", path)
        except OSError as exc:
            log.debug("could not remove %s: %s", path, exc)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists, owned by someone else
    return True


def check_fps(fps: float | Fraction) -> Fraction:
    """The frame rate as a fraction; UsageError unless it is above 0 and at most 240."""
    if not math.isfinite(fps):
        raise UsageError(f"frame rate {fps} is out of range: use more than 0, at most 240")
    rate = Fraction(fps).limit_denominator(1001)
    if not 0 < rate <= 240:
        raise UsageError(f"frame rate {fps} is out of range: use more than 0, at most 240")
    return rate


def _check_crf(crf: int) -> int:
    if not 0 <= crf <= 51:
        raise UsageError(f"--crf {crf} is out of range: use 0 (lossless) to 51 (worst)")
    return int(crf)


def _check_preset(preset: str) -> str:
    if preset not in PRESETS:
        raise UsageError(f"unknown --preset {preset!r}: use one of {', '.join(PRESETS)}")
    return preset
