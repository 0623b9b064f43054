"""`embviz compare` and `embviz scan` end to end: printed figures, images, and the cache."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pygame
import pytest

from tests.compare.driving import make_folder
from tests.servers import OllamaTestServer
from visualizer.app.gallery_view import BAND, GAP, gallery_image
from visualizer.cli import main
from visualizer.picture.layout import Layout
from visualizer.picture.reference import reference_cells
from visualizer.sources.base import Embedding, Source
from visualizer.sources.chunks import Chunk

Factory = Callable[..., OllamaTestServer]


def read_png(path: Path) -> np.ndarray:
    surface = pygame.image.load(str(path))
    return pygame.surfarray.array3d(surface).transpose(1, 0, 2)


def test_compare_prints_numpys_figures_and_writes_the_three_panes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], local: Source
) -> None:
    out = tmp_path / "cat-kitten.png"
    assert main(["compare", "cat", "kitten", "-o", str(out), "--size", "1200x560"]) == 0
    printed = capsys.readouterr().out

    a, b = (e.vector.astype(np.float64) for e in local.embed(["cat", "kitten"]))
    cosine = a @ b / (np.linalg.norm(a) * np.linalg.norm(b))
    assert f"cosine {cosine:+.4f}" in printed
    assert f"distance {np.linalg.norm(a - b):.4f}" in printed
    assert f"dim {int(np.argmax(np.abs(a * b))):>4}" in printed.splitlines()[4]
    assert read_png(out).shape == (560, 1200, 3)


def test_pane_b_can_use_another_source(
    ollama_server: Factory, capsys: pytest.CaptureFixture[str]
) -> None:
    # The test server embeds with the local model's weights and prefix: the same vector.
    server = ollama_server()
    argv = ["compare", "a quiet harbour at dawn", "--source-b", "ollama"]
    assert main([*argv, "--model-b", "e5-small", "--host", server.url]) == 0

    printed = capsys.readouterr().out
    assert "B: ollama:e5-small" in printed and server.embed_requests == 1
    assert "cosine +1.0000" in printed and "distance 0.000" in printed


def long_file(lines: int) -> str:
    return "".join(f"line {n:02d}: the tail of this file must not be lost\n" for n in range(lines))


def test_scan_writes_the_gallery_counts_skips_and_a_rescan_sends_nothing(
    tmp_path: Path, ollama_server: Factory, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = make_folder(tmp_path / "folder")
    (folder / "long.md").write_text(long_file(20), encoding="utf-8")
    (folder / "blob.bin").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" * 40)
    (folder / "empty.txt").write_bytes(b"")
    server = ollama_server()
    out = tmp_path / "gallery.png"
    argv = ["scan", str(folder), "--chunk", "300", "--stride", "200", "--columns", "4"]
    argv += ["--source", "ollama", "--model", "all-minilm", "--host", server.url, "-o", str(out)]

    assert main(argv) == 0
    first, bar = capsys.readouterr()
    assert "embedding" in bar and "chunk" in bar  # the progress bar, on stderr
    # 5 one-chunk files, and the long file (1020 characters): 0, 200, 400, 600 and a tail at 720.
    assert server.texts_embedded == 10
    assert "10 chunks from 6 files; 1 empty, 1 skipped (binary)" in first
    assert read_png(out).shape[1] == GAP + 4 * (160 + GAP)

    server.reset_counts()
    assert main([*argv, "-q"]) == 0
    assert server.requests == 0
    again = capsys.readouterr()
    assert "10 chunks from 6 files" in again.out and "embedding" not in again.err


def test_a_tall_gallery_is_drawn_in_bands_that_match_the_reference(
    scanned: tuple[list[Chunk], list[Embedding]],
) -> None:
    chunks, embeddings = scanned
    many_chunks, many = chunks * 6, embeddings * 6
    image = gallery_image(many_chunks, many, columns=2, tile=120)
    assert image.shape[0] > BAND  # two bands at least

    pitch_y = (image.shape[0] - GAP) // 15
    last = len(many) - 1
    row, col = divmod(last, 2)
    x0, y0 = GAP + col * (120 + GAP), GAP + row * pitch_y
    layout = Layout.grid(384)
    expected = reference_cells(many[last].vector, layout, "linear", "rdbu")
    centres = (np.arange(20) * 6 + 3)[:, None]
    drawn = image[y0 + centres, x0 + centres.T].astype(np.int16)
    assert np.abs(drawn - expected).max() <= 1
