"""Shared test setup: offscreen SDL, a private cache folder, and the case texts."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Set before pygame or any source is imported by a test module.
os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

CASES = Path(__file__).parent / "cases"
TEXTS = CASES / "texts"


@pytest.fixture(autouse=True)
def private_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Each test gets its own on-disk vector cache, so no test sees another's vectors."""
    folder = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("EMBVIZ_CACHE_DIR", str(folder))
    return folder


@pytest.fixture(scope="session")
def case_texts() -> dict[str, str]:
    """The texts of tests/cases/texts by file stem: plain, paragraph, unicode, blank, empty."""
    return {path.stem: path.read_text(encoding="utf-8") for path in sorted(TEXTS.glob("*.txt"))}
