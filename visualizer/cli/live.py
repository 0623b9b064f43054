"""`embviz live`: a window where the picture of the text morphs as you type.

embviz live
embviz live --source ollama --model nomic-embed-text --cmap berlin --norm symlog
embviz live "a text to start from" --present

Press F1 in the window for every key.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from visualizer.cli.options import add_common_options, add_picture_options, add_source_options
from visualizer.errors import UsageError
from visualizer.picture.colormaps import COLORMAPS

log = logging.getLogger(__name__)


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "live",
        help="open the live window: type and watch the picture change",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("text", nargs="?", default="", help="text to start with (default: none)")
    p.add_argument("--fullscreen", action="store_true", help="start fullscreen (F11 toggles)")
    p.add_argument("--present", action="store_true", help="start in presentation mode (F8 toggles)")
    add_picture_options(p, colormap=COLORMAPS[0], layout=True, grid_lines=True)
    p.add_argument(
        "--morph-ms", type=int, default=150, help="morph duration in ms, 0 to cut (default 150)"
    )
    p.add_argument(
        "--max-fps", type=float, default=60.0, help="frame-rate cap, 0 for none (default 60)"
    )
    p.add_argument("--vsync", action="store_true", help="wait for the display's refresh instead")
    p.add_argument(
        "--out-dir",
        type=Path,
        default=Path("recordings"),
        help="folder for screenshots and recordings (default: recordings)",
    )
    p.add_argument(
        "--record-without-hud",
        action="store_true",
        help="F9 records the picture without the side panel, even while it is on screen",
    )
    p.add_argument("--compare", action="store_true", help="panes A, B and A - B (Tab switches)")
    add_common_options(p)
    add_source_options(p)
    add_source_options(p, suffix="-b")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from visualizer.app.window import LiveWindow, WindowOptions
    from visualizer.app.worker import choose_model_threads
    from visualizer.sources import Source, open_source, source_from_args

    if args.morph_ms < 0 or args.max_fps < 0:
        raise UsageError("--morph-ms and --max-fps must be 0 or more")
    options = WindowOptions(
        size=args.size,
        colormap=args.cmap,
        normalization=args.norm,
        layout=args.layout,
        grid_lines=not args.no_grid_lines,
        morph_s=args.morph_ms / 1000.0,
        fullscreen=args.fullscreen,
        presentation=args.present,
        vsync=args.vsync,
        max_fps=args.max_fps,
        out_dir=args.out_dir,
        text=args.text,
        record_hud=not args.record_without_hud,
    )

    def open_model(model: str) -> Source:
        return open_source(
            args.source,
            model,
            host=args.host,
            base_url=args.base_url,
            prefix=args.prefix,
            window=args.window,
            cache=not args.no_cache,
        )

    choose_model_threads()
    source = source_from_args(args)
    try:
        log.info("opening the live window with %s", source.label)
        if args.compare:
            from visualizer.cli.compare import live_compare

            return live_compare(args, source, options)
        LiveWindow(source, options, open_model=open_model).run()
    finally:
        source.close()
    return 0
