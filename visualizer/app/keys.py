"""The live window's shortcuts: one table that both the key handler and the F1 help read.

Typed characters arrive as TEXTINPUT events and never reach this table; shortcuts are function
keys and Ctrl combinations, so no shortcut can steal a letter from the text.
"""

from __future__ import annotations

from dataclasses import dataclass

import pygame


@dataclass(frozen=True)
class Binding:
    """One shortcut: the key, whether Ctrl/Shift must be held, and the window action it runs."""

    key: int
    action: str
    help: str
    ctrl: bool = False
    shift: bool = False

    @property
    def name(self) -> str:
        parts = ["Ctrl"] if self.ctrl else []
        parts += ["Shift"] if self.shift else []
        return "+".join([*parts, pygame.key.name(self.key).title()])


#: every shortcut of the live window, in the order the help lists them
BINDINGS = (
    Binding(pygame.K_F1, "toggle_help", "show or hide this help"),
    Binding(pygame.K_F2, "next_colormap", "next colormap"),
    Binding(pygame.K_F2, "previous_colormap", "previous colormap", shift=True),
    Binding(pygame.K_F3, "next_normalization", "next normalisation"),
    Binding(pygame.K_F3, "previous_normalization", "previous normalisation", shift=True),
    Binding(pygame.K_F4, "next_layout", "next layout (grid, variance)"),
    Binding(pygame.K_F5, "toggle_hud", "show or hide the HUD"),
    Binding(pygame.K_F6, "toggle_grid", "grid lines between cells on or off"),
    Binding(pygame.K_F7, "next_model", "switch to the source's next model"),
    Binding(pygame.K_F8, "toggle_presentation", "presentation: fullscreen, big caption, no HUD"),
    Binding(pygame.K_F9, "toggle_recording", "start or stop recording the window (MP4)"),
    Binding(pygame.K_F10, "record_txt2vid", "txt2vid of the current text (MP4, background)"),
    Binding(pygame.K_F11, "toggle_fullscreen", "fullscreen on or off"),
    Binding(pygame.K_F12, "screenshot", "screenshot (PNG) into the output folder"),
    Binding(pygame.K_RETURN, "submit", "keep the text in the history, start a new one"),
    Binding(pygame.K_KP_ENTER, "submit", ""),
    Binding(pygame.K_UP, "recall_previous", "recall the previous text"),
    Binding(pygame.K_DOWN, "recall_next", "recall the next text (then the draft)"),
    Binding(pygame.K_BACKSPACE, "backspace", "delete the character before the cursor"),
    Binding(pygame.K_BACKSPACE, "backspace_word", "delete the word before the cursor", ctrl=True),
    Binding(pygame.K_DELETE, "delete", "delete the character after the cursor"),
    Binding(pygame.K_DELETE, "delete_word", "delete the word after the cursor", ctrl=True),
    Binding(pygame.K_LEFT, "left", "cursor left"),
    Binding(pygame.K_RIGHT, "right", "cursor right"),
    Binding(pygame.K_LEFT, "word_left", "cursor one word left", ctrl=True),
    Binding(pygame.K_RIGHT, "word_right", "cursor one word right", ctrl=True),
    Binding(pygame.K_HOME, "home", "cursor to the start"),
    Binding(pygame.K_END, "end", "cursor to the end"),
    Binding(pygame.K_v, "paste", "paste (long text keeps its end, with a note)", ctrl=True),
    Binding(pygame.K_l, "clear", "clear the text", ctrl=True),
    Binding(pygame.K_ESCAPE, "escape", "quit (press twice when there is text)"),
)

_BY_KEY = {(b.key, b.ctrl, b.shift): b for b in BINDINGS}


def binding_for(key: int, mod: int) -> Binding | None:
    """The shortcut for a KEYDOWN event's key and modifiers, if any."""
    ctrl = bool(mod & pygame.KMOD_CTRL)
    shift = bool(mod & pygame.KMOD_SHIFT)
    found = _BY_KEY.get((key, ctrl, shift))
    if found is None and shift:
        # Shift+Backspace and Shift+arrows act as their plain key
        found = _BY_KEY.get((key, ctrl, False))
    return found


def help_rows() -> list[tuple[str, str]]:
    """(key, what it does) for the F1 overlay and the README."""
    rows = [(b.name, b.help) for b in BINDINGS if b.help]
    return [("typing", "characters from the keyboard (any layout, IME, accents)"), *rows]
