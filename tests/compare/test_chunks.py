"""Scanning a folder into chunks: short, long, binary, empty and undecodable files."""

from __future__ import annotations

from pathlib import Path

import pytest

from visualizer.errors import UsageError
from visualizer.sources import chunks


def make_folder(root: Path) -> dict[str, str]:
    long = "".join(f"line {n:03d} of the long file\n" for n in range(1, 41))
    texts = {"short.txt": "a short file\nof two lines\n", "sub/long.py": long}
    for name, text in texts.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")

    (root / "image.bin").write_bytes(bytes(range(256)) * 4)
    (root / "empty.txt").write_bytes(b"")
    (root / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    (root / ".hidden").mkdir()
    (root / ".hidden" / "secret.txt").write_text("not scanned", encoding="utf-8")
    return texts


def test_scan_yields_every_chunk_and_keeps_the_tail(tmp_path: Path) -> None:
    texts = make_folder(tmp_path)
    long = texts["sub/long.py"]
    scan = chunks.scan_folder(tmp_path, chunk=100, stride=80)

    spans = [(c.name, c.start, c.end) for c in scan.chunks]
    tail_start = len(long) - 100
    regular = [("sub/long.py", s, s + 100) for s in range(0, len(long) - 100 + 1, 80)]
    assert len(long) == 1040 and len(regular) == 12 and regular[-1][2] == 980
    assert spans == [("short.txt", 0, len(texts["short.txt"]))] + regular + [
        ("sub/long.py", tail_start, len(long))
    ]
    assert all(c.text == long[c.start : c.end] for c in scan.chunks[1:])


def test_scan_counts_skipped_and_empty_files(tmp_path: Path) -> None:
    make_folder(tmp_path)
    scan = chunks.scan_folder(tmp_path, chunk=100, stride=80)

    assert scan.files == 2
    assert {(s.path.name, s.reason) for s in scan.skipped} == {
        ("image.bin", "binary"),
        ("latin1.txt", "not UTF-8"),
    }
    assert [p.name for p in scan.empty] == ["empty.txt"]
    assert scan.summary().endswith("1 empty, 2 skipped (binary, not UTF-8)")


def test_line_ranges_label_each_chunk(tmp_path: Path) -> None:
    texts = make_folder(tmp_path)
    scan = chunks.scan_folder(tmp_path, chunk=100, stride=80)
    long = texts["sub/long.py"]

    for chunk in scan.chunks[1:]:
        first = long.count("\n", 0, chunk.start) + 1
        last = long.count("\n", 0, chunk.end - 1) + 1
        assert (chunk.first_line, chunk.last_line) == (first, last)
        column = chunk.start - (long.rfind("\n", 0, chunk.start) + 1) + 1
        assert chunk.column == (0 if column == 1 else column)
    assert scan.chunks[0].label == "short.txt:1-2"
    assert scan.chunks[1].label == "sub/long.py:1-4"
    assert scan.chunks[-1].label.split(":")[-1].split(".")[0] == "37"
    assert scan.chunks[-1].label.endswith("-40")
    labels = [chunk.label for chunk in scan.chunks]
    assert len(set(labels)) == len(labels)  # no two chunks labelled alike


def test_glob_without_slash_matches_at_any_depth(tmp_path: Path) -> None:
    make_folder(tmp_path)

    assert {c.name for c in chunks.scan_folder(tmp_path, glob="*.py").chunks} == {"sub/long.py"}
    assert chunks.scan_folder(tmp_path, glob="sub/*.txt").chunks == []


@pytest.mark.parametrize(
    ("length", "expected"),
    [(0, []), (5, [(0, 5)]), (10, [(0, 10)]), (11, [(0, 10), (1, 11)]), (18, [(0, 10), (8, 18)])],
)
def test_spans_cover_the_end(length: int, expected: list[tuple[int, int]]) -> None:
    assert chunks.spans(length, chunk=10, stride=8) == expected


def test_bad_sizes_and_missing_folder_are_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="--stride"):
        chunks.spans(100, chunk=10, stride=20)
    with pytest.raises(UsageError, match="not a folder"):
        chunks.scan_folder(tmp_path / "missing")
