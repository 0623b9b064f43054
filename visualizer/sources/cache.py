"""Vectors remembered in memory (LRU) and on disk (sqlite3) across runs.

A vector is keyed by what decides it: source, address, model, endpoint, prefix and the text
that was sent. A hit never touches the network. The file lives in $EMBVIZ_CACHE_DIR, else in
the user cache folder (platformdirs). An unreadable file is moved aside with a warning and a
fresh one started; if the folder cannot be written the cache carries on in memory only.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import platformdirs

from visualizer.sources.base import Fetched, ModelInfo, Source, StatusCallback

log = logging.getLogger(__name__)

CacheKey = tuple[str, str, str, str, str]

FILE_NAME = "vectors.sqlite3"
SCHEMA_VERSION = 1
MEMORY_ITEMS = 4096

_SCHEMA = """
CREATE TABLE IF NOT EXISTS vectors (
    source TEXT NOT NULL, address TEXT NOT NULL, model TEXT NOT NULL,
    endpoint TEXT NOT NULL, prefix TEXT NOT NULL, text TEXT NOT NULL,
    dims INTEGER NOT NULL, normalized INTEGER NOT NULL, vector BLOB NOT NULL,
    PRIMARY KEY (source, address, model, endpoint, prefix, text)
)
"""
_KEY_WHERE = "source = ? AND address = ? AND model = ? AND endpoint = ? AND prefix = ?"


def cache_dir() -> Path:
    """Where the vector cache lives: $EMBVIZ_CACHE_DIR, else the user cache folder."""
    override = os.environ.get("EMBVIZ_CACHE_DIR")
    return Path(override) if override else Path(platformdirs.user_cache_dir("embviz"))


class VectorCache:
    """A thread-safe two-level store of vectors: an LRU in memory over a sqlite3 file."""

    def __init__(self, path: Path | None = None, *, memory_items: int = MEMORY_ITEMS) -> None:
        self.path = path if path is not None else cache_dir() / FILE_NAME
        self.memory_items = memory_items
        self._memory: OrderedDict[tuple[CacheKey, str], tuple[np.ndarray, bool]] = OrderedDict()
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = self._open()

    def get_many(self, key: CacheKey, texts: Sequence[str]) -> dict[str, Fetched]:
        """The cached vectors among `texts`, by text."""
        found: dict[str, Fetched] = {}
        with self._lock:
            missing = [text for text in texts if not self._from_memory(key, text, found)]
            if missing and self._db is not None:
                self._from_disk(key, missing, found)
        return found

    def put_many(self, key: CacheKey, items: Iterable[tuple[str, Fetched]]) -> None:
        """Remember vectors for texts under `key`, in memory and on disk."""
        rows: list[tuple[Any, ...]] = []
        with self._lock:
            for text, fetched in items:
                self._remember(key, text, fetched.vector, fetched.normalized)
                blob = fetched.vector.astype("<f4").tobytes()
                rows.append((*key, text, fetched.vector.shape[0], int(fetched.normalized), blob))
            self._write(rows)

    def dims(self, key: CacheKey) -> int | None:
        """The dims of any vector cached under `key`, or None."""
        with self._lock:
            for (memory_key, _text), (vector, _normalized) in self._memory.items():
                if memory_key == key:
                    return int(vector.shape[0])
            row = self._query(f"SELECT dims FROM vectors WHERE {_KEY_WHERE} LIMIT 1", key)
        return int(row[0][0]) if row else None

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    def _open(self) -> sqlite3.Connection | None:
        try:
            return self._connect()
        except (sqlite3.OperationalError, OSError) as exc:
            # Cannot be opened or created (a read-only folder, a locked file): not damaged.
            log.warning(
                "vector cache %s cannot be opened (%s): caching in memory only; set "
                "EMBVIZ_CACHE_DIR to a writable folder to keep vectors across runs",
                self.path,
                exc,
            )
            return None
        except sqlite3.DatabaseError as exc:
            aside = self.path.with_name(self.path.name + ".corrupt")
            try:
                os.replace(self.path, aside)
            except OSError as move:
                log.warning(
                    "vector cache %s is unreadable (%s) and cannot be moved aside (%s): caching "
                    "in memory only",
                    self.path,
                    exc,
                    move,
                )
                return None
            log.warning(
                "vector cache %s is unreadable (%s): moved it to %s and started a fresh one",
                self.path,
                exc,
                aside,
            )
        try:
            return self._connect()
        except (sqlite3.Error, OSError) as exc:
            log.warning(
                "vector cache %s cannot be created (%s): caching in memory only", self.path, exc
            )
            return None

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=5.0, check_same_thread=False)
        try:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version not in (0, SCHEMA_VERSION):
                db.execute("DROP TABLE IF EXISTS vectors")
            db.execute(_SCHEMA)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            db.commit()
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def _from_memory(self, key: CacheKey, text: str, found: dict[str, Fetched]) -> bool:
        entry = self._memory.get((key, text))
        if entry is None:
            return False
        self._memory.move_to_end((key, text))
        found[text] = Fetched(entry[0].copy(), entry[1], cached=True)
        return True

    def _from_disk(self, key: CacheKey, texts: list[str], found: dict[str, Fetched]) -> None:
        # One query per chunk keeps under sqlite's limit on bound parameters.
        for start in range(0, len(texts), 500):
            chunk = texts[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            sql = f"SELECT text, normalized, vector FROM vectors WHERE {_KEY_WHERE} AND text IN "
            sql += f"({marks})"
            for text, normalized, blob in self._query(sql, (*key, *chunk)):
                vector = np.frombuffer(blob, dtype="<f4").astype(np.float32)
                self._remember(key, text, vector, bool(normalized))
                found[text] = Fetched(vector.copy(), bool(normalized), cached=True)

    def _remember(self, key: CacheKey, text: str, vector: np.ndarray, normalized: bool) -> None:
        stored = vector.copy()
        stored.setflags(write=False)
        self._memory[(key, text)] = (stored, normalized)
        self._memory.move_to_end((key, text))
        while len(self._memory) > self.memory_items:
            self._memory.popitem(last=False)

    def _query(self, sql: str, params: Sequence[object]) -> list[tuple[Any, ...]]:
        if self._db is None:
            return []
        try:
            return self._db.execute(sql, tuple(params)).fetchall()
        except sqlite3.Error as exc:
            self._give_up_disk("read", exc)
            return []

    def _write(self, rows: list[tuple[Any, ...]]) -> None:
        if self._db is None or not rows:
            return
        try:
            self._db.executemany(
                "INSERT OR REPLACE INTO vectors VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
            )
            self._db.commit()
        except sqlite3.Error as exc:
            self._give_up_disk("write", exc)

    def _give_up_disk(self, action: str, exc: sqlite3.Error) -> None:
        log.warning(
            "vector cache %s failed to %s (%s): caching in memory only", self.path, action, exc
        )
        if self._db is not None:
            self._db.close()
            self._db = None


class CachedSource(Source):
    """Any source with a VectorCache in front of it; it looks and names itself like the source."""

    def __init__(self, inner: Source, cache: VectorCache | None = None) -> None:
        self.inner = inner
        self.cache = cache if cache is not None else VectorCache()
        super().__init__(inner.model, inner.address, window=inner.window)
        self.name = inner.name

    @property
    def on_status(self) -> StatusCallback | None:
        return self.inner.on_status

    @on_status.setter
    def on_status(self, callback: StatusCallback | None) -> None:
        self.inner.on_status = callback

    @property
    def window(self) -> int:
        return self.inner.window

    @window.setter
    def window(self, n: int) -> None:
        self.inner.window = n

    @property
    def model_label(self) -> str:
        return self.inner.model_label

    @property
    def endpoint(self) -> str:
        return self.inner.endpoint

    @property
    def prefix(self) -> str:
        return self.inner.prefix

    def models(self) -> list[ModelInfo]:
        return self.inner.models()

    def close(self) -> None:
        try:
            self.inner.close()
        finally:
            self.cache.close()

    def _fetch(self, sent: list[str]) -> list[Fetched]:
        found: dict[str, Fetched] = {}
        for key in self.inner.cache_keys():
            found.update(self.cache.get_many(key, [text for text in sent if text not in found]))
        missing = [text for text in sent if text not in found]
        if missing:
            fetched = self.inner._fetch(missing)
            # The key is read again: an Ollama server can switch endpoint on the first request.
            self.cache.put_many(self.inner.cache_key(), zip(missing, fetched, strict=True))
            found.update(zip(missing, fetched, strict=True))
        log.debug("cache: %d hit(s), %d miss(es)", len(sent) - len(missing), len(missing))
        return [found[text] for text in sent]

    def _discover_dims(self) -> int:
        for key in self.inner.cache_keys():
            known = self.cache.dims(key)
            if known is not None:
                return known
        return self.inner.dims()
