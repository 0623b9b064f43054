"""`embviz scan FOLDER`: embed a folder's text files in overlapping chunks, as a gallery.

With `-o gallery.png` the thumbnails are written as one image; without it the gallery window
opens, where a left click loads a chunk into pane A and a right click into pane B.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from tqdm import tqdm

from visualizer.cli.options import add_common_options, add_source_options
from visualizer.errors import UsageError
from visualizer.sources import chunks as chunking

log = logging.getLogger(__name__)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "scan",
        help="embed a folder's text files in chunks and show them as a gallery",
        description="Embed every matching text file under FOLDER in overlapping chunks and "
        "show the chunks as a grid of thumbnails (or write it with -o). Vectors are cached, "
        "so a rescan of unchanged files asks the model for nothing.",
    )
    p.add_argument("folder", type=Path, help="the folder to scan")
    p.add_argument(
        "--glob",
        default=chunking.GLOB,
        help='files to read; without "/" it matches names at any depth (default: every file)',
    )
    p.add_argument(
        "--chunk",
        type=int,
        default=chunking.CHUNK,
        help=f"chunk length in characters (default: {chunking.CHUNK})",
    )
    p.add_argument(
        "--stride",
        type=int,
        default=chunking.STRIDE,
        help=f"characters from one chunk's start to the next (default: {chunking.STRIDE})",
    )
    p.add_argument("-o", "--output", type=Path, help="write the gallery as a PNG, no window")
    p.add_argument("--columns", type=int, default=8, help="thumbnails a row in -o (default: 8)")
    p.add_argument("--tile", type=int, default=160, help="thumbnail width in pixels (default 160)")
    p.add_argument("--colormap", default=None, help="colormap of the thumbnails")
    add_source_options(p)
    add_common_options(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    scan = chunking.scan_folder(args.folder, args.glob, args.chunk, args.stride)
    if not scan.chunks:
        raise UsageError(
            f"no text to embed in {str(args.folder)!r} matching {args.glob!r} "
            f"({scan.summary()}): check the folder and --glob"
        )

    if args.chunk > args.window:
        log.info("raising --window to %d so that each chunk is embedded whole", args.chunk)
        args.window = args.chunk
    embeddings = embed(args, scan)
    print(scan.summary())
    for skipped in scan.skipped:
        log.debug("skipped %s: %s", skipped.path, skipped.reason)

    if args.output is not None:
        return export(args, scan, embeddings)
    return show(args, scan, embeddings)


def embed(args: argparse.Namespace, scan: chunking.Scan) -> list:
    from visualizer.sources import source_from_args

    with source_from_args(args) as source:
        with tqdm(total=len(scan.chunks), unit="chunk", desc="embedding") as bar:
            return chunking.embed_chunks(source, scan.chunks, progress=bar.update)


def export(args: argparse.Namespace, scan: chunking.Scan, embeddings: list) -> int:
    from visualizer.app.gallery_view import write_gallery

    path = write_gallery(
        args.output, scan.chunks, embeddings, columns=args.columns, tile=args.tile,
        colormap=args.colormap,
    )
    print(f"wrote {path} ({len(scan.chunks)} thumbnails)")
    return 0


def show(args: argparse.Namespace, scan: chunking.Scan, embeddings: list) -> int:
    from visualizer.app.gallery_view import open_gallery_window

    return open_gallery_window(args, scan, embeddings)
