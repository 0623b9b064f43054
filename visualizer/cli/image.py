"""`embviz image`: the picture of one text, written as a PNG with its legend and caption.

embviz image "The quick brown fox" -o fox.png
embviz image --file notes.txt -o notes.png --size 1920x1080 --cmap berlin --norm symlog
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
from pathlib import Path

import numpy as np

from visualizer.cli.options import add_common_options, add_source_options
from visualizer.errors import UsageError
from visualizer.sources.base import Source

log = logging.getLogger(__name__)

_SIZE = re.compile(r"^\s*(\d+)\s*[xX\u00d7]\s*(\d+)\s*$")
_FORMATS = (".png", ".jpg", ".jpeg", ".bmp", ".tga")
#: at most this many word prefixes are embedded for --norm zscore's statistics
MAX_HISTORY = 64


def parse_size(text: str) -> tuple[int, int]:
    """'1280x720' -> (1280, 720)."""
    match = _SIZE.match(text)
    if not match:
        raise argparse.ArgumentTypeError(f"size {text!r} is not WIDTHxHEIGHT, e.g. 1280x720")
    width, height = int(match.group(1)), int(match.group(2))
    if not (16 <= width <= 16384 and 16 <= height <= 16384):
        raise argparse.ArgumentTypeError(f"size {text!r} is out of range: use 16..16384 a side")
    return width, height


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from visualizer.picture.colormaps import COLORMAPS
    from visualizer.picture.layout import LAYOUTS
    from visualizer.picture.normalize import NORMALIZATIONS

    p = subparsers.add_parser(
        "image",
        help="write the picture of a text to a PNG",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    given = p.add_mutually_exclusive_group(required=True)
    given.add_argument("text", nargs="?", help="the text to draw")
    given.add_argument("--file", type=Path, help="read the text from this file ('-' for stdin)")
    p.add_argument("-o", "--output", type=Path, required=True, help="image file (.png)")
    p.add_argument("--size", type=parse_size, default=(1280, 720), help="WxH (default 1280x720)")
    p.add_argument("--cmap", choices=COLORMAPS, help=f"colormap (default {COLORMAPS[0]})")
    p.add_argument("--norm", choices=NORMALIZATIONS, default="linear", help="(default linear)")
    p.add_argument("--layout", choices=LAYOUTS, default="grid", help="cell order (default grid)")
    p.add_argument("--no-caption", action="store_true", help="no text under the picture")
    p.add_argument("--no-legend", action="store_true", help="no colour bar")
    p.add_argument("--no-grid-lines", action="store_true", help="no lines between large cells")
    add_common_options(p)
    add_source_options(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from visualizer.gl.offscreen import OffscreenCanvas
    from visualizer.sources import source_from_args

    text = _read_text(args)
    output: Path = args.output
    if output.suffix.lower() not in _FORMATS:
        raise UsageError(f"cannot write {output}: name it .png (or {', '.join(_FORMATS[1:])})")

    source = source_from_args(args)
    try:
        embedding = source.embed_one(text)
        history = _history(source, text) if args.norm == "zscore" else []
    finally:
        source.close()
    log.info("%s: %d dims%s", source.label, embedding.dims, " (blank)" if embedding.blank else "")

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
        log.warning("zscore of a text of fewer than 3 words: too few vectors for a spread")
        return []
    return [e.vector for e in source.embed(prefixes[-MAX_HISTORY:])]


def _read_text(args: argparse.Namespace) -> str:
    if args.file is None:
        return str(args.text)
    if str(args.file) == "-":
        return sys.stdin.read()
    try:
        return args.file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {args.file}: {exc}; give a UTF-8 text file") from exc
