#!/usr/bin/env python3
"""Run every benchmark, one after the other, and keep what they print in .bench/latest.txt.

    .venv/bin/python bench/run_all.py [--only renderer,live,txt2vid]

Each script runs in its own process (so one's GL context, model threads and window do not
weigh on the next), with this interpreter; their output is shown as it comes and collected.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ("renderer", "live", "txt2vid")
LATEST = ROOT / ".bench" / "latest.txt"


def run(name: str) -> tuple[int, str]:
    """Run bench/NAME.py; its exit status and everything it printed."""
    command = [sys.executable, str(ROOT / "bench" / f"{name}.py")]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started

    output = done.stdout + (f"\n{done.stderr}" if done.returncode else "")
    header = f"== bench/{name}.py ({seconds:.0f} s, exit {done.returncode}) =="
    return done.returncode, f"{header}\n{output.rstrip()}\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default=",".join(SCRIPTS), help="comma-separated names")
    names = [name for name in parser.parse_args().only.split(",") if name]

    unknown = sorted(set(names) - set(SCRIPTS))
    if unknown:
        parser.error(f"no benchmark named {', '.join(unknown)}: choose from {', '.join(SCRIPTS)}")

    failed, report = 0, []
    for name in names:
        status, text = run(name)
        print(text, flush=True)
        report.append(text)
        failed += status != 0

    LATEST.parent.mkdir(exist_ok=True)
    LATEST.write_text("\n".join(report), encoding="utf-8")
    print(f"kept in {LATEST.relative_to(ROOT)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
