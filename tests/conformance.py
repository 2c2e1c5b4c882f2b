"""The interoperability conformance table, produced by the test run.

Tests that take a file another tool wrote call the `conformance` fixture with the file, the tool
that made it and what happened. At the end of the run every row recorded is written to
`var/interoperability.md`, and each must appear, word for word, in the table of
`docs/interoperability.md`: a result that changes fails the run until the document says so
(`make conformance` copies the run's table into the document).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "interoperability.md"
RUN_TABLE = ROOT / "var" / "interoperability.md"
HEADER = "| file | made by | kind | result |\n|---|---|---|---|"

_rows: dict[str, str] = {}


def row(file: str, made_by: str, kind: str, result: str) -> str:
    cells = [c.replace("|", "\\|").replace("\n", " ").strip() for c in (file, made_by, kind, result)]
    return "| " + " | ".join(cells) + " |"


@pytest.fixture
def conformance():
    """conformance(file, made_by, kind, result): record one line of the table."""

    def record(file: str | Path, made_by: str, kind: str, result: str) -> None:
        name = Path(file).relative_to(ROOT).as_posix() if Path(file).is_absolute() else str(file)
        _rows[name] = row(name, made_by, kind, result)

    return record


def documented_rows() -> set[str]:
    if not DOC.exists():
        return set()
    return {line.strip() for line in DOC.read_text(encoding="utf-8").splitlines() if line.startswith("| ")}


def _worker_file(worker: str) -> Path:
    return RUN_TABLE.parent / f"interoperability.{worker}.json"


def start(session) -> None:
    """On the controlling process, forget the rows an earlier run's workers left."""
    if not hasattr(session.config, "workerinput"):
        for old in RUN_TABLE.parent.glob("interoperability.*.json"):
            old.unlink()


def finish(session) -> None:
    # under pytest-xdist each worker records its own rows; the controlling process reads them all
    worker = getattr(session.config, "workerinput", {}).get("workerid")
    if worker:
        if _rows:
            RUN_TABLE.parent.mkdir(parents=True, exist_ok=True)
            _worker_file(worker).write_text(json.dumps(_rows), encoding="utf-8")
        return
    for part in RUN_TABLE.parent.glob("interoperability.*.json") if RUN_TABLE.parent.exists() else []:
        _rows.update(json.loads(part.read_text(encoding="utf-8")))
        os.unlink(part)
    if not _rows:
        return
    RUN_TABLE.parent.mkdir(parents=True, exist_ok=True)
    table = HEADER + "\n" + "\n".join(_rows[k] for k in sorted(_rows)) + "\n"
    RUN_TABLE.write_text(table, encoding="utf-8")
    missing = [r for r in _rows.values() if r not in documented_rows()]
    if missing:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        lines = ["docs/interoperability.md does not match this run's results (make conformance updates it):"]
        lines += ["  " + r for r in sorted(missing)]
        if reporter:
            reporter.write_line("\n".join(lines), red=True)
        # pytest.exit sets the run's exit status from here even under pytest-xdist, which keeps its own
        pytest.exit("the conformance table is out of date", returncode=pytest.ExitCode.TESTS_FAILED)
