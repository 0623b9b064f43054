"""The background worker: one request in flight, latest text wins, answers from memory."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from visualizer.app import worker as worker_module
from visualizer.app.worker import (
    EmbedResult,
    EmbedWorker,
    Failure,
    ModelsListed,
    ModelSwitched,
    ModelThreads,
    StatusNote,
    WorkerMessage,
    choose_model_threads,
)
from visualizer.errors import ServerUnavailable
from visualizer.sources.local import LocalSource, set_model_threads


def collect(worker: EmbedWorker, until: type, timeout: float = 10.0) -> list[WorkerMessage]:
    """Poll until a message of type `until` arrives; everything polled, in order."""
    messages: list[WorkerMessage] = []
    deadline = time.monotonic() + timeout
    while not any(isinstance(m, until) for m in messages):
        assert time.monotonic() < deadline, f"no {until.__name__} within {timeout} s: {messages}"
        worker.wait(0.05)
        messages += worker.poll()
    return messages


def results(messages: list[WorkerMessage]) -> list[EmbedResult]:
    return [m for m in messages if isinstance(m, EmbedResult)]


@pytest.fixture
def worker(gated: Any) -> Iterator[EmbedWorker]:
    worker = EmbedWorker(gated, open_model=lambda name: type(gated)(model=name))
    yield worker
    gated.gate.set()
    worker.close()


def test_a_request_delivers_the_models_vector(
    worker: EmbedWorker, local_vectors: dict[str, np.ndarray]
) -> None:
    worker.request("hello")
    (result,) = results(collect(worker, EmbedResult))

    assert result.text == "hello"
    assert result.from_memory is False and result.seconds > 0
    np.testing.assert_array_equal(result.embedding.vector, local_vectors["hello"])


def test_latest_text_wins_and_stale_requests_are_dropped(
    worker: EmbedWorker, gated: Any, local_vectors: dict[str, np.ndarray]
) -> None:
    gated.hold()
    worker.request("a")
    assert gated.entered.wait(5)
    for text in ("ab", "abc", "abcd"):
        worker.request(text)

    gated.gate.set()
    messages = collect(worker, EmbedResult)
    while len(results(messages)) < 2:
        messages += collect(worker, EmbedResult)

    # "ab" and "abc" were never sent; "a" (request 1) and then "abcd" (request 4) answered
    assert gated.sent == ["a", "abcd"]
    assert [(r.text, r.request) for r in results(messages)] == [("a", 1), ("abcd", 4)]
    np.testing.assert_array_equal(results(messages)[1].embedding.vector, local_vectors["abcd"])
    assert worker.requests_sent == 2


def test_texts_seen_before_are_answered_from_memory_while_a_request_is_stuck(
    worker: EmbedWorker, gated: Any
) -> None:
    worker.request("first")
    collect(worker, EmbedResult)
    gated.hold()
    worker.request("second")
    assert gated.entered.wait(5)

    worker.request("first")
    (memory,) = results(collect(worker, EmbedResult, timeout=1.0))
    assert memory.text == "first" and memory.from_memory and memory.seconds == 0.0

    # the stuck answer still comes, numbered older than the one from memory: not to be shown
    gated.gate.set()
    (late,) = results(collect(worker, EmbedResult))
    assert late.text == "second" and late.request < memory.request


def test_the_same_text_as_the_one_in_flight_is_not_sent_twice(
    worker: EmbedWorker, gated: Any
) -> None:
    gated.hold()
    worker.request("x")
    assert gated.entered.wait(5)
    worker.request("xy")
    worker.request("x")

    gated.gate.set()
    (result,) = results(collect(worker, EmbedResult))
    assert result.text == "x" and result.request == 3  # it answers the newest request too
    assert gated.sent == ["x"]


def test_failures_are_delivered_and_the_next_request_works(worker: EmbedWorker, gated: Any) -> None:
    gated.fail_with = ServerUnavailable("server at 127.0.0.1:9 is not answering: start it")
    worker.request("one")
    failure = [m for m in collect(worker, Failure) if isinstance(m, Failure)][0]
    assert "not answering" in failure.message

    gated.fail_with = None
    worker.request("two")
    assert results(collect(worker, EmbedResult))[0].text == "two"


def test_an_unexpected_exception_in_a_source_becomes_a_failure(
    worker: EmbedWorker, gated: Any
) -> None:
    gated.fail_with = ZeroDivisionError("division by zero")
    worker.request("one")
    failure = [m for m in collect(worker, Failure) if isinstance(m, Failure)][0]

    assert "ZeroDivisionError" in failure.message
    assert worker.busy is False


def test_a_nan_vector_never_reaches_the_window(worker: EmbedWorker, gated: Any) -> None:
    gated.poison = True
    worker.request("poisoned")
    messages = collect(worker, Failure)

    assert results(messages) == []
    failure = [m for m in messages if isinstance(m, Failure)][0]
    assert "384 NaN/Inf" in failure.message


def test_status_notes_from_the_source_come_through_poll(worker: EmbedWorker) -> None:
    worker.request("note")
    messages = collect(worker, EmbedResult)

    notes = [m.message for m in messages if isinstance(m, StatusNote)]
    assert notes == ["embedding 1 text(s)"]
    assert messages.index(next(m for m in messages if isinstance(m, StatusNote))) == 0


def test_listing_and_switching_models(worker: EmbedWorker) -> None:
    worker.list_models()
    listed = [m for m in collect(worker, ModelsListed) if isinstance(m, ModelsListed)][0]
    names = [model.name for model in listed.models]
    assert names == ["multilingual-e5-small", "multilingual-e5-small-enpt"]

    worker.request("olá mundo")
    collect(worker, EmbedResult)
    worker.switch_model("multilingual-e5-small-enpt")
    messages = collect(worker, EmbedResult)

    switched = [m for m in messages if isinstance(m, ModelSwitched)][0]
    assert "enpt" in switched.label and worker.label == switched.label
    (result,) = results(messages)
    enpt = LocalSource(model="multilingual-e5-small-enpt").embed_one("olá mundo").vector
    np.testing.assert_array_equal(result.embedding.vector, enpt)
    assert result.label == switched.label and result.from_memory is False


def test_close_does_not_wait_for_a_stuck_request(gated: Any) -> None:
    worker = EmbedWorker(gated)
    gated.hold()
    worker.request("stuck")
    assert gated.entered.wait(5)

    started = time.monotonic()
    worker.close(timeout=0.3)
    assert time.monotonic() - started < 1.0
    gated.gate.set()


@pytest.mark.parametrize(("cores", "threads"), [(1, "1"), (2, "1"), (8, "2")])
def test_the_model_gets_one_thread_on_two_cores_and_the_users_choice_wins(
    monkeypatch: pytest.MonkeyPatch, cores: int, threads: str
) -> None:
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    assert choose_model_threads() == threads == os.environ["OMP_NUM_THREADS"]

    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    assert choose_model_threads() == "3"


@pytest.mark.parametrize(("cores", "moving", "still"), [(2, 1, 2), (8, 2, 4), (1, 1, 1)])
def test_the_model_gets_more_threads_while_the_picture_is_still(
    monkeypatch: pytest.MonkeyPatch, cores: int, moving: int, still: int
) -> None:
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    monkeypatch.setattr(worker_module, "_USER_SET_THREADS", False)
    assert ModelThreads.for_this_machine() == ModelThreads(moving, still)

    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    monkeypatch.setattr(worker_module, "_USER_SET_THREADS", True)
    assert ModelThreads.for_this_machine() == ModelThreads(3, 3)  # the user's choice stays


def test_the_local_model_gives_the_same_vector_on_any_number_of_threads() -> None:
    source = LocalSource()
    results = {}
    for threads in (2, 1):
        assert set_model_threads(threads)
        results[threads] = source._fetch(["threads change nothing"])[0].vector
    np.testing.assert_allclose(results[1], results[2], atol=1e-5)
