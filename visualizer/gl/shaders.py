"""Finds the GLSL files in shaders/ and builds programs, naming the file and line on failure."""

from __future__ import annotations

import functools
import logging
import re
from pathlib import Path

import moderngl

from visualizer.errors import ShaderError

log = logging.getLogger(__name__)

# Mesa writes "0:12(5): error: ...", NVIDIA "0(12) : error ...".
_LINE = re.compile(r"\b\d+[:(](\d+)[(:)]")


@functools.lru_cache(maxsize=1)
def shader_dir() -> Path:
    """shaders/ of the checkout, else the copy installed as the package visualizer.shaders."""
    checkout = Path(__file__).resolve().parents[2] / "shaders"
    if (checkout / "picture.frag").is_file():
        return checkout

    # An installed embviz carries them as visualizer/shaders/ (a folder, not an import package).
    installed = Path(__file__).resolve().parents[1] / "shaders"
    if (installed / "picture.frag").is_file():
        return installed
    raise ShaderError(
        f"shader files not found in {checkout} or {installed}: reinstall embviz "
        "(pip install embviz) or run from a complete checkout"
    )


def read_shader(name: str, directory: Path | None = None) -> str:
    path = (directory or shader_dir()) / name
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ShaderError(f"cannot read shader {path}: {exc.strerror}") from exc


def load_program(
    ctx: moderngl.Context,
    vertex: str = "picture.vert",
    fragment: str = "picture.frag",
    *,
    directory: Path | None = None,
) -> moderngl.Program:
    """Compile and link `vertex` and `fragment` from shaders/ (or `directory`) into a program."""
    folder = directory or shader_dir()
    vertex_source = read_shader(vertex, folder)
    fragment_source = read_shader(fragment, folder)
    try:
        return ctx.program(vertex_shader=vertex_source, fragment_shader=fragment_source)
    except moderngl.Error as exc:
        raise ShaderError(_describe(str(exc), vertex, fragment, folder)) from exc


def set_uniform(program: moderngl.Program, name: str, value: object) -> None:
    """Set uniform `name` if the program has it (GLSL compilers drop unused uniforms)."""
    member = program.get(name, None)
    if isinstance(member, moderngl.Uniform):
        member.value = value


def _describe(message: str, vertex: str, fragment: str, folder: Path) -> str:
    # moderngl's message names the stage ("vertex_shader", "fragment_shader") above the log.
    stage_file = fragment if "fragment_shader" in message else vertex
    if "GLSL Linker failed" in message:
        where = f"{vertex} + {fragment} (link)"
    else:
        match = _LINE.search(message.split("=\n", 1)[-1])
        where = f"{stage_file}:{match.group(1)}" if match else stage_file
    detail = " ".join(line.strip() for line in message.splitlines() if "error" in line.lower())
    return f"shader {where} failed to build: {detail or message.strip()} (in {folder})"
