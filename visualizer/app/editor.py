"""The text the user is typing: one line with a cursor, and a history of finished lines.

Pure state, no pygame: the window turns key events into calls on an `Editor`, and every call
that changes the text returns True so the window knows to ask for a new vector.
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass, field

import regex

log = logging.getLogger(__name__)

#: the most characters the line keeps; a longer paste keeps its last characters
MAX_CHARS = 4096

#: how many finished lines Enter keeps
HISTORY_SIZE = 100


def _one_line(text: str) -> str:
    """Line breaks and tabs become spaces; other control characters are dropped."""
    text = text.replace("\r\n", " ").replace("\r", " ").replace("\n", " ").replace("\t", " ")
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cc")


def _grapheme_before(text: str, i: int) -> int:
    """Where the user-perceived character (emoji, letter + accent) ending at i starts."""
    start = 0
    for match in regex.finditer(r"\X", text[:i]):
        start = match.start()
    return start


def _grapheme_after(text: str, i: int) -> int:
    match = regex.match(r"\X", text, pos=i)
    return match.end() if match else i


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


@dataclass
class Editor:
    """A single line of text with a cursor, word-wise editing and an Up/Down history."""

    text: str = ""
    cursor: int = 0
    history: list[str] = field(default_factory=list)
    max_chars: int = MAX_CHARS
    #: a one-time message for the status line, e.g. that a paste was cut; read with take_note()
    note: str = ""
    _recall: int | None = None
    _draft: str = ""

    # -- typing ------------------------------------------------------------------------------

    def insert(self, typed: str) -> bool:
        """Insert typed or pasted text at the cursor; a line over max_chars keeps its end."""
        typed = _one_line(typed)
        if not typed:
            return False

        text = self.text[: self.cursor] + typed + self.text[self.cursor :]
        cursor = self.cursor + len(typed)
        if len(text) > self.max_chars:
            cut = len(text) - self.max_chars
            self.note = (
                f"text is {len(text):,} characters: keeping the last {self.max_chars:,} "
                f"(dropped {cut:,} from the start)"
            )
            text, cursor = text[cut:], max(0, cursor - cut)
        return self._set(text, cursor)

    def paste(self, pasted: str) -> bool:
        """Insert clipboard text; say so in `note` when it is long or had line breaks."""
        if "\n" in pasted or "\r" in pasted:
            self.note = "pasted text had line breaks: they became spaces"
        return self.insert(pasted)

    def backspace(self) -> bool:
        start = _grapheme_before(self.text, self.cursor)
        if start == self.cursor:
            return False
        return self._set(self.text[:start] + self.text[self.cursor :], start)

    def backspace_word(self) -> bool:
        """Delete back to the start of the word before the cursor (Ctrl+Backspace)."""
        start = self._word_left(self.cursor)
        if start == self.cursor:
            return False
        return self._set(self.text[:start] + self.text[self.cursor :], start)

    def delete(self) -> bool:
        end = _grapheme_after(self.text, self.cursor)
        if end == self.cursor:
            return False
        return self._set(self.text[: self.cursor] + self.text[end:], self.cursor)

    def delete_word(self) -> bool:
        """Delete forward to the end of the word after the cursor (Ctrl+Delete)."""
        end = self._word_right(self.cursor)
        if end == self.cursor:
            return False
        return self._set(self.text[: self.cursor] + self.text[end:], self.cursor)

    def clear(self) -> bool:
        """Empty the line (Ctrl+L); the history stays."""
        return self._set("", 0)

    # -- moving the cursor (never changes the text) --------------------------------------------

    def left(self, word: bool = False) -> None:
        if word:
            self.cursor = self._word_left(self.cursor)
        else:
            self.cursor = _grapheme_before(self.text, self.cursor)

    def right(self, word: bool = False) -> None:
        if word:
            self.cursor = self._word_right(self.cursor)
        else:
            self.cursor = _grapheme_after(self.text, self.cursor)

    def home(self) -> None:
        self.cursor = 0

    def end(self) -> None:
        self.cursor = len(self.text)

    # -- history ------------------------------------------------------------------------------

    def submit(self) -> bool:
        """Enter: keep the line in the history and start an empty one."""
        if self.text.strip() and (not self.history or self.history[-1] != self.text):
            self.history.append(self.text)
            del self.history[:-HISTORY_SIZE]
        self._recall = None
        return self._set("", 0)

    def recall_previous(self) -> bool:
        """Up: show the line before the one shown (the draft being typed is kept for Down)."""
        if not self.history:
            return False
        if self._recall is None:
            self._draft, self._recall = self.text, len(self.history)
        if self._recall == 0:
            return False

        self._recall -= 1
        line = self.history[self._recall]
        return self._set(line, len(line), keep_recall=True)

    def recall_next(self) -> bool:
        """Down: the next line in the history, then back to the draft."""
        if self._recall is None:
            return False

        self._recall += 1
        if self._recall >= len(self.history):
            self._recall = None
            return self._set(self._draft, len(self._draft))
        line = self.history[self._recall]
        return self._set(line, len(line), keep_recall=True)

    # -- helpers ------------------------------------------------------------------------------

    def take_note(self) -> str:
        """The pending note for the status line, once."""
        note, self.note = self.note, ""
        return note

    def _set(self, text: str, cursor: int, keep_recall: bool = False) -> bool:
        changed = text != self.text
        self.text, self.cursor = text, cursor
        if changed and not keep_recall:
            self._recall = None
        return changed

    def _word_left(self, i: int) -> int:
        while i > 0 and not _is_word(self.text[i - 1]):
            i -= 1
        while i > 0 and _is_word(self.text[i - 1]):
            i -= 1
        return i

    def _word_right(self, i: int) -> int:
        n = len(self.text)
        while i < n and not _is_word(self.text[i]):
            i += 1
        while i < n and _is_word(self.text[i]):
            i += 1
        return i
