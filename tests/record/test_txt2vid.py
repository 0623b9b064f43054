"""Txt2VidJob: real vectors, real GL frames, real MP4s decoded back and checked cell by cell."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest
import regex

from tests.record.video import cell_errors, decode
from tests.servers import free_port
from tests.servers.ollama import NAN_ERROR, OllamaTestServer
from visualizer.errors import RecordError, ServerUnavailable, UsageError
from visualizer.gl.offscreen import OffscreenCanvas
from visualizer.record.txt2vid import JobMessage, Progress, Txt2VidJob, Txt2VidOptions
from visualizer.sources import Source, open_source
from visualizer.sources.text import StepBy

SIZE = (320, 240)
#: the largest per-channel error at a cell centre after x264 at crf 0 and yuv420p, 320x240,
#: over all 384 cells of every frame of plain.txt: measured 7/255; allowed 12/255
TOLERANCE = 12
#: cells compared in every frame: corners, middle, and a spread in between
DIMS = (0, 1, 19, 20, 100, 191, 192, 250, 383)


@pytest.fixture
def local() -> Source:
    return open_source("local", cache=False)


def check_frames(
    frames: list[np.ndarray],
    vectors: list[np.ndarray],
    *,
    hold: int = 1,
    morph: int = 0,
) -> int:
    """Each decoded frame against the CPU reference of its step (or its morph); the worst error."""
    with OffscreenCanvas(SIZE) as canvas:
        centres = canvas.cell_centres(len(vectors[0]))
    worst = 0
    index = 0
    for step, vector in enumerate(vectors):
        for j in range(1, morph + 1 if step else 1):
            t = j / (morph + 1)
            errors = cell_errors(
                frames[index], centres, vector, DIMS, previous=vectors[step - 1], t=t
            )
            worst = max(worst, int(errors.max()))
            index += 1
        for _ in range(hold):
            worst = max(worst, int(cell_errors(frames[index], centres, vector, DIMS).max()))
            index += 1
    assert index == len(frames)
    return worst


def vectors_of(source: Source, texts: list[str]) -> list[np.ndarray]:
    """The reference vectors, embedded in small batches (long batches are slow to pad)."""
    return [e.vector for i in range(0, len(texts), 8) for e in source.embed(texts[i : i + 8])]


def caption_band(frame: np.ndarray) -> np.ndarray:
    return frame[-30:].astype(int)


def test_each_frame_shows_the_vector_of_its_prefix(
    tmp_path: Path, case_texts: dict[str, str], local: Source, reference_source: Source
) -> None:
    text = case_texts["plain"]
    job = Txt2VidJob(text, local, tmp_path / "plain.mp4", Txt2VidOptions(size=SIZE, crf=0))
    seen: list[Progress] = []
    result = job.run(progress=seen.append)

    video = decode(tmp_path / "plain.mp4")
    assert result.path == tmp_path / "plain.mp4" and not result.partial and result.failed == ()
    assert (len(video.frames), video.size, video.fps) == (44, SIZE, 4.4)  # 44 / 10
    assert [p.frames_done for p in seen] == list(range(1, 45))

    vectors = vectors_of(reference_source, [text[: i + 1] for i in range(44)])
    assert check_frames(video.frames, vectors) <= TOLERANCE

    for i in range(1, 44):  # the caption grows with every visible character
        if not text[i].isspace():
            assert (
                np.abs(caption_band(video.frames[i]) - caption_band(video.frames[i - 1])).max() > 60
            )


def test_hold_and_morph_make_exactly_the_frames_promised(
    tmp_path: Path, local: Source, reference_source: Source
) -> None:
    text = "Fox dens"
    options = Txt2VidOptions(size=SIZE, fps=12, hold=3, morph=2, crf=0)
    result = Txt2VidJob(text, local, tmp_path / "m.mp4", options).run()

    video = decode(tmp_path / "m.mp4")
    assert result.frames == result.frames_planned == 8 * 3 + 7 * 2 == len(video.frames)
    assert video.fps == 12.0
    vectors = vectors_of(reference_source, [text[: i + 1] for i in range(8)])
    assert check_frames(video.frames, vectors, hold=3, morph=2) <= TOLERANCE


@pytest.mark.parametrize("step", ["char", "grapheme"])
def test_unicode_by_code_point_and_by_grapheme(
    tmp_path: Path,
    case_texts: dict[str, str],
    local: Source,
    reference_source: Source,
    step: StepBy,
) -> None:
    text = case_texts["unicode"]
    expected = regex.findall(r"\X", text) if step == "grapheme" else list(text)
    options = Txt2VidOptions(size=SIZE, step=step, crf=0)
    job = Txt2VidJob(text, local, tmp_path / "u.mp4", options)
    job.run()

    video = decode(tmp_path / "u.mp4")
    assert len(video.frames) == len(expected)
    prefixes = ["".join(expected[: i + 1]) for i in range(len(expected))]
    assert list(job.prefixes) == prefixes
    vectors = vectors_of(reference_source, prefixes)
    assert check_frames(video.frames, vectors) <= TOLERANCE
    if step == "grapheme":
        assert len(expected) < len(text)  # e + combining accent is one step, not two


@pytest.mark.parametrize("text", ["", "   \t \n"])
def test_empty_or_blank_text_is_refused_before_anything_is_written(
    tmp_path: Path, local: Source, text: str
) -> None:
    with pytest.raises(UsageError, match="nothing to record"):
        Txt2VidJob(text, local, tmp_path / "x.mp4")
    assert list(tmp_path.iterdir()) == []


def test_a_step_the_server_fails_becomes_a_placeholder(
    tmp_path: Path, reference_source: Source
) -> None:
    text = "The quick brown"
    with OllamaTestServer(fail_texts={"The qu"}) as server:
        source = open_source("ollama", "all-minilm", host=server.url, cache=False)
        options = Txt2VidOptions(size=SIZE, crf=0)
        result = Txt2VidJob(text, source, tmp_path / "f.mp4", options).run()
        source.close()

    assert [(f.number, f.text) for f in result.failed] == [(6, "The qu")]
    assert NAN_ERROR in result.failed[0].reason
    video = decode(tmp_path / "f.mp4")
    assert len(video.frames) == result.frames == 15

    # Frame 6 is the placeholder itself, with its reason; its neighbours are real pictures.
    with OffscreenCanvas(SIZE) as canvas:
        canvas.frame(reference_source.embed_one("The q").vector)
        note = "step 6: no vector (the server's reply was unusable)"
        placeholder = canvas.frame(None, caption="The qu", highlight=1, note=note)
    assert np.abs(video.frames[5].astype(int) - placeholder).mean() < 4.0  # codec noise: ~2
    assert np.abs(video.frames[4].astype(int) - placeholder).mean() > 20.0


def test_a_video_with_no_vector_at_all_is_an_error_and_no_file(tmp_path: Path) -> None:
    text = "abc"
    with OllamaTestServer(fail_texts={"a", "ab", "abc"}) as server:
        source = open_source("ollama", "all-minilm", host=server.url, cache=False)
        job = Txt2VidJob(text, source, tmp_path / "none.mp4", Txt2VidOptions(size=SIZE))
        with pytest.raises(RecordError, match="no step got a vector") as caught:
            job.run()
        source.close()
    assert NAN_ERROR in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_a_source_that_is_not_there_stops_the_run_at_once(tmp_path: Path) -> None:
    source = open_source("ollama", "all-minilm", host=f"127.0.0.1:{free_port()}", cache=False)
    job = Txt2VidJob("abcdefghij", source, tmp_path / "down.mp4", Txt2VidOptions(size=SIZE))
    started = time.monotonic()
    with pytest.raises(ServerUnavailable, match="is not answering"):
        job.run()
    source.close()
    assert time.monotonic() - started < 5  # one request and its retry, not one per step
    assert list(tmp_path.iterdir()) == []


def test_an_encoder_failure_stops_the_run_with_ffmpegs_message(
    tmp_path: Path, local: Source, broken_ffmpeg: Path
) -> None:
    job = Txt2VidJob("Hello there", local, tmp_path / "out" / "x.mp4", Txt2VidOptions(size=SIZE))
    with pytest.raises(RecordError, match="libx264-missing"):
        job.run()
    assert list((tmp_path / "out").iterdir()) == []


def test_in_the_background_with_messages_then_cancel(
    tmp_path: Path, case_texts: dict[str, str]
) -> None:
    with OllamaTestServer(delay_s=0.02) as server:
        source = open_source("ollama", "all-minilm", host=server.url, cache=False)
        options = Txt2VidOptions(size=SIZE, batch=2)
        job = Txt2VidJob(case_texts["paragraph"], source, tmp_path / "bg.mp4", options)
        job.start()
        messages = wait_for(job, lambda m: m.kind == "progress" and m.percent >= 2)
        job.cancel()
        assert job.join(timeout=20)
        messages += job.poll()
        source.close()

    kinds = [m.kind for m in messages]
    assert kinds[0] == "started" and kinds[-1] == "cancelled" and "progress" in kinds
    assert [m.final for m in messages].count(True) == 1 and messages[-1].final
    result = messages[-1].result
    assert result is not None and result.partial and result.path == tmp_path / "bg.partial.mp4"
    assert 0 < result.frames < result.frames_planned == 296
    assert len(decode(result.path).frames) == result.frames
    assert str(result.path) in messages[-1].text and not (tmp_path / "bg.mp4").exists()


def test_a_cancel_inside_a_long_hold_stops_within_frames(tmp_path: Path, local: Source) -> None:
    options = Txt2VidOptions(size=SIZE, hold=100_000)
    job = Txt2VidJob("ab", local, tmp_path / "long.mp4", options)
    job.start()
    wait_for(job, lambda m: m.kind == "progress")
    cancelled_at = time.monotonic()
    job.cancel()
    assert job.join(timeout=20)
    assert time.monotonic() - cancelled_at < 5

    result = job.poll()[-1].result
    assert result is not None and result.partial and 0 < result.frames < 100_000


def test_in_the_background_to_the_end(tmp_path: Path, local: Source) -> None:
    job = Txt2VidJob("Hi there", local, tmp_path / "bg.mp4", Txt2VidOptions(size=SIZE))
    job.start()
    assert job.join(timeout=30) and not job.running
    messages = job.poll()

    assert [m.kind for m in messages][0] == "started" and messages[-1].kind == "done"
    percents = [m.percent for m in messages if m.kind == "progress"]
    assert percents == sorted(set(percents)) and percents[-1] == 100
    assert messages[-1].text == f"txt2vid done: {tmp_path / 'bg.mp4'}"
    assert len(decode(tmp_path / "bg.mp4").frames) == 8
    assert job.poll() == []
    with pytest.raises(UsageError, match="already started"):
        job.start()


def wait_for(job: Txt2VidJob, until: object, timeout: float = 20) -> list[JobMessage]:
    messages: list[JobMessage] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        messages += job.poll()
        if any(until(m) for m in messages):  # type: ignore[operator]
            return messages
        time.sleep(0.01)
    raise AssertionError(f"no such message in {timeout} s: {messages}")


def test_poll_is_safe_while_the_job_reports(tmp_path: Path, local: Source) -> None:
    job = Txt2VidJob(
        "Polling from another thread", local, tmp_path / "p.mp4", Txt2VidOptions(size=SIZE)
    )
    collected: list[JobMessage] = []
    stop = threading.Event()

    def poller() -> None:
        while not stop.is_set():
            collected.extend(job.poll())

    thread = threading.Thread(target=poller)
    thread.start()
    job.start()
    job.join(timeout=30)
    stop.set()
    thread.join()
    collected.extend(job.poll())
    assert collected[0].kind == "started" and collected[-1].kind == "done"
    assert [m.percent for m in collected if m.kind == "progress"][-1] == 100
    assert len(decode(tmp_path / "p.mp4").frames) == 27
