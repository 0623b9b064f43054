"""`embviz embed TEXT`: one text's vector, summarised in numbers, optionally saved as .npy."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import numpy as np

from visualizer.cli.options import (
    add_common_options,
    add_source_options,
    add_text_options,
    read_text,
)
from visualizer.errors import UsageError
from visualizer.sources import source_from_args
from visualizer.sources.base import Embedding

log = logging.getLogger(__name__)

#: how many of the largest-magnitude dimensions are listed
TOP = 5


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "embed",
        help="embed one text and print its vector's numbers",
        description="Embed TEXT and print the vector's dims, norm, min, max, mean and the "
        f"{TOP} dimensions of largest magnitude, with the source and model that made it.",
    )
    add_text_options(p, "the text to embed")
    p.add_argument("-o", "--output", type=Path, help="also save the vector as a .npy file")
    add_source_options(p)
    add_common_options(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    text = read_text(args)
    if args.output is not None and args.output.suffix != ".npy":
        raise UsageError(f"output {str(args.output)!r} must end in .npy (a numpy array file)")

    with source_from_args(args) as source:
        if not args.quiet:
            source.on_status = _show_status
        embedding = source.embed_one(text)
        print(summary(embedding, source.address))

    if args.output is not None:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        with args.output.open("wb") as file:
            np.save(file, embedding.vector)
        print(f"saved     {args.output}")
    return 0


def summary(embedding: Embedding, address: str) -> str:
    """The lines `embviz embed` prints for one embedding."""
    vector = embedding.vector.astype(np.float64)
    lines = [
        f"source    {embedding.source} ({address})",
        f"model     {embedding.model}",
        f"text      {_describe_text(embedding)}",
        f"dims      {embedding.dims}",
        f"norm      {np.linalg.norm(vector):.6f} ({_describe_norm(embedding)})",
    ]
    if vector.size:
        lines += [
            f"min       {vector.min():+.6f} (dim {int(vector.argmin())})",
            f"max       {vector.max():+.6f} (dim {int(vector.argmax())})",
            f"mean      {vector.mean():+.6f}",
        ]
    if embedding.blank or not vector.size:
        return "\n".join(lines)

    order = np.argsort(-np.abs(vector), kind="stable")[:TOP]
    lines.append(f"largest   {len(order)} dims by magnitude:")
    lines += [f"  dim {int(i):>5}  {vector[i]:+.6f}" for i in order]
    return "\n".join(lines)


def _show_status(message: str) -> None:
    # "loading model ..." can last a minute: the user hears of it on stderr.
    if message:
        print(f"embviz: {message}", file=sys.stderr)


def _describe_text(embedding: Embedding) -> str:
    shown = embedding.text if len(embedding.text) <= 60 else embedding.text[:59] + "…"
    parts = [f"{shown!r}", f"{len(embedding.text)} characters"]
    if embedding.blank:
        parts.append("blank: not sent, the vector is all zeros")
    elif embedding.windowed:
        parts.append(f"embedded: the last {len(embedding.sent)}")
    if embedding.cached:
        parts.append("from the cache")
    return f"{parts[0]} ({', '.join(parts[1:])})"


def _describe_norm(embedding: Embedding) -> str:
    if embedding.blank:
        return "zero vector"
    return "unit-normalised" if embedding.normalized else "not normalised"
