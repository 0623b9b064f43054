"""Benchmark: how fast the picture renderer draws at 1280x720 with a new vector every frame.

    python bench/renderer.py [--frames 120] [--size 1280x720]

Prints, for 384, 1024 and 4096 dims: frames per second drawing to an offscreen framebuffer
(waiting for the GPU to finish each frame), frames per second with the frame read back to the
CPU as a recorder does, and the cost of handing the renderer one new vector (normalisation
scale on the CPU plus the texture uploads). Each figure is the median of three rounds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import moderngl
import numpy as np

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

from visualizer.gl.context import standalone_context  # noqa: E402
from visualizer.gl.renderer import PictureRenderer  # noqa: E402

DIMS = (384, 1024, 4096)
ROUNDS = 3


def unit_vectors(dims: int, count: int) -> np.ndarray:
    rng = np.random.default_rng(dims)
    v = rng.standard_normal((count, dims)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def measure(dims: int, frames: int, size: tuple[int, int], normalization: str) -> dict[str, float]:
    """Median over ROUNDS rounds of: upload time, draw fps, draw + read-back fps."""
    ctx = standalone_context()
    fbo = ctx.simple_framebuffer(size, components=4)
    renderer = PictureRenderer(ctx, normalization=normalization)
    viewport = (0, 0, *size)
    vectors = unit_vectors(dims, frames)
    rounds: dict[str, list[float]] = {"upload_ms": [], "fps": [], "fps_read": []}
    try:
        fbo.use()
        renderer.show(vectors[0], now=0.0)
        renderer.draw(viewport)
        ctx.finish()
        for _ in range(ROUNDS):
            rounds["upload_ms"].append(_uploads(ctx, renderer, vectors) * 1000)
            rounds["fps"].append(frames / _frames(ctx, fbo, renderer, vectors, viewport, False))
            rounds["fps_read"].append(frames / _frames(ctx, fbo, renderer, vectors, viewport, True))
    finally:
        renderer.release()
        fbo.release()
        ctx.release()
    return {name: statistics.median(values) for name, values in rounds.items()}


def _uploads(ctx: moderngl.Context, renderer: PictureRenderer, vectors: np.ndarray) -> float:
    # A new vector handed to the renderer (scale on the CPU, texture writes), GPU waited for.
    times = []
    for i, vector in enumerate(vectors):
        start = time.perf_counter()
        renderer.show(vector, morph_s=0.15, now=float(i))
        ctx.finish()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _frames(
    ctx: moderngl.Context,
    fbo: moderngl.Framebuffer,
    renderer: PictureRenderer,
    vectors: np.ndarray,
    viewport: tuple[int, int, int, int],
    read: bool,
) -> float:
    # A new vector every frame, mid-morph, drawn and finished (and read back, as recorders do).
    start = time.perf_counter()
    for i, vector in enumerate(vectors):
        renderer.show(vector, morph_s=0.15, now=float(i))
        renderer.update(i + 0.05)
        renderer.draw(viewport)
        if read:
            fbo.read(components=3, alignment=1)
        else:
            ctx.finish()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=100)
    parser.add_argument("--size", default="1280x720")
    parser.add_argument("--norm", default="linear")
    args = parser.parse_args()
    width, height = (int(n) for n in args.size.lower().split("x"))

    ctx = standalone_context()
    print(
        f"renderer: {ctx.info.get('GL_RENDERER')}, {width}x{height}, {args.frames} frames, "
        f"normalization {args.norm}"
    )
    ctx.release()
    print(f"{'dims':>6} {'fps':>8} {'fps+read':>9} {'upload ms':>10}")
    results = {}
    for dims in DIMS:
        r = measure(dims, args.frames, (width, height), args.norm)
        results[dims] = r
        print(f"{dims:>6} {r['fps']:>8.1f} {r['fps_read']:>9.1f} {r['upload_ms']:>10.3f}")

    small, large = results[DIMS[0]], results[DIMS[-1]]
    print(
        f"fps ratio {DIMS[-1]}/{DIMS[0]} dims: {large['fps'] / small['fps']:.2f}; "
        f"upload ratio: {large['upload_ms'] / small['upload_ms']:.2f}"
    )


if __name__ == "__main__":
    main()
