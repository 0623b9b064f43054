"""Reading videos back for the recording tests: decoded frames, and colours vs the CPU."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import imageio_ffmpeg
import numpy as np

from visualizer.picture.colormaps import COLORMAPS
from visualizer.picture.layout import Layout
from visualizer.picture.reference import reference_cells


@dataclass
class Decoded:
    """A video read back: ffmpeg's metadata (fps, size, duration) and every frame, RGB."""

    meta: dict[str, Any]
    frames: list[np.ndarray]

    @property
    def size(self) -> tuple[int, int]:
        width, height = self.meta["size"]
        return int(width), int(height)

    @property
    def fps(self) -> float:
        return float(self.meta["fps"])


def decode(path: Path) -> Decoded:
    """Every frame of a (small) video; fails the test if ffmpeg cannot read it."""
    reader = imageio_ffmpeg.read_frames(str(path))
    meta = next(reader)
    width, height = meta["size"]
    try:
        frames = [np.frombuffer(raw, np.uint8).reshape(height, width, 3) for raw in reader]
    finally:
        reader.close()
    return Decoded(meta, frames)


def cell_errors(
    frame: np.ndarray,
    centres: np.ndarray,
    vector: np.ndarray,
    dims: Sequence[int],
    *,
    previous: np.ndarray | None = None,
    t: float = 1.0,
    colormap: str = COLORMAPS[0],
) -> np.ndarray:
    """Per-channel |frame - CPU reference| at the centres of the cells of `dims`: (len, 3)."""
    layout = Layout.grid(len(vector))
    cells = reference_cells(vector, layout, "linear", colormap, previous=previous, t=t)
    cell_of = layout.cell_of()

    errors = []
    for dim in dims:
        x, y = centres[dim]
        row, col = divmod(int(cell_of[dim]), layout.cols)
        got = frame[int(y), int(x)].astype(int)
        errors.append(np.abs(got - cells[row, col].astype(int)))
    return np.array(errors)


def ffmpeg_without_x264(folder: Path) -> Path:
    """A stand-in for an ffmpeg build without libx264: the real binary, asked for an encoder
    it lacks, so the failure and its message come from the real ffmpeg. Point
    IMAGEIO_FFMPEG_EXE (which imageio-ffmpeg obeys) at the returned path.
    """
    real = imageio_ffmpeg.get_ffmpeg_exe()
    wrapper = folder / "ffmpeg-without-x264"
    wrapper.write_text(
        "#!/bin/sh\n"
        'for arg; do shift; [ "$arg" = libx264 ] && arg=libx264-missing; set -- "$@" "$arg"; done\n'
        f'exec "{real}" "$@"\n'
    )
    wrapper.chmod(0o755)
    return wrapper
