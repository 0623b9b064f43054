"""The one interface through which vectors arrive, whatever the source.

A source turns texts into float32 vectors. Every source shares the same contract:

- `embed(texts)` takes a batch and returns one `Embedding` per text, in order.
- Blank or whitespace-only text is never sent: it gets an all-zero vector of the model's dims
  (`Embedding.blank` is True), which the picture draws as a flat field.
- Text is cleaned (lone surrogates become U+FFFD) and windowed to the last `window` characters
  before it is sent; `Embedding.sent` is what the model saw and `Embedding.windowed` says whether
  it was cut.
- Failures raise `SourceError` subclasses (see visualizer.errors) whose message says what to do.
- `embed` may be called from any thread; a source serialises its own requests.

A subclass implements `_fetch(sent)` (vectors for distinct, cleaned, non-blank texts) and
`models()`; the hygiene, the blanks and the bookkeeping live here.
"""

from __future__ import annotations

import abc
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from visualizer.sources import text as textops

StatusCallback = Callable[[str], None]

#: characters of a long text that are embedded (the original tool used the last 256)
DEFAULT_WINDOW = 256

#: a vector whose L2 norm is this close to 1 counts as unit-normalised
NORM_TOLERANCE = 1e-3


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


@dataclass(frozen=True)
class Fetched:
    """One vector as a source produced it, before it becomes an Embedding."""

    vector: np.ndarray
    normalized: bool
    cached: bool = False


@dataclass(frozen=True)
class Prepared:
    """A text after hygiene: what will be sent, and whether it is blank or was windowed."""

    text: str
    sent: str
    blank: bool
    windowed: bool

    @classmethod
    def of(cls, text: str, window: int) -> Prepared:
        sent, windowed = textops.window(textops.clean(text), window)
        blank = textops.is_blank(sent)
        return cls(text, "" if blank else sent, blank, windowed)


def is_unit(vector: np.ndarray) -> bool:
    """True when the vector's L2 norm is 1 within NORM_TOLERANCE."""
    return abs(float(np.linalg.norm(vector.astype(np.float64))) - 1.0) <= NORM_TOLERANCE


class Source(abc.ABC):
    """Where vectors come from: the local model, an Ollama server or an OpenAI-compatible one."""

    #: short name used on the command line and in the HUD: "local", "ollama", "openai"
    name: str = ""

    def __init__(self, model: str, address: str, *, window: int = DEFAULT_WINDOW) -> None:
        self.model = model
        self.address = address
        self.window = window
        self.on_status: StatusCallback | None = None
        self._dims: int | None = None
        self._dims_lock = threading.Lock()

    @property
    def label(self) -> str:
        """How the HUD, captions and logs name this source and model."""
        return f"{self.name}:{self.model_label}"

    @property
    def model_label(self) -> str:
        """The model as shown to people; the local source adds its e5 prefix."""
        return self.model

    @property
    def endpoint(self) -> str:
        """The part of the server that makes the vectors (part of the cache key)."""
        return ""

    @property
    def prefix(self) -> str:
        """The prefix the model puts before each text ("" when the source adds none)."""
        return ""

    def cache_key(self) -> tuple[str, str, str, str, str]:
        """What, besides the text, decides the vector: source, address, model, endpoint, prefix."""
        return (self.name, self.address, self.model, self.endpoint, self.prefix)

    def cache_keys(self) -> list[tuple[str, str, str, str, str]]:
        """The keys a cache may hold this source's vectors under; new ones go under the first."""
        return [self.cache_key()]

    def embed(self, texts: str | Sequence[str]) -> list[Embedding]:
        """Embed a text or a batch of texts; one Embedding per text, in order."""
        if isinstance(texts, str):
            texts = [texts]
        prepared = [Prepared.of(text, self.window) for text in texts]
        wanted = list(dict.fromkeys(item.sent for item in prepared if not item.blank))

        fetched = dict(zip(wanted, self._fetch(wanted), strict=True)) if wanted else {}
        if fetched:
            self._remember_dims(next(iter(fetched.values())).vector.shape[0])
        dims = self.dims() if any(item.blank for item in prepared) else 0
        return [self._embedding(item, fetched.get(item.sent), dims) for item in prepared]

    def embed_one(self, text: str) -> Embedding:
        return self.embed([text])[0]

    def dims(self) -> int:
        """The length of this model's vectors (a blank text's zero vector has it too)."""
        with self._dims_lock:
            known = self._dims
        if known is None:
            known = self._discover_dims()
            self._remember_dims(known)
        return known

    @abc.abstractmethod
    def models(self) -> list[ModelInfo]:
        """The models this source can use, marking those that produce embeddings."""

    def close(self) -> None:  # noqa: B027 (a hook: sources without resources keep it empty)
        """Release the HTTP client or the in-process model."""

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @abc.abstractmethod
    def _fetch(self, sent: list[str]) -> list[Fetched]:
        """Vectors for distinct, cleaned, windowed, non-blank texts, in order."""

    def _discover_dims(self) -> int:
        """Ask the model for its dims when no vector has been seen yet: embed one probe word."""
        return int(self._fetch(["dims"])[0].vector.shape[0])

    def _remember_dims(self, dims: int) -> None:
        with self._dims_lock:
            self._dims = int(dims)

    def _embedding(self, item: Prepared, fetched: Fetched | None, dims: int) -> Embedding:
        if fetched is None:
            vector = np.zeros(dims, dtype=np.float32)
            return Embedding(
                item.text, "", vector, self.name, self.model_label, False, True, item.windowed
            )
        return Embedding(
            text=item.text,
            sent=item.sent,
            vector=fetched.vector,
            source=self.name,
            model=self.model_label,
            normalized=fetched.normalized,
            windowed=item.windowed,
            cached=fetched.cached,
        )

    def _status(self, message: str) -> None:
        if self.on_status is not None:
            self.on_status(message)
