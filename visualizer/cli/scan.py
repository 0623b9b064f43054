"""`embviz scan FOLDER`: embed a folder's text files in overlapping chunks, shown as a gallery.

embviz scan src/ --glob "*.py"
embviz scan notes/ --chunk 400 --stride 300 -o gallery.png

Chunks are counted in characters: a file of at most --chunk characters is one chunk, a longer
one is cut every --stride characters, and its last chunk always ends at the end of the file.
Without -o the gallery window opens: a left click loads a chunk into pane A, a right click into
pane B, and the panes are compared as in `embviz compare`. Vectors are cached, so a rescan of
unchanged files asks the model for nothing.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import moderngl
from tqdm import tqdm

from visualizer.cli.image import write_image
from visualizer.cli.options import add_common_options, add_picture_options, add_source_options
from visualizer.errors import UsageError
from visualizer.sources import chunks as chunking
from visualizer.sources.base import Embedding

log = logging.getLogger(__name__)


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "scan",
        help="embed a folder's text files in chunks and show them as a gallery",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("folder", type=Path, help="the folder to scan")
    p.add_argument(
        "--glob",
        default=chunking.GLOB,
        help='files to read; a pattern without "/" matches names at any depth (default: all)',
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
        help=f"characters from one chunk's start to the next's (default: {chunking.STRIDE})",
    )
    p.add_argument("-o", "--output", type=Path, help="write the gallery as a PNG; no window")
    p.add_argument("--columns", type=int, default=8, help="thumbnails a row with -o (default 8)")
    p.add_argument("--tile", type=int, default=160, help="thumbnail size with -o (default 160)")
    add_picture_options(p, size_help="window WxH")
    add_common_options(p)
    add_source_options(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.output is None:
        from visualizer.app.window import check_display

        check_display()  # the gallery opens in a window: say so before embedding anything
    scan = chunking.scan_folder(args.folder, args.glob, args.chunk, args.stride)
    if not scan.chunks:
        raise UsageError(
            f"no text to embed in {str(args.folder)!r} matching {args.glob!r} "
            f"({scan.summary()}): check the folder and --glob"
        )

    if 0 < args.window < args.chunk:
        log.info("--window raised to --chunk (%d) so that each chunk is embedded whole", args.chunk)
        args.window = args.chunk
    embeddings = embed(args, scan)
    for skipped in scan.skipped:
        log.info("skipped %s: %s", skipped.path, skipped.reason)
    print(scan.summary())

    if args.output is not None:
        return export(args, scan, embeddings)
    return show(args, scan, embeddings)


def embed(args: argparse.Namespace, scan: chunking.Scan) -> list[Embedding]:
    """Every chunk's vector, with a progress bar; cached chunks cost no request."""
    from visualizer.sources import source_from_args

    source = source_from_args(args)
    try:
        bar = tqdm(total=len(scan.chunks), unit="chunk", desc="embedding", disable=args.quiet)
        with bar:
            embeddings = chunking.embed_chunks(source, scan.chunks, progress=bar.update)
    finally:
        source.close()
    cached = sum(e.cached for e in embeddings)
    log.info("%d of %d chunks came from the cache", cached, len(embeddings))
    return embeddings


def export(args: argparse.Namespace, scan: chunking.Scan, embeddings: list[Embedding]) -> int:
    from visualizer.app.gallery_view import gallery_image

    image = gallery_image(
        scan.chunks,
        embeddings,
        columns=args.columns,
        tile=args.tile,
        colormap=args.cmap,
        normalization=args.norm,
    )
    write_image(image, args.output)
    print(f"wrote {args.output} ({image.shape[1]}x{image.shape[0]}, {len(embeddings)} chunks)")
    return 0


def show(args: argparse.Namespace, scan: chunking.Scan, embeddings: list[Embedding]) -> int:
    """The gallery window: thumbnails on the left, panes A, B and A - B on the right."""
    from visualizer.app.gallery_view import ScanView
    from visualizer.app.window import WindowOptions
    from visualizer.cli.compare import open_window
    from visualizer.sources import source_from_args

    def make(ctx: moderngl.Context) -> ScanView:
        pair = (source, source)
        return ScanView(
            ctx, scan.chunks, embeddings, pair, colormap=args.cmap, normalization=args.norm
        )

    source = source_from_args(args)
    try:
        return open_window(source, make, WindowOptions(size=args.size))
    finally:
        source.close()
