"""Scan a folder of text files into overlapping chunks, and embed them for the gallery.

Chunks are measured in characters, the unit the sources window text in, so a chunk of at most
`--window` characters reaches the model whole. A file no longer than `chunk` characters is one
chunk. A longer file is cut every `stride` characters into chunks of `chunk` characters; when
the last regular chunk stops short of the end, one more chunk ends exactly at the end of the
file, so the tail is never dropped. Each chunk keeps its 1-based line range for its label.

Files are read as UTF-8. A file with a NUL byte in its first 8 KiB is binary; binary,
non-UTF-8, unreadable and oversized files are skipped and counted, with the reason. Empty and
whitespace-only files give no chunk and are counted apart. Hidden files and folders (a name
starting with ".") are left out, so a scan of a checkout does not wander into .git or .venv.
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from visualizer.errors import UsageError
from visualizer.sources.base import Embedding, Source

log = logging.getLogger(__name__)

#: default chunk length and stride, in characters (256 is the sources' default window)
CHUNK = 256
STRIDE = 192
#: default glob: every file, at any depth
GLOB = "*"
#: files larger than this many bytes are skipped (a 1 MB file is ~5000 chunks)
MAX_BYTES = 1_000_000
#: how many leading bytes are searched for a NUL to call a file binary
SNIFF_BYTES = 8192
#: texts per embed() call while scanning
BATCH = 32

Progress = Callable[[int], object]


@dataclass(frozen=True)
class Chunk:
    """A piece of one file: its text, character offsets [start, end) and 1-based line range."""

    path: Path
    name: str
    text: str
    start: int
    end: int
    first_line: int
    last_line: int
    #: the column (from 1) where a chunk that starts inside a line begins; 0 at a line start
    column: int = 0

    @property
    def label(self) -> str:
        """`name:first-last`, as the gallery and the captions show it; `name:line.column-last`
        for a chunk that starts inside a line, so chunks of long lines tell apart."""
        first = f"{self.first_line}.{self.column}" if self.column else str(self.first_line)
        if self.first_line == self.last_line:
            return f"{self.name}:{first}"
        return f"{self.name}:{first}-{self.last_line}"


@dataclass(frozen=True)
class Skipped:
    """A file the scan left out, and why."""

    path: Path
    reason: str


@dataclass
class Scan:
    """What a folder scan found: the chunks in file order, and the files it could not use."""

    folder: Path
    chunks: list[Chunk] = field(default_factory=list)
    files: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    empty: list[Path] = field(default_factory=list)

    def summary(self) -> str:
        """One line: chunks, files, and the counts of empty and skipped files."""
        text = f"{len(self.chunks)} chunks from {self.files} files"
        text += f"; {len(self.empty)} empty, {len(self.skipped)} skipped"
        if self.skipped:
            text += " (" + ", ".join(sorted({s.reason for s in self.skipped})) + ")"
        return text


def spans(length: int, chunk: int = CHUNK, stride: int = STRIDE) -> list[tuple[int, int]]:
    """The [start, end) character spans cutting a text of `length` characters.

    The last span always ends at `length`: a short text is one span, and a text whose last
    regular span stops short gets one more span ending at the end, of full `chunk` length.
    """
    check_sizes(chunk, stride)
    if length <= 0:
        return []
    if length <= chunk:
        return [(0, length)]

    starts = list(range(0, length - chunk + 1, stride))
    if starts[-1] + chunk < length:
        starts.append(length - chunk)
    return [(start, start + chunk) for start in starts]


def check_sizes(chunk: int, stride: int) -> None:
    """Raise UsageError unless 0 < stride <= chunk (a longer stride would leave gaps)."""
    if chunk < 1:
        raise UsageError(f"--chunk must be at least 1 character, got {chunk}")
    if not 1 <= stride <= chunk:
        raise UsageError(
            f"--stride must be between 1 and --chunk ({chunk}), got {stride}: a stride longer "
            "than the chunk would leave text out"
        )


def chunk_text(
    text: str, path: Path, name: str, chunk: int = CHUNK, stride: int = STRIDE
) -> list[Chunk]:
    """Cut one file's text into chunks with their line ranges; none for whitespace-only text."""
    if not text.strip():
        return []

    newlines = [i for i, char in enumerate(text) if char == "\n"]
    chunks = []
    for start, end in spans(len(text), chunk, stride):
        first = bisect.bisect_left(newlines, start) + 1
        last = bisect.bisect_left(newlines, end - 1) + 1
        line_start = newlines[first - 2] + 1 if first > 1 else 0
        column = start - line_start + 1 if start > line_start else 0
        chunks.append(Chunk(path, name, text[start:end], start, end, first, last, column))
    return chunks


def read_text(path: Path, max_bytes: int = MAX_BYTES) -> str | Skipped:
    """The file's text, or a Skipped naming why it cannot be used as text."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return Skipped(path, f"larger than {max_bytes} bytes")
        data = path.read_bytes()
    except OSError as exc:
        return Skipped(path, f"unreadable ({exc.strerror or exc.__class__.__name__})")

    if b"\0" in data[:SNIFF_BYTES]:
        return Skipped(path, "binary")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return Skipped(path, "not UTF-8")


def matching_files(folder: Path, glob: str = GLOB) -> Iterator[Path]:
    """Files under `folder` matching `glob`, sorted, hidden names left out.

    A pattern without "/" matches file names at any depth ("*.py"); a pattern with "/" is
    matched from the folder, as pathlib's glob does ("src/**/*.py").
    """
    found = folder.glob(glob) if "/" in glob else folder.rglob(glob)
    for path in sorted(found):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts):
            continue
        if path.is_file():
            yield path


def scan_folder(
    folder: Path | str,
    glob: str = GLOB,
    chunk: int = CHUNK,
    stride: int = STRIDE,
    max_bytes: int = MAX_BYTES,
) -> Scan:
    """Read every matching file under `folder` and cut it into chunks (nothing is embedded)."""
    root = Path(folder)
    if not root.is_dir():
        raise UsageError(f"{str(root)!r} is not a folder: give `embviz scan` a folder to scan")
    check_sizes(chunk, stride)

    scan = Scan(root)
    for path in matching_files(root, glob):
        text = read_text(path, max_bytes)
        if isinstance(text, Skipped):
            log.debug("skipping %s: %s", path, text.reason)
            scan.skipped.append(text)
            continue

        pieces = chunk_text(text, path, path.relative_to(root).as_posix(), chunk, stride)
        if not pieces:
            scan.empty.append(path)
            continue
        scan.files += 1
        scan.chunks.extend(pieces)
    log.info("scanned %s: %s", root, scan.summary())
    return scan


def embed_chunks(
    source: Source,
    chunks: Sequence[Chunk],
    batch: int = BATCH,
    progress: Progress | None = None,
) -> list[Embedding]:
    """Embed the chunks in batches, in order; `progress(n)` after each batch of n chunks.

    With a cached source (the default of open_source), chunks seen before cost no request, so a
    rescan of unchanged files only reads the cache.
    """
    embeddings: list[Embedding] = []
    for first in range(0, len(chunks), batch):
        texts = [c.text for c in chunks[first : first + batch]]
        embeddings.extend(source.embed(texts))
        if progress is not None:
            progress(len(texts))
    return embeddings
