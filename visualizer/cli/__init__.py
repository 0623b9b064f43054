"""The `embviz` command: one module per subcommand, each adding its own parser.

A subcommand module has `add_parser(subparsers)` which registers its options and sets
`run=function(args) -> int`. Errors that embviz raises on purpose (EmbvizError) print their
message and exit 1; a traceback is shown only with --verbose.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence

from visualizer import __version__
from visualizer.errors import EmbvizError

log = logging.getLogger(__name__)

# pygame prints a banner on import unless told not to; the CLI's output is ours alone.
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

#: subcommand modules, in the order `embviz --help` lists them
COMMANDS = ("live", "txt2vid", "image", "compare", "scan", "embed", "models")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="embviz",
        description="See how a language model represents text: embeddings drawn as pictures.",
    )
    parser.add_argument("--version", action="version", version=f"embviz {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")

    for name in COMMANDS:
        try:
            module = importlib.import_module(f"visualizer.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"visualizer.cli.{name}":
                raise
            continue
        module.add_parser(subparsers)
    return parser


def configure_logging(verbose: bool, quiet: bool) -> None:
    level = logging.DEBUG if verbose else logging.ERROR if quiet else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if verbose else logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _main(argv)
    except KeyboardInterrupt:  # from anywhere: the imports of a subcommand, logging's setup
        print("embviz: interrupted", file=sys.stderr)
        return 130


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2

    verbose = getattr(args, "verbose", False)
    configure_logging(verbose, getattr(args, "quiet", False))
    try:
        return int(args.run(args) or 0)
    except EmbvizError as exc:
        if verbose:
            log.exception("failed")
        print(f"embviz: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        # A file or folder the user named that cannot be written or read.
        if verbose:
            log.exception("failed")
        where = f" {exc.filename}" if exc.filename else ""
        print(f"embviz: cannot use{where}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    except Exception as exc:
        # Not foreseen: say so in one line; the traceback is one --verbose away.
        log.debug("unexpected failure", exc_info=True)
        print(f"embviz: unexpected error: {exc!r} (run again with --verbose)", file=sys.stderr)
        return 1
