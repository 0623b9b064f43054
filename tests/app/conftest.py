"""Live-window test helpers: the real local model with a gate, windows, typing, settling."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from visualizer.app.window import LiveWindow, WindowOptions
from visualizer.sources.base import Fetched, Source
from visualizer.sources.local import LocalSource


class GatedLocalSource(LocalSource):
    """The bundled model, but each request waits until the test opens the gate.

    `sent` lists the texts that reached the model, in order; `fail_with` makes the next
    requests raise that error instead; `poison` makes them answer a vector full of NaN.
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.gate = threading.Event()
        self.gate.set()
        self.entered = threading.Event()
        self.sent: list[str] = []
        self.fail_with: Exception | None = None
        self.poison = False

    def hold(self) -> None:
        """Make the next requests wait for `gate.set()`; `entered` tells when one is waiting."""
        self.entered.clear()
        self.gate.clear()

    def _fetch(self, sent: list[str]) -> list[Fetched]:
        self.sent.extend(sent)
        self.entered.set()
        if not self.gate.wait(timeout=20):
            raise TimeoutError("the test never opened the gate")
        self._status(f"embedding {len(sent)} text(s)")

        if self.fail_with is not None:
            raise self.fail_with
        fetched = super()._fetch(sent)
        if self.poison:
            return [Fetched(np.full_like(item.vector, np.nan), False) for item in fetched]
        return fetched


@pytest.fixture
def gated() -> GatedLocalSource:
    return GatedLocalSource()


@pytest.fixture(scope="session")
def local_vectors() -> dict[str, np.ndarray]:
    """Vectors straight from the local model, computed on demand, to compare the window with."""

    class Vectors(dict[str, np.ndarray]):
        source = LocalSource()

        def __missing__(self, text: str) -> np.ndarray:
            self[text] = vector = self.source.embed_one(text).vector
            return vector

    return Vectors()


# -- the window ---------------------------------------------------------------------------------

#: small enough that Mesa's llvmpipe draws a frame in a few milliseconds
WINDOW_SIZE = (640, 360)


@pytest.fixture
def open_window(tmp_path: Path) -> Iterator[Callable[..., LiveWindow]]:
    """A factory of LiveWindows (640x360, screenshots into tmp_path), closed at teardown."""
    opened: list[LiveWindow] = []

    def open_(
        source: Source,
        clock: Callable[[], float] | None = None,
        open_model: Callable[[str], Source] | None = None,
        **options: Any,
    ) -> LiveWindow:
        options.setdefault("size", WINDOW_SIZE)
        options.setdefault("out_dir", tmp_path / "recordings")
        window = LiveWindow(
            source,
            WindowOptions(**options),
            open_model=open_model,
            clock=clock or time.perf_counter,
        )
        opened.append(window)
        return window

    yield open_
    for window in opened:
        window.close()
