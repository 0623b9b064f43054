"""What each shortcut of the live window does: one function per action name of app.keys.

Editing actions go to the Editor and, when the text changed, ask for its vector; view actions
change the renderer or the window; the rest save screenshots, switch models or quit.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pygame

from visualizer.app import hud
from visualizer.app.recording import RecordingNote
from visualizer.app.worker import ModelsListed
from visualizer.errors import EmbvizError, RecordError
from visualizer.picture.colormaps import COLORMAPS
from visualizer.picture.layout import LAYOUTS
from visualizer.picture.normalize import NORMALIZATIONS

if TYPE_CHECKING:
    from visualizer.app.window import LiveWindow

log = logging.getLogger(__name__)

Command = Callable[["LiveWindow", float], None]

#: how long the first Esc waits for the second one when there is text, in seconds
ESCAPE_SECONDS = 3.0

#: actions that are Editor methods returning whether the text changed
EDITS = (
    "backspace",
    "backspace_word",
    "delete",
    "delete_word",
    "clear",
    "submit",
    "recall_previous",
    "recall_next",
)

#: actions that move the cursor; the text, and so the picture, stays
MOVES: dict[str, Callable[..., None]] = {
    "left": lambda editor: editor.left(),
    "right": lambda editor: editor.right(),
    "word_left": lambda editor: editor.left(word=True),
    "word_right": lambda editor: editor.right(word=True),
    "home": lambda editor: editor.home(),
    "end": lambda editor: editor.end(),
}


def run(window: LiveWindow, action: str, now: float) -> None:
    """Do `action` (a name from visualizer.app.keys.BINDINGS) in `window`."""
    if action in EDITS:
        window.edited(getattr(window.editor, action)(), now)
    elif action in MOVES:
        MOVES[action](window.editor)
    else:
        COMMANDS[action](window, now)


# -- text ---------------------------------------------------------------------------------------


def escape(window: LiveWindow, now: float) -> None:
    """Quit; with text on the line, only when Esc comes twice within ESCAPE_SECONDS."""
    if not window.editor.text or now < window.escape_armed_until:
        window.running = False
        return

    window.escape_armed_until = now + ESCAPE_SECONDS
    window.note("escape", "press Esc again to quit (the text is not saved)", now)
    window.status["escape"].until = window.escape_armed_until


def paste(window: LiveWindow, now: float) -> None:
    try:
        pasted = pygame.scrap.get_text()
    except pygame.error as exc:
        window.note("paste", f"cannot read the clipboard: {exc}", now, hud.ERROR)
        return
    window.edited(window.editor.paste(pasted or ""), now)


# -- the picture --------------------------------------------------------------------------------


def _cycle(names: tuple[str, ...], current: str, step: int) -> str:
    here = names.index(current) if current in names else 0
    return names[(here + step) % len(names)]


def next_colormap(window: LiveWindow, now: float, step: int = 1) -> None:
    window.renderer.fade(window.options.morph_s, now)
    window.renderer.set_colormap(_cycle(COLORMAPS, window.renderer.colormap, step))


def next_normalization(window: LiveWindow, now: float, step: int = 1) -> None:
    renderer = window.renderer
    renderer.fade(window.options.morph_s, now)
    renderer.set_normalization(_cycle(NORMALIZATIONS, renderer.normalization, step))


def next_layout(window: LiveWindow, now: float) -> None:
    window.renderer.fade(window.options.morph_s, now)
    window.renderer.set_layout(_cycle(LAYOUTS, window.renderer.layout_name, 1))


def toggle_grid(window: LiveWindow, now: float) -> None:
    window.renderer.grid_lines = not window.renderer.grid_lines


# -- the window ---------------------------------------------------------------------------------


def toggle_help(window: LiveWindow, now: float) -> None:
    window.show_help = not window.show_help


def toggle_hud(window: LiveWindow, now: float) -> None:
    window.show_hud = not window.show_hud


def set_fullscreen(window: LiveWindow, on: bool, now: float) -> None:
    # Limitation: fullscreen is the window manager's job; a bare X server (Xvfb without a
    # window manager) or SDL's offscreen driver leaves the window as it was.
    if on == window.fullscreen:
        return
    try:
        pygame.display.toggle_fullscreen()
    except pygame.error as exc:
        window.note("fullscreen", f"fullscreen failed: {exc}", now, hud.ERROR)
        return
    window.fullscreen = on


def toggle_fullscreen(window: LiveWindow, now: float) -> None:
    set_fullscreen(window, not window.fullscreen, now)


def toggle_presentation(window: LiveWindow, now: float) -> None:
    """Presentation: fullscreen, the text as a big caption, no HUD; again to go back."""
    window.presenting = not window.presenting
    window.show_hud = not window.presenting
    set_fullscreen(window, window.presenting, now)


# -- models -------------------------------------------------------------------------------------


def next_model(window: LiveWindow, now: float) -> None:
    """Ask the source for its models; switch_to_next picks the next one when they arrive."""
    window.note("model", "asking the source which models it offers…", now)
    window.worker.list_models()


def switch_to_next(window: LiveWindow, listed: ModelsListed, now: float) -> None:
    names = [model.name for model in listed.models if model.embeds is not False]
    if len(names) < 2:
        window.note("model", f"{listed.label} offers no other embedding model", now)
        return

    current = window.worker.model
    here = names.index(current) if current in names else -1
    name = names[(here + 1) % len(names)]
    window.note("model", f"switching to {name}…", now)
    window.worker.switch_model(name)


# -- files --------------------------------------------------------------------------------------


def screenshot(window: LiveWindow, now: float) -> None:
    """Ask for the next frame to be saved (it is read back before the flip)."""
    window.screenshot_wanted = True


def save_screenshot(window: LiveWindow, frame: np.ndarray | None, now: float) -> Path | None:
    if frame is None:
        return None
    try:
        path = save_png(frame, window.options.out_dir)
    except (OSError, pygame.error) as exc:
        window.note("screenshot", f"could not save a screenshot: {exc}", now, hud.ERROR)
        return None

    log.info("saved screenshot %s", path)
    window.note("screenshot", f"saved {path}", now)
    window.last_screenshot = path
    return path


def save_png(frame: np.ndarray, folder: Path) -> Path:
    """Write an (h, w, 3) uint8 frame as embviz-<date>-<time>.png in `folder`; never overwrites."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = folder / f"embviz-{stamp}.png"
    for n in range(2, 10_000):
        if not path.exists():
            break
        path = folder / f"embviz-{stamp}-{n}.png"

    height, width = frame.shape[:2]
    image = pygame.image.frombuffer(np.ascontiguousarray(frame).tobytes(), (width, height), "RGB")
    pygame.image.save(image, str(path))
    return path


def toggle_recording(window: LiveWindow, now: float) -> None:
    """F9: start recording the window into an MP4, or finish the recording."""
    recordings = window.recordings
    try:
        if recordings.recording:
            path = recordings.stop_session(now)
            window.note("record", f"saved {path}" if path else "nothing was recorded", now)
        else:
            path = recordings.start_session(window.size)
            window.note("record", f"recording to {path} (F9 stops)", now)
    except RecordError as exc:
        window.note("record", f"recording failed: {exc}", now, hud.ERROR)


def offer_frame(window: LiveWindow, frame: np.ndarray, now: float) -> None:
    try:
        window.recordings.offer(frame, now)
    except RecordError as exc:
        window.recordings.session = None
        window.note("record", f"recording stopped: {exc}", now, hud.ERROR)


def record_txt2vid(window: LiveWindow, now: float) -> None:
    """F10: a txt2vid of the current text in the background; F10 again cancels it."""
    recordings = window.recordings
    if recordings.txt2vid_running:
        recordings.cancel_txt2vid()
        window.note("txt2vid", "cancelling txt2vid (the frames so far are kept)", now)
        return

    # The job gets a source of its own when the window can open one.
    own = window.open_model(window.worker.model) if window.open_model else None
    try:
        path = recordings.start_txt2vid(
            window.editor.text,
            own or window.worker.source,
            owns_source=own is not None,
            colormap=window.renderer.colormap,
            normalization=window.renderer.normalization,
            layout=window.renderer.layout_name,
            grid_lines=window.renderer.grid_lines,
        )
    except EmbvizError as exc:
        if own is not None:
            own.close()
        window.note("txt2vid", f"txt2vid: {exc}", now, hud.ERROR)
        return
    window.note("txt2vid", f"txt2vid of the text into {path} (F10 cancels)", now)


def recording_note(window: LiveWindow, note: RecordingNote, now: float) -> None:
    colour = hud.ERROR if note.error else hud.NOTE
    window.note("txt2vid", note.text, now, colour)
    if note.lasting:
        window.status["txt2vid"].until = math.inf


COMMANDS: dict[str, Command] = {
    "escape": escape,
    "paste": paste,
    "next_colormap": next_colormap,
    "previous_colormap": lambda window, now: next_colormap(window, now, -1),
    "next_normalization": next_normalization,
    "previous_normalization": lambda window, now: next_normalization(window, now, -1),
    "next_layout": next_layout,
    "toggle_grid": toggle_grid,
    "toggle_help": toggle_help,
    "toggle_hud": toggle_hud,
    "toggle_fullscreen": toggle_fullscreen,
    "toggle_presentation": toggle_presentation,
    "next_model": next_model,
    "screenshot": screenshot,
    "toggle_recording": toggle_recording,
    "record_txt2vid": record_txt2vid,
}
