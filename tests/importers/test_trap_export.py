"""A SurveyMonkey export in another author's wording, with the traps real exports hold
(tests/fixtures/surveymonkey_independent_wording.py says which, and where it put each one): suggest-mapping
places it, and both policies count every disagreement the fixture planted, by question, rule and row."""

import csv
import json
from pathlib import Path

import pytest
import yaml

from nmahp.importers import import_file
from nmahp.importers.mapping import Mapping
from nmahp.importers.problems import report_csv
from nmahp.importers.suggest import REVIEW_BELOW, suggest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
EXPORT = FIXTURES / "surveymonkey_independent_wording.csv"
PLANTED = json.loads((FIXTURES / "surveymonkey_independent_wording.planted.json").read_text(encoding="utf-8"))
WORDING = yaml.load((FIXTURES / "surveymonkey_independent_wording.yaml").read_text(encoding="utf-8"),
                    Loader=yaml.BaseLoader)
RULES = ("skip_logic", "constraint", "required")


def canonical(target):
    if isinstance(target, dict):
        return tuple(sorted(target.items()))
    return tuple(part.strip() for part in target.split("="))


@pytest.fixture(scope="module")
def suggestion(nmahp):
    return suggest(EXPORT, nmahp)


@pytest.fixture(scope="module")
def reviewed(suggestion, nmahp):
    """The suggested mapping with its columns as proposed and its value entries as a reviewer leaves them
    (the export author's labels for each choice)."""
    data = suggestion.data()
    for entry in WORDING["columns"]:
        if entry["kind"] == "single" and entry["question"] in data.get("values", {}):
            data["values"][entry["question"]] = {label: name for name, label in entry["options"].items()}
    return Mapping.from_data(data, nmahp, "the reviewed suggestion")


def planted_counts():
    return {(q, rule): len(rows) for rule in RULES for q, rows in PLANTED[rule].items()}


def test_suggest_mapping_places_nine_columns_in_ten_unedited(suggestion):
    proposed = {e.column: e.target for e in suggestion.entries}
    truth = PLANTED["truth"]
    right = [column for column, target in truth.items()
             if column in proposed and canonical(proposed[column]) == canonical(target)]
    assert set(proposed) == set(truth)  # an entry for every column, none invented
    assert len(right) / len(truth) >= 0.9, sorted(set(truth) - set(right))
    assert {(q, v) for q, v, _, _ in suggestion.constants} == {("consent", "yes")}  # no consent column
    assert all(0 <= e.confidence <= 100 for e in suggestion.entries)


def test_suggested_yaml_marks_low_confidence_entries_and_loads(suggestion, nmahp, tmp_path):
    text = suggestion.to_yaml()
    low = [e for e in suggestion.entries if e.confidence < REVIEW_BELOW]
    assert text.count("# REVIEW") == suggestion.review() >= len(low)
    path = tmp_path / "mapping.yaml"
    path.write_text(text, encoding="utf-8")
    assert Mapping.load(path, nmahp).columns  # what it writes, the importer reads


def test_strict_refuses_and_counts_every_planted_case(reviewed, nmahp):
    result = import_file(EXPORT, nmahp, mapping=reviewed, policy="strict")
    assert not result.ok and result.respondents == []
    assert result.breaks == planted_counts()
    found = {(p.question, p.rule): p.rows for p in result.errors}
    for rule in RULES:
        for question, rows in PLANTED[rule].items():
            assert found[(question, rule)] == rows
    assert [row for row, _ in result.excluded] == PLANTED["incomplete"]
    assert not [p for p in result.problems if p.rule not in RULES]  # nothing else wrong with the file


def test_requirements_say_why_and_tell_no_column_from_an_empty_cell(reviewed, nmahp, tmp_path):
    result = import_file(EXPORT, nmahp, mapping=reviewed, policy="strict")
    messages = {p.question: p.message for p in result.errors if p.rule == "required"}
    assert messages["contact_email"] == ("the file has no column for contact_email; contact_email is needed "
                                         "because contact_consent is 'yes'")
    with open(EXPORT, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    region = rows[0].index("Which integrated care system area is your main workplace in?")
    rows[9][region] = ""
    emptied = tmp_path / "emptied.csv"
    with open(emptied, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    (problem,) = [p for p in import_file(emptied, nmahp, mapping=reviewed).errors if p.question == "region"]
    assert (problem.rows, problem.message) == ([10], "left region empty (a required question)")
    assert str(problem).startswith("1 row (10), column 'Which integrated care system area is your main workplace in?")


def test_report_csv_has_every_problem_on_every_row(reviewed, nmahp, tmp_path):
    result = import_file(EXPORT, nmahp, mapping=reviewed, policy="strict")
    lines = report_csv(result.problems, tmp_path / "report.csv")
    with open(tmp_path / "report.csv", encoding="utf-8", newline="") as handle:
        written = list(csv.DictReader(handle))
    assert lines == len(written) == sum(planted_counts().values())
    assert {(r["question"], r["rule"], int(r["row"])) for r in written} == {
        (q, rule, row) for rule in RULES for q, rows in PLANTED[rule].items() for row in rows}


@pytest.mark.db
@pytest.mark.django_db
def test_as_recorded_keeps_flags_and_records_the_policy(reviewed, nmahp, tmp_path):
    from nmahp.app.imports import import_export
    from nmahp.web.accounts.models import AuditEvent
    from nmahp.web.surveys.models import ImportRecord, Response

    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(yaml.safe_dump(_data(reviewed)), encoding="utf-8")
    refused = import_export(EXPORT, "nmahp", "2024", mapping=mapping, policy="strict")
    assert not refused.stored and Response.objects.count() == 0
    done = import_export(EXPORT, "nmahp", "2024", mapping=mapping, policy="as-recorded")
    assert done.stored and done.added == done.result.rows_read - len(PLANTED["incomplete"])
    by_id = {r.external_id: r for r in Response.objects.all()}
    flagged: dict[tuple[str, str], list[int]] = {}
    for response in by_id.values():
        row = int(response.external_id) - 118_200_000_000 + 3
        for flag in response.flags:
            flagged.setdefault((flag["question"], flag["rule"]), []).append(row)
    assert {k: sorted(v) for k, v in flagged.items()} == {(q, rule): rows for rule in RULES
                                                          for q, rows in PLANTED[rule].items()}
    skipped_row = PLANTED["skip_logic"]["time_proportion_research"][0]
    kept = by_id[str(118_200_000_000 + skipped_row - 3)].answers
    assert kept["time_last_12_months"] == "neither" and kept["time_proportion_research"]  # the answer as given
    quote = PLANTED["quote"]
    assert by_id[str(118_200_000_000 + quote["row"] - 3)].answers[quote["question"]] == quote["text"]
    for row, text in PLANTED["joined"].items():
        assert by_id[str(118_200_000_000 + int(row) - 3)].answers["open_comments"] == text
    (record,) = ImportRecord.objects.all()
    assert record.policy == "as-recorded" and record.added == done.added
    assert {(b["question"], b["rule"]): b["rows"] for b in record.breaks} == planted_counts()
    assert record.flagged == len({r.pk for r in by_id.values() if r.flags})
    assert AuditEvent.objects.filter(action="import").count() == 1


def _data(mapping: Mapping) -> dict:
    columns = {mapping.written[k]: v for k, v in mapping.columns.items()}
    values = {q: dict(labels) for q, labels in mapping.values.items()}
    return {"columns": columns, "values": values, "constants": mapping.constants}
