"""Fonts for text in any script: a primary font and fallbacks, chosen grapheme by grapheme.

pygame.font draws a string with one font, so the characters that font lacks (CJK, emoji) come
out as boxes. `ChainFont` is a pygame Font that cuts its text into graphemes (the `regex`
module's \\X, so a combining mark stays with its base), gives each grapheme to the first font of
its `FontChain` that has all of its characters, and draws the runs side by side on the primary
font's baseline. Line height and ascent stay the primary font's, so layouts do not move.

Coverage is read with pygame.freetype (its metrics are None for a missing glyph; pygame.font's
are the box's). A character no font of the chain has is looked up once with fontconfig.
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import subprocess
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import regex

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
import pygame  # noqa: E402  (after the variable that silences its banner)
import pygame.freetype  # noqa: E402

if TYPE_CHECKING:
    from pygame.typing import ColorLike

log = logging.getLogger(__name__)

#: system fonts tried first for the primary font (wide Unicode coverage)
FONT_NAMES = "dejavusans,notosans,liberationsans,freesans"

_GRAPHEME = regex.compile(r"\X")
#: letters whose heights size a fallback font against the primary one
_SIZE_PROBES = "Hd中あ한"
#: characters that change their neighbours and draw nothing themselves (ZWJ, variation selectors)
# Limitation: no shaping: a ZWJ emoji sequence shows its emoji one by one, FE0F does not turn a
# text symbol (❤) into its emoji, and Arabic or Indic letters are not joined.
_IGNORABLE = regex.compile(r"[\u200b-\u200d\u2060\ufe00-\ufe0f\U000e0000-\U000e01ef]")


@dataclass(frozen=True)
class Fallback:
    """Where to find a font for one kind of text, and the Debian package that provides it."""

    kind: str
    names: str  # pygame system font names, best first
    files: tuple[str, ...]  # known Debian paths, used when fontconfig finds none of `names`
    package: str


FALLBACKS = (
    Fallback(
        "CJK",
        "notosanscjksc,notosanscjk,droidsansfallback,droidsansfallbackfull,"
        "wenquanyimicrohei,wenquanyizenhei",
        ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",),
        "fonts-droid-fallback",
    ),
    Fallback(
        "emoji",
        "notocoloremoji,notoemoji,symbola,twemoji",
        (
            "/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf",
            "/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf",
        ),
        "fonts-noto-color-emoji",
    ),
)


def _init_fonts() -> None:
    if not pygame.font.get_init():
        pygame.font.init()
    if not pygame.freetype.get_init():
        pygame.freetype.init()


@functools.lru_cache(maxsize=1)
def font_path() -> str | None:
    """The file of the first installed font of FONT_NAMES, or None for pygame's own font."""
    _init_fonts()
    path = pygame.font.match_font(FONT_NAMES)
    log.debug("text font: %s", path or "pygame default")
    return str(path) if path else None


@functools.lru_cache(maxsize=1)
def fallback_paths() -> tuple[str, ...]:
    """The fallback font files found, in FALLBACKS order; warns once for each kind not found."""
    _init_fonts()
    paths: list[str] = []
    for fallback in FALLBACKS:
        found = pygame.font.match_font(fallback.names)
        found = found or next((f for f in fallback.files if os.path.isfile(f)), None)
        if found is None:
            log.warning(
                "no %s font found, so %s text shows as boxes: install one with "
                "`apt-get install %s`",
                fallback.kind,
                fallback.kind,
                fallback.package,
            )
        elif str(found) not in paths:
            paths.append(str(found))
    log.debug("fallback fonts: %s", paths)
    return tuple(paths)


@functools.lru_cache(maxsize=4096)
def fontconfig_file(codepoint: int) -> str | None:
    """A font file fontconfig says has `codepoint`, or None (none, or no fc-list)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    command = [fc_list, "--format", "%{file}\n", f":charset={codepoint:x}"]
    try:
        reply = subprocess.run(command, capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        log.debug("fc-list failed for U+%04X: %s", codepoint, error)
        return None
    files = sorted(
        f for f in reply.stdout.splitlines() if f.lower().endswith((".ttf", ".otf", ".ttc"))
    )
    return files[0] if files else None


def _default_font_file() -> str:
    return os.path.join(os.path.dirname(pygame.__file__), pygame.font.get_default_font())


class FontChain:
    """A primary font file and its fallbacks, with which of them draws each grapheme.

    Holds only file names and what they cover, never pygame objects, so one chain serves every
    size and outlives `pygame.quit()`.
    """

    def __init__(self, paths: Iterable[str]) -> None:
        self.paths = list(dict.fromkeys(paths))
        self.bitmap: list[bool] = []
        self._covers: list[dict[str, bool]] = []
        self._choice: dict[str, tuple[int, str]] = {}
        self._primary: set[str] = set()  # characters the primary font is known to have
        self._lock = threading.Lock()
        for path in list(self.paths):
            if not self._add(path):
                self.paths.remove(path)

    def _add(self, path: str) -> bool:
        # Records a font's kind; False (and a warning) when freetype cannot read the file.
        _init_fonts()
        try:
            face = pygame.freetype.Font(path)
        except OSError as error:
            log.warning("cannot read font %s (%s): leaving it out of the font chain", path, error)
            return False
        self.bitmap.append(not face.scalable)
        self._covers.append({})
        return True

    def covers(self, index: int, chars: str) -> bool:
        """Whether font `index` has a glyph for every character of `chars`."""
        known = self._covers[index]
        unknown = "".join(dict.fromkeys(c for c in chars if c not in known))
        if unknown:
            _init_fonts()
            face = pygame.freetype.Font(self.paths[index])
            size = face.get_sizes()[0][0] if not face.scalable and face.get_sizes() else 16
            for char, metrics in zip(unknown, face.get_metrics(unknown, size=size), strict=True):
                known[char] = metrics is not None
        if index == 0:
            self._primary.update(c for c in chars if known[c])
        return all(known[c] for c in chars)

    def primary_has(self, text: str) -> bool:
        """Whether the primary font is known to have every character of `text` (a fast check)."""
        return self._primary.issuperset(text)

    def pick(self, grapheme: str) -> tuple[int, str]:
        """The index of the font that draws `grapheme`, and the text to give that font.

        The text drops the invisible joiners and selectors that font lacks (it would draw
        them as boxes). A grapheme no font has goes to the font of its base character, else
        to the primary font, which draws its box.
        """
        hit = self._choice.get(grapheme)
        if hit is not None:
            return hit
        with self._lock:
            index = self._choose(grapheme)
            shown = "".join(c for c in grapheme if not _IGNORABLE.match(c) or self.covers(index, c))
            self._choice[grapheme] = (index, shown or grapheme)
        return self._choice[grapheme]

    def _choose(self, grapheme: str) -> int:
        chars = _IGNORABLE.sub("", grapheme) or grapheme
        for index in range(len(self.paths)):
            if self.covers(index, chars):
                return index

        found = fontconfig_file(ord(chars[0]))
        if found is not None and found not in self.paths and self._add(found):
            log.debug("U+%04X: adding %s to the font chain", ord(chars[0]), found)
            self.paths.append(found)
            if self.covers(len(self.paths) - 1, chars):
                return len(self.paths) - 1
        return next((i for i in range(len(self.paths)) if self.covers(i, chars[0])), 0)

    def runs(self, text: str) -> list[tuple[int, str]]:
        """`text` cut into (font index, text) runs, each drawn by one font of the chain."""
        runs: list[tuple[int, str]] = []
        for grapheme in _GRAPHEME.findall(text):
            index, shown = self.pick(grapheme)
            if runs and runs[-1][0] == index:
                runs[-1] = (index, runs[-1][1] + shown)
            else:
                runs.append((index, shown))
        return runs


@functools.lru_cache(maxsize=8)
def font_chain(primary: str | None = None) -> FontChain:
    """The font chain that starts at `primary` (a font file; None: pygame's own font).

    After the primary font come the text font (FONT_NAMES) and the fallbacks, in that order.
    """
    _init_fonts()
    text_font = [path] if (path := font_path()) else []
    return FontChain([primary or _default_font_file(), *text_font, *fallback_paths()])


class ChainFont(pygame.font.Font):
    """A pygame Font (same arguments) whose `size` and `render` fall back font by font.

    Everything else (`get_linesize`, `get_ascent`, ...) is the primary font's. Text the primary
    font covers takes pygame's own path unchanged.
    """

    def __init__(self, path: str | None, size: int) -> None:
        _init_fonts()
        super().__init__(path, size)
        self.chain = font_chain(path)
        self.pixel_size = int(size)
        self._fonts: dict[str, pygame.font.Font] = {}

    def _font(self, index: int) -> pygame.font.Font:
        if index == 0:
            return self
        path = self.chain.paths[index]
        if path not in self._fonts:
            font = pygame.font.Font(path, self.pixel_size)
            ratio = 1.0 if self.chain.bitmap[index] else self._fit(index, font)
            if ratio < 1:
                font = pygame.font.Font(path, max(1, round(self.pixel_size * ratio)))
            self._fonts[path] = font
        return self._fonts[path]

    def _fit(self, index: int, font: pygame.font.Font) -> float:
        # How much to shrink a fallback (at most 1): capitals no taller than the primary font's,
        # and its tallest probe glyph (Latin, Han, kana, Hangul) under the primary's ascent.
        probes = "".join(c for c in _SIZE_PROBES if self.chain.covers(index, c))
        tallest = max((_top(font, c) for c in probes), default=0)
        ratio = self.get_ascent() / tallest if tallest > 0 else 1.0
        if "H" in probes and self.chain.covers(0, "H"):
            ratio = min(ratio, _top(self, "H") / max(1, _top(font, "H")))
        return min(1.0, ratio)

    def _fallback_runs(self, text: str) -> list[tuple[int, str]] | None:
        # None when the primary font draws all of `text`: the common case stays pygame's.
        if self.chain.primary_has(text):
            return None
        runs = self.chain.runs(text)
        if all(index == 0 for index, _ in runs):
            return None
        return runs

    def _scale(self, index: int) -> float:
        # Bitmap fonts (colour emoji) come in fixed sizes: scale their runs to the line.
        font = self._font(index)
        if not self.chain.bitmap[index] or font.get_height() <= self.get_height():
            return 1.0
        return self.get_height() / font.get_height()

    def size(self, text: str) -> tuple[int, int]:  # type: ignore[override]
        """Width and height of `text` in pixels, each grapheme measured in its own font."""
        runs = self._fallback_runs(text)
        if runs is None:
            return super().size(text)
        width = sum(round(self._font(i).size(t)[0] * self._scale(i)) for i, t in runs)
        return width, self.get_height()

    def render(  # type: ignore[override]
        self,
        text: str,
        antialias: bool,
        color: ColorLike,
        bgcolor: ColorLike | None = None,
        wraplength: int = 0,
    ) -> pygame.Surface:
        """`text` drawn grapheme by grapheme in the chain's fonts, on one baseline."""
        runs = self._fallback_runs(text)
        # Limitation: wrapped rendering (wraplength) uses the primary font alone.
        if runs is None or wraplength:
            return super().render(text, antialias, color, bgcolor, wraplength)

        pieces = [self._render_run(i, t, antialias, color) for i, t in runs]
        width = sum(piece.get_width() for piece, _ in pieces)
        surface = pygame.Surface((max(1, width), self.get_height()), pygame.SRCALPHA)
        surface.fill(bgcolor if bgcolor is not None else (0, 0, 0, 0))

        x = 0
        for piece, ascent in pieces:
            surface.blit(piece, (x, self.get_ascent() - ascent))
            x += piece.get_width()
        return surface

    def _render_run(
        self, index: int, text: str, antialias: bool, color: ColorLike
    ) -> tuple[pygame.Surface, int]:
        # One run in its font, and that font's ascent (scaled with it) for the baseline.
        font = self._font(index)
        piece = font.render(text, antialias, color)
        scale = self._scale(index)
        if scale == 1.0:
            return piece, font.get_ascent()

        rgba = pygame.Surface(piece.get_size(), pygame.SRCALPHA)
        rgba.blit(piece, (0, 0))  # smoothscale wants 32-bit pixels; without antialias they are 8
        size = (max(1, round(piece.get_width() * scale)), max(1, round(piece.get_height() * scale)))
        return pygame.transform.smoothscale(rgba, size), round(font.get_ascent() * scale)


def _top(font: pygame.font.Font, char: str) -> int:
    """How far `char` reaches above the baseline in `font`, in pixels (0 when unknown)."""
    metrics = font.metrics(char)
    return int(metrics[0][3]) if metrics and metrics[0] is not None else 0
