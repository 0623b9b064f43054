"""Embed the steps of a text in a background thread, a few batches ahead of the renderer.

The queue between the thread and the renderer is bounded, so memory stays the same whatever the
text's length: the thread waits while the renderer is behind. A step whose vector cannot be had
(the server failed it after its retry, or sent NaN) arrives as a `StepVector` without a vector
and with the reason, so the video can show a placeholder and carry on. Errors that no later step
can escape (unknown model, a model that does not embed, a server that failed many steps in a
row) end the run instead.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from visualizer.errors import (
    BadReply,
    ModelNotFound,
    NotAnEmbeddingModel,
    ServerUnavailable,
    SourceError,
)
from visualizer.sources.base import Embedding, Source

log = logging.getLogger(__name__)

DEFAULT_BATCH = 8
#: batches waiting between the embedding thread and the renderer
DEFAULT_DEPTH = 4
#: this many failed steps in a row means the source is down, not that one step is bad
MAX_FAILURES_IN_A_ROW = 8

_POLL_S = 0.1


@dataclass(frozen=True)
class StepVector:
    """The vector of one step (its index from 0), or None and why not: `reason` in full for
    the report, `short` in a few words for the placeholder frame."""

    index: int
    vector: np.ndarray | None
    reason: str = ""
    short: str = ""
    windowed: bool = False


def _short(error: SourceError) -> str:
    if isinstance(error, ServerUnavailable):
        return "the server did not answer"
    if isinstance(error, BadReply):
        return "the server's reply was unusable"
    return "the source failed"


class _End:
    """Put on the queue after the last step, or with the error that ended the run."""

    def __init__(self, error: BaseException | None = None) -> None:
        self.error = error


class EmbedAhead:
    """Iterate over the StepVectors of `prefixes` in order while a thread embeds ahead.

    `cancel` (shared with the job) stops the thread between batches. `embed_s` is the time spent
    inside `source.embed`, for the benchmark.
    """

    def __init__(
        self,
        source: Source,
        prefixes: Sequence[str],
        cancel: threading.Event,
        *,
        batch: int = DEFAULT_BATCH,
        depth: int = DEFAULT_DEPTH,
    ) -> None:
        self.source = source
        self.prefixes = prefixes
        self.cancel = cancel
        self.batch = max(1, batch)
        self.embed_s = 0.0
        self._queue: queue.Queue[list[StepVector] | _End] = queue.Queue(maxsize=max(1, depth))
        self._thread = threading.Thread(target=self._work, name="txt2vid-embed", daemon=True)
        self._failures_in_a_row = 0
        self._vectors = 0  # steps that got one

    def start(self) -> None:
        """Start embedding (iterating starts it too); the thread keeps the caller's priority."""
        if self._thread.ident is None:
            self._thread.start()

    def __iter__(self) -> Iterator[StepVector]:
        self.start()
        while True:
            item = self._get()
            if isinstance(item, _End):
                if item.error is not None:
                    raise item.error
                return
            yield from item

    def stop(self, timeout: float = 5.0) -> None:
        """Ask the thread to stop and wait a little for it (it is a daemon if a request hangs)."""
        self.cancel.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        if self._thread.is_alive():
            log.debug("the embedding thread is still waiting on its source; leaving it")

    def _get(self) -> list[StepVector] | _End:
        while True:
            try:
                return self._queue.get(timeout=_POLL_S)
            except queue.Empty:
                if self.cancel.is_set() or not self._thread.is_alive():
                    return self._queue.get_nowait() if not self._queue.empty() else _End()

    def _put(self, item: list[StepVector] | _End) -> bool:
        """Wait for room on the queue; False if the job was cancelled meanwhile."""
        while not self.cancel.is_set():
            try:
                self._queue.put(item, timeout=_POLL_S)
                return True
            except queue.Full:
                continue
        return False

    def _work(self) -> None:
        try:
            for start in range(0, len(self.prefixes), self.batch):
                if self.cancel.is_set():
                    return
                texts = self.prefixes[start : start + self.batch]
                if not self._put(self._embed_batch(start, texts)):
                    return
            self._put(_End())
        except Exception as exc:  # handed to the renderer's thread, which raises it
            self._put(_End(exc))

    def _embed_batch(self, start: int, texts: Sequence[str]) -> list[StepVector]:
        """The batch in one request; if that fails, each text alone so one bad step stays one."""
        try:
            return [self._checked(start + i, e) for i, e in enumerate(self._embed(texts))]
        except (ModelNotFound, NotAnEmbeddingModel):
            raise
        except ServerUnavailable as exc:
            if not self._vectors:
                raise  # not one vector yet: the source is not there, so no video is worth making
            # The server, not a text, failed: no point in asking text by text.
            return [self._failed(start + i, str(exc), _short(exc)) for i in range(len(texts))]
        except SourceError as exc:
            if len(texts) == 1:
                return [self._failed(start, str(exc), _short(exc))]
            log.debug("batch from step %d failed (%s); embedding its texts one by one", start, exc)

        results = []
        for i, text in enumerate(texts):
            try:
                results.append(self._checked(start + i, self._embed([text])[0]))
            except (ModelNotFound, NotAnEmbeddingModel):
                raise
            except SourceError as exc:
                results.append(self._failed(start + i, str(exc), _short(exc)))
        return results

    def _embed(self, texts: Sequence[str]) -> list[Embedding]:
        started = time.perf_counter()
        try:
            return self.source.embed(list(texts))
        finally:
            self.embed_s += time.perf_counter() - started

    def _checked(self, index: int, embedding: Embedding) -> StepVector:
        vector = np.asarray(embedding.vector, dtype=np.float32)
        if vector.ndim != 1 or vector.size == 0:
            reason = f"the source sent a vector of shape {vector.shape}"
            return self._failed(index, reason, "an empty vector")
        if not np.isfinite(vector).all():
            return self._failed(index, "the vector contains NaN or Inf", "NaN in the vector")

        self._failures_in_a_row = 0
        self._vectors += 1
        return StepVector(index, vector, windowed=embedding.windowed)

    def _failed(self, index: int, reason: str, short: str) -> StepVector:
        log.warning("step %d has no vector: %s", index + 1, reason)
        self._failures_in_a_row += 1
        if self._failures_in_a_row >= MAX_FAILURES_IN_A_ROW:
            msg = f"{self._failures_in_a_row} steps in a row got no vector (last: {reason})"
            raise SourceError(f"{msg}; is the source working? check it with `embviz embed`")
        return StepVector(index, None, reason=reason, short=short)
