"""Driving the compare and gallery views in a test window: frames, colours, a folder of files."""

from __future__ import annotations

import time
from pathlib import Path

import moderngl
import numpy as np
import pygame

from visualizer.app.compare_view import BACKGROUND, View

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
