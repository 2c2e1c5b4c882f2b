"""`nmahp careers`: the content check programme staff run after editing, and the checker from a shell."""

import json

import yaml
from typer.testing import CliRunner

from nmahp.cli import app

runner = CliRunner()


def test_check_passes_on_the_shipped_content():
    result = runner.invoke(app, ["careers", "check"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "29 schemes, 100 glossary terms" in result.output
    assert "every summary and definition is in plain English" in result.output


def test_check_names_the_broken_entry_and_exits_2(content_copy):
    path = content_copy / "schemes.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["schemes"][0]["stage"] = "nowhere"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    result = runner.invoke(app, ["careers", "check", "--dir", str(content_copy)], env={"COLUMNS": "300"})
    assert result.exit_code == 2
    assert "schemes.yaml, entry 'nihr-insight', field 'stage': 'nowhere' is not one of" in result.output


def test_check_fails_hard_prose_with_exit_1(content_copy):
    path = content_copy / "glossary.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["terms"][0]["means"] = ("Institutionally heterogeneous multiprofessional configurations "
                                 "characteristically necessitating interorganisational coordination.")
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    result = runner.invoke(app, ["careers", "check", "--dir", str(content_copy)], env={"COLUMNS": "300"})
    assert result.exit_code == 1
    assert "glossary.yaml, entry 'nmahp', field 'means': reading ease" in result.output


def test_eligibility_from_the_shell():
    args = ["careers", "eligibility", "profession=midwife", "registration=registered", "qualification=doctorate",
            "research_experience=substantial", "employer=nhs", "region=nw_greater_manchester", "time=half_or_more"]
    result = runner.invoke(app, [*args, "--json"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert "acaf" in [v["scheme"] for v in data["open"]]
    bad = runner.invoke(app, ["careers", "eligibility", "profession"], env={"COLUMNS": "200"})
    assert bad.exit_code == 2 and "'profession' is not question=answer" in bad.output


def test_the_service_refuses_to_start_on_broken_content(content_copy, tmp_path):
    import os
    import subprocess
    import sys

    path = content_copy / "glossary.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  - id: nmahp\n", "  - id: NMAHP!\n", 1),
                    encoding="utf-8")
    env = {**os.environ, "NMAHP_CONTENT_DIR": str(content_copy), "NMAHP_DATA_DIR": str(tmp_path / "var")}
    env.pop("DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-m", "nmahp", "migrate"], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2  # input a user can fix: the same code as every other such error
    assert "glossary.yaml, entry '#1', field 'id': 'NMAHP!' should be lower-case" in " ".join(done.stderr.split())
    assert "Traceback" not in done.stderr
