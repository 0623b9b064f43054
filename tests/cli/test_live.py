"""`embviz live` end to end: a real X server (Xvfb), real typing (xdotool), a real screenshot."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pygame
import pytest

from visualizer.cli import main

#: where the lead (and anyone curious) can look at what the test saw
SCREENSHOT_COPY = Path("/tmp/embviz-live-screenshot.png")
WINDOW = (800, 450)


def free_display() -> int:
    for number in range(90, 190):
        if (
            not Path(f"/tmp/.X11-unix/X{number}").exists()
            and not Path(f"/tmp/.X{number}-lock").exists()
        ):
            return number
    raise RuntimeError("no free X display number between :90 and :189")


@pytest.fixture
def xvfb() -> Iterator[str]:
    """A private X server; its DISPLAY name."""
    number = free_display()
    server = subprocess.Popen(
        ["Xvfb", f":{number}", "-screen", "0", "1024x768x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while not Path(f"/tmp/.X11-unix/X{number}").exists():
            assert server.poll() is None, "Xvfb exited at start"
            assert time.monotonic() < deadline, "Xvfb did not start within 10 s"
            time.sleep(0.05)
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def xdotool(display: str, *args: str) -> str:
    done = subprocess.run(
        ["xdotool", *args],
        env={**os.environ, "DISPLAY": display},
        capture_output=True,
        text=True,
        timeout=20,
        check=True,
    )
    return done.stdout


def screenshot(display: str, path: Path) -> np.ndarray:
    """The whole X screen as (h, w, 3) uint8, via imagemagick's `import`."""
    subprocess.run(
        ["import", "-window", "root", str(path)],
        env={**os.environ, "DISPLAY": display},
        check=True,
        timeout=20,
    )
    return pygame.surfarray.array3d(pygame.image.load(str(path))).transpose(1, 0, 2)


def distinct_colours(pixels: np.ndarray) -> int:
    return len(np.unique(pixels.reshape(-1, 3), axis=0))


def test_typing_into_the_real_window_under_xvfb(xvfb: str, tmp_path: Path) -> None:
    env = {**os.environ, "DISPLAY": xvfb}
    env.pop("SDL_VIDEODRIVER", None)
    command = [str(Path(sys.executable).with_name("embviz")), "live"]
    command += ["--size", f"{WINDOW[0]}x{WINDOW[1]}", "--out-dir", str(tmp_path / "out")]
    live = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    try:
        window = xdotool(xvfb, "search", "--sync", "--pid", str(live.pid)).split()[0]
        xdotool(xvfb, "windowfocus", "--sync", window)
        geometry = dict(
            line.split("=")
            for line in xdotool(xvfb, "getwindowgeometry", "--shell", window).split()
        )
        x, y = int(geometry["X"]), int(geometry["Y"])
        assert (int(geometry["WIDTH"]), int(geometry["HEIGHT"])) == WINDOW

        xdotool(xvfb, "type", "--delay", "40", "hello world")
        xdotool(xvfb, "mousemove", str(x + 200), str(y + 150))
        path = tmp_path / "screen.png"
        deadline = time.monotonic() + 15
        while True:
            time.sleep(0.5)
            shot = screenshot(xvfb, path)[y : y + WINDOW[1], x : x + WINDOW[0]]
            picture, panel = shot[:380, :560], shot[:380, 580:]
            text_line = shot[410:, :400]
            if distinct_colours(picture) > 40 and (text_line.max(axis=-1) > 200).sum() > 100:
                break
            assert live.poll() is None, live.stdout.read().decode() if live.stdout else ""
            assert time.monotonic() < deadline, "the picture or the typed text never showed"
        shutil.copyfile(path, SCREENSHOT_COPY)

        # The picture: many colours of cells; the HUD: light text on its dark panel.
        assert distinct_colours(picture) > 40
        assert (panel.max(axis=-1) > 180).sum() > 500
        assert distinct_colours(panel) > 20

        xdotool(xvfb, "key", "Escape")
        time.sleep(0.2)
        xdotool(xvfb, "key", "Escape")
        assert live.wait(timeout=15) == 0
    finally:
        if live.poll() is None:
            live.kill()
            live.wait()


def test_bad_options_exit_with_a_message(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["live", "--morph-ms", "-5"]) == 1
    assert "--morph-ms" in capsys.readouterr().err

    with pytest.raises(SystemExit):
        main(["live", "--size", "wide"])
    assert "WIDTHxHEIGHT" in capsys.readouterr().err


def test_without_a_display_it_says_so_instead_of_running_invisibly(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("SDL_VIDEODRIVER", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)

    assert main(["live", "--no-cache"]) == 1
    assert "no display" in capsys.readouterr().err
