"""Where vectors come from: the bundled local model, an Ollama server, or an OpenAI-compatible one.

`open_source()` builds one (wrapped in the vector cache unless told otherwise) and
`source_from_args()` does the same from the options of visualizer.cli.options. Every source
speaks the interface of visualizer.sources.base.
"""

from __future__ import annotations

import argparse

from visualizer.errors import UsageError
from visualizer.sources.base import DEFAULT_WINDOW, Embedding, ModelInfo, Source

__all__ = [
    "SOURCES",
    "Embedding",
    "ModelInfo",
    "Source",
    "open_source",
    "source_from_args",
]

#: the names --source accepts; the first is the default
SOURCES = ("local", "ollama", "openai")


def open_source(
    name: str = "local",
    model: str | None = None,
    *,
    host: str | None = None,
    base_url: str | None = None,
    prefix: str = "query",
    window: int = DEFAULT_WINDOW,
    cache: bool = True,
) -> Source:
    """A ready source of vectors; nothing is loaded or contacted until the first text.

    `host` is the Ollama address (else $OLLAMA_HOST), `base_url` the OpenAI-compatible one
    (else $OPENAI_BASE_URL), `prefix` the e5 prefix of the local model, `window` how many of a
    long text's last characters are embedded, `cache` whether vectors are remembered.
    """
    source = _open_uncached(name, model, host=host, base_url=base_url, prefix=prefix, window=window)
    if not cache:
        return source

    from visualizer.sources.cache import CachedSource

    return CachedSource(source)


def _open_uncached(
    name: str,
    model: str | None,
    *,
    host: str | None,
    base_url: str | None,
    prefix: str,
    window: int,
) -> Source:
    if window < 0:
        raise UsageError(f"window {window} is negative: give a number of characters, 0 for all")

    if name == "local":
        from visualizer.sources.local import LocalSource

        return LocalSource(model, prefix=prefix, window=window)
    if name == "ollama":
        from visualizer.sources.ollama import OllamaSource

        return OllamaSource(model, host=host, window=window)
    if name == "openai":
        from visualizer.sources.openai import OpenAISource

        return OpenAISource(model, base_url=base_url, window=window)
    raise UsageError(f"unknown source {name!r}: use one of {', '.join(SOURCES)}")


def source_from_args(args: argparse.Namespace) -> Source:
    """The source that the options of visualizer.cli.options.add_source_options describe."""
    return open_source(
        getattr(args, "source", None) or "local",
        getattr(args, "model", None),
        host=getattr(args, "host", None),
        base_url=getattr(args, "base_url", None),
        prefix=getattr(args, "prefix", None) or "query",
        window=getattr(args, "window", DEFAULT_WINDOW),
        cache=not getattr(args, "no_cache", False),
    )
