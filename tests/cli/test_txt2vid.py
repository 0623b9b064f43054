"""`embviz txt2vid` end to end: defaults, refusals, reports, progress, and SIGTERM mid-run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from tests.record.video import decode, ffmpeg_without_x264
from tests.servers.ollama import OllamaTestServer
from visualizer.cli import main

TEXTS = Path(__file__).parents[1] / "cases" / "texts"
SMALL = ["--size", "320x240", "--crf", "0"]


def test_defaults_name_size_and_frame_rate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["txt2vid", "Hi there!"]) == 0

    made = list((tmp_path / "recordings").glob("hi-there-*.mp4"))
    assert len(made) == 1 and made[0].stem[len("hi-there-") :].replace("-", "").isdigit()
    video = decode(made[0])
    assert (len(video.frames), video.size, video.fps) == (9, (1280, 720), 1.0)  # 9 / 10, at least 1

    out, err = capsys.readouterr()
    assert out.strip() == f"wrote {made[0].relative_to(tmp_path)}: 9 frames, 1280x720, 1 fps, 9.0 s"
    assert "9/9" in err and "frame" in err  # the progress bar, on stderr


def test_output_folder_gets_a_default_name_inside(tmp_path: Path) -> None:
    assert main(["txt2vid", "Hello", "-o", str(tmp_path), "-q", *SMALL]) == 0
    made = list(tmp_path.glob("hello-*.mp4"))
    assert len(made) == 1 and len(decode(made[0]).frames) == 5


def test_a_name_that_is_not_mp4_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["txt2vid", "Hello", "-o", str(tmp_path / "x.gif"), "-q"]) == 1
    assert "x.gif is not an .mp4 name" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fps", ["0", "-5", "500", "nan", "inf", "fast"])
def test_a_frame_rate_out_of_range_is_refused_before_anything_starts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fps: str
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["txt2vid", "Hello", "-o", str(tmp_path / "x.mp4"), "--fps", fps])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    why = "is not a number" if fps == "fast" else f"frame rate {float(fps)} is out of range"
    assert f"--fps: {why}" in err or f"--fps: '{fps}' {why}" in err
    assert "Hello.mp4" not in err  # refused before the progress bar
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["empty", "blank"])
def test_empty_and_blank_files_are_refused(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["txt2vid", "--file", str(TEXTS / f"{name}.txt")]) == 1

    err = capsys.readouterr().err
    assert "nothing to record" in err and err.startswith("embviz: the text is")
    assert list(tmp_path.iterdir()) == []


def test_odd_size_is_refused_by_the_parser(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["txt2vid", "x", "--size", "321x240"])
    assert exit_.value.code == 2
    assert "try 320x240" in capsys.readouterr().err


def test_options_reach_the_video(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "words.mp4"
    args = ["txt2vid", "one two three", "-o", str(out), "--step", "word", "--hold", "2"]
    args += ["--morph", "3", "--fps", "8", "--no-caption", "--no-legend", "-q", *SMALL]
    assert main(args) == 0

    video = decode(out)
    assert (len(video.frames), video.fps) == (3 * 2 + 2 * 3, 8.0)
    bands = [frame[-30:].astype(int) for frame in video.frames]
    assert max(np.abs(band - bands[0]).max() for band in bands) <= 12  # no caption drawn
    assert capsys.readouterr().err == ""  # --quiet: no progress bar


def test_failed_step_is_reported_and_the_run_completes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "f.mp4"
    with OllamaTestServer(fail_texts={"Hello t"}) as server:
        args = ["txt2vid", "Hello there", "-o", str(out), "-q", *SMALL, "--no-cache"]
        code = main([*args, "--source", "ollama", "--host", server.url, "--model", "all-minilm"])

    assert code == 0
    assert len(decode(out).frames) == 11
    err = capsys.readouterr().err
    assert "steps 7 have no vector" in err and "NaN or Inf" in err


def test_windowed_steps_are_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "w.mp4"
    assert main(["txt2vid", "abcdefghijkl", "-o", str(out), "-q", *SMALL, "--window", "8"]) == 0
    assert "4 steps were longer than --window 8" in capsys.readouterr().err
    assert len(decode(out).frames) == 12


def test_encoder_failure_exits_1_with_ffmpegs_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("IMAGEIO_FFMPEG_EXE", str(ffmpeg_without_x264(tmp_path)))
    out = tmp_path / "out" / "x.mp4"
    assert main(["txt2vid", "Hello", "-o", str(out), "-q", *SMALL]) == 1
    assert "libx264-missing" in capsys.readouterr().err
    assert list(out.parent.iterdir()) == []


def test_sigterm_mid_run_leaves_a_playable_partial_file(tmp_path: Path) -> None:
    out = tmp_path / "para.mp4"
    command = [
        sys.executable,
        "-m",
        "visualizer",
        "txt2vid",
        "--file",
        str(TEXTS / "paragraph.txt"),
    ]
    command += ["-o", str(out), "--size", "320x240", "--no-cache"]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    try:
        deadline = time.monotonic() + 30
        while not list(tmp_path.glob(".para.*.part")) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)  # some frames into the video
        child.send_signal(signal.SIGTERM)
        _, err = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()

    partial = tmp_path / "para.partial.mp4"
    assert child.returncode == 128 + signal.SIGTERM
    assert "interrupted by SIGTERM: kept" in err and str(partial) in err
    frames = len(decode(partial).frames)
    assert 0 < frames < 296 and f"kept {frames} of 296 frames" in err
    assert sorted(os.listdir(tmp_path)) == ["para.partial.mp4"]
