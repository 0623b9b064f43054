"""A real pygame OpenGL window (offscreen SDL) for the compare and gallery views, and chunks."""

from __future__ import annotations

from collections.abc import Iterator

import moderngl
import pygame
import pytest

from tests.compare.driving import WINDOW_SIZE, make_folder
from tests.servers import ollama_server as ollama_server  # a fixture, used by name
from visualizer.gl.context import window_context
from visualizer.sources import open_source
from visualizer.sources.base import Embedding, Source
from visualizer.sources.chunks import Chunk, scan_folder


@pytest.fixture(scope="module")
def window() -> Iterator[moderngl.Context]:
    """An OpenGL 3.3 core window of WINDOW_SIZE and its moderngl context."""
    pygame.display.init()
    pygame.font.init()
    pygame.display.gl_set_attribute(pygame.GL_CONTEXT_MAJOR_VERSION, 3)
    pygame.display.gl_set_attribute(pygame.GL_CONTEXT_MINOR_VERSION, 3)
    pygame.display.gl_set_attribute(pygame.GL_CONTEXT_PROFILE_MASK, pygame.GL_CONTEXT_PROFILE_CORE)
    pygame.display.set_mode(WINDOW_SIZE, pygame.OPENGL | pygame.DOUBLEBUF)
    ctx = window_context()
    yield ctx
    ctx.release()
    pygame.display.quit()


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
