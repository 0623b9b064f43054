"""Driving the live window from tests: post typing and keys, step until the picture settles."""

from __future__ import annotations

import time

import numpy as np
import pygame

from visualizer.app.window import LiveWindow


def type_text(text: str) -> None:
    """Post one TEXTINPUT event per character, as SDL does for typing."""
    for ch in text:
        pygame.event.post(pygame.event.Event(pygame.TEXTINPUT, text=ch))


def press(key: int, mod: int = 0) -> None:
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=key, mod=mod, unicode="", scancode=0))


def settle(window: LiveWindow, timeout: float = 10.0) -> np.ndarray:
    """Step until the window shows the vector of its text, morph finished; that frame."""
    deadline = time.monotonic() + timeout
    while True:
        frame = window.step(read=True)
        shown = window.shown
        done = shown is not None and shown.text == window.editor.text
        if done and not window.renderer.animating and not window.worker.busy:
            assert frame is not None
            return frame
        assert time.monotonic() < deadline, f"{window.editor.text!r} not shown in {timeout} s"
        time.sleep(0.002)


def colours_at(frame: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """The (dims, 3) colours of a frame at the given (x, y) pixels."""
    return frame[centres[:, 1], centres[:, 0]].astype(np.int16)
