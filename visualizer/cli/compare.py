"""`embviz compare TEXT_A [TEXT_B]`: two embeddings side by side, their difference and figures.

embviz compare "cat" "kitten" -o cat-kitten.png
embviz compare "the same sentence" --source-b ollama --model-b nomic-embed-text -o models.png
embviz compare "cat" "kitten" --live

Prints the cosine similarity, the Euclidean distance and the dimensions that contribute most to
the cosine (each with its share of the cosine's absolute terms). -o writes the three panes (A,
B and A - B on a diverging colormap) with legends and the figures as an image; --live opens
them in a window where both texts can be edited (Tab switches panes). Without TEXT_B, pane B
gets TEXT_A too: useful with --model-b or --source-b to see how two models differ.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import moderngl

from visualizer.cli.image import write_image
from visualizer.cli.options import add_common_options, add_picture_options, add_source_options
from visualizer.errors import UsageError
from visualizer.picture import metrics
from visualizer.sources.base import Embedding, Source

if TYPE_CHECKING:
    from visualizer.app.compare_view import View
    from visualizer.app.window import WindowOptions

log = logging.getLogger(__name__)

ViewFactory = Callable[[moderngl.Context], "View"]


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from visualizer.app.compare_view import DIFF_COLORMAP, DIVERGING

    p = subparsers.add_parser(
        "compare",
        help="compare two texts, or one text through two models: figures and pictures",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("text_a", metavar="TEXT_A", help="the text of pane A")
    p.add_argument("text_b", metavar="TEXT_B", nargs="?", help="the text of pane B (TEXT_A)")
    p.add_argument("-o", "--output", type=Path, help="write the three panes as an image (.png)")
    p.add_argument("--live", action="store_true", help="open the panes in a window")
    add_picture_options(p, size=(1500, 700), colormap_help="panes' colormap")
    p.add_argument(
        "--diff-cmap",
        choices=DIVERGING,
        default=DIFF_COLORMAP,
        help="diverging colormap of A - B (default %(default)s)",
    )
    p.add_argument("--top", type=int, default=metrics.TOP, help="dims to list (default 5)")
    add_common_options(p)
    add_source_options(p)
    add_source_options(p, suffix="-b")
    p.set_defaults(run=run)


def source_b_from_args(args: argparse.Namespace) -> Source | None:
    """Pane B's own source when --source-b or --model-b is given, else None (pane A's)."""
    from visualizer.sources import open_source

    if args.source_b is None and args.model_b is None:
        return None
    return open_source(
        args.source_b or args.source,
        args.model_b,
        host=args.host,
        base_url=args.base_url,
        prefix=args.prefix,
        window=args.window,
        cache=not args.no_cache,
    )


def run(args: argparse.Namespace) -> int:
    from visualizer.sources import source_from_args

    text_b = args.text_a if args.text_b is None else args.text_b
    if args.top < 0:
        raise UsageError(f"--top {args.top} is negative: give how many dims to list")
    if args.live:
        from visualizer.app.window import check_display

        check_display()  # before any embedding: the window is what was asked for
    source_a = source_from_args(args)
    source_b = None
    try:
        source_b = source_b_from_args(args)
        if args.text_b is None and source_b is None and not args.live:
            raise UsageError(
                "one text and one model compare the text with itself: give TEXT_B, or "
                "--model-b / --source-b to see TEXT_A through a second model"
            )
        a = source_a.embed_one(args.text_a)
        b = (source_b or source_a).embed_one(text_b)
        report(a, b, args.top)

        if args.output is not None:
            write(args, a, b)
        if args.live:
            return live(args, source_a, source_b or source_a, (args.text_a, text_b))
    finally:
        if source_b is not None:
            source_b.close()
        source_a.close()
    return 0


def report(a: Embedding, b: Embedding, top: int) -> None:
    """Print what the panes hold and the figures that compare them."""
    from visualizer.app.compare_view import cross_model_note

    for name, embedding in (("A", a), ("B", b)):
        blank = " (blank: all zeros)" if embedding.blank else ""
        print(f"{name}: {embedding.source}:{embedding.model}, {embedding.dims} dims{blank}")

    reason = metrics.mismatch(a.vector, b.vector)
    if reason is not None:
        print(f"no figures: {reason}", file=sys.stderr)
        return
    for line in metrics.compare(a.vector, b.vector, top).describe():
        print(line)
    note = cross_model_note(a, b)
    if note is not None:
        print(f"note: {note}", file=sys.stderr)


def write(args: argparse.Namespace, a: Embedding, b: Embedding) -> None:
    from visualizer.app.compare_view import render_compare

    image = render_compare(
        a,
        b,
        args.size,
        colormap=args.cmap,
        normalization=args.norm,
        diff_colormap=args.diff_cmap,
        top=args.top,
    )
    write_image(image, args.output)
    print(f"wrote {args.output} ({image.shape[1]}x{image.shape[0]})")


def live(
    args: argparse.Namespace, source_a: Source, source_b: Source, texts: tuple[str, str]
) -> int:
    from visualizer.app.window import WindowOptions

    options = WindowOptions(size=args.size)
    return open_window(source_a, compare_view(args, source_a, source_b, texts), options)


def compare_view(
    args: argparse.Namespace, source_a: Source, source_b: Source, texts: tuple[str, str]
) -> ViewFactory:
    """What builds the compare view in a window's context, from the options of `args`."""
    from visualizer.app.compare_view import DIFF_COLORMAP, CompareView

    def make(ctx: moderngl.Context) -> CompareView:
        return CompareView(
            ctx,
            (source_a, source_b),
            texts=texts,
            colormap=getattr(args, "cmap", None),
            normalization=getattr(args, "norm", "linear"),
            diff_colormap=getattr(args, "diff_cmap", DIFF_COLORMAP),
            top=getattr(args, "top", metrics.TOP),
        )

    return make


def live_compare(args: argparse.Namespace, source: Source, options: WindowOptions) -> int:
    """`embviz live --compare`: the split view, pane B through --source-b/--model-b if given."""
    source_b = source_b_from_args(args)
    try:
        texts = (options.text, "")
        return open_window(source, compare_view(args, source, source_b or source, texts), options)
    finally:
        if source_b is not None:
            source_b.close()


def open_window(source: Source, make_view: ViewFactory, options: WindowOptions) -> int:
    """Run the live window hosting the view `make_view(ctx)` builds, until it is closed."""
    from visualizer.app.window import LiveWindow

    LiveWindow(source, options, view=make_view).run()
    return 0
