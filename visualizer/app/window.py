"""The live window: type a text and watch its embedding's picture morph as you type.

One pygame window with an OpenGL 3.3 core context (moderngl). Each frame: handle events (typed
characters from TEXTINPUT, shortcuts from KEYDOWN), take the vectors the background worker
delivered, advance the renderer's morph, draw the picture, the HUD and the text line, and flip.
Nothing in a frame waits for a source.

Tests drive it without a display (SDL_VIDEODRIVER=offscreen): post events, call `step()`, and
read the frame back with `step(read=True)`.
"""

from __future__ import annotations

import logging
import math
import os
import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import moderngl
import numpy as np
import pygame

from visualizer.app import commands
from visualizer.app import hud as hudmod
from visualizer.app.editor import Editor
from visualizer.app.frames import FrameClock
from visualizer.app.keys import binding_for
from visualizer.app.recording import Recordings
from visualizer.app.screen import BACKGROUND, Rect, Screen
from visualizer.app.worker import (
    EmbedResult,
    EmbedWorker,
    Failure,
    ModelsListed,
    ModelSwitched,
    ModelThreads,
    OpenModel,
    StatusNote,
    WorkerMessage,
)
from visualizer.errors import RenderError
from visualizer.gl.context import window_context
from visualizer.gl.renderer import PictureRenderer
from visualizer.picture.colormaps import COLORMAPS
from visualizer.picture.layout import LAYOUTS
from visualizer.picture.metrics import cosine
from visualizer.picture.normalize import NORMALIZATIONS
from visualizer.sources.base import Embedding, Source

if TYPE_CHECKING:
    from visualizer.app.compare_view import View

log = logging.getLogger(__name__)

#: how long a note (screenshot saved, model switched) stays in the status line, in seconds
NOTE_SECONDS = 4.0
#: how long the frame after an edit may wait for the new text's vector (seconds); a typed
#: character shows at most this late, and the model does not share the CPU with that frame
EDIT_HOLD_S = 0.035
#: cosine values kept for the HUD's sparkline
SPARKLINE_LENGTH = 60


@dataclass
class WindowOptions:
    """How the live window starts; every field has a command-line option in `embviz live`."""

    size: tuple[int, int] = (1280, 720)
    colormap: str = COLORMAPS[0]
    normalization: str = NORMALIZATIONS[0]
    layout: str = LAYOUTS[0]
    grid_lines: bool = True
    morph_s: float = 0.15
    fullscreen: bool = False
    presentation: bool = False
    vsync: bool = False
    max_fps: float = 60.0
    out_dir: Path = field(default_factory=lambda: Path("recordings"))
    text: str = ""
    #: whether F9's video has the side panel when it is on screen
    record_hud: bool = True


@dataclass
class StatusLine:
    text: str
    colour: hudmod.Colour
    until: float = math.inf


NO_DISPLAY = (
    "no display to open the live window on ($DISPLAY and $WAYLAND_DISPLAY are not set): run it "
    "on a desktop, under `xvfb-run`, or make files with `embviz image` or `embviz txt2vid`"
)


def check_display() -> None:
    """RenderError(NO_DISPLAY) where a window cannot open: call it before slow work that only
    the window needs (SDL itself would also print a stray line when it tries Wayland)."""
    if os.environ.get("SDL_VIDEODRIVER") or sys.platform in ("win32", "darwin"):
        return
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        raise RenderError(NO_DISPLAY)


class LiveWindow:
    """The window, its GL objects, the editor, the worker and the HUD; `run()` or `step()`."""

    #: the window open in this process, if any (pygame has one display)
    _open: LiveWindow | None = None

    def __init__(
        self,
        source: Source,
        options: WindowOptions | None = None,
        *,
        open_model: OpenModel | None = None,
        clock: Callable[[], float] = time.perf_counter,
        view: Callable[[moderngl.Context], View] | None = None,
    ) -> None:
        self.options = options or WindowOptions()
        self.clock = clock
        self.running = True
        self._open_window()

        try:
            self.renderer = PictureRenderer(
                self.ctx,
                colormap=self.options.colormap,
                normalization=self.options.normalization,
                layout=self.options.layout,
            )
            self.renderer.grid_lines = self.options.grid_lines
            self.screen = Screen(self.ctx, self.renderer, self.size[1])
            #: a view that fills the window instead of the picture (compare, gallery)
            self.view = view(self.ctx) if view is not None else None
        except BaseException:
            self._release_gl()
            raise

        self.editor = Editor(text=self.options.text, cursor=len(self.options.text))
        self.model_threads = ModelThreads.for_this_machine()
        self.worker = EmbedWorker(source, open_model=open_model)
        #: when the text last changed, while the frame showing it waits for its vector
        self.edited_at: float | None = None
        self.show_hud = not self.options.presentation
        self.show_help = False
        self.presenting = self.options.presentation

        self.shown: Embedding | None = None
        #: the request number of the answer on screen, and how many answers came too late
        self.shown_request = 0
        self.not_shown = 0
        self.similarity: float | None = None
        self.similarities: deque[float] = deque(maxlen=SPARKLINE_LENGTH)
        self.latency_ms: float | None = None
        self.answered_by = ""
        self.status: dict[str, StatusLine] = {}
        self.frame_clock = FrameClock(self.options.max_fps)
        self.escape_armed_until = 0.0
        self.mouse: tuple[int, int] | None = None
        #: the dimension and value under the mouse in the last frame drawn
        self.hover: tuple[int, float] | None = None
        self.screenshot_wanted = False

        self.last_screenshot: Path | None = None
        self.open_model = open_model
        self.recordings = Recordings(self.options.out_dir)
        if self.options.fullscreen or self.options.presentation:
            commands.set_fullscreen(self, True, self.clock())
        self.worker.request(self.editor.text)

    # -- setting up and tearing down ----------------------------------------------------------

    def _open_window(self) -> None:
        # Limitation: pygame has one display per process, so one LiveWindow at a time.
        if LiveWindow._open is not None:
            raise RenderError("a live window is already open in this process: close it first")
        check_display()
        pygame.display.init()
        driver = pygame.display.get_driver()
        if driver in ("offscreen", "dummy") and os.environ.get("SDL_VIDEODRIVER") != driver:
            pygame.display.quit()
            raise RenderError(NO_DISPLAY)
        pygame.font.init()
        pygame.display.gl_set_attribute(pygame.GL_CONTEXT_MAJOR_VERSION, 3)
        pygame.display.gl_set_attribute(pygame.GL_CONTEXT_MINOR_VERSION, 3)
        pygame.display.gl_set_attribute(
            pygame.GL_CONTEXT_PROFILE_MASK, pygame.GL_CONTEXT_PROFILE_CORE
        )

        flags = pygame.OPENGL | pygame.DOUBLEBUF | pygame.RESIZABLE
        try:
            pygame.display.set_mode(self.options.size, flags, vsync=int(self.options.vsync))
            self.ctx = window_context()
        except (pygame.error, RenderError) as exc:
            pygame.display.quit()
            raise RenderError(
                f"could not open an OpenGL 3.3 window ({exc}): check that a display is "
                "available ($DISPLAY) and that Mesa is installed (scripts/system-deps.sh)"
            ) from exc

        LiveWindow._open = self
        pygame.display.set_caption("embviz live")
        self.fullscreen = False
        pygame.key.start_text_input()
        pygame.key.set_repeat(400, 35)

    def close(self) -> None:
        """Finish recordings, stop the worker, release every GL object; safe to call twice."""
        try:
            if getattr(self, "recordings", None) is not None:
                self.recordings.close(self.clock())
        finally:
            if getattr(self, "worker", None) is not None:
                self.worker.close()
                self.worker = None  # type: ignore[assignment]
            self._release_gl()

    def _release_gl(self) -> None:
        for name in ("view", "screen", "renderer"):
            owner = getattr(self, name, None)
            if owner is not None:
                owner.release()
                setattr(self, name, None)
        if getattr(self, "ctx", None) is not None:
            self.ctx.release()
            self.ctx = None  # type: ignore[assignment]
        if LiveWindow._open is self:
            pygame.key.stop_text_input()
            pygame.display.quit()
            LiveWindow._open = None

    def __enter__(self) -> LiveWindow:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the loop -----------------------------------------------------------------------------

    def run(self) -> None:
        """Frames until the window is closed or Esc quits; everything is released on the way out."""
        try:
            while self.running:
                self.step()
                self.pace()
        finally:
            self.close()

    def step(self, read: bool = False, draw: bool = False, peek: bool = False) -> np.ndarray | None:
        """One frame: events, vectors, morph, then draw and flip if anything changed (always
        with `draw` or `read`); with `read`, the frame drawn, as (h, w, 3) top row first; with
        `peek`, the frame only if one was drawn anyway (benchmarks watch without forcing)."""
        now = self.clock()
        events = pygame.event.get()
        for event in events:
            self._handle(event, now)
        messages = self.worker.poll()
        for message in messages:
            self._receive(message, now)

        # Draw the morph as it will be when this frame is on screen, a frame from now: the
        # first frame after a vector arrives then already moves toward it.
        animating = self.renderer.update(now + self.frame_clock.period)
        # A hosted view (compare, gallery) says whether its vectors or morphs moved.
        view_moved = self.view.update(now) if self.view is not None else False
        moving = animating or view_moved or self._busy()
        threads = self.model_threads
        self.worker.model_threads = threads.moving if moving else threads.still
        if self._waiting_for_vector(now) and not (moving or draw or read):
            return None
        edit_due, self.edited_at = self.edited_at is not None, None

        due = self.frame_clock.redraw_due(now, moving)  # first: it notes a morph's end
        wanted = due or draw or read or events or messages or edit_due or self._expiring(now)
        if not wanted:
            return None
        if self.view is None:
            self.screen.draw(self, now)
        else:
            self._draw_view(self.view, now)
        recording = self.recordings.recording
        wanted = read or peek or recording or self.screenshot_wanted
        frame = self.read_frame() if wanted else None
        if self.screenshot_wanted:
            self.screenshot_wanted = False
            commands.save_screenshot(self, frame, now)
        if recording and frame is not None:
            commands.offer_frame(self, self._video_frame(frame, now), now)
            self.screen.rec_marker(self)  # after the read: on screen, not in the video
        for note in self.recordings.poll():
            commands.recording_note(self, note, now)

        pygame.display.flip()
        self.frame_clock.drawn(now, moving)
        return frame

    def _video_frame(self, frame: np.ndarray, now: float) -> np.ndarray:
        """What F9 records of this frame: the frame itself, or (record_hud off, HUD on screen)
        the same moment drawn again without the side panel, before the screen gets it back."""
        if self.options.record_hud or not self.show_hud or self.presenting or self.view is not None:
            return frame
        self.show_hud = False
        try:
            self.screen.draw(self, now)
            return self.read_frame()
        finally:
            self.show_hud = True
            self.screen.draw(self, now)

    def _draw_view(self, view: View, now: float) -> None:
        """A hosted view (compare, gallery) fills the window in place of the picture and HUD."""
        self.ctx.screen.use()
        self.ctx.viewport = (0, 0, *self.size)
        self.ctx.clear(*BACKGROUND)
        view.draw((0, 0, *self.size), self.size)

    def pace(self) -> None:
        """Wait until the next frame is due (--max-fps), waking early for a vector or a key."""
        if self.options.vsync or self.options.max_fps <= 0:
            return
        while (remaining := self.frame_clock.due - self.clock()) > 0:
            if self.worker.wait(min(remaining, 0.002)):
                break
            if pygame.event.peek((pygame.TEXTINPUT, pygame.KEYDOWN, pygame.QUIT)):
                break
        self.frame_clock.next_due(self.clock())

    def read_frame(self) -> np.ndarray:
        """What has been drawn into the window this frame, (h, w, 3) uint8, top row first."""
        width, height = self.size
        data = self.ctx.screen.read(viewport=(0, 0, width, height), components=3)
        return np.frombuffer(data, dtype=np.uint8).reshape(height, width, 3)[::-1]

    @property
    def size(self) -> tuple[int, int]:
        return pygame.display.get_window_size()

    def _waiting_for_vector(self, now: float) -> bool:
        """After an edit, the frame waits up to EDIT_HOLD_S for the new text's vector, so that
        the text and its picture appear together and the model has the CPU meanwhile."""
        # An answer that came after this step's poll counts as awaited: the next step shows it.
        if self.edited_at is None or not (self.worker.busy or self.worker.answered):
            return False
        return now - self.edited_at < EDIT_HOLD_S

    def _busy(self) -> bool:
        """A recording or a txt2vid job: every frame is drawn."""
        return self.recordings.recording or self.recordings.job is not None

    def _expiring(self, now: float) -> bool:
        return any(line.until <= now for line in self.status.values())

    @property
    def frames(self) -> int:
        """Frames drawn so far."""
        return self.frame_clock.frames

    @property
    def fps(self) -> int:
        """The frame rate while the picture moves; 0 when the window is idle."""
        return self.frame_clock.fps

    def areas(self) -> dict[str, Rect]:
        """Where each part of the window is, in pixels from the top-left (see app.screen)."""
        return self.screen.areas(self)

    def picture_viewport(self) -> Rect:
        """The area the picture is fitted into, as a GL viewport (y from the bottom)."""
        return self.screen.picture_viewport(self)

    def cell_centres(self) -> np.ndarray:
        """(dims, 2) window pixels (x, y from the top) of each dimension's cell centre."""
        return self.screen.cell_centres(self)

    # -- input --------------------------------------------------------------------------------

    def _handle(self, event: pygame.event.Event, now: float) -> None:
        if self.view is not None and event.type != pygame.QUIT and self.view.handle_event(event):
            return
        if event.type == pygame.QUIT:
            self.running = False
        elif event.type == pygame.TEXTINPUT:
            self.edited(self.editor.insert(event.text), now)
        elif event.type == pygame.KEYDOWN:
            self._key(event, now)
        elif event.type == pygame.MOUSEMOTION:
            self.mouse = event.pos
        elif event.type == pygame.WINDOWLEAVE:
            self.mouse = None
        elif event.type == pygame.WINDOWSIZECHANGED:
            self.screen.resized(event.y)

    def _key(self, event: pygame.event.Event, now: float) -> None:
        binding = binding_for(event.key, event.mod)
        log.debug("key %s mod %#x -> %s", pygame.key.name(event.key), event.mod, binding)
        if binding is None:
            return
        if binding.action != "escape":
            self.escape_armed_until = 0.0
            self.status.pop("escape", None)

        commands.run(self, binding.action, now)

    def edited(self, changed: bool, now: float) -> None:
        """After an edit: show the editor's note, and ask for the new text's vector."""
        note = self.editor.take_note()
        if note:
            self.note("editor", note, now)
        if changed:
            self.worker.request(self.editor.text)
            self.edited_at = now if self.edited_at is None else self.edited_at

    def note(self, key: str, text: str, now: float, colour: hudmod.Colour = hudmod.NOTE) -> None:
        """Put a line in the status area for a few seconds."""
        self.status[key] = StatusLine(text, colour, now + NOTE_SECONDS)

    # -- vectors from the worker --------------------------------------------------------------

    def _receive(self, message: WorkerMessage, now: float) -> None:
        if isinstance(message, EmbedResult):
            self._show(message, now)
        elif isinstance(message, Failure):
            self.status["error"] = StatusLine(f"{message.what}: {message.message}", hudmod.ERROR)
            self.status.pop("source", None)
        elif isinstance(message, StatusNote) and message.message:
            self.status["source"] = StatusLine(message.message, hudmod.NOTE)
        elif isinstance(message, StatusNote):
            self.status.pop("source", None)  # the source cleared its note
        elif isinstance(message, ModelsListed):
            commands.switch_to_next(self, message, now)
        elif isinstance(message, ModelSwitched):
            self.note("model", f"now using {message.label}", now)

    def _show(self, result: EmbedResult, now: float) -> None:
        if result.request <= self.shown_request:
            self.not_shown += 1  # a newer answer (from memory) is already on screen
            return
        self.shown_request = result.request

        embedding = result.embedding
        self.similarity = None
        if self.shown is not None and self.shown.dims == embedding.dims:
            value = cosine(self.shown.vector, embedding.vector)
            self.similarity = None if math.isnan(value) else value
        if self.similarity is not None:
            self.similarities.append(self.similarity)

        self.renderer.show(embedding.vector, morph_s=self.options.morph_s, now=now)
        self.shown = embedding
        self.latency_ms = result.seconds * 1000.0
        self.answered_by = _answered_by(result)
        self.status.pop("error", None)
        if "source" in self.status:  # "loading model…" and the like fade once a vector came
            line = self.status["source"]
            line.until = min(line.until, now + NOTE_SECONDS)
        if embedding.windowed:
            self.note(
                "window",
                f"long text: the model sees its last {len(embedding.sent)} characters",
                now,
            )


def _answered_by(result: EmbedResult) -> str:
    if result.from_memory:
        return "memory"
    if result.embedding.blank:
        return "blank, not sent"
    return "cache" if result.embedding.cached else "model"
