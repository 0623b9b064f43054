"""The compare and gallery views in a real offscreen pygame OpenGL window, driven by events."""

from __future__ import annotations

import time

import moderngl
import numpy as np
import pygame

from tests.compare.driving import colours_at, frame
from visualizer.app.compare_view import CompareView
from visualizer.app.gallery_view import GAP, ScanView
from visualizer.picture import metrics
from visualizer.picture.layout import Layout
from visualizer.picture.reference import reference_cells
from visualizer.sources.base import Embedding, Source
from visualizer.sources.chunks import Chunk


def click(pos: tuple[int, int], button: int) -> None:
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=pos, button=button))


def centre(rect: tuple[int, int, int, int]) -> tuple[int, int]:
    x, y, w, h = rect
    return x + w // 2, y + h // 2


def distinct(region: np.ndarray) -> int:
    return len(np.unique(region.reshape(-1, 3), axis=0))


def expected_colours(vector: np.ndarray, colormap: str) -> np.ndarray:
    layout = Layout.grid(vector.size)
    cells = reference_cells(vector, layout, "linear", colormap)
    return cells.reshape(-1, 3)[layout.cell_of()].astype(np.int16)


def test_clicking_tiles_fills_the_panes_and_the_difference_matches_the_reference(
    window: moderngl.Context, scanned: tuple[list[Chunk], list[Embedding]]
) -> None:
    chunks, embeddings = scanned
    view = ScanView(window, chunks, embeddings, morph_s=0.0)
    try:
        frame(window, view)
        gallery = view.gallery
        click(centre(gallery.tile_rect(0)), 1)
        click(centre(gallery.tile_rect(2)), 3)
        image = frame(window, view)

        a, b = view.compare.pane("A"), view.compare.pane("B")
        assert (a.origin, b.origin) == (chunks[0].label, chunks[2].label)
        assert a.embedding is embeddings[0] and b.embedding is embeddings[2]
        assert gallery.picked == {"A": 0, "B": 2}

        first, third = embeddings[0].vector, embeddings[2].vector
        result = view.compare.comparison
        assert result is not None
        assert result.cosine == metrics.cosine(first, third) != 1.0
        diff = colours_at(image, view.compare.cell_centres("diff"))
        expected = expected_colours(first - third, "puor")
        assert np.abs(diff - expected).max() <= 1
        pane_a = colours_at(image, view.compare.cell_centres("A"))
        assert np.abs(pane_a - expected_colours(first, "rdbu")).max() <= 1

        # Hovering a cell of the difference pane names its dimension and the three values.
        x, y = view.compare.cell_centres("diff")[7]
        pygame.event.post(pygame.event.Event(pygame.MOUSEMOTION, pos=(x, y), rel=(0, 0)))
        frame(window, view)
        assert view.compare.figures()[-1][0].startswith(
            f"dim 7:  A {first[7]:+.4f}   B {third[7]:+.4f}   A−B {first[7] - third[7]:+.4f}"
        )
    finally:
        view.release()


def test_a_click_between_tiles_loads_nothing_and_the_wheel_scrolls(
    window: moderngl.Context, scanned: tuple[list[Chunk], list[Embedding]]
) -> None:
    chunks, embeddings = scanned
    many_chunks, many = chunks * 8, embeddings * 8
    view = ScanView(window, many_chunks, many, morph_s=0.0)
    try:
        frame(window, view)
        gallery = view.gallery
        x, y, _, _ = gallery.tile_rect(0)
        click((x - GAP // 2, y + 5), 1)
        pygame.event.post(pygame.event.Event(pygame.MOUSEMOTION, pos=(x + 5, y + 5), rel=(0, 0)))
        pygame.event.post(pygame.event.Event(pygame.MOUSEWHEEL, x=0, y=-2, flipped=False))
        frame(window, view)

        assert view.compare.pane("A").embedding is None and gallery.picked == {}
        assert gallery.scroll == 96
        columns = gallery.columns(gallery._area[2])
        below = gallery.tile_at((x + 5, y + 5))
        assert below == columns * ((96 + 5) // gallery.pitch[1])
    finally:
        view.release()


def test_tab_moves_typing_between_panes_and_the_figures_follow(
    window: moderngl.Context, local: Source
) -> None:
    view = CompareView(window, (local, local), morph_s=0.0)
    try:
        for event in (
            pygame.event.Event(pygame.TEXTINPUT, text="cat"),
            pygame.event.Event(pygame.KEYDOWN, key=pygame.K_TAB, mod=0, unicode="\t"),
            pygame.event.Event(pygame.TEXTINPUT, text="dog"),
        ):
            pygame.event.post(event)

        deadline = time.monotonic() + 10
        while view.comparison is None or view.busy:
            frame(window, view)
            assert time.monotonic() < deadline, "the panes' vectors never arrived"

        a, b = view.pane("A").embedding, view.pane("B").embedding
        assert a is not None and b is not None and (a.text, b.text) == ("cat", "dog")
        expected = local.embed(["cat", "dog"])
        np.testing.assert_array_equal(b.vector, expected[1].vector)
        assert view.comparison.distance == np.linalg.norm(
            expected[0].vector.astype(np.float64) - expected[1].vector
        )
    finally:
        view.release()


def test_different_dims_get_no_difference_and_say_why(
    window: moderngl.Context, scanned: tuple[list[Chunk], list[Embedding]]
) -> None:
    _, embeddings = scanned
    full = embeddings[0]
    shorter = Embedding("cut", "cut", full.vector[:256].copy(), "test", "cut-256", False)
    view = CompareView(window, morph_s=0.0)
    try:
        view.load("A", full.text, full)
        view.load("B", "cut", shorter)
        image = frame(window, view)

        assert view.comparison is None and view.diff_renderer.current is None
        assert view.figures()[0][0].startswith("no figures: dims differ (384 vs 256)")
        # Pane A shows many colours; the difference pane only the placeholder's few.
        x, y, w, h = view.areas()["diff picture"]
        ax, ay, aw, ah = view.areas()["A picture"]
        pane_a = image[ay + ah // 4 : ay + ah // 3, ax + aw // 4 : ax + 3 * aw // 4]
        placeholder = image[y + h // 4 : y + h // 3, x + w // 4 : x + 3 * w // 4]
        assert distinct(pane_a) > 40 and distinct(placeholder) <= 8
    finally:
        view.release()
