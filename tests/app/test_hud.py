"""The HUD's surfaces: wrapping, caching, and what each piece shows."""

from __future__ import annotations

import dataclasses

import numpy as np
import pygame

from visualizer.app.hud import ERROR, Hud, PanelState, wrap

STATE = PanelState(
    source="local:multilingual-e5-small (q4, query:)",
    dims=384,
    normalized=True,
    colormap="rdbu",
    normalization="linear",
    layout="grid",
    similarity=0.912,
    similarities=(0.95, 0.91, 0.97, 0.912),
    latency_ms=6.2,
    answered_by="model",
    fps=60,
    requests=4,
    dropped=1,
    busy=False,
    recording="",
)


def lit(surface: pygame.Surface) -> int:
    """How many pixels are drawn brighter than the panel background."""
    rgb = pygame.surfarray.array3d(surface)
    return int((rgb.max(axis=-1) > 120).sum())


def test_wrap_keeps_lines_within_the_width_and_loses_no_word() -> None:
    pygame.font.init()
    font = pygame.font.Font(None, 18)
    text = "Ollama at http://127.0.0.1:11434 is not answering: start it with `ollama serve`"
    lines = wrap(font, text, 160)

    assert len(lines) > 2
    assert all(font.size(line)[0] <= 160 for line in lines)
    assert " ".join(lines) == text
    assert all(font.size(line)[0] <= 40 for line in wrap(font, "x" * 50, 40))


def test_the_panel_is_rebuilt_only_when_its_state_changes() -> None:
    hud = Hud(720)
    first = hud.panel(STATE, 300, 600)
    assert hud.panel(STATE, 300, 600) is first

    slower = hud.panel(dataclasses.replace(STATE, latency_ms=250.0), 300, 600)
    assert slower is not first
    assert not np.array_equal(
        pygame.surfarray.array3d(slower.surface), pygame.surfarray.array3d(first.surface)
    )
    x, y, w, h = first.legend
    assert 0 < y < 600 and w > 200 and h > 10


def test_the_status_band_is_none_without_lines_and_wraps_long_ones() -> None:
    hud = Hud(720)
    assert hud.status([], 400) is None

    one = hud.status([("short", ERROR)], 400)
    long = hud.status([("a very long error message " * 6, ERROR)], 400)
    assert one is not None and long is not None
    assert long.get_height() > 2 * one.get_height() - 10
    assert long.get_width() == 400


def test_the_text_line_shows_the_end_of_a_long_text_and_the_caret() -> None:
    hud = Hud(720)
    short = hud.input_line("hi", 2, [], 400)
    long = hud.input_line("word " * 200, 1000, ["earlier"], 400)

    assert short.get_size() == long.get_size() == (400, hud.input_height())
    assert lit(long) > lit(short)


def test_help_lists_every_row() -> None:
    hud = Hud(720)
    rows = [(f"F{n}", f"action {n}") for n in range(1, 13)]
    surface = hud.help(rows, 600, 700)

    assert surface.get_height() >= 12 * hud.small.get_linesize()
    assert lit(surface) > 500
