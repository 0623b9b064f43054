"""Vectors for the live window, fetched on a background thread so drawing never waits.

One request is in flight at a time. While it runs, a newer edit replaces the one waiting (stale
texts are dropped, never queued). Texts seen before are answered at once from memory, so
Backspace to an earlier text needs no request at all. Every request has a number, increasing;
each answer carries the number of the newest request it answers, and the window shows an answer
only if it is newer than the one on screen: a fast typist sees the picture follow the texts that
could be embedded, and an answer overtaken by a newer one (from memory) is never shown.

The main loop calls `request(text)` on every edit and `poll()` once a frame; everything the
thread has to say (vectors, failures, "loading model..." notes, model lists) comes out of poll().
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from visualizer.errors import BadReply, EmbvizError
from visualizer.sources.base import Embedding, ModelInfo, Source
from visualizer.sources.local import set_model_threads

log = logging.getLogger(__name__)

#: how many (source, text) vectors the worker remembers for instant answers
MEMORY_SIZE = 2048
#: whether the user set OMP_NUM_THREADS (read before choose_model_threads() may set it)
_USER_SET_THREADS = "OMP_NUM_THREADS" in os.environ


def choose_model_threads() -> str:
    """Set the in-process model's OpenMP threads, unless OMP_NUM_THREADS is set; the value.

    The window draws on the main thread and Mesa's llvmpipe rasterises on every core. With
    two cores, a model that wants both waits at each OpenMP barrier for a thread the scheduler
    has not run: measured here with four busy processes, 217 ms an embedding on two threads
    against 37 ms on one (on an idle machine two threads take 7-9 ms, one 14-17 ms). So: one
    thread on two cores or fewer, two above. libgomp reads the variable once, when the model
    loads, so call this before the first text is embedded.
    """
    threads = "1" if (os.cpu_count() or 1) <= 2 else "2"
    return os.environ.setdefault("OMP_NUM_THREADS", threads)


@dataclass(frozen=True)
class ModelThreads:
    """OpenMP threads for the in-process model: while the picture moves, and while it is still.

    While the picture morphs, the rasteriser needs the cores and the model gets the few of
    choose_model_threads(). While it is still, the window draws nothing and the model can have
    every core (up to four): on two idle cores an embedding takes about half as long on two
    threads. A user's OMP_NUM_THREADS is kept in both cases.
    """

    moving: int
    still: int

    @classmethod
    def for_this_machine(cls) -> ModelThreads:
        try:
            moving = max(1, int(choose_model_threads().split(",")[0]))
        except ValueError:
            moving = 1
        if _USER_SET_THREADS:
            return cls(moving, moving)
        return cls(moving, max(moving, min(os.cpu_count() or 1, 4)))


@dataclass(frozen=True)
class EmbedResult:
    """The vector of the latest text; `seconds` is what the source took (0.0 from memory)."""

    text: str
    embedding: Embedding
    label: str
    seconds: float
    from_memory: bool
    #: the number of the newest request this answers; higher is newer
    request: int = 0


@dataclass(frozen=True)
class Failure:
    """Something the thread could not do; `message` is meant for the status line."""

    what: str
    message: str


@dataclass(frozen=True)
class StatusNote:
    """A progress note from the source, such as "loading model..."."""

    message: str


@dataclass(frozen=True)
class ModelsListed:
    label: str
    models: list[ModelInfo]


@dataclass(frozen=True)
class ModelSwitched:
    label: str


WorkerMessage = EmbedResult | Failure | StatusNote | ModelsListed | ModelSwitched
OpenModel = Callable[[str], Source]


class EmbedWorker:
    """Latest-wins embedding requests on one background thread."""

    def __init__(
        self,
        source: Source,
        *,
        open_model: OpenModel | None = None,
        memory_size: int = MEMORY_SIZE,
    ) -> None:
        self._source = source
        self._original = source
        self._open_model = open_model
        self._memory: OrderedDict[tuple[str, str], Embedding] = OrderedDict()
        self._memory_size = memory_size

        self._lock = threading.Condition()
        self._pending_text: str | None = None
        self._pending_switch: str | None = None
        self._pending_models = False
        self._latest: str | None = None
        self._in_flight: str | None = None
        self._numbers = 0  # requests made so far; the newest request's number
        self._pending_number = 0
        self._in_flight_number = 0
        self._closing = False
        self._switching = False

        self._out: queue.SimpleQueue[WorkerMessage] = queue.SimpleQueue()
        self._ready = threading.Event()
        #: how many texts went to the source
        self.requests_sent = 0
        #: texts replaced by a newer one before they were sent (latest wins)
        self.texts_skipped = 0
        #: OpenMP threads the in-process model may use for the next text (None: as loaded)
        self.model_threads: int | None = None

        source.on_status = self._on_status
        self._thread = threading.Thread(target=self._loop, name="embviz-embed", daemon=True)
        self._thread.start()

    @property
    def label(self) -> str:
        return self._source.label

    @property
    def source(self) -> Source:
        """The source in use now (it changes when the model is switched)."""
        return self._source

    @property
    def model(self) -> str:
        return self._source.model

    @property
    def busy(self) -> bool:
        """True while a request is in flight or waiting."""
        with self._lock:
            waiting = self._pending_text is not None or self._pending_switch is not None
            return waiting or self._in_flight is not None or self._switching

    # -- called from the main loop -----------------------------------------------------------

    def request(self, text: str) -> None:
        """Ask for the vector of `text`; replaces any request still waiting."""
        label = self._source.label
        with self._lock:
            self._numbers += 1
            number, self._latest = self._numbers, text
            remembered = self._memory.get((label, text))
            if self._pending_text is not None and self._pending_text != text:
                self.texts_skipped += 1
            if remembered is not None:
                self._memory.move_to_end((label, text))
                self._pending_text = None
            elif text == self._in_flight:
                self._pending_text, self._in_flight_number = None, number
            else:
                self._pending_text, self._pending_number = text, number
                self._lock.notify()

        if remembered is not None:
            self._put(EmbedResult(text, remembered, label, 0.0, True, number))

    def list_models(self) -> None:
        """Ask the source which models it offers; answered by a ModelsListed message."""
        with self._lock:
            self._pending_models = True
            self._lock.notify()

    def switch_model(self, model: str) -> None:
        """Open `model` on the same source; answered by ModelSwitched, then the latest text."""
        if self._open_model is None:
            self._put(Failure("switch model", "this source cannot switch models"))
            return
        with self._lock:
            self._pending_switch = model
            self._lock.notify()

    def poll(self) -> list[WorkerMessage]:
        """Everything the thread delivered since the last poll, oldest first."""
        self._ready.clear()
        messages = []
        while True:
            try:
                messages.append(self._out.get_nowait())
            except queue.Empty:
                return messages

    @property
    def answered(self) -> bool:
        """True when a message waits for poll()."""
        return self._ready.is_set()

    def wait(self, timeout: float) -> bool:
        """Block up to `timeout` seconds for a message; True if one is waiting."""
        return self._ready.wait(timeout)

    def close(self, timeout: float = 2.0) -> None:
        """Stop the thread; a request still in flight is abandoned after `timeout` seconds."""
        with self._lock:
            self._closing = True
            self._lock.notify()
        self._thread.join(timeout)

        if self._thread.is_alive():
            # Limitation: a request stuck in a slow server cannot be interrupted; it is left to
            # finish on its daemon thread and its source is not closed here.
            log.warning("a request to %s is still in flight; not waiting for it", self.label)
            return
        self._source.on_status = None
        if self._source is not self._original:
            self._source.close()

    # -- the thread ---------------------------------------------------------------------------

    def _loop(self) -> None:
        while (job := self._next_job()) is not None:
            kind, text = job
            if kind == "switch":
                try:
                    self._switch(text)
                finally:
                    with self._lock:
                        self._switching = False
            elif kind == "models":
                self._list_models()
            else:
                self._embed(text)

    def _next_job(self) -> tuple[str, str] | None:
        """Wait for work: ("switch", model), ("models", ""), ("embed", text); None to stop."""
        with self._lock:
            while not self._has_work():
                self._lock.wait()
            if self._closing:
                return None

            if self._pending_switch is not None:
                model, self._pending_switch, self._switching = self._pending_switch, None, True
                return "switch", model
            if self._pending_models:
                self._pending_models = False
                return "models", ""
            text, self._pending_text = self._pending_text or "", None
            self._in_flight, self._in_flight_number = text, self._pending_number
            return "embed", text

    def _has_work(self) -> bool:
        return (
            self._closing
            or self._pending_switch is not None
            or self._pending_models
            or self._pending_text is not None
        )

    def _embed(self, text: str) -> None:
        source = self._source
        started = time.perf_counter()
        self.requests_sent += 1
        if self.model_threads is not None:
            set_model_threads(self.model_threads)
        try:
            embedding = source.embed_one(text)
            _check_finite(embedding, source.label)
        except EmbvizError as exc:
            message = str(exc)
            self._answer(lambda number: Failure("embed", message))
            return
        except Exception as exc:  # the window must keep running whatever a source raises
            log.exception("embedding %r with %s failed", text[:40], source.label)
            reason = f"{source.label} failed: {type(exc).__name__}: {exc}"
            self._answer(lambda number: Failure("embed", reason))
            return

        seconds = time.perf_counter() - started
        self._remember(source.label, text, embedding)
        self._answer(
            lambda number: EmbedResult(text, embedding, source.label, seconds, False, number)
        )

    def _answer(self, make: Callable[[int], WorkerMessage]) -> None:
        """Deliver the answer to the request in flight (`make` gets the number of the newest
        request it answers), then mark it done: `busy` stays true until the answer is queued."""
        with self._lock:
            self._put(make(self._in_flight_number))
            self._in_flight = None

    def _remember(self, label: str, text: str, embedding: Embedding) -> None:
        with self._lock:
            self._memory[(label, text)] = embedding
            while len(self._memory) > self._memory_size:
                self._memory.popitem(last=False)

    def _list_models(self) -> None:
        try:
            models = self._source.models()
        except EmbvizError as exc:
            self._put(Failure("list models", str(exc)))
            return
        self._put(ModelsListed(self._source.label, models))

    def _switch(self, model: str) -> None:
        if self._open_model is None:
            return
        try:
            source = self._open_model(model)
        except EmbvizError as exc:
            self._put(Failure("switch model", str(exc)))
            return

        source.on_status = self._on_status
        with self._lock:
            old, self._source = self._source, source
            if self._latest is not None:
                self._numbers += 1
                self._pending_text, self._pending_number = self._latest, self._numbers
        old.on_status = None
        if old is not self._original:
            old.close()
        self._put(ModelSwitched(source.label))

    def _on_status(self, message: str) -> None:
        self._put(StatusNote(message))

    def _put(self, message: WorkerMessage) -> None:
        self._out.put(message)
        self._ready.set()


def _check_finite(embedding: Embedding, label: str) -> None:
    if not np.isfinite(embedding.vector).all():
        bad = int((~np.isfinite(embedding.vector)).sum())
        raise BadReply(
            f"{label} returned a vector with {bad} NaN/Inf values for {embedding.text[:40]!r}: "
            "try another model or restart the server"
        )
