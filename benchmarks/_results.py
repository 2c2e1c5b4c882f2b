"""Where benchmark figures go: a dated header naming the machine, then the lines, appended to
benchmarks/results/<name>.txt."""

from __future__ import annotations

import datetime as dt
import os
import platform
import time
from pathlib import Path

FOLDER = Path(__file__).parent / "results"


def cpu_check() -> float:
    """Seconds for a fixed pure-Python loop: the same code measures very differently when the virtual
    machine's host runs it slower (seen here: 1.0 s in one hour, 1.8 s in the next), so every result says
    how fast the machine was when it was taken."""
    start = time.perf_counter()
    total = 0
    for i in range(20_000_000):
        total += i
    return time.perf_counter() - start


def header() -> str:
    return (f"# {dt.datetime.now().isoformat(timespec='seconds')} on {platform.node()} "
            f"({os.cpu_count()} cores, Python {platform.python_version()}; CPU check: a 20M-step Python loop "
            f"in {cpu_check():.2f} s)")


def record(name: str, lines: list[str]) -> Path:
    FOLDER.mkdir(exist_ok=True)
    path = FOLDER / f"{name}.txt"
    with path.open("a", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    return path
