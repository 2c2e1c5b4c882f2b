"""Where benchmark figures go: a dated header naming the machine, then the lines, appended to
benchmarks/results/<name>.txt."""

from __future__ import annotations

import datetime as dt
import os
import platform
from pathlib import Path

FOLDER = Path(__file__).parent / "results"


def header() -> str:
    return (f"# {dt.datetime.now().isoformat(timespec='seconds')} on {platform.node()} "
            f"({os.cpu_count()} cores, Python {platform.python_version()})")


def record(name: str, lines: list[str]) -> Path:
    FOLDER.mkdir(exist_ok=True)
    path = FOLDER / f"{name}.txt"
    with path.open("a", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    return path
