"""`embviz models`: the models a source offers, marking those that make embeddings."""

from __future__ import annotations

import argparse
import logging

from visualizer.cli.options import add_common_options, add_source_options
from visualizer.sources import source_from_args
from visualizer.sources.base import ModelInfo

log = logging.getLogger(__name__)

#: how the "embeds" column reads for True, False and None (the server cannot tell)
MARKS = {True: "yes", False: "no", None: "?"}


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "models",
        help="list a source's models and which of them embed",
        description="List the models of a source (local: the bundled ones; ollama: the "
        "server's, asking each whether it embeds; openai: the server's /models).",
    )
    add_source_options(p)
    add_common_options(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    args.no_cache = True
    with source_from_args(args) as source:
        infos = source.models()
        print(table(infos, source.name, source.address, source.model))
    return 0


def table(infos: list[ModelInfo], source: str, address: str, current: str) -> str:
    """The lines `embviz models` prints: a header, then one row a model; * marks --model."""
    header = f"{source} ({address}): {len(infos)} model(s)"
    if not infos:
        return header + "\n  (none: pull or load an embedding model on the server)"

    width = max(len(info.name) for info in infos)
    rows = [header, f"    {'name':<{width}}  embeds  dims  detail"]
    for info in infos:
        mark = "*" if info.name in (current, f"{current}:latest") else " "
        dims = str(info.dims) if info.dims else "-"
        row = f"  {mark} {info.name:<{width}}  {MARKS[info.embeds]:<6}  {dims:>4}  {info.detail}"
        rows.append(row.rstrip())
    if any(info.embeds is None for info in infos):
        rows.append("  ? the server does not say whether this model embeds")
    return "\n".join(rows)
