"""Input hygiene before a text is embedded, and the ways a text is stepped through.

`clean` makes any Python string safe to encode as UTF-8 and send; `window` keeps the last
characters of a long text without splitting a user-perceived character; `steps` gives the
prefixes a recording or a replay shows one after another.
"""

from __future__ import annotations

from typing import Literal

import regex

from visualizer.errors import UsageError

StepBy = Literal["char", "grapheme", "word"]
STEP_BY: tuple[StepBy, ...] = ("char", "grapheme", "word")

REPLACEMENT = "\ufffd"

_GRAPHEME = regex.compile(r"\X")
_WORD = regex.compile(r"\S+")


def clean(text: str) -> str:
    """The text with lone surrogates replaced by U+FFFD and NUL characters removed.

    A surrogate pair that arrived as two code points (from a UTF-16 source) is joined into the
    character it encodes. NUL is dropped because a C engine would stop reading at it.
    """
    if text.isascii():
        return text.replace("\x00", "")

    joined = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return joined.replace("\x00", "")


def is_blank(text: str) -> bool:
    """True for text that is empty or whitespace only: it is never sent to a model."""
    return not text.strip()


def window(text: str, n: int) -> tuple[str, bool]:
    """The last `n` characters of `text` and whether it was cut; `n` <= 0 keeps everything.

    The cut moves forward to the next grapheme boundary, so a combining mark or an emoji
    sequence is never split: the result can be a few characters shorter than `n`.
    """
    if n <= 0 or len(text) <= n:
        return text, False

    # Graphemes are matched from a little before the cut, not from the start of a long text;
    # no real grapheme cluster is longer than the lookback.
    start = len(text) - n
    for match in _GRAPHEME.finditer(text, pos=max(0, start - 64)):
        if match.start() >= start:
            return text[match.start() :], True
    return "", True


def steps(text: str, by: StepBy = "char") -> list[str]:
    """The prefixes of `text`, one per step, the last being the whole text.

    "char" adds one code point a step, "grapheme" one user-perceived character (an emoji or a
    letter with its combining accent stays whole), "word" one run of non-space characters,
    with the whitespace before it.
    """
    return [text[:end] for end in step_ends(text, by)]


def step_ends(text: str, by: StepBy = "char") -> list[int]:
    """Where each step of `steps` ends in `text`: the prefixes' lengths, without making them
    (a long text's prefixes together take memory quadratic in its length)."""
    if by == "char":
        ends = list(range(1, len(text) + 1))
    elif by == "grapheme":
        ends = [match.end() for match in _GRAPHEME.finditer(text)]
    elif by == "word":
        # Limitation: scripts written without spaces (Chinese, Japanese) step a whole run at once.
        ends = [match.end() for match in _WORD.finditer(text)]
        if text and (not ends or ends[-1] != len(text)):
            ends.append(len(text))
    else:
        raise UsageError(f"unknown step {by!r}: use one of {', '.join(STEP_BY)}")
    return ends
