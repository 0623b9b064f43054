"""`embviz image`: a real PNG of a real text, embedded by the bundled model and drawn by Mesa."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import moderngl
import numpy as np
import pygame
import pytest

from visualizer.cli import main
from visualizer.gl.context import standalone_context
from visualizer.gl.offscreen import OffscreenCanvas

PLAIN = Path(__file__).parents[1] / "cases" / "texts" / "plain.txt"


@pytest.fixture(scope="module")
def ctx() -> moderngl.Context:
    context = standalone_context()
    yield context
    context.release()


def decode(path: Path) -> np.ndarray:
    surface = pygame.image.load(str(path))
    return np.transpose(pygame.surfarray.array3d(surface), (1, 0, 2))


def test_image_of_plain_text_has_the_size_and_many_cell_colours(
    tmp_path: Path, ctx: moderngl.Context
) -> None:
    out = tmp_path / "plain.png"
    code = main(["image", "--file", str(PLAIN), "-o", str(out), "--size", "640x400", "-q"])
    assert code == 0

    image = decode(out)
    assert image.shape == (400, 640, 3)
    canvas = OffscreenCanvas((640, 400), ctx=ctx)  # same geometry as the command's canvas
    try:
        centres = canvas.cell_centres(384)
    finally:
        canvas.release()
    cells = image[centres[:, 1].astype(int), centres[:, 0].astype(int)]
    colours = {tuple(c) for c in cells}
    assert len(colours) > 50  # a picture, not a saturated map of signs or a blank field


def test_classic_picture_of_the_same_text_is_a_map_of_signs(tmp_path: Path) -> None:
    out = tmp_path / "classic.png"
    args = ["--file", str(PLAIN), "-o", str(out), "--size", "320x240", "--no-caption"]
    code = main(["image", *args, "--norm", "classic", "--cmap", "classic", "-q"])
    assert code == 0

    image = decode(out)
    assert image.shape == (240, 320, 3)
    colours = {tuple(int(c) for c in p) for p in image.reshape(-1, 3)}
    assert (255, 127, 0) in colours and (0, 127, 255) in colours  # the original's saturation


def test_console_script_reports_a_bad_output_name(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "visualizer", "image", "hi", "-o", str(tmp_path / "x.txt")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "x.txt" in result.stderr and ".png" in result.stderr


def test_bad_size_is_refused_by_the_parser(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit):
        main(["image", "hi", "-o", str(tmp_path / "x.png"), "--size", "big"])
    assert "WIDTHxHEIGHT" in capsys.readouterr().err


def test_zscore_image_compares_the_text_with_its_own_prefixes(tmp_path: Path) -> None:
    out = tmp_path / "z.png"
    args = ["--file", str(PLAIN), "-o", str(out), "--size", "320x240", "--no-caption"]
    assert main(["image", *args, "--norm", "zscore", "--no-grid-lines", "-q"]) == 0

    image = decode(out)
    middle = image[40:160, 100:220].reshape(-1, 3)
    assert len({tuple(p) for p in middle}) > 20  # not the flat field of a lone vector


def test_variance_layout_orders_the_cells_by_the_prefixes_spread(tmp_path: Path) -> None:
    args = ["--file", str(PLAIN), "--size", "320x240", "--no-caption", "--no-legend", "-q"]
    assert main(["image", *args, "-o", str(tmp_path / "grid.png")]) == 0
    assert main(["image", *args, "-o", str(tmp_path / "var.png"), "--layout", "variance"]) == 0

    grid, variance = decode(tmp_path / "grid.png"), decode(tmp_path / "var.png")
    assert grid.shape == variance.shape
    # the same cells, moved: other colours at most places, the same set of colours overall
    assert (np.abs(grid.astype(int) - variance.astype(int)).max(axis=2) > 8).mean() > 0.3
    colours = {tuple(p) for p in grid.reshape(-1, 3)}
    assert len(colours & {tuple(p) for p in variance.reshape(-1, 3)}) > 0.5 * len(colours)


def test_a_blank_text_says_the_picture_is_all_zeros(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blank = Path(__file__).parents[1] / "cases" / "texts" / "blank.txt"
    out = tmp_path / "blank.png"
    assert main(["image", "--file", str(blank), "-o", str(out), "--no-caption"]) == 0
    assert "blank" in caplog.text and "all zeros" in caplog.text
    assert out.stat().st_size > 0
