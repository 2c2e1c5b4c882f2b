"""Answers an as-recorded import kept although the skip logic would not ask them, as analysis shows them:
the trap export (tests/fixtures/surveymonkey_independent_wording.*) imported under as-recorded, then the
table of a question its author answered past the skip logic says how many of its answers break it, through
`nmahp analyse` (a real subprocess) and the dashboard's table twin, and leaving them out lowers the
table's base by exactly that many."""

import json

import pytest
import yaml

from tests.importers.test_import_shell import EXPORT, PLANTED, migrated_shell, reviewed_mapping

QUESTION = "time_proportion_research"
PLANTED_SKIPS = len(PLANTED["skip_logic"][QUESTION])


def overall(tables_json, question):
    (table,) = [t for t in tables_json["tables"] if t["question"] == question and not t.get("by")]
    return table


@pytest.fixture(scope="module")
def shell(tmp_path_factory):
    return migrated_shell(tmp_path_factory.mktemp("rule-breaks-shell"))


def test_analyse_says_how_many_answers_break_the_skip_logic_and_leaves_them_out(shell):
    mapping = reviewed_mapping(shell)
    kept = shell("import", "surveymonkey", str(EXPORT), "--instrument", "nmahp", "--wave", "2024", "--mapping",
                 str(mapping), "--policy", "as-recorded")
    assert kept.returncode == 0, kept.stdout + kept.stderr
    done = shell("analyse", "--wave", "2024", "--out", str(shell.dir / "all"), "--by", "")
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    said = [i for i, line in enumerate(lines) if f"({QUESTION})" in line or f"({QUESTION}-" in line]
    assert len(said) == 1, done.stdout
    assert f"{PLANTED_SKIPS} of its answers break the current skip logic" in lines[said[0]]
    assert lines[said[0] - 1].startswith(f"{QUESTION} (N=")  # under its table
    left = shell("analyse", "--wave", "2024", "--out", str(shell.dir / "left"), "--by", "", "--exclude-rule-breaks")
    assert left.returncode == 0, left.stdout + left.stderr
    assert "left out" in left.stdout
    before = overall(json.loads((shell.dir / "all" / "tables.json").read_text(encoding="utf-8")), QUESTION)
    after = overall(json.loads((shell.dir / "left" / "tables.json").read_text(encoding="utf-8")), QUESTION)
    assert before["base_n"] - after["base_n"] == PLANTED_SKIPS
    ok = overall(json.loads((shell.dir / "left" / "tables.json").read_text(encoding="utf-8")), "region")
    assert ok["base_n"] == overall(json.loads((shell.dir / "all" / "tables.json").read_text(encoding="utf-8")),
                                   "region")["base_n"]  # the respondents stay


@pytest.mark.db
@pytest.mark.django_db
def test_the_table_twin_counts_them_and_can_leave_them_out(signed_in, tmp_path):
    from nmahp.app.imports import import_export
    from nmahp.web.surveys.models import Wave

    done = import_export(EXPORT, "nmahp", "2024", mapping=_mapping(tmp_path), policy="as-recorded")
    assert done.stored
    wave = Wave.objects.get(name="2024")
    client = signed_in("analyst")
    listed = client.get(f"/dashboard/wave/{wave.pk}.json").json()
    (table_id,) = [t["id"] for t in listed["tables"] if t["question"] == QUESTION]
    url = f"/dashboard/wave/{wave.pk}/tables/{table_id}.json"
    shown = client.get(url).json()
    assert shown["rule_breaks"]["count"] == PLANTED_SKIPS and shown["rule_breaks"]["rule"] == "skip_logic"
    assert shown["rule_breaks"]["excluded"] is False
    left = client.get(url + "?rule_breaks=exclude").json()
    assert left["rule_breaks"]["excluded"] is True
    assert shown["table"]["base_n"] - left["table"]["base_n"] == PLANTED_SKIPS
    page = client.get(f"/dashboard/wave/{wave.pk}/tables/{table_id}/").content.decode()
    assert f"{PLANTED_SKIPS} of its answers break the current skip logic" in page
    (region_id,) = [t["id"] for t in listed["tables"] if t["question"] == "region"]
    assert client.get(f"/dashboard/wave/{wave.pk}/tables/{region_id}.json").json()["rule_breaks"] is None


def _mapping(folder):
    from nmahp.importers.suggest import suggest
    from nmahp.instruments import get_instrument

    data = suggest(EXPORT, get_instrument("nmahp")).data()
    wording = yaml.load((EXPORT.with_suffix(".yaml")).read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    for entry in wording["columns"]:
        if entry["kind"] == "single" and entry["question"] in data.get("values", {}):
            data["values"][entry["question"]] = {label: name for name, label in entry["options"].items()}
    path = folder / "mapping.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path
