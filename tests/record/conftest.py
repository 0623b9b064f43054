"""Fixtures for the recording tests: a broken ffmpeg, and the reference model."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.record.video import ffmpeg_without_x264
from visualizer.sources import Source, open_source


@pytest.fixture
def broken_ffmpeg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An ffmpeg build without libx264 (see tests.record.video.ffmpeg_without_x264)."""
    wrapper = ffmpeg_without_x264(tmp_path)
    monkeypatch.setenv("IMAGEIO_FFMPEG_EXE", str(wrapper))
    return wrapper


@pytest.fixture(scope="session")
def reference_source() -> Iterator[Source]:
    """The bundled model, uncached, to compute the vectors a video should show."""
    with open_source("local", cache=False) as source:
        yield source
