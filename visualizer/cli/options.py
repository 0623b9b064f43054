"""Options shared by several subcommands: where vectors come from, and how they are drawn."""

from __future__ import annotations

import argparse


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
