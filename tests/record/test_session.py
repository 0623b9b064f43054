"""SessionRecorder: a steady frame rate from frames offered at any pace, and a safe close."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from tests.record.video import decode
from visualizer.errors import RecordError
from visualizer.record.session import SessionRecorder, default_session_path, even_size

SIZE = (64, 48)
#: x264 + yuv420p on a flat colour, crf 0: measured 3/255, allowed 6/255
TOLERANCE = 6

COLOURS = {
    "red": (220, 30, 30),
    "green": (30, 200, 60),
    "blue": (40, 60, 230),
    "grey": (128, 128, 128),
}


def flat(name: str, size: tuple[int, int] = SIZE) -> np.ndarray:
    frame = np.empty((size[1], size[0], 3), np.uint8)
    frame[:] = COLOURS[name]
    return frame


def names_of(path: Path) -> list[str]:
    """The colour name of every decoded frame (by its centre pixel)."""
    names = []
    for frame in decode(path).frames:
        centre = frame[frame.shape[0] // 2, frame.shape[1] // 2].astype(int)
        errors = {name: np.abs(centre - colour).max() for name, colour in COLOURS.items()}
        name = min(errors, key=errors.__getitem__)
        assert errors[name] <= TOLERANCE, (centre, name)
        names.append(name)
    return names


def test_frames_are_repeated_and_dropped_to_keep_time(tmp_path: Path) -> None:
    recorder = SessionRecorder(tmp_path / "s.mp4", SIZE, fps=10, crf=0)
    recorder.offer(flat("red"), now=100.00)  # slot 0
    recorder.offer(flat("green"), now=100.05)  # same slot: dropped, but it is on screen next
    recorder.offer(flat("blue"), now=100.35)  # slots 1, 2 show green; slot 3 blue
    path = recorder.close(now=100.52)  # slots 4, 5 hold blue until the end

    assert path == tmp_path / "s.mp4"
    assert names_of(path) == ["red", "green", "green", "blue", "blue", "blue"]
    assert (recorder.dropped, recorder.repeated, recorder.offered) == (1, 4, 3)
    assert recorder.seconds == pytest.approx(0.6)
    assert decode(path).fps == 10.0


def test_a_fast_window_is_thinned_to_the_frame_rate(tmp_path: Path) -> None:
    recorder = SessionRecorder(tmp_path / "fast.mp4", SIZE, fps=20)
    for i in range(200):  # 200 frames in one second of session time
        recorder.offer(flat("red" if i < 100 else "blue"), now=i / 200)
    names = names_of(recorder.close(now=1.0) or Path("missing"))

    assert len(names) == 21  # slots at 0, 0.05, ... 1.0
    assert names.count("red") == 10 and names.count("blue") == 11


def test_real_clock_gives_real_duration(tmp_path: Path) -> None:
    recorder = SessionRecorder(tmp_path / "live.mp4", SIZE, fps=25)
    started = time.perf_counter()
    while time.perf_counter() - started < 0.4:
        recorder.offer(flat("grey"))
        time.sleep(0.003)
    path = recorder.close()
    elapsed = time.perf_counter() - started

    frames = len(decode(path or Path("missing")).frames)
    assert abs(frames - (elapsed * 25 + 1)) <= 2


def test_resized_window_frames_are_fitted_and_odd_sizes_made_even(tmp_path: Path) -> None:
    recorder = SessionRecorder(tmp_path / "odd.mp4", (65, 49), fps=5, crf=0)
    assert recorder.size == SIZE == even_size((65, 49))
    recorder.offer(flat("red", (65, 49)), now=0.0)
    bigger = flat("green", (80, 60))
    recorder.offer(bigger, now=0.2)
    recorder.offer(flat("blue", (40, 30)), now=0.4)  # smaller: padded with black
    path = recorder.close(now=0.4)

    frames = decode(path or Path("missing")).frames
    assert [frame.shape for frame in frames] == [(48, 64, 3)] * 3
    assert np.abs(frames[2][10, 10].astype(int) - COLOURS["blue"]).max() <= TOLERANCE
    assert frames[2][44, 60].max() <= TOLERANCE  # the padding


def test_close_is_safe_twice_and_with_nothing_recorded(tmp_path: Path) -> None:
    empty = SessionRecorder(tmp_path / "empty.mp4", SIZE)
    assert empty.recording
    assert empty.close() is None and empty.close() is None
    assert not empty.recording
    assert list(tmp_path.iterdir()) == []

    recorder = SessionRecorder(tmp_path / "one.mp4", SIZE, fps=10)
    recorder.offer(flat("red"), now=0.0)
    first = recorder.close(now=0.0)
    assert first == recorder.close() == tmp_path / "one.mp4"
    assert names_of(first) == ["red"]
    with pytest.raises(RecordError, match="already closed"):
        recorder.offer(flat("red"), now=1.0)


def test_encoder_failure_surfaces_and_leaves_no_file(tmp_path: Path, broken_ffmpeg: Path) -> None:
    out = tmp_path / "rec"
    recorder = SessionRecorder(out / "broken.mp4", SIZE, fps=10)
    with pytest.raises(RecordError, match="libx264-missing"):
        for i in range(100):
            recorder.offer(flat("red"), now=i / 10)
            time.sleep(0.002)
        recorder.close(now=10.0)
    with pytest.raises(RecordError, match="libx264-missing"):
        recorder.close()
    assert not recorder.recording
    assert list(out.iterdir()) == []


def test_default_path_is_in_recordings() -> None:
    path = default_session_path()
    assert path.parent == Path("recordings") and path.name.startswith("session-")
