"""How many frames a txt2vid makes, at what rate, and what the file is called.

A text is cut into steps (prefixes). Each step is held for `hold` frames, and between two steps
`morph` frames blend the old picture into the new, so

    frames = steps * hold + (steps - 1) * morph

The default frame rate keeps a video at about ten seconds whatever the text's length, as the
original tool did: fps = ceil(frames / 10), at least 1 and at most 60 (so texts past 600 frames
make longer videos rather than faster ones).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from pathlib import Path
from typing import overload

from visualizer.errors import UsageError
from visualizer.sources.text import StepBy, step_ends

RECORDINGS = Path("recordings")
TARGET_SECONDS = 10
MIN_FPS = 1
MAX_FPS = 60

_SLUG_CHARACTERS = 40


@dataclass(frozen=True)
class PlannedFrame:
    """One frame to render: the step it belongs to, and how far the morph into it has got.

    `t` is 1.0 for the frames that hold a step; a morph frame has `0 < t < 1` and blends from
    step `step - 1`. `repeat` is how many identical frames to write (the hold).
    """

    step: int
    t: float
    repeat: int


class Prefixes(Sequence[str]):
    """The steps of a text as prefixes, each made when asked for, so a long text's steps take
    memory in proportion to its length (one int a step), not to its length squared."""

    def __init__(self, text: str, by: StepBy = "char") -> None:
        self.text = text
        self.ends = step_ends(text, by)

    def __len__(self) -> int:
        return len(self.ends)

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self.text[:end] for end in self.ends[index]]
        return self.text[: self.ends[index]]

    def added(self, index: int) -> int:
        """How many characters step `index` added to the one before."""
        return self.ends[index] - (self.ends[index - 1] if index > 0 else 0)


def frame_count(steps: int, hold: int = 1, morph: int = 0) -> int:
    """steps * hold + (steps - 1) * morph, the frames a txt2vid of `steps` steps writes."""
    check_hold_morph(hold, morph)
    if steps <= 0:
        return 0
    return steps * hold + (steps - 1) * morph


def default_fps(frames: int) -> Fraction:
    """Ten seconds of video: frames / 10 frames a second, clamped to 1..60 (so fewer than ten
    frames last a second each, and more than 600 play at 60 fps)."""
    return max(Fraction(MIN_FPS), min(Fraction(MAX_FPS), Fraction(frames, TARGET_SECONDS)))


def check_hold_morph(hold: int, morph: int) -> None:
    if hold < 1:
        raise UsageError(f"--hold {hold}: each step needs at least 1 frame")
    if morph < 0:
        raise UsageError(f"--morph {morph}: the frames between steps cannot be negative")


def frames_of_step(step: int, hold: int = 1, morph: int = 0) -> list[PlannedFrame]:
    """The frames of one step: the morph from the step before (none for the first), the hold."""
    check_hold_morph(hold, morph)
    morphs = [PlannedFrame(step, j / (morph + 1), 1) for j in range(1, morph + 1)] if step else []
    return [*morphs, PlannedFrame(step, 1.0, hold)]


def plan(steps: int, hold: int = 1, morph: int = 0) -> Iterator[PlannedFrame]:
    """The frames of a txt2vid in order: for each step, its morph frames, then its hold."""
    for step in range(steps):
        yield from frames_of_step(step, hold, morph)


def slug(text: str) -> str:
    """A short file-name-safe form of a text: 'Café au lait!' -> 'cafe-au-lait'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    cut = words[:_SLUG_CHARACTERS].rsplit("-", 1)[0] if len(words) > _SLUG_CHARACTERS else words
    return cut.strip("-") or "text"


def default_output(text: str, now: datetime | None = None, folder: Path = RECORDINGS) -> Path:
    """recordings/<slug of the text>-<YYYYmmdd-HHMMSS>.mp4, with -2, -3... if that is taken."""
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    stem = f"{slug(text)}-{stamp}"
    path = folder / f"{stem}.mp4"

    number = 2
    while path.exists():
        path = folder / f"{stem}-{number}.mp4"
        number += 1
    return path
