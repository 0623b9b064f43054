"""The one interface through which vectors arrive, whatever the source.

A source turns texts into float32 vectors. Every source shares the same contract:

- `embed(texts)` takes a batch and returns one `Embedding` per text, in order.
- Blank or whitespace-only text is never sent: it gets an all-zero vector of the model's dims
  (`Embedding.blank` is True), which the picture draws as a flat field.
- Text is cleaned (lone surrogates become U+FFFD) and windowed to the last `window` characters
  before it is sent; `Embedding.sent` is what the model saw and `Embedding.windowed` says whether
  it was cut.
- Failures raise `SourceError` subclasses (see visualizer.errors) whose message says what to do.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

StatusCallback = Callable[[str], None]


@dataclass(frozen=True)
class ModelInfo:
    """A model a source offers; `embeds` is None when the server cannot tell."""

    name: str
    embeds: bool | None
    dims: int | None = None
    detail: str = ""


@dataclass(frozen=True)
class Embedding:
    """The vector of one text, with where it came from."""

    text: str
    sent: str
    vector: np.ndarray
    source: str
    model: str
    normalized: bool
    blank: bool = False
    windowed: bool = False
    cached: bool = False

    @property
    def dims(self) -> int:
        return int(self.vector.shape[0])


class Source(abc.ABC):
    """Where vectors come from: the local model, an Ollama server or an OpenAI-compatible one."""

    #: short name used on the command line and in the HUD: "local", "ollama", "openai"
    name: str = ""

    def __init__(self, model: str, address: str) -> None:
        self.model = model
        self.address = address
        self.on_status: StatusCallback | None = None

    @property
    def label(self) -> str:
        """How the HUD, captions and logs name this source and model."""
        return f"{self.name}:{self.model}"

    @abc.abstractmethod
    def embed(self, texts: Sequence[str]) -> list[Embedding]:
        """Embed a batch of texts; one Embedding per text, in order."""

    def embed_one(self, text: str) -> Embedding:
        return self.embed([text])[0]

    @abc.abstractmethod
    def models(self) -> list[ModelInfo]:
        """The models this source can use, marking those that produce embeddings."""

    def close(self) -> None:  # noqa: B027 (a source with nothing to release keeps this)
        """Release the HTTP client or the in-process model."""

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _status(self, message: str) -> None:
        if self.on_status is not None:
            self.on_status(message)
