"""`embviz txt2vid`: record a video of a text being written, one step a frame.

    embviz txt2vid "The quick brown fox" -o fox.mp4
    embviz txt2vid --file story.txt --step word --hold 3 --morph 4 --fps 24

Ctrl+C or SIGTERM stops the run after the frame being made, keeps a playable
NAME.partial.mp4 and exits with 128 + the signal's number.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from tqdm import tqdm
from tqdm.contrib.logging import logging_redirect_tqdm

from visualizer.cli.options import (
    add_common_options,
    add_picture_options,
    add_source_options,
    add_text_options,
    read_text,
)
from visualizer.errors import RecordError, UsageError
from visualizer.record.encoder import DEFAULT_CRF, DEFAULT_PRESET, PRESETS, check_fps
from visualizer.record.txt2vid import (
    Progress,
    ProgressCallback,
    Txt2VidJob,
    Txt2VidOptions,
    Txt2VidResult,
)
from visualizer.sources.text import STEP_BY


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "txt2vid",
        help="record a video of a text being written, one frame per step",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_text_options(p, "the text to record")
    p.add_argument("-o", "--output", type=Path, help="MP4 (default recordings/<text>-<time>.mp4)")
    add_picture_options(
        p,
        size_help="WxH, both even",
        video=True,
        layout=True,
        grid_lines=True,
        legend=True,
        caption=True,
    )
    add_video_options(p)
    add_common_options(p)
    add_source_options(p)
    p.set_defaults(run=run)


def frame_rate(text: str) -> float:
    """--fps, checked by the encoder's own rule before anything starts."""
    try:
        fps = float(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of frames a second") from exc
    try:
        check_fps(fps)
    except UsageError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc
    return fps


def add_video_options(p: argparse.ArgumentParser) -> None:
    add = p.add_argument
    add("--fps", type=frame_rate, help="frames a second (default: frames / 10, 1..60)")
    add("--step", choices=STEP_BY, default="char", help="what one step adds (default char)")
    add("--hold", type=int, default=1, help="frames each step is shown (default 1)")
    add("--morph", type=int, default=0, help="blended frames between two steps (default 0)")
    add(
        "--crf", type=int, default=DEFAULT_CRF, help=f"x264 quality: 0 lossless..51 ({DEFAULT_CRF})"
    )
    add("--preset", choices=PRESETS, default=DEFAULT_PRESET, help=f"x264 speed ({DEFAULT_PRESET})")


def run(args: argparse.Namespace) -> int:
    from visualizer.sources import source_from_args

    text = read_text(args)
    # The local model computes with OpenMP, whose threads spin while they wait; beside the
    # renderer and ffmpeg on few cores that spinning steals their CPU. Read when it loads.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    options = Txt2VidOptions(
        size=args.size,
        fps=args.fps,
        step=args.step,
        hold=args.hold,
        morph=args.morph,
        caption=not args.no_caption,
        legend=not args.no_legend,
        colormap=args.cmap,
        normalization=args.norm,
        layout=args.layout,
        grid_lines=not args.no_grid_lines,
        crf=args.crf,
        preset=args.preset,
    )
    with source_from_args(args) as source:
        job = Txt2VidJob(text, source, args.output, options)
        with _progress_bar(job, quiet=args.quiet) as progress, _signals_cancel(job) as caught:
            try:
                result = job.run(progress=progress)
            except RecordError as exc:
                if not caught:
                    raise
                # Interrupted before the first frame: there was nothing to keep.
                name = signal.Signals(caught[0]).name
                print(f"embviz: interrupted by {name}: nothing written ({exc})", file=sys.stderr)
                return 128 + caught[0]
    return _report(result, caught, args.window)


@contextmanager
def _progress_bar(job: Txt2VidJob, *, quiet: bool) -> Iterator[ProgressCallback]:
    bar = tqdm(
        total=job.frames_total,
        unit="frame",
        desc=job.output.name,
        disable=quiet,
        file=sys.stderr,
        dynamic_ncols=True,
        leave=True,
    )

    def update(progress: Progress) -> None:
        bar.update(progress.frames_done - bar.n)

    try:
        with logging_redirect_tqdm():  # log lines above the bar, not through it
            yield update
    finally:
        bar.close()


@contextmanager
def _signals_cancel(job: Txt2VidJob) -> Iterator[list[int]]:
    """While recording, SIGINT and SIGTERM cancel the job (partial file); a second one says it
    is being saved; a third kills at once (leaving a hidden file the next run removes)."""
    caught: list[int] = []

    def cancel(signum: int, frame: FrameType | None) -> None:
        if len(caught) >= 2:
            print("embviz: quitting without the partial video", file=sys.stderr)
            signal.signal(signum, signal.SIG_DFL)
            signal.raise_signal(signum)
            return
        if caught:
            print("embviz: saving the partial video; once more to quit without it", file=sys.stderr)
        caught.append(signum)
        job.cancel()

    previous = {signum: signal.signal(signum, cancel) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield caught
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _report(result: Txt2VidResult, caught: list[int], window: int) -> int:
    if result.failed:
        numbers = ", ".join(str(step.number) for step in result.failed)
        print(f"embviz: steps {numbers} have no vector and show a placeholder:", file=sys.stderr)
        for step in result.failed:
            print(f"  step {step.number} ({step.text[-30:]!r}): {step.reason}", file=sys.stderr)
    if result.windowed_steps:
        print(
            f"embviz: {result.windowed_steps} steps were longer than --window {window}: "
            "the model saw only their last characters",
            file=sys.stderr,
        )

    if result.partial:
        name = signal.Signals(caught[0]).name if caught else "a cancel"
        kept = f"kept {result.frames} of {result.frames_planned} frames in {result.path}"
        print(
            f"embviz: interrupted by {name}: {kept if result.path else 'nothing written'}",
            file=sys.stderr,
        )
        return 128 + caught[0] if caught else 1

    width, height = result.size
    seconds = result.frames / result.fps
    shape = f"{result.frames} frames, {width}x{height}, {result.fps:g} fps, {seconds:.1f} s"
    print(f"wrote {result.path}: {shape}")
    return 0
