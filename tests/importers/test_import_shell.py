"""`nmahp import ...` as a user runs it: real subprocesses in a clean environment on a fresh SQLite database.
suggest-mapping, a dry run with --report, both policies, and mistakes ending in one line and exit code 2."""

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.test_cli_shell import clean_env

NMAHP = str(Path(sys.executable).with_name("nmahp"))
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
EXPORT = FIXTURES / "surveymonkey_independent_wording.csv"
PLANTED = json.loads((FIXTURES / "surveymonkey_independent_wording.planted.json").read_text(encoding="utf-8"))


def migrated_shell(folder: Path):
    """`run(*args)`: the installed `nmahp` command in a clean environment whose data folder (and SQLite
    database, migrated here) is `folder`; `run.dir` is that folder."""
    env = clean_env(folder)

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([NMAHP, *args], cwd=folder, env=env, capture_output=True, text=True, timeout=300)

    assert run("migrate").returncode == 0
    run.dir = folder
    return run


@pytest.fixture(scope="module")
def shell(tmp_path_factory):
    return migrated_shell(tmp_path_factory.mktemp("import-shell"))


def one_line_refusal(done: subprocess.CompletedProcess, message: str):
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert message in " ".join(done.stderr.split()), done.stderr


def reviewed_mapping(shell) -> Path:
    """suggest-mapping's proposal, its value entries as a reviewer leaves them (the export's own labels)."""
    proposed = shell.dir / "proposed.yaml"
    done = shell("import", "suggest-mapping", str(EXPORT), "--instrument", "nmahp", "--out", str(proposed))
    assert done.returncode == 0 and "entries marked REVIEW" in done.stdout, done.stderr
    assert "# REVIEW" in proposed.read_text(encoding="utf-8")
    data = yaml.load(proposed.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    assert set(data["columns"]) == set(PLANTED["truth"])
    wording = yaml.load((FIXTURES / "surveymonkey_independent_wording.yaml").read_text(encoding="utf-8"),
                        Loader=yaml.BaseLoader)
    for entry in wording["columns"]:
        if entry["kind"] == "single" and entry["question"] in data["values"]:
            data["values"][entry["question"]] = {label: name for name, label in entry["options"].items()}
    path = shell.dir / "mapping.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_suggest_dry_run_report_and_both_policies(shell):
    mapping = reviewed_mapping(shell)
    report = shell.dir / "problems.csv"
    strict = shell("import", "surveymonkey", str(EXPORT), "--instrument", "nmahp", "--wave", "2024", "--mapping",
                   str(mapping), "--report", str(report))
    one_line_refusal(strict, "nothing was imported")
    planted = {(q, rule): rows for rule in ("skip_logic", "constraint", "required")
               for q, rows in PLANTED[rule].items()}
    for (question, _), rows in planted.items():
        assert f"{question}:" in strict.stdout and f"{len(rows)} row(s), refused" in strict.stdout
    with open(report, encoding="utf-8", newline="") as handle:
        written = list(csv.DictReader(handle))
    assert len(written) == sum(len(rows) for rows in planted.values())
    kept = shell("import", "surveymonkey", str(EXPORT), "--instrument", "nmahp", "--wave", "2024", "--mapping",
                 str(mapping), "--policy", "as-recorded")
    assert kept.returncode == 0, kept.stdout + kept.stderr
    assert f"imported {160 - len(PLANTED['incomplete'])} responses into wave 2024" in kept.stdout
    assert "kept and flagged" in kept.stdout


def test_mistakes_end_in_one_line(shell, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("columns:\n  'Your age group | Response': age_group\n", encoding="utf-8")
    one_line_refusal(shell("import", "surveymonkey", str(EXPORT), "--instrument", "nmahp", "--wave", "w",
                           "--mapping", str(bad)),
                     f"mapping file {bad}, column 'Your age group | Response': 'age_group' is not a question")
    one_line_refusal(shell("import", "surveymonkey", str(EXPORT), "--instrument", "nmahp", "--wave", "w",
                           "--policy", "lenient"), "--policy must be one of strict, as-recorded")
    one_line_refusal(shell("import", "suggest-mapping", str(tmp_path / "none.csv"), "--instrument", "nmahp"),
                     "no such file")
