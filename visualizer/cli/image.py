"""`embviz image`: the picture of one text, written as a PNG with its legend and caption.

embviz image "The quick brown fox" -o fox.png
embviz image --file notes.txt -o notes.png --size 1920x1080 --cmap berlin --norm symlog
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import numpy as np

from visualizer.cli.options import (
    add_common_options,
    add_picture_options,
    add_source_options,
    add_text_options,
    read_text,
)
from visualizer.errors import UsageError
from visualizer.sources.base import Source

log = logging.getLogger(__name__)

_FORMATS = (".png", ".jpg", ".jpeg", ".bmp", ".tga")
#: at most this many word prefixes are embedded for --norm zscore's statistics
MAX_HISTORY = 64


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "image",
        help="write the picture of a text to a PNG",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_text_options(p, "the text to draw")
    p.add_argument("-o", "--output", type=Path, required=True, help="image file (.png)")
    add_picture_options(p, layout=True, grid_lines=True, legend=True, caption=True)
    add_common_options(p)
    add_source_options(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from visualizer.gl.offscreen import OffscreenCanvas
    from visualizer.sources import source_from_args

    text = read_text(args)
    output: Path = args.output
    if output.suffix.lower() not in _FORMATS:
        raise UsageError(f"cannot write {output}: name it .png (or {', '.join(_FORMATS[1:])})")

    source = source_from_args(args)
    try:
        embedding = source.embed_one(text)
        # zscore and the variance layout need a "session": the text's word prefixes stand in.
        wanted = args.norm == "zscore" or args.layout == "variance"
        history = _history(source, text) if wanted else []
    finally:
        source.close()
    log.info("%s: %d dims", source.label, embedding.dims)
    if embedding.blank:
        log.warning("the text is blank: nothing was sent, and the picture is all zeros")

    canvas = OffscreenCanvas(
        args.size,
        colormap=args.cmap,
        normalization=args.norm,
        layout=args.layout,
        legend=not args.no_legend,
        caption_lines=0 if args.no_caption else 2,
    )
    try:
        canvas.renderer.grid_lines = not args.no_grid_lines
        for vector in history:
            canvas.renderer.stats.add(vector)
        caption = None if args.no_caption else " ".join(text.split())
        if caption is not None and embedding.blank:
            caption = "(blank text: nothing was sent; the vector is all zeros)"
        frame = canvas.frame(embedding.vector, caption=caption)
    finally:
        canvas.release()

    write_image(frame, output)
    print(
        f"wrote {output} ({frame.shape[1]}x{frame.shape[0]}, {source.label}, {embedding.dims} dims)"
    )
    return 0


def write_image(frame: np.ndarray, path: Path) -> None:
    """Write an (h, w, 3) uint8 frame, top row first, to `path` (format from its suffix)."""
    import pygame

    height, width = frame.shape[:2]
    surface = pygame.image.frombuffer(np.ascontiguousarray(frame).tobytes(), (width, height), "RGB")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        pygame.image.save(surface, str(path))
    except (OSError, pygame.error) as exc:
        raise UsageError(f"cannot write {path}: {exc}; choose another --output") from exc


def _history(source: Source, text: str) -> list[np.ndarray]:
    """The vectors of the text's word prefixes: the "session" zscore compares the text with."""
    from visualizer.sources.text import steps

    prefixes = [p for p in steps(text, "word")[:-1] if p.strip()]
    if len(prefixes) < 2:
        log.warning(
            "zscore and the variance layout need a text of 3 words or more (the statistics "
            "come from its word prefixes): this picture is drawn without them"
        )
        return []
    return [e.vector for e in source.embed(prefixes[-MAX_HISTORY:])]
