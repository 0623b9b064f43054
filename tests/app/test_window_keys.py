"""The live window's shortcuts, mouse hover, clipboard, screenshots and recordings."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pygame
import pytest

from tests.app.driving import colours_at, press, settle, type_text
from visualizer.app.keys import BINDINGS, help_rows
from visualizer.app.window import LiveWindow
from visualizer.picture.colormaps import COLORMAPS
from visualizer.picture.reference import reference_cells
from visualizer.sources import open_source
from visualizer.sources.local import LocalSource

OpenWindow = Callable[..., LiveWindow]


def expected_colours(window: LiveWindow, vector: np.ndarray) -> np.ndarray:
    layout = window.renderer.layout
    assert layout is not None
    cells = reference_cells(
        vector,
        layout,
        window.renderer.normalization,
        window.renderer.colormap,
        window.renderer.stats,
    )
    return cells.reshape(-1, 3)[layout.cell_of()].astype(np.int16)


def test_every_binding_has_a_command_and_a_help_line() -> None:
    from visualizer.app import commands

    known = set(commands.EDITS) | set(commands.MOVES) | set(commands.COMMANDS)
    assert {b.action for b in BINDINGS} <= known
    names = [name for name, _ in help_rows()]
    for key in ("F1", "F2", "Shift+F2", "F11", "F12", "Ctrl+V", "Ctrl+L", "Escape"):
        assert key in names


def test_colormap_keys_cycle_and_the_picture_follows(
    open_window: OpenWindow, local_vectors: dict[str, np.ndarray]
) -> None:
    window = open_window(LocalSource())
    type_text("colour")
    settle(window)

    press(pygame.K_F2)
    frame = settle(window)
    assert window.renderer.colormap == COLORMAPS[1]
    got = colours_at(frame, window.cell_centres())
    assert np.abs(got - expected_colours(window, local_vectors["colour"])).max() <= 1

    press(pygame.K_F2, pygame.KMOD_LSHIFT)
    press(pygame.K_F2, pygame.KMOD_LSHIFT)
    settle(window)
    assert window.renderer.colormap == COLORMAPS[-1]


def test_normalisation_layout_grid_and_hud_keys(open_window: OpenWindow) -> None:
    window = open_window(LocalSource())
    type_text("keys")
    settle(window)
    width_with_hud = window.picture_viewport()[2]
    grid = window.renderer.grid_lines

    for key in (pygame.K_F3, pygame.K_F4, pygame.K_F5, pygame.K_F6):
        press(key)
    settle(window)

    assert window.renderer.normalization == "symlog"
    assert window.renderer.layout_name == "variance"
    assert window.renderer.grid_lines is not grid
    assert window.show_hud is False
    assert window.picture_viewport()[2] > width_with_hud


def test_f1_shows_the_help_over_the_picture(open_window: OpenWindow) -> None:
    window = open_window(LocalSource())
    before = settle(window)
    press(pygame.K_F1)
    with_help = settle(window)

    assert window.show_help
    changed = np.any(with_help != before, axis=-1)
    assert changed[20:200, 100:400].mean() > 0.05
    press(pygame.K_F1)
    picture = window.areas()["picture"]
    rows, columns = slice(0, picture[3]), slice(0, picture[2])
    np.testing.assert_array_equal(settle(window)[rows, columns], before[rows, columns])


def test_hovering_a_cell_tells_its_dimension_and_value(
    open_window: OpenWindow, local_vectors: dict[str, np.ndarray]
) -> None:
    window = open_window(LocalSource())
    type_text("hover")
    before = settle(window)
    x, y = window.cell_centres()[123]

    pygame.event.post(
        pygame.event.Event(pygame.MOUSEMOTION, pos=(x, y), rel=(0, 0), buttons=(0, 0, 0))
    )
    frame = settle(window)
    assert window.hover is not None
    dim, value = window.hover
    assert dim == 123 and value == pytest.approx(float(local_vectors["hover"][123]))
    assert np.any(frame[max(0, y - 30) : y, x : x + 60] != before[max(0, y - 30) : y, x : x + 60])

    pygame.event.post(
        pygame.event.Event(pygame.MOUSEMOTION, pos=(2, 2), rel=(0, 0), buttons=(0, 0, 0))
    )
    settle(window)
    assert window.hover is None


def test_editing_keys_and_history(open_window: OpenWindow) -> None:
    window = open_window(LocalSource())
    type_text("one two")
    press(pygame.K_BACKSPACE, pygame.KMOD_LCTRL)
    press(pygame.K_HOME)
    press(pygame.K_DELETE)
    press(pygame.K_END)
    type_text("!")
    settle(window)
    assert window.editor.text == "ne !"
    assert window.shown is not None and window.shown.text == "ne !"

    press(pygame.K_RETURN)
    settle(window)
    assert window.editor.text == "" and window.editor.history == ["ne !"]
    assert window.shown is not None and window.shown.blank

    press(pygame.K_UP)
    settle(window)
    assert window.editor.text == "ne !"
    press(pygame.K_l, pygame.KMOD_LCTRL)
    settle(window)
    assert window.editor.text == ""


def test_a_large_paste_is_windowed_with_a_visible_note(open_window: OpenWindow) -> None:
    window = open_window(LocalSource())
    pygame.scrap.put_text("word " * 2000)
    press(pygame.K_v, pygame.KMOD_LCTRL)
    settle(window)

    assert len(window.editor.text) == window.editor.max_chars
    notes = " ".join(line.text for line in window.status.values())
    assert "keeping the last 4,096" in notes
    assert "the model sees its last 256 characters" in notes
    assert window.shown is not None and window.shown.windowed


def test_escape_quits_at_once_without_text_and_asks_twice_with_text(
    open_window: OpenWindow,
) -> None:
    window = open_window(LocalSource())
    press(pygame.K_ESCAPE)
    window.step()
    assert window.running is False
    window.close()  # pygame has one display: a second window needs the first one closed

    window = open_window(LocalSource())
    type_text("keep me")
    press(pygame.K_ESCAPE)
    window.step()
    assert window.running and "Esc again" in window.status["escape"].text
    press(pygame.K_LEFT)  # any other key disarms it
    press(pygame.K_ESCAPE)
    window.step()
    assert window.running
    press(pygame.K_ESCAPE)
    window.step()
    assert window.running is False


def test_f12_saves_the_frame_as_a_png(open_window: OpenWindow, tmp_path: Path) -> None:
    window = open_window(LocalSource(), out_dir=tmp_path / "shots")
    type_text("snap")
    settle(window)
    press(pygame.K_F12)
    frame = window.step(read=True)

    assert window.last_screenshot is not None
    assert window.last_screenshot.parent == tmp_path / "shots"
    saved = pygame.surfarray.array3d(pygame.image.load(str(window.last_screenshot)))
    assert saved.shape == (640, 360, 3)
    np.testing.assert_array_equal(saved.transpose(1, 0, 2), frame)


def test_a_status_note_covers_no_cell(open_window: OpenWindow, tmp_path: Path) -> None:
    window = open_window(LocalSource(), out_dir=tmp_path / "shots")
    type_text("a note below the picture")
    before = settle(window)
    press(pygame.K_F12)  # "saved ..." on the status band
    window.step()
    after = window.step(read=True)
    assert after is not None and "saved" in window.status["screenshot"].text

    centres = window.cell_centres()
    assert np.abs(colours_at(after, centres) - colours_at(before, centres)).max() <= 1
    x, y, w, h = window.areas()["status"]
    band = (slice(y, y + h), slice(x, x + w))
    assert np.abs(after[band].astype(int) - before[band].astype(int)).max() > 60  # text shown


def test_f7_switches_to_the_sources_next_model(open_window: OpenWindow) -> None:
    window = open_window(
        open_source("local", cache=False),
        open_model=lambda name: open_source("local", name, cache=False),
    )
    type_text("olá")
    settle(window)
    press(pygame.K_F7)
    deadline = time.monotonic() + 10
    while window.shown is None or "enpt" not in window.shown.model:
        window.step()
        assert time.monotonic() < deadline

    assert window.shown.text == "olá" and "enpt" in window.worker.label
    assert "now using" in window.status["model"].text


def test_presentation_mode_hides_the_hud_and_shows_a_big_caption(open_window: OpenWindow) -> None:
    window = open_window(LocalSource())
    type_text("Hi")
    with_hud = settle(window)
    _, line_y, _, line_h = window.areas()["text"]
    press(pygame.K_F8)
    presenting = settle(window)
    _, caption_y, _, caption_h = window.areas()["caption"]

    def text_height(region: np.ndarray) -> int:
        rows = np.nonzero((region.min(axis=-1) > 200).any(axis=1))[0]
        return int(rows.max() - rows.min() + 1)

    assert window.presenting and not window.show_hud
    assert window.picture_viewport()[2] > 600
    big = text_height(presenting[caption_y : caption_y + caption_h])
    small = text_height(with_hud[line_y : line_y + line_h])
    assert big > 2 * small


def recording(open_window: OpenWindow, folder: Path, text: str, frames: int) -> LiveWindow:
    """A window that has been recording (F9) for `frames` frames at 30 fps while `text` came."""
    clock = [100.0]
    window = open_window(LocalSource(), clock=lambda: clock[0], out_dir=folder)
    press(pygame.K_F9)
    type_text(text)
    for _ in range(frames):
        window.step()
        clock[0] += 1 / 30
    return window


def test_f9_records_the_session_to_an_mp4(open_window: OpenWindow, tmp_path: Path) -> None:
    window = recording(open_window, tmp_path / "rec", "recorded", 45)
    press(pygame.K_F9)
    window.step()

    (video,) = (tmp_path / "rec").glob("session-*.mp4")
    reader = imageio_ffmpeg.read_frames(str(video))
    meta = next(reader)
    frames = sum(1 for _ in reader)
    assert meta["size"] == (640, 360)
    assert 44 <= frames <= 47
    assert "saved" in window.status["record"].text


def test_f10_makes_a_txt2vid_of_the_text_in_the_background(
    open_window: OpenWindow, tmp_path: Path
) -> None:
    window = open_window(LocalSource(), out_dir=tmp_path / "vid")
    type_text("ab")
    settle(window)
    press(pygame.K_F4)  # variance layout
    press(pygame.K_F6)  # grid lines off
    press(pygame.K_F10)
    window.step()
    assert window.recordings.txt2vid_running
    job = window.recordings.job
    assert job is not None and job.options.layout == "variance" and not job.options.grid_lines

    deadline = time.monotonic() + 30
    while window.recordings.job is not None:
        window.step()
        assert time.monotonic() < deadline
    (video,) = (tmp_path / "vid").glob("*.mp4")
    assert video in window.recordings.made
    assert "txt2vid done" in window.status["txt2vid"].text
    assert sum(1 for _ in imageio_ffmpeg.read_frames(str(video))) > 2


def test_the_rec_marker_shows_on_screen_but_not_in_the_video(
    open_window: OpenWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = open_window(LocalSource(), out_dir=tmp_path / "rec")
    type_text("marked")
    settle(window)
    shown: list[np.ndarray] = []
    flip = pygame.display.flip
    monkeypatch.setattr(pygame.display, "flip", lambda: (shown.append(window.read_frame()), flip()))

    press(pygame.K_F9)
    for _ in range(5):
        window.step(draw=True)
    press(pygame.K_F9)
    window.step()

    x, y, _, _ = window.areas()["picture"]
    corner = (slice(y, y + 40), slice(x, x + 40))

    def red(frame: np.ndarray) -> int:
        r, g, b = (frame[corner][..., c].astype(int) for c in range(3))
        return int(((r > 180) & (g < 90) & (b < 90)).sum())

    assert red(shown[-2]) > 10  # the last frame drawn while recording
    (video,) = (tmp_path / "rec").glob("session-*.mp4")
    reader = imageio_ffmpeg.read_frames(str(video))
    meta = next(reader)
    width, height = meta["size"]
    last = np.frombuffer(list(reader)[-1], np.uint8).reshape(height, width, 3)
    assert red(last) == 0


def test_closing_the_window_while_recording_finalises_the_video(
    open_window: OpenWindow, tmp_path: Path
) -> None:
    window = recording(open_window, tmp_path / "rec", "quit while recording", 30)
    assert window.recordings.recording

    window.close()  # what quitting (Esc, the window's close button) ends with
    (video,) = (tmp_path / "rec").glob("session-*.mp4")
    reader = imageio_ffmpeg.read_frames(str(video))
    assert next(reader)["size"] == (640, 360)
    assert 28 <= sum(1 for _ in reader) <= 32
    assert not list((tmp_path / "rec").glob(".*"))  # no temporary file left behind


def test_record_without_hud_leaves_the_panel_out_of_the_video(
    open_window: OpenWindow, tmp_path: Path
) -> None:
    clock = [100.0]
    window = open_window(
        LocalSource(), clock=lambda: clock[0], out_dir=tmp_path / "rec", record_hud=False
    )
    type_text("no panel in the video")
    settle(window)
    with_panel = window.step(read=True)
    window.show_hud = False
    without_panel = window.step(read=True)
    window.show_hud = True
    assert "panel" in window.areas()

    press(pygame.K_F9)
    for _ in range(10):
        window.step(draw=True)
        clock[0] += 1 / 30
    press(pygame.K_F9)
    window.step()
    assert window.show_hud and "panel" in window.areas()  # the screen keeps its panel

    (video,) = (tmp_path / "rec").glob("session-*.mp4")
    frames = list(imageio_ffmpeg.read_frames(str(video)))[1:]
    last = np.frombuffer(frames[-1], np.uint8).reshape(360, 640, 3).astype(int)
    px, _, pw, ph = window.areas()["panel"]
    panel = (slice(0, ph), slice(px, px + pw))
    assert np.abs(last[panel] - without_panel[panel]).mean() < 6  # codec tolerance
    assert np.abs(last[panel] - with_panel[panel]).mean() > 20
