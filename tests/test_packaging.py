"""The built wheel: an installed embviz (not a checkout) finds its shaders and builds them."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Runs in a child with the unpacked wheel first on sys.path, from a folder with no checkout.
CHECK = """
import sys
sys.path.insert(0, sys.argv[1])
import visualizer
from visualizer.gl.context import standalone_context
from visualizer.gl.shaders import load_program, shader_dir

ctx = standalone_context()
program = load_program(ctx, "picture.vert", "cells.frag")
print(visualizer.__file__)
print(shader_dir())
program.release()
ctx.release()
"""


def test_an_installed_wheel_finds_and_builds_its_shaders(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(ROOT)],
        check=True,
        timeout=240,
    )
    (wheel,) = tmp_path.glob("embviz-*.whl")
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    shipped = sorted(path.name for path in (site / "visualizer" / "shaders").iterdir())
    assert shipped == sorted(path.name for path in (ROOT / "shaders").iterdir())

    result = subprocess.run(
        [sys.executable, "-c", CHECK, str(site)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    package_file, folder = result.stdout.split()
    assert Path(package_file).is_relative_to(site)
    assert Path(folder) == site / "visualizer" / "shaders"
