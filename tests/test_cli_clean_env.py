"""Every `nmahp` command as a user meets it: a real subprocess in a clean environment (no pytest-django, no
DJANGO_SETTINGS_MODULE). Each command and sub-command the Typer app has, found by walking it, answers
--help; and the qualitative commands do real work on files other tools wrote (or wrote the way those tools
do): import, export, import again, themes, import-taguette and import-transcript. A command that works
only inside the test harness fails here. tests/test_cli_shell.py runs the other commands' work and errors."""

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from nmahp.qualitative.refi import import_qdpx

from .qualitative.test_refi_vendors import PASSAGE, SELECTION, qdpx
from .qualitative.test_transcripts import TEAMS_VTT
from .test_cli_shell import clean_env, ok, one_line_error

NMAHP = str(Path(sys.executable).with_name("nmahp"))
EXTERNAL = Path(__file__).resolve().parent / "fixtures" / "external" / "refi"


def every_command() -> list[list[str]]:
    """The path of every command and group of the app, walked from Typer's own command tree, so a command
    added later is tested without anyone listing it here."""
    from typer.main import get_command

    from nmahp.cli import app

    found = []

    def walk(command, path):
        found.append(path)
        for name, sub in sorted((getattr(command, "commands", None) or {}).items()):
            walk(sub, [*path, name])

    walk(get_command(app), [])
    return found


# one clean interpreter asks every command for its help, as `nmahp PATH --help` would (starting an
# interpreter per command would cost a second each, most of it start-up)
HELP_DRIVER = """
import json, sys
from click.testing import CliRunner
from typer.main import get_command
from nmahp.cli import app
command = get_command(app)
results = []
for path in json.loads(sys.argv[1]):
    done = CliRunner().invoke(command, [*path, "--help"], prog_name="nmahp")
    results.append([path, done.exit_code, done.output, repr(done.exception) if done.exception else ""])
print(json.dumps(results))
"""


def test_every_command_and_sub_command_answers_help_in_a_clean_environment(tmp_path):
    commands = every_command()
    assert ["qual", "import-taguette"] in commands and ["instruments", "validate"] in commands
    assert len(commands) > 30
    env = clean_env(tmp_path)
    assert not any(k.startswith(("DJANGO", "PYTEST")) for k in env)
    done = subprocess.run([sys.executable, "-c", HELP_DRIVER, json.dumps(commands)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    assert [path for path, *_ in results] == commands
    failed = [(" ".join(path) or "nmahp", code, error or output[-200:]) for path, code, output, error in results
              if code != 0 or "Usage: nmahp" not in output or "Traceback" in output]
    assert failed == []
    # and the installed command itself, for the app and one sub-command of each group
    for path in (["--help"], ["qual", "import", "--help"]):
        assert "Usage: nmahp" in ok(subprocess.run([NMAHP, *path], cwd=tmp_path, env=env, capture_output=True,
                                                   text=True, timeout=120))


# the database, a wave, and the document Taguette's test coded ("otherdoc"), in one interpreter
SETUP = """
from nmahp.app import service
service.migrate()
from nmahp.app import coding
from nmahp.app.waves import open_wave
open_wave("nmahp", "interop")
from nmahp.qualitative.documents import from_text
coding.save_document(coding.project_for("interop", "nmahp"), from_text("different content", "otherdoc", "44"))
"""


@pytest.fixture(scope="module")
def shell(tmp_path_factory):
    """A fresh SQLite database with one wave (made by one clean subprocess; the commands are others)."""
    data_dir = tmp_path_factory.mktemp("clean")
    env = clean_env(data_dir)

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([NMAHP, *args], cwd=data_dir, env=env, capture_output=True, text=True, timeout=300)

    made = subprocess.run([sys.executable, "-c", SETUP], cwd=data_dir, env=env, capture_output=True, text=True,
                          timeout=120)
    assert made.returncode == 0, made.stderr
    run.dir = data_dir
    return run


WAVE = ["--wave", "interop", "--instrument", "nmahp"]


def test_qual_commands_do_real_work_from_a_plain_shell(shell):
    d = shell.dir
    # transcripts: a Teams .vtt, and a file that is not WebVTT
    (d / "Interview 43.vtt").write_text(TEAMS_VTT, encoding="utf-8")
    said = ok(shell("qual", "import-transcript", str(d / "Interview 43.vtt"), *WAVE, "--participant", "43"))
    assert "added Interview 43.vtt: 4 turns, 2 speakers" in said
    (d / "subtitles.vtt").write_text("1\n00:00:01,000 --> 00:00:02,000\nan SRT file\n", encoding="utf-8")
    one_line_error(shell("qual", "import-transcript", str(d / "subtitles.vtt"), *WAVE, "--participant", "45"),
                   "subtitles.vtt: is not a WebVTT transcript")
    # a project written as NVivo writes one (ATLAS.ti's and Taguette's real codebooks go through the same
    # import: tests/qualitative/test_refi_vendors.py)
    (d / "nvivo.qdpx").write_bytes(qdpx("NVivo for Windows 12.6", "nvivo"))
    said = " ".join(ok(shell("qual", "import", str(d / "nvivo.qdpx"), *WAVE)).split())
    assert said.startswith("imported 3 codes, 1 documents and 1 highlights from NVivo for Windows 12.6; 1 notes, "
                           "1 sets; skipped: 1 PictureSources")
    # Taguette's real exports, placed on the document its test coded
    taguette = EXTERNAL / "taguette"
    said = ok(shell("qual", "import-taguette", *WAVE, "--codebook", str(taguette / "codebook.csv"),
                    "--highlights", str(taguette / "highlights-interesting.csv")))
    assert "imported 3 Taguette highlights (3 stored)" in said
    # export, read it back, and import it again: nothing new
    out = d / "project.qdpx"
    ok(shell("qual", "export", *WAVE, "--out", str(out)))
    with zipfile.ZipFile(out) as archive:
        assert archive.read("project.qde").count(b"<SyncPoint") == 8  # the transcript's four turns
    exported = import_qdpx(out)
    assert exported.text_of(next(h for h in exported.highlights if h.id == SELECTION)) == PASSAGE
    assert sorted(exported.text_of(h) for h in exported.highlights if h.coder == "taguette") == \
        ["diff", "tent", "tent"]
    said = " ".join(ok(shell("qual", "import", str(out), *WAVE)).split())
    assert "0 documents and 0 highlights" in said and "highlights already here" in said
    themes = ok(shell("qual", "themes", *WAVE))
    assert "Protected time" in themes and "interesting.places" in themes
