"""Options shared by several subcommands: where vectors come from, and how they are drawn."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from visualizer.errors import UsageError
from visualizer.picture.colormaps import COLORMAPS
from visualizer.picture.layout import LAYOUTS
from visualizer.picture.normalize import NORMALIZATIONS

Size = tuple[int, int]

#: --size when it is not given, for a picture, a video or a window
DEFAULT_SIZE: Size = (1280, 720)
#: the sides a picture or window --size may have, in pixels
MIN_SIDE, MAX_SIDE = 16, 16384

_SIZE = re.compile(r"\s*(\d+)\s*[xX\u00d7]\s*(\d+)\s*")


def add_common_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging, tracebacks")
    parser.add_argument("-q", "--quiet", action="store_true", help="only warnings and errors")


def add_source_options(parser: argparse.ArgumentParser, suffix: str = "") -> None:
    """--source, --model, --host, --base-url, --prefix, --window, --no-cache."""
    parser.add_argument(
        f"--source{suffix}",
        choices=("local", "ollama", "openai"),
        default=None if suffix else "local",
        help="where vectors come from (default: local, the bundled model; no server needed)",
    )
    parser.add_argument(f"--model{suffix}", default=None, help="model name (source's default)")
    if suffix:
        return
    parser.add_argument("--host", default=None, help="Ollama address (else OLLAMA_HOST)")
    parser.add_argument(
        "--base-url", default=None, help="OpenAI-compatible address (else OPENAI_BASE_URL)"
    )
    parser.add_argument(
        "--prefix",
        choices=("query", "passage"),
        default="query",
        help="e5 prefix the local model puts before the text: 'query: ' or 'passage: ' "
        "(default: query)",
    )
    parser.add_argument(
        "--window",
        type=int,
        default=256,
        help="embed only the last N characters of a longer text, 0 for all (default: 256)",
    )
    parser.add_argument("--no-cache", action="store_true", help="do not read or write the cache")


def add_text_options(parser: argparse.ArgumentParser, what: str) -> None:
    """The text as an argument, or --file: exactly one of the two; `read_text` reads it."""
    given = parser.add_mutually_exclusive_group(required=True)
    given.add_argument("text", nargs="?", help=f"{what} ('-' reads standard input)")
    given.add_argument("--file", type=Path, help="read the text from this file ('-' for stdin)")


def read_text(args: argparse.Namespace) -> str:
    """The text that the options of `add_text_options` give: the argument, a file or stdin."""
    if args.file is None and args.text != "-":
        return str(args.text)
    if args.file is None or str(args.file) == "-":
        # Less the line end that `echo` and editors put last: not part of what was meant.
        return sys.stdin.read().removesuffix("\n").removesuffix("\r")

    try:
        return str(args.file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read --file {args.file}: {exc}; give a UTF-8 text file") from exc


def add_picture_options(
    parser: argparse.ArgumentParser,
    *,
    size: Size = DEFAULT_SIZE,
    size_help: str = "WxH",
    video: bool = False,
    colormap: str | None = None,
    colormap_help: str = "colormap",
    layout: bool = False,
    grid_lines: bool = False,
    legend: bool = False,
    caption: bool = False,
) -> None:
    """--size, --cmap and --norm; --layout, --no-grid-lines, --no-legend, --no-caption if asked.

    A `video` size must have even sides (see `parse_video_size`). --cmap's value is `colormap`
    when not given: None lets the renderer take the first of COLORMAPS, the default it names.
    """
    add = parser.add_argument
    width, height = size
    size_type = parse_video_size if video else parse_size
    add("--size", type=size_type, default=size, help=f"{size_help} (default {width}x{height})")
    shown = colormap or COLORMAPS[0]
    add("--cmap", choices=COLORMAPS, default=colormap, help=f"{colormap_help} (default {shown})")
    add("--norm", choices=NORMALIZATIONS, default="linear", help="(default linear)")

    if layout:
        add("--layout", choices=LAYOUTS, default="grid", help="cell order (default grid)")
    if grid_lines:
        add("--no-grid-lines", action="store_true", help="no lines between large cells")
    if legend:
        add("--no-legend", action="store_true", help="no colour bar")
    if caption:
        add("--no-caption", action="store_true", help="no text under the picture")


def parse_size(text: str) -> Size:
    """'1280x720' -> (1280, 720): a picture or window size, MIN_SIDE to MAX_SIDE a side."""
    match = _SIZE.fullmatch(text)
    if match is None:
        raise argparse.ArgumentTypeError(f"size {text!r} is not WIDTHxHEIGHT, e.g. 1280x720")

    width, height = int(match.group(1)), int(match.group(2))
    if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
        raise argparse.ArgumentTypeError(
            f"size {text!r} is out of range: use {MIN_SIDE}..{MAX_SIDE} a side"
        )
    return width, height


def parse_video_size(text: str) -> Size:
    """'1280x720' -> (1280, 720): a video size, both sides even (H.264 in yuv420p needs it)."""
    from visualizer.record.encoder import check_size

    width, height = parse_size(text)
    try:
        return check_size((width, height))
    except UsageError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
