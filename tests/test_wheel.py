"""The package installs like one: a wheel built from the repository, installed into a fresh virtualenv,
runs the demo, an analysis, a report and the content checks with no checkout in sight.

The new virtualenv gets the wheel only (--no-deps); the dependencies come from this interpreter's
site-packages through a .pth file. A folder added by a .pth goes after the virtualenv's own
site-packages and its own .pth files are not read, so the repository's editable install of nmahp
(a .pth there) is never picked up: the nmahp that runs is the wheel's."""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from nmahp.web.demo import DEMO_WAVE

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "src" / "nmahp"
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")


def _run(command: list[str], cwd: Path, env: dict[str, str], timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict:
    """Build the wheel, install it into a new virtualenv, and return what the tests need."""
    root = tmp_path_factory.mktemp("wheel")
    # build from a copy of the repository's files, so the build leaves no build/ or egg-info behind in
    # the working tree and no stale build/lib from an earlier build can slip into the wheel
    source = root / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    shutil.copytree(REPO / "src", source / "src", ignore=IGNORED)
    dist = root / "dist"
    built = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-cache-dir",
                  "-q", "-w", str(dist), str(source)], cwd=root, env=dict(os.environ))
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = dist.glob("nmahp-*.whl")

    env_dir = root / "venv"
    venv.create(env_dir, with_pip=False)  # this interpreter's pip installs into it (pip --python)
    python = env_dir / "bin" / "python"
    done = _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index",
                 "--no-cache-dir", "-q", str(wheel)], cwd=root, env=dict(os.environ))
    assert done.returncode == 0, done.stdout + done.stderr
    purelib = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                        cwd=root, env={"PATH": os.defpath}).stdout.strip())
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"], *site.getsitepackages()}
    (purelib / "_nmahp_test_dependencies.pth").write_text("\n".join(sorted(ours)) + "\n", encoding="utf-8")

    work = root / "work"  # cwd outside the repository
    work.mkdir()
    data = root / "data"
    env = {"PATH": f"{env_dir / 'bin'}{os.pathsep}{os.defpath}", "HOME": str(root / "home"), "LANG": "C.UTF-8",
           "NMAHP_DATA_DIR": str(data)}  # no PYTHONPATH, no DJANGO_SETTINGS_MODULE, no NMAHP_*_DIR
    return {"wheel": wheel, "venv": env_dir, "python": python, "nmahp": env_dir / "bin" / "nmahp",
            "work": work, "data": data, "env": env}


def test_the_wheel_holds_every_file_the_package_reads(installed):
    names = set(zipfile.ZipFile(installed["wheel"]).namelist())
    for expected in ("nmahp/workbooks/nmahp_survey.xlsx", "nmahp/workbooks/leads_survey.xlsx",
                     "nmahp/workbooks/nmahp_survey.marginals.yaml", "nmahp/workbooks/leads_survey.marginals.yaml",
                     "nmahp/content/schemes.yaml", "nmahp/content/glossary.yaml", "nmahp/report/outline.yaml",
                     "nmahp/qualitative/schema/Project-mrt2019.xsd", "nmahp/web/surveys/templates/web/landing.html",
                     "nmahp/web/templates/web/nhs_base.html", "nmahp/web/static/web/nhs-extra.css",
                     "nmahp/web/surveys/migrations/0001_initial.py", "nmahp/navigator/content.py"):
        assert expected in names, expected
    # every file under src/nmahp, Python or not, tracked or built (web/static/nhsuk/ by `make assets`)
    on_disk = {"nmahp/" + p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*")
               if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}
    assert "nmahp/web/static/nhsuk/nhsuk-frontend.min.css" in on_disk, "run `make assets` first"
    assert sorted(on_disk - names) == []


def test_the_installed_package_is_the_wheel_not_the_checkout(installed):
    found = _run([str(installed["python"]), "-c", "import nmahp, django; print(nmahp.__file__); print(django.__file__)"],
                 cwd=installed["work"], env=installed["env"])
    assert found.returncode == 0, found.stderr
    nmahp_file, django_file = (Path(line) for line in found.stdout.split())
    assert nmahp_file.is_relative_to(installed["venv"]), nmahp_file
    assert not nmahp_file.is_relative_to(REPO / "src")
    assert not django_file.is_relative_to(installed["venv"])  # dependencies come through the .pth


def test_demo_analysis_report_and_checks_run_from_the_installed_command(installed):
    nmahp, work, env = str(installed["nmahp"]), installed["work"], installed["env"]

    demo = _run([nmahp, "demo", "--no-serve"], cwd=work, env=env)
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert f"wave {DEMO_WAVE}" in demo.stdout
    assert (installed["data"] / "nmahp.sqlite3").exists()

    out = work / "out"
    analysed = _run([nmahp, "analyse", "--wave", DEMO_WAVE, "--instrument", "nmahp", "--out", str(out)],
                    cwd=work, env=env)
    assert analysed.returncode == 0, analysed.stdout + analysed.stderr
    tables = json.loads((out / "tables.json").read_text(encoding="utf-8"))["tables"]
    assert sum(t["base_n"] > 0 for t in tables) > 10
    assert list((out / "csv").glob("*.csv"))

    # the report of a leads-only wave: the same code path as the demo wave's, a quarter of the figures to draw
    leads = _run([nmahp, "synth", "--instrument", "leads", "--n", "16", "--seed", "3", "--db", "--wave", "leads-only"],
                 cwd=work, env=env)
    assert leads.returncode == 0, leads.stdout + leads.stderr
    reported = _run([nmahp, "report", "--wave", "leads-only", "--out", "report.html"], cwd=work, env=env)
    assert reported.returncode == 0, reported.stdout + reported.stderr
    html = (work / "report.html").read_text(encoding="utf-8")
    assert "<figcaption>Figure 1: " in html and 'src="data:image/svg+xml;base64,' in html
    assert html.count("<figure") > 5 and html.count("<table") > 5

    listed = _run([nmahp, "instruments", "list"], cwd=work, env={**env, "COLUMNS": "200"})
    assert listed.returncode == 0, listed.stdout + listed.stderr
    assert "nmahp_survey" in listed.stdout and "leads_survey" in listed.stdout

    # exit 0 when the content is valid and in plain English; 1 names texts below the standard, 2 broken YAML
    checked = _run([nmahp, "careers", "check"], cwd=work, env=env)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "content is valid" in checked.stdout
