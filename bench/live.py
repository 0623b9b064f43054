#!/usr/bin/env python3
"""Benchmark the live window: keystroke-to-first-changed-frame latency, and frame rate while typing.

    .venv/bin/python bench/live.py [--sizes 640x360,1280x720] [--keys 30] [--seconds 5]

A real LiveWindow (pygame, SDL's offscreen driver, Mesa) runs its own loop (`step()` then
`pace()` at --max-fps 60) while a typist thread posts TEXTINPUT events, as SDL does for a key:

  latency   one key every 300 ms, at a random moment; from posting the key to the end of the
            first frame whose picture (read back, the picture's rectangle only) differs from
            the settled picture before it. Median and p95 over --keys keys.
  fps       one key every 70 ms (fast typing, the picture always morphing) for --seconds:
            frames per second, and the p95 frame time; capped at 60 fps (as the window runs)
            and uncapped (how much headroom there is).

It runs twice: at 384 dims with the local model (multilingual-e5-small, no cache), and at
4096 dims with a SYNTHETIC source: the local model's vector expanded to 4096 dims by a fixed
random index-and-sign map (there is no 4096-dim model on this machine; the picture, upload and
draw costs are those of 4096 dims, the embedding cost is the local model's).
Targets on a 2-core machine with Mesa llvmpipe: median latency < 25 ms, >= 60 fps.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import threading
import time
from collections.abc import Sequence

os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import numpy as np  # noqa: E402
import pygame  # noqa: E402

from visualizer.app.window import LiveWindow, WindowOptions  # noqa: E402
from visualizer.app.worker import choose_model_threads  # noqa: E402
from visualizer.cli.options import parse_size  # noqa: E402
from visualizer.sources import open_source  # noqa: E402
from visualizer.sources.base import Fetched, ModelInfo, Source  # noqa: E402

TEXT = "the picture of a sentence changes with every letter you type into it, quickly. "
SYNTHETIC_DIMS = 4096


class ExpandedSource(Source):
    """SYNTHETIC: the local model's 384-dim vector mapped to `dims` by fixed indices and signs."""

    name = "synthetic"

    def __init__(self, inner: Source, dims: int = SYNTHETIC_DIMS) -> None:
        super().__init__(f"{inner.model}-expanded-{dims}", "in-process", window=inner.window)
        self.inner = inner
        rng = np.random.default_rng(dims)
        self.index = rng.integers(0, 384, size=dims)
        self.sign = rng.choice(np.array([-1.0, 1.0], dtype=np.float32), size=dims)

    def _fetch(self, sent: list[str]) -> list[Fetched]:
        fetched = []
        for embedding in self.inner.embed(sent):
            vector = (embedding.vector[self.index] * self.sign).astype(np.float32)
            fetched.append(Fetched(vector / np.linalg.norm(vector), True))
        return fetched

    def models(self) -> list[ModelInfo]:
        return [ModelInfo(self.model, True, SYNTHETIC_DIMS, "synthetic, for benchmarks")]

    def close(self) -> None:
        self.inner.close()


class Typist(threading.Thread):
    """Posts one character every `gap` seconds (plus up to `jitter`), noting when."""

    def __init__(self, text: str, gap: float, jitter: float) -> None:
        super().__init__(daemon=True)
        self.text, self.gap, self.jitter = text, gap, jitter
        self.posted: list[float] = []
        self.stop = threading.Event()

    def run(self) -> None:
        rng = random.Random(4)
        for ch in self.text:
            if self.stop.wait(self.gap + rng.uniform(0.0, self.jitter)):
                return
            self.posted.append(time.perf_counter())
            pygame.event.post(pygame.event.Event(pygame.TEXTINPUT, text=ch))


def picture_of(window: LiveWindow, frame: np.ndarray) -> np.ndarray:
    x, y, w, h = window.renderer.picture_rect(window.picture_viewport())
    top = window.size[1] - y - h
    return frame[top : top + h, x : x + w]


def warm_up(window: LiveWindow) -> None:
    """Load the model and draw until the blank text's picture has settled."""
    for ch in "warm":
        pygame.event.post(pygame.event.Event(pygame.TEXTINPUT, text=ch))
    deadline = time.perf_counter() + 30
    while window.shown is None or window.shown.text != "warm" or window.renderer.animating:
        window.step()
        window.pace()
        if time.perf_counter() > deadline:
            raise SystemExit("the window never showed the warm-up text's picture")
    for _ in range(10):
        window.step()
        window.pace()


def measure_latency(window: LiveWindow, keys: int) -> tuple[list[float], list[float]]:
    """Per key: posting it -> end of the first frame that draws toward the new text's vector;
    and the time the source took to embed each text that was drawn."""
    typist = Typist(TEXT[:keys], gap=0.25, jitter=0.05)
    frames: list[tuple[float, str, np.ndarray]] = []
    embed_ms: dict[str, float] = {}
    typist.start()
    while typist.is_alive() or time.perf_counter() - typist.posted[-1] < 0.5:
        # Frames are read back only when the window draws one anyway: forcing a frame each
        # time round would keep the CPU busy and slow the model the latency waits for.
        frame = window.step(peek=True)
        if frame is None:
            window.pace()
            continue
        target = window.shown.text if window.shown is not None else ""
        frames.append((time.perf_counter(), target, picture_of(window, frame).copy()))
        embed_ms.setdefault(target, window.latency_ms or 0.0)
        window.pace()

    latencies = []
    for n, posted in enumerate(typist.posted, start=1):
        text = "warm" + TEXT[:n]
        before = [picture for t, _, picture in frames if t < posted] or [frames[0][2]]
        changed = (
            t
            for t, target, picture in frames
            if t >= posted and target == text and not np.array_equal(picture, before[-1])
        )
        first = next(changed, None)
        if first is None:
            # superseded: the next key came before this one's vector (latest text wins)
            print(f"  key {n} ({text[-1]!r}) was never drawn: a newer key won", file=sys.stderr)
            continue
        latencies.append((first - posted) * 1000.0)
    return latencies, list(embed_ms.values())[1:]


def measure_fps(window: LiveWindow, seconds: float) -> tuple[float, float]:
    """Frames drawn per second while the picture keeps morphing, and the p95 frame time."""
    typist = Typist(TEXT * 4, gap=0.07, jitter=0.0)
    stamps = []
    typist.start()
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        drawn = window.frames
        window.step()
        if window.frames > drawn:
            stamps.append(time.perf_counter())
        window.pace()
    typist.stop.set()
    typist.join()
    gaps = np.diff(np.array(stamps)) * 1000.0
    return (len(stamps) - 1) / (stamps[-1] - stamps[0]), float(np.percentile(gaps, 95))


def run_one(label: str, source: Source, args: argparse.Namespace) -> dict[str, float]:
    window = LiveWindow(source, WindowOptions(size=args.size, max_fps=60))
    try:
        warm_up(window)
        latencies, embed_ms = measure_latency(window, args.keys)
        fps, p95_frame = measure_fps(window, args.seconds)
        window.options.max_fps = 0
        fps_free, _ = measure_fps(window, args.seconds / 2)
        dims = window.shown.dims if window.shown else 0
    finally:
        window.close()
        source.close()

    median = statistics.median(latencies)
    p95 = float(np.percentile(latencies, 95))
    print(f"{label}: {dims} dims, {len(latencies)} keys, window {args.size[0]}x{args.size[1]}")
    print(f"  keystroke -> first changed frame: median {median:.1f} ms, p95 {p95:.1f} ms")
    print(f"    of which the source's embedding: median {statistics.median(embed_ms):.1f} ms")
    print(
        f"  while typing: {fps:.1f} fps capped at 60 (p95 frame {p95_frame:.1f} ms), "
        f"{fps_free:.0f} fps uncapped"
    )
    print(f"  vs targets: latency {median / 25:.2f} x the 25 ms budget, fps {fps / 60:.2f} x 60")
    return {"median": median, "p95": p95, "fps": fps, "fps_free": fps_free}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        type=lambda text: [parse_size(size) for size in text.split(",")],
        default=[(640, 360), (1280, 720)],
        help="window sizes, comma-separated (default 640x360,1280x720)",
    )
    parser.add_argument("--keys", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args(argv)

    choose_model_threads()  # as `embviz live` does
    threads = os.environ["OMP_NUM_THREADS"]
    load = os.getloadavg()[0]
    print(f"load average before: {load:.2f} on {os.cpu_count()} cores; model threads {threads}")
    results = []
    for size in args.sizes:
        args.size = size
        results.append(run_one("local model", open_source("local", cache=False), args))
        synthetic = ExpandedSource(open_source("local", cache=False))
        results.append(run_one("SYNTHETIC 4096 (local model expanded)", synthetic, args))
    worst = max(r["median"] for r in results)
    slowest = min(r["fps"] for r in results)
    print(f"worst median latency {worst:.1f} ms (target < 25), lowest fps {slowest:.1f} (>= 60)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
