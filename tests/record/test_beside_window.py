"""The recorders as the live window uses them: a pygame GL window current on the main thread,
a txt2vid job in the background with its own offscreen context, and the session recorder fed
with the window's own pixels."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import moderngl
import numpy as np
import pygame
import pytest

from tests.record.video import decode
from visualizer.gl.context import window_context
from visualizer.record.session import SessionRecorder
from visualizer.record.txt2vid import JobMessage, Txt2VidJob, Txt2VidOptions
from visualizer.sources import open_source

SIZE = (160, 120)


@pytest.fixture
def window() -> Iterator[moderngl.Context]:
    """A 3.3 core GL window on SDL's offscreen driver, and its moderngl context."""
    pygame.display.init()
    pygame.display.gl_set_attribute(pygame.GL_CONTEXT_MAJOR_VERSION, 3)
    pygame.display.gl_set_attribute(pygame.GL_CONTEXT_MINOR_VERSION, 3)
    profile = pygame.GL_CONTEXT_PROFILE_CORE
    pygame.display.gl_set_attribute(pygame.GL_CONTEXT_PROFILE_MASK, profile)
    pygame.display.set_mode(SIZE, pygame.OPENGL | pygame.DOUBLEBUF)
    try:
        yield window_context()
    finally:
        pygame.display.quit()


def screen_pixels(ctx: moderngl.Context) -> np.ndarray:
    data = ctx.screen.read(components=3, alignment=1)
    return np.frombuffer(data, np.uint8).reshape(SIZE[1], SIZE[0], 3)[::-1]


def test_txt2vid_in_the_background_while_the_window_draws_and_records(
    tmp_path: Path, window: moderngl.Context
) -> None:
    source = open_source("local", cache=False)
    job = Txt2VidJob("Hello window", source, tmp_path / "job.mp4", Txt2VidOptions(size=(320, 240)))
    recorder = SessionRecorder(tmp_path / "session.mp4", SIZE, fps=20)
    messages: list[JobMessage] = []

    job.start()
    started = time.perf_counter()
    while not messages or not messages[-1].final or time.perf_counter() - started < 0.6:
        now = time.perf_counter()
        red, blue = (0.9, 0.1) if int((now - started) / 0.15) % 2 == 0 else (0.1, 0.9)
        window.screen.use()
        window.clear(red, 0.2, blue)
        recorder.offer(screen_pixels(window), now)
        pygame.display.flip()
        messages += job.poll()
        time.sleep(0.01)
    session = recorder.close()
    source.close()

    assert messages[0].kind == "started" and messages[-1].kind == "done", messages[-1].text
    assert len(decode(tmp_path / "job.mp4").frames) == 12
    video = decode(session or tmp_path / "missing.mp4")
    assert video.size == SIZE and video.fps == 20.0
    reds = [frame[60, 80, 0] > 180 for frame in video.frames]
    assert reds[:3] == [True] * 3 and False in reds  # the window's own colours, in time
