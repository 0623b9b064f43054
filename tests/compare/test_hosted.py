"""The views hosted by the live window (`embviz live --compare`, `embviz scan` without -o)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pygame
import pytest

from tests.compare.driving import WINDOW_SIZE, colours_at, make_folder
from visualizer.app.gallery_view import ScanView
from visualizer.app.window import LiveWindow, WindowOptions
from visualizer.cli import main
from visualizer.picture.layout import Layout
from visualizer.picture.reference import reference_cells
from visualizer.sources.base import Embedding, Source
from visualizer.sources.chunks import Chunk


def post(kind: int, **fields: object) -> None:
    pygame.event.post(pygame.event.Event(kind, **fields))


def test_the_live_window_hosts_the_scan_view(
    tmp_path: Path, local: Source, scanned: tuple[list[Chunk], list[Embedding]]
) -> None:
    chunks, embeddings = scanned
    options = WindowOptions(size=WINDOW_SIZE, out_dir=tmp_path)
    window = LiveWindow(
        local,
        options,
        view=lambda ctx: ScanView(ctx, chunks, embeddings, (local, local), morph_s=0.0),
    )
    try:
        window.step()
        view = window.view
        assert isinstance(view, ScanView)
        x, y, w, h = view.gallery.tile_rect(3)
        post(pygame.MOUSEBUTTONDOWN, pos=(x + w // 2, y + h // 2), button=1)
        x, y, w, h = view.gallery.tile_rect(1)
        post(pygame.MOUSEBUTTONDOWN, pos=(x + w // 2, y + h // 2), button=3)
        post(pygame.TEXTINPUT, text="!")
        image = window.step(read=True)
        assert image is not None

        compare = view.compare
        assert compare.pane("B").embedding is embeddings[1]
        assert compare.pane("A").editor.text == chunks[3].text + "!"  # typing went to pane A
        assert window.editor.text == ""  # ...not to the window's own line
        deadline = time.monotonic() + 10
        while compare.pane("A").embedding is embeddings[3] or compare.busy:
            image = window.step(read=True)
            assert time.monotonic() < deadline, "the edited text's vector never arrived"

        a, b = compare.pane("A").embedding, embeddings[1]
        assert a is not None and a.text == chunks[3].text + "!"
        layout = Layout.grid(a.dims)
        cells = reference_cells(a.vector - b.vector, layout, "linear", "puor")
        expected = cells.reshape(-1, 3)[layout.cell_of()].astype(np.int16)
        assert image is not None
        assert np.abs(colours_at(image, compare.cell_centres("diff")) - expected).max() <= 1

        # Once the vectors are in and the morphs are over, an idle gallery draws nothing...
        for _ in range(3):
            window.step()
        drawn = window.frames
        for _ in range(5):
            window.step()
        assert window.frames == drawn
        post(pygame.MOUSEWHEEL, x=0, y=-1, flipped=False, precise_x=0.0, precise_y=-1.0)
        window.step()
        assert window.frames == drawn + 1  # ...until something happens

        post(pygame.KEYDOWN, key=pygame.K_ESCAPE, mod=0, unicode="\x1b", scancode=0)
        window.step()
        assert not window.running
    finally:
        window.close()


def quit_when_open(stop: threading.Event) -> None:
    """Post QUIT until the window is up and the command has returned."""
    while not stop.wait(0.05):
        if pygame.display.get_init() and pygame.display.get_surface() is not None:
            try:
                pygame.event.post(pygame.event.Event(pygame.QUIT))
            except pygame.error:
                continue


@pytest.mark.parametrize("command", [["scan", "FOLDER"], ["live", "--compare"]])
def test_commands_open_their_window_and_close_on_quit(
    tmp_path: Path, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    folder = make_folder(tmp_path / "folder")
    argv = [str(folder) if part == "FOLDER" else part for part in command]
    stop = threading.Event()
    poster = threading.Thread(target=quit_when_open, args=(stop,), daemon=True)
    poster.start()
    try:
        assert main([*argv, "--size", "640x360"]) == 0
    finally:
        stop.set()
        poster.join(2)
    if command[0] == "scan":
        assert "5 chunks from 5 files; 0 empty, 0 skipped" in capsys.readouterr().out
