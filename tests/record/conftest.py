"""Fixtures for the recording tests: a broken ffmpeg, and the reference model."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import imageio_ffmpeg
import pytest

from visualizer.sources import Source, open_source


@pytest.fixture
def broken_ffmpeg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An ffmpeg build without libx264: the real binary, asked for an encoder it lacks.

    imageio-ffmpeg takes its binary from IMAGEIO_FFMPEG_EXE; this wrapper renames the codec
    on the way, so the failure and its message come from the real ffmpeg.
    """
    real = imageio_ffmpeg.get_ffmpeg_exe()
    wrapper = tmp_path / "ffmpeg-without-x264"
    wrapper.write_text(
        "#!/bin/sh\n"
        'for arg; do shift; [ "$arg" = libx264 ] && arg=libx264-missing; set -- "$@" "$arg"; done\n'
        f'exec "{real}" "$@"\n'
    )
    wrapper.chmod(0o755)
    monkeypatch.setenv("IMAGEIO_FFMPEG_EXE", str(wrapper))
    return wrapper


@pytest.fixture(scope="session")
def reference_source() -> Iterator[Source]:
    """The bundled model, uncached, to compute the vectors a video should show."""
    with open_source("local", cache=False) as source:
        yield source
