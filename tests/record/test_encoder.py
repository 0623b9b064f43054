"""VideoWriter: frames in, a playable MP4 out, finished atomically, failures reported."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import numpy as np
import pytest

from tests.record.video import decode
from visualizer.errors import RecordError, UsageError
from visualizer.record.encoder import VideoWriter, check_size, parse_size, partial_path, probe

SIZE = (96, 64)
#: the largest per-channel error of a flat colour after x264 (crf 0) + yuv420p and back;
#: measured at 3/255 for the colours below, allowed 6/255
FLAT_TOLERANCE = 6


def flat_frames(count: int, seed: int = 1) -> list[np.ndarray]:
    """`count` frames, each one flat random colour with a white square in a corner."""
    colours = np.random.default_rng(seed).integers(0, 256, (count, 3), dtype=np.uint8)
    frames = []
    for colour in colours:
        frame = np.empty((SIZE[1], SIZE[0], 3), np.uint8)
        frame[:] = colour
        frame[:16, :16] = 255
        frames.append(frame)
    return frames


def leftovers(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if path.name.startswith("."))


def test_frames_come_back_in_order_with_their_colours(tmp_path: Path) -> None:
    frames = flat_frames(12)
    with VideoWriter(tmp_path / "out" / "flat.mp4", SIZE, 12, crf=0) as writer:
        for frame in frames:
            writer.write(frame)

    video = decode(tmp_path / "out" / "flat.mp4")
    assert (len(video.frames), video.size, video.fps) == (12, SIZE, 12.0)
    for sent, got in zip(frames, video.frames, strict=True):
        error = np.abs(got[40, 60].astype(int) - sent[40, 60].astype(int)).max()
        assert error <= FLAT_TOLERANCE, (sent[40, 60], got[40, 60])
        assert (got[4, 4] >= 250).all()
    assert leftovers(tmp_path / "out") == []


def test_close_returns_the_checked_path_and_probe_counts(tmp_path: Path) -> None:
    writer = VideoWriter(tmp_path / "a.mp4", SIZE, 25).open()
    temporary = writer.temporary_path
    assert temporary is not None and temporary.parent == tmp_path

    for frame in flat_frames(50):
        writer.write(frame)
    assert not (tmp_path / "a.mp4").exists()
    path = writer.close()
    assert path == tmp_path / "a.mp4" and not temporary.exists()
    assert probe(path) == 50 == len(decode(path).frames)
    assert writer.close() == path  # a second close changes nothing


def test_fractional_frame_rate_is_kept(tmp_path: Path) -> None:
    with VideoWriter(tmp_path / "ntsc.mp4", SIZE, 30000 / 1001) as writer:
        for frame in flat_frames(3):
            writer.write(frame)
    assert decode(tmp_path / "ntsc.mp4").fps == pytest.approx(29.97, abs=0.01)


def test_an_exception_keeps_a_playable_partial_file(tmp_path: Path) -> None:
    target = tmp_path / "talk.mp4"
    with pytest.raises(KeyboardInterrupt), VideoWriter(target, SIZE, 10) as writer:
        for frame in flat_frames(7):
            writer.write(frame)
        raise KeyboardInterrupt

    assert not target.exists()
    assert len(decode(tmp_path / "talk.partial.mp4").frames) == 7
    assert leftovers(tmp_path) == []


def test_interrupt_before_any_frame_leaves_nothing(tmp_path: Path) -> None:
    writer = VideoWriter(tmp_path / "none.mp4", SIZE, 10).open()
    assert writer.interrupt() is None
    assert list(tmp_path.iterdir()) == []


def test_closing_an_empty_video_is_an_error_not_a_file(tmp_path: Path) -> None:
    writer = VideoWriter(tmp_path / "empty.mp4", SIZE, 10).open()
    with pytest.raises(RecordError, match="no frames were written"):
        writer.close()
    assert list(tmp_path.iterdir()) == []


def test_a_frame_of_the_wrong_shape_is_refused(tmp_path: Path) -> None:
    with (
        pytest.raises(RecordError, match=r"\(64, 96, 3\) uint8"),
        VideoWriter(tmp_path / "x.mp4", SIZE, 10) as writer,
    ):
        writer.write(np.zeros((64, 95, 3), np.uint8))
    assert list(tmp_path.iterdir()) == []


def test_missing_encoder_reports_ffmpegs_own_message(tmp_path: Path, broken_ffmpeg: Path) -> None:
    writer = VideoWriter(tmp_path / "x.mp4", SIZE, 10)
    with pytest.raises(RecordError) as failure, writer:
        for frame in flat_frames(200):
            writer.write(frame)
    assert "libx264-missing" in str(failure.value)  # ffmpeg's words, not ours
    assert "x.mp4" in str(failure.value)
    assert list(tmp_path.iterdir()) == [broken_ffmpeg]


def test_no_ffmpeg_at_all_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMAGEIO_FFMPEG_EXE", str(tmp_path / "no-such-ffmpeg"))
    with pytest.raises(RecordError, match="cannot start ffmpeg"):
        VideoWriter(tmp_path / "x.mp4", SIZE, 10).open()
    assert list(tmp_path.iterdir()) == []


def test_ffmpeg_dying_mid_video_stops_the_writer(tmp_path: Path) -> None:
    writer = VideoWriter(tmp_path / "x.mp4", SIZE, 10).open()
    writer.write(flat_frames(1)[0])
    assert writer._process is not None
    os.kill(writer._process.pid, signal.SIGKILL)

    with pytest.raises(RecordError, match="ffmpeg stopped while writing"), writer:
        for frame in flat_frames(200):
            writer.write(frame)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("text", "expected"), [("1280x720", (1280, 720)), (" 320 X 240 ", (320, 240)), ("2x2", (2, 2))]
)
def test_sizes_parse(text: str, expected: tuple[int, int]) -> None:
    assert parse_size(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("641x480", "odd side.*try 640x480"),
        ("640x481", "odd side.*try 640x480"),
        ("1280", "not WIDTHxHEIGHT"),
        ("0x720", "out of range"),
        ("99999x2", "out of range"),
    ],
)
def test_bad_sizes_are_refused_with_the_fix(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_size(text)


def test_bad_crf_preset_and_fps_are_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="--crf 52"):
        VideoWriter(tmp_path / "x.mp4", SIZE, 10, crf=52)
    with pytest.raises(UsageError, match="--preset 'quick'"):
        VideoWriter(tmp_path / "x.mp4", SIZE, 10, preset="quick")
    with pytest.raises(UsageError, match="frame rate 0"):
        VideoWriter(tmp_path / "x.mp4", SIZE, 0)
    for odd in (float("nan"), float("inf")):
        with pytest.raises(UsageError, match="out of range"):
            VideoWriter(tmp_path / "x.mp4", SIZE, odd)
    assert check_size((4, 6)) == (4, 6)


def test_hidden_files_of_killed_runs_are_removed_by_the_next(tmp_path: Path) -> None:
    gone = subprocess.Popen(["true"])
    gone.wait()  # a pid that no longer runs
    stale = tmp_path / f".old.{gone.pid}-0123abcd.part"
    running = tmp_path / f".other.{os.getpid()}-89abcdef.part"  # a live writer's: kept
    unrelated = tmp_path / ".notes.part"
    for path in (stale, running, unrelated):
        path.write_bytes(b"unfinished")

    with VideoWriter(tmp_path / "new.mp4", SIZE, 10) as writer:
        writer.write(flat_frames(1)[0])
    assert leftovers(tmp_path) == sorted([running.name, unrelated.name])


def test_only_mp4_names_are_taken(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"x\.mkv is not an \.mp4 name"):
        VideoWriter(tmp_path / "x.mkv", SIZE, 10)
    assert VideoWriter(tmp_path / "X.MP4", SIZE, 10).path.name == "X.MP4"


def test_partial_name() -> None:
    assert partial_path(Path("recordings/fox.mp4")) == Path("recordings/fox.partial.mp4")
