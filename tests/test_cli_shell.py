"""Every database command of `nmahp` run as a user runs it: a real subprocess in a plain shell (no
pytest-django, no DJANGO_SETTINGS_MODULE), on a fresh SQLite database. A command that works only when
Django is already set up fails here."""

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

WAVE = "2023-demo"
NMAHP = str(Path(sys.executable).with_name("nmahp"))


def clean_env(data_dir: Path) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(data_dir), "NMAHP_DATA_DIR": str(data_dir),
            "COLUMNS": "250", "LANG": "C.UTF-8"}


@pytest.fixture(scope="module")
def shell(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("shell")
    env = clean_env(data_dir)

    def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([NMAHP, *args], cwd=data_dir, env=env, capture_output=True, text=True, timeout=300,
                              input=stdin)

    def python(code: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-c", code], cwd=data_dir, env=env, capture_output=True, text=True,
                              timeout=120)

    loaded = run("demo", "--no-serve")
    assert loaded.returncode == 0, loaded.stderr
    run.python = python
    run.dir = data_dir
    return run


def ok(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    return done.stdout


def refused(done: subprocess.CompletedProcess, message: str) -> None:
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "ImproperlyConfigured" not in done.stderr
    assert message in " ".join(done.stderr.split()), done.stderr


def test_qualitative_commands_run_from_a_plain_shell(shell):
    assert "documents" in ok(shell("qual", "build", "--wave", WAVE, "--instrument", "nmahp"))
    out = shell.dir / "project.qdpx"
    ok(shell("qual", "export", "--wave", WAVE, "--instrument", "nmahp", "--out", str(out)))
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
    assert "project.qde" in names and any(n.startswith("sources/") for n in names)  # the standard's folder name
    codebook = shell.dir / "codebook.qdc"
    ok(shell("qual", "export", "--wave", WAVE, "--instrument", "nmahp", "--out", str(codebook)))
    assert codebook.read_bytes().startswith(b"<?xml")
    said = ok(shell("qual", "import", str(out), "--wave", WAVE, "--instrument", "nmahp"))
    assert "0 documents and 0 highlights" in said  # its own export adds nothing the second time
    ok(shell("qual", "themes", "--wave", WAVE, "--instrument", "nmahp"))
    assert "0 coders" in ok(shell("qual", "agreement", "--wave", WAVE, "--instrument", "nmahp"))
    refused(shell("qual", "agreement", "--wave", WAVE, "--instrument", "nmahp", "--round", "R9"),
            "no coding round called 'R9'")
    refused(shell("qual", "import-taguette", "--wave", WAVE, "--instrument", "nmahp"), "give --codebook")
    refused(shell("qual", "export", "--wave", WAVE, "--instrument", "nmahp", "--out", "x.zip"), ".qdpx")
    refused(shell("qual", "build", "--wave", "no-such-wave"), "no wave called 'no-such-wave'")
    broken = shell.dir / "broken.qdpx"
    broken.write_bytes(b"not a zip at all")
    refused(shell("qual", "import", str(broken), "--wave", WAVE, "--instrument", "nmahp"), "broken.qdpx")


def test_transcripts_are_refused_when_missing_or_empty(shell):
    empty = shell.dir / "empty.txt"
    empty.write_text("   \n")
    refused(shell("qual", "import-transcript", str(empty), "--wave", WAVE, "--instrument", "nmahp",
                  "--participant", "7"), "the transcript is empty")
    refused(shell("qual", "import-transcript", str(shell.dir / "nope.vtt"), "--wave", WAVE, "--instrument", "nmahp",
                  "--participant", "7"), "no such file")
    text = shell.dir / "interview.txt"
    text.write_text("Interviewer: What helped?\nParticipant: Protected time for research.\n")
    assert "added interview.txt" in ok(shell("qual", "import-transcript", str(text), "--wave", WAVE,
                                             "--instrument", "nmahp", "--participant", "7"))


CLINICIANS = """
from nmahp.app import ready
ready()
from nmahp.web.mentoring.models import ClinicianProfile
for i, (profession, stage, interests) in enumerate([
        ("physiotherapist", "first-steps", "musculoskeletal pain rehabilitation trials"),
        ("midwife", "pre-doctoral", "perinatal mental health maternity qualitative research"),
        ("adult_nurse", "first-steps", "oncology symptom management clinical trials"),
        ("dietitian", "pre-registration", "malnutrition older people rehabilitation"),
        ("occupational_therapist", "first-steps", "stroke rehabilitation occupational therapy")]):
    ClinicianProfile.objects.create(opted_in=True, name=f"Person {i}", email=f"p{i}@example.nhs.uk",
        profession=profession, professional_group="x", region="greater_manchester", career_stage=stage,
        interests=interests, wants=["mentoring", "peer_group"], organisation=f"Trust {i % 3}")
print("ok")
"""


def test_match_runs_reviews_and_publishes_a_round_and_forms_peer_groups(shell):
    refused(shell("match", "publish", "999"), "no matching round 999")
    made = shell.python(CLINICIANS)
    assert made.returncode == 0, made.stderr
    ran = ok(shell("match", "run"))
    assert "round " in ran and "(draft)" in ran and "blocking pairs" in ran
    round_id = ran.split("nmahp match publish ")[1].split()[0]
    reviewed = ok(shell("match", "review", round_id))
    assert "5 clinicians and 3 mentors opted in" in reviewed
    assert "they offer what you asked for: mentoring" in reviewed  # every match is told in words
    assert "peer group 1: clinicians" in reviewed
    peers = ok(shell("match", "peers", "--round", round_id))
    assert "peer group 1" in peers and f"recorded on round {round_id}" in peers
    assert f"round {round_id} published" in ok(shell("match", "publish", round_id))
    refused(shell("match", "publish", round_id), "published already")
    refused(shell("match", "peers", "--round", round_id), "its peer groups are fixed")
    assert "(published)" in ok(shell("match", "review"))  # the latest round by default


def test_analyse_report_erase_and_users_from_a_plain_shell(shell):
    out = shell.dir / "tables"
    ok(shell("analyse", "--wave", WAVE, "--instrument", "nmahp", "--out", str(out)))
    tables = json.loads((out / "tables.json").read_text())["tables"]
    assert any(t["key"] == {"question": "top_barriers", "by": "professional_group", "measure": "answers"}
               for t in tables)
    refused(shell("report", "--wave", "no-such-wave", "--out", str(shell.dir / "r.html")), "no wave called")
    assert not (shell.dir / "r.html").exists()
    refused(shell("erase", "--respondent", "not-a-key"), "no respondent with key 'not-a-key'")
    added = ok(shell("users", "newanalyst", "--role", "analyst", "--password", "a-long-password-1"))
    assert "otpauth://totp/" in added
    refused(shell("users", "newanalyst", "--role", "analyst", "--password", "x"), "exists already")
    refused(shell("users", "someone", "--role", "superhero", "--password", "x"), "the role must be one of")


def test_the_cli_never_reaches_into_web_modules():
    source = (Path(__file__).resolve().parents[1] / "src" / "nmahp" / "cli.py").read_text(encoding="utf-8")
    assert ".web" not in source and "django" not in source.lower()


def one_line_error(done: subprocess.CompletedProcess, message: str) -> None:
    """Non-zero, no traceback, and the message on one line of stderr (wide COLUMNS, so Rich does not wrap)."""
    assert done.returncode != 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "Traceback" not in done.stdout, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert any(message in line for line in lines), done.stderr


def test_every_command_refuses_bad_files_with_one_line_and_no_traceback(shell):
    d = shell.dir
    zipped = d / "really-a-zip.csv"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("a.txt", "hello")
    workbook = Path(__file__).resolve().parents[1] / "src" / "nmahp" / "workbooks" / "nmahp_survey.xlsx"
    truncated = d / "truncated.xlsx"
    truncated.write_bytes(workbook.read_bytes()[:5000])
    shapeless = d / "mapping.yaml"
    shapeless.write_text("columns: [1, 2]\n")
    not_docx = d / "interview.docx"
    not_docx.write_text("plain words, not a Word document")
    empty_vtt = d / "empty.vtt"
    empty_vtt.write_text("")
    not_workbook = d / "form.xlsx"
    not_workbook.write_text("not a workbook")
    export = str(Path(__file__).resolve().parent / "fixtures" / "report_nmahp_surveymonkey.csv")
    missing = str(d / "missing.csv")
    wave = ["--wave", WAVE, "--instrument", "nmahp"]

    one_line_error(shell("import", "xlsform", str(zipped), "--instrument", "nmahp", "--wave", "w"),
                   "really-a-zip.csv: is a zip archive but not an Excel workbook")
    one_line_error(shell("analyse", "--input", str(zipped), "--instrument", "nmahp", "--out", str(d / "o")),
                   "really-a-zip.csv: is a zip archive")
    one_line_error(shell("import", "surveymonkey", str(truncated), "--instrument", "nmahp", "--wave", "w"),
                   "truncated.xlsx")
    one_line_error(shell("import", "surveymonkey", export, "--instrument", "nmahp", "--wave", "w", "--dry-run",
                         "--mapping", str(shapeless)), "'columns' must map each column to a question")
    one_line_error(shell("qual", "import-transcript", str(not_docx), *wave, "--participant", "7"),
                   "interview.docx: cannot be read as a Word document")
    one_line_error(shell("qual", "import-transcript", str(empty_vtt), *wave, "--participant", "7"),
                   "empty.vtt: the file is empty")
    one_line_error(shell("instruments", "validate", str(not_workbook)), "cannot be opened as an Excel workbook")
    one_line_error(shell("instruments", "show", "no-such-instrument"), "no instrument called 'no-such-instrument'")
    one_line_error(shell("instruments", "show", "../workbooks/nmahp_survey"), "no instrument called")
    one_line_error(shell("synth", "--instrument", str(not_workbook), "--n", "3", "--out", str(d / "s.csv")),
                   "cannot be opened as an Excel workbook")
    one_line_error(shell("synth", "--instrument", "nmahp", "--n", "0", "--out", str(d / "s.csv")), "--n")
    one_line_error(shell("qual", "build", "--wave", WAVE, "--instrument", "no-such-instrument"),
                   "no instrument called")
    # a missing file, for every command that takes one
    for args in (["import", "surveymonkey", missing, "--instrument", "nmahp", "--wave", "w"],
                 ["import", "xlsform", missing, "--instrument", "nmahp", "--wave", "w"],
                 ["import", "surveymonkey", export, "--instrument", "nmahp", "--wave", "w", "--mapping", missing],
                 ["analyse", "--input", missing, "--instrument", "nmahp", "--out", str(d / "o")],
                 ["report", "--input", missing, "--instrument", "nmahp", "--out", str(d / "r.html")],
                 ["instruments", "validate", str(d / "missing.xlsx")],
                 ["synth", "--instrument", str(d / "missing.xlsx"), "--n", "3", "--out", str(d / "s.csv")],
                 ["qual", "import-transcript", str(d / "missing.vtt"), *wave, "--participant", "7"],
                 ["qual", "import", str(d / "missing.qdpx"), *wave],
                 ["qual", "import", str(d / "missing.qdc"), *wave],
                 ["qual", "import-taguette", *wave, "--codebook", missing],
                 ["careers", "check", "--dir", str(d / "missing-folder")]):
        one_line_error(shell(*args), "missing")


def test_hostile_qdpx_files_are_refused_from_the_shell(shell):
    from tests.qualitative.hostile import named_cases

    for name in ("bad-int.qdpx", "bad-utf8.qdpx", "long-guid.qdpx", "bomb.qdpx", "doctype.qdpx"):
        path = shell.dir / name
        path.write_bytes(named_cases()[name])
        one_line_error(shell("qual", "import", str(path), "--wave", WAVE, "--instrument", "nmahp"), name)


def test_an_unreachable_database_is_one_line_naming_engine_and_host_not_password(tmp_path):
    env = {**clean_env(tmp_path), "DATABASE_URL": "postgres://nobody:s3cret-pw@127.0.0.1:1/x"}
    for args in (["migrate"], ["qual", "build", "--wave", WAVE], ["erase", "--respondent", "abc"]):
        done = subprocess.run([NMAHP, *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
        one_line_error(done, "the database cannot be reached (postgresql on 127.0.0.1:1")
        assert "s3cret-pw" not in done.stderr + done.stdout
    fresh = subprocess.run([NMAHP, "qual", "themes", "--wave", WAVE], cwd=tmp_path, env=clean_env(tmp_path),
                           capture_output=True, text=True, timeout=120)
    one_line_error(fresh, "run nmahp migrate first")
