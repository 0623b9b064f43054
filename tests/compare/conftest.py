"""A real pygame OpenGL window (offscreen SDL) for the compare and gallery views, and chunks."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import moderngl
import numpy as np
import pygame
import pytest

from tests.servers import ollama_server as ollama_server  # a fixture, used by name
from visualizer.app.compare_view import BACKGROUND, View
from visualizer.sources import open_source
from visualizer.sources.base import Embedding, Source
from visualizer.sources.chunks import Chunk, scan_folder

#: small enough for llvmpipe to draw a frame in milliseconds, wide enough for three panes
WINDOW_SIZE = (960, 540)

#: a folder of one-chunk files whose vectors differ clearly
FILES = {
    "animals/cat.txt": "the cat sleeps on the warm windowsill",
    "animals/kitten.txt": "a small kitten chases a ball of yarn",
    "finance/bonds.txt": "bond yields rose after the central bank meeting",
    "code/loop.py": "for item in items:\n    total += item.price\n",
    "code/deep/parse.py": "def parse(text):\n    return text.split(',')\n",
}


@pytest.fixture(scope="module")
def window() -> Iterator[moderngl.Context]:
    """An OpenGL 3.3 core window of WINDOW_SIZE and its moderngl context."""
    pygame.display.init()
    pygame.font.init()
    pygame.display.gl_set_attribute(pygame.GL_CONTEXT_MAJOR_VERSION, 3)
    pygame.display.gl_set_attribute(pygame.GL_CONTEXT_MINOR_VERSION, 3)
    pygame.display.gl_set_attribute(pygame.GL_CONTEXT_PROFILE_MASK, pygame.GL_CONTEXT_PROFILE_CORE)
    pygame.display.set_mode(WINDOW_SIZE, pygame.OPENGL | pygame.DOUBLEBUF)
    ctx = moderngl.create_context()
    yield ctx
    ctx.release()
    pygame.display.quit()


def frame(ctx: moderngl.Context, view: View) -> np.ndarray:
    """Deliver pending events to `view`, draw it over the whole window, read it back (top first)."""
    for event in pygame.event.get():
        view.handle_event(event)
    view.update(time.perf_counter())

    ctx.screen.use()
    ctx.viewport = (0, 0, *WINDOW_SIZE)
    ctx.clear(*BACKGROUND)
    view.draw((0, 0, *WINDOW_SIZE), WINDOW_SIZE)
    data = ctx.screen.read(viewport=(0, 0, *WINDOW_SIZE), components=3)
    pygame.display.flip()
    return np.frombuffer(data, np.uint8).reshape(WINDOW_SIZE[1], WINDOW_SIZE[0], 3)[::-1]


def colours_at(image: np.ndarray, centres: np.ndarray) -> np.ndarray:
    return image[centres[:, 1], centres[:, 0]].astype(np.int16)


def make_folder(root: Path) -> Path:
    for name, text in FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def local() -> Iterator[Source]:
    """The bundled model, uncached (each test has its own cache folder anyway)."""
    source = open_source("local", cache=False)
    yield source
    source.close()


@pytest.fixture(scope="module")
def scanned(
    tmp_path_factory: pytest.TempPathFactory, local: Source
) -> tuple[list[Chunk], list[Embedding]]:
    """The chunks of FILES (one each, in path order) and their vectors from the local model."""
    folder = make_folder(tmp_path_factory.mktemp("folder"))
    chunks = scan_folder(folder).chunks
    return chunks, local.embed([c.text for c in chunks])
