"""Imports: every error class is reported by row, column, value and expectation, and writes nothing."""

import csv
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nmahp.cli import app
from nmahp.importers import ReadError, import_file
from nmahp.importers.mapping import Mapping
from nmahp.instruments.synth import synthesise
from tests.exportwriter import write_surveymonkey

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
REPORT_CSV = FIXTURES / "report_nmahp_surveymonkey.csv"
runner = CliRunner()


def rows_of(path, encoding="utf-8"):
    with open(path, encoding=encoding, newline="") as handle:
        return list(csv.reader(handle))


def write_rows(path, rows, encoding="utf-8"):
    with open(path, "w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def column_index(rows, header, sub):
    current = ""
    for i, (h, s) in enumerate(zip(rows[0], rows[1], strict=True)):
        current = h or current
        if current == header and s == sub:
            return i
    raise KeyError((header, sub))


@pytest.fixture
def export(tmp_path, nmahp):
    path = tmp_path / "export.csv"
    write_surveymonkey(nmahp, synthesise(nmahp, 40, seed=8), path)
    return path


def test_a_clean_export_imports(export, nmahp):
    result = import_file(export, nmahp)
    assert result.ok and result.layout == "surveymonkey" and len(result.respondents) == 40


def test_unknown_option_names_row_column_value_and_expected(export, nmahp, tmp_path):
    rows = rows_of(export)
    index = column_index(rows, "What is your Agenda for Change pay band?", "Response")
    rows[6][index] = "Band 10"
    result = import_file(write_rows(tmp_path / "bad.csv", rows), nmahp)
    assert not result.ok and result.respondents == []
    (error,) = result.errors
    assert (error.row, error.column, error.value) == (7, "What is your Agenda for Change pay band? | Response",
                                                      "Band 10")
    assert error.expected.startswith("expected one of: Band 2, Band 3")
    assert str(error).startswith("1 row (7), column 'What is your Agenda for Change pay band? | Response': 'Band 10'")


def test_unmapped_column_is_reported_with_a_suggestion(export, nmahp, tmp_path):
    rows = rows_of(export)
    rows[0].append("What is your favourite colour?")
    rows[1].append("Response")
    for row in rows[2:]:
        row.append("Blue")
    result = import_file(write_rows(tmp_path / "extra.csv", rows), nmahp)
    (error,) = result.errors
    assert error.row == 2 and error.column == "What is your favourite colour? | Response"
    assert "map it in a --mapping file" in error.expected


def test_mapping_file_maps_or_ignores_columns(export, nmahp, tmp_path):
    rows = rows_of(export)
    rows[0] += ["What is your favourite colour?", "Staff group"]
    rows[1] += ["Response", "Response"]
    index = column_index(rows, "What is your Agenda for Change pay band?", "Response")
    for row in rows[2:]:
        row += ["Blue", "Band 8A" if row[index] == "Band 8a" else row[index]]
    rows[0][index] = "Pay scale"  # a renamed question the label matcher cannot place
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("columns:\n  'What is your favourite colour?': ignore\n  'Staff group': ignore\n"
                       "  'Pay scale': pay_band\nvalues:\n  pay_band:\n    'Band 8A': band_8a\n")
    path = write_rows(tmp_path / "renamed.csv", rows)
    result = import_file(path, nmahp, mapping=Mapping.load(mapping, nmahp))
    assert result.ok, result.report()
    assert ("Pay scale | Response", "pay_band") in result.mapping


def test_bad_mapping_file_is_explained(nmahp, tmp_path):
    mapping = tmp_path / "m.yaml"
    mapping.write_text("columns:\n  'X': not_a_question\n")
    with pytest.raises(Exception, match="'not_a_question' is not a question of nmahp_survey"):
        Mapping.load(mapping, nmahp)


def test_fourth_top_barrier_is_refused(export, nmahp, tmp_path):
    rows = rows_of(export)
    header = "What are the main barriers to you pursuing a career in research and/or teaching and learning?"
    labels = ["A lack of desirable employment contracts/posts in research and/or teaching",
              "Concern about the potential financial penalties of pursuing a career in research and/or teaching",
              "Not wanting to change employers e.g., stop working for the NHS",
              "Not wanting to reduce contact with patients"]
    for label in labels:
        rows[4][column_index(rows, header, label)] = label
    result = import_file(write_rows(tmp_path / "four.csv", rows), nmahp)
    assert [(e.rows, e.question, e.rule, e.expected) for e in result.errors] == [
        ([5], "top_barriers", "constraint", "Select no more than three barriers.")]
    assert result.respondents == []


def test_windows_1252_and_utf8_with_bom_both_work(export, nmahp, tmp_path):
    rows = rows_of(export)
    index = column_index(rows, "What is your job title?", "Open-Ended Response")
    rows[3][index] = "Band 7 – Physiotherapist’s lead"  # en dash and curly apostrophe exist in both encodings
    cp1252 = write_rows(tmp_path / "ansi.csv", rows, encoding="cp1252")
    bom = write_rows(tmp_path / "bom.csv", rows, encoding="utf-8-sig")
    for path, encoding in ((cp1252, "windows-1252"), (bom, "utf-8")):
        result = import_file(path, nmahp)
        assert result.ok and result.encoding == encoding
        assert result.respondents[1].answers["job_title"] == "Band 7 – Physiotherapist’s lead"


def test_bad_encoding_is_refused(nmahp, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"Respondent ID,Profession\r\n,Response\r\n1,\x81\x8d\x8f\x90\x9d\r\n")
    with pytest.raises(ReadError, match="neither UTF-8 nor Windows-1252"):
        import_file(path, nmahp)


def test_truncated_file_is_refused(export, nmahp, tmp_path):
    data = export.read_bytes()
    cut = tmp_path / "cut.csv"
    cut.write_bytes(data[: len(data) - 500])
    with pytest.raises(ReadError, match="truncated"):
        import_file(cut, nmahp)


def test_unterminated_quote_is_refused(export, nmahp, tmp_path):
    path = tmp_path / "quote.csv"
    path.write_text(export.read_text(encoding="utf-8")[:-200] + '"unfinished text', encoding="utf-8")
    with pytest.raises(ReadError):
        import_file(path, nmahp)


@pytest.mark.parametrize("content", [b"", b"\r\n\r\n", b"   "])
def test_empty_file_is_refused(nmahp, tmp_path, content):
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    with pytest.raises(ReadError, match="empty|no rows"):
        import_file(path, nmahp)


def test_binary_file_is_refused(nmahp, tmp_path):
    path = tmp_path / "picture.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(ReadError, match="binary"):
        import_file(path, nmahp)


def test_xlsx_export_imports(export, nmahp, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    for row in rows_of(export):
        wb.active.append(row)
    path = tmp_path / "export.xlsx"
    wb.save(path)
    result = import_file(path, nmahp)
    assert result.ok and len(result.respondents) == 40 and result.encoding == "xlsx"


def test_incomplete_declined_and_duplicate_rows_are_dropped_and_listed(export, nmahp, tmp_path):
    rows = rows_of(export)
    rows[2][3] = ""  # no end date: did not finish
    consent = column_index(rows, "Do you agree to take part in this survey?", "Response")
    rows[3] = rows[3][:consent] + ["No, I do not agree"] + [""] * (len(rows[3]) - consent - 1)
    rows.append(list(rows[5]))  # the same respondent ID again
    twin = list(rows[6])
    twin[0] = "999"
    rows.append(twin)  # identical answers under a new ID
    result = import_file(write_rows(tmp_path / "mixed.csv", rows), nmahp)
    assert result.ok
    assert result.excluded == [(3, "incomplete: no end date"), (4, "did not consent")]
    assert sorted(r for r, _ in result.duplicates) == [6, 44]
    assert len(result.respondents) == 38  # 42 rows read, 2 excluded, 2 duplicates


# --- ODK Central / KoboToolbox ---------------------------------------------------------------------------
def test_odk_csv_with_group_paths_and_space_separated_selects(nmahp, tmp_path):
    respondents = synthesise(nmahp, 25, seed=2)
    names = [q.name for q in nmahp.questions.values() if q.holds_answer]
    header = ["SubmissionDate", "KEY"] + [f"{nmahp.questions[n].group}-{n}" for n in names]
    rows = [header] + [["2023-03-01", f"uuid:{i}"] + [r.get(n, "") for n in names] for i, r in enumerate(respondents)]
    result = import_file(write_rows(tmp_path / "odk.csv", rows), nmahp)
    assert result.ok and result.layout == "xlsform", result.report()
    assert [r.answers for r in result.respondents] == respondents


def test_kobo_csv_with_one_column_per_choice(nmahp, tmp_path):
    respondents = synthesise(nmahp, 15, seed=4)
    barrier_choices = nmahp.question("top_barriers").choice_names()
    names = [q.name for q in nmahp.questions.values() if q.holds_answer and q.name != "top_barriers"]
    header = ["_uuid"] + [f"{nmahp.questions[n].group}/{n}" for n in names] + \
        [f"enablers_barriers/top_barriers/{c}" for c in barrier_choices] + ["_submission_time", "_index"]
    rows = [header]
    for i, r in enumerate(respondents):
        picked = r.get("top_barriers", "").split()
        rows.append([f"u{i}"] + [r.get(n, "") for n in names] + ["1" if c in picked else "0" for c in barrier_choices]
                    + ["2023-03-01T10:00:00", str(i)])
    result = import_file(write_rows(tmp_path / "kobo.csv", rows), nmahp)
    assert result.ok, result.report()
    assert [r.answers for r in result.respondents] == respondents


def test_odk_unknown_choice_name_is_reported(nmahp, tmp_path):
    (respondent,) = synthesise(nmahp, 1, seed=1)
    names = [q.name for q in nmahp.questions.values() if q.holds_answer]
    row = [respondent.get(n, "") for n in names]
    row[names.index("region")] = "yorkshire"
    result = import_file(write_rows(tmp_path / "odk.csv", [names, row]), nmahp)
    (error,) = result.errors
    assert (error.row, error.column, error.value) == (2, "region", "yorkshire")
    assert "Greater Manchester" in error.expected


# --- the command: dry run, all-or-nothing, re-import adds nothing -----------------------------------------------
@pytest.mark.db
@pytest.mark.django_db
def test_import_command_dry_run_stores_nothing(tmp_path):
    from nmahp.web.surveys.models import Response

    result = runner.invoke(app, ["import", "surveymonkey", str(REPORT_CSV), "--instrument", "nmahp", "--wave", "2023",
                                 "--dry-run"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "column mapping (surveymonkey, utf-8)" in result.output
    assert "sparked_by_conference = research when ticked" in result.output
    assert "duplicate rule:" in result.output
    assert Response.objects.count() == 0


@pytest.mark.db
@pytest.mark.django_db
def test_import_command_is_idempotent_and_keeps_contact_details_apart():
    from nmahp.web.surveys.models import ContactDetails, Response

    first = runner.invoke(app, ["import", "surveymonkey", str(REPORT_CSV), "--instrument", "nmahp", "--wave", "2023"])
    assert first.exit_code == 0, first.output
    assert "imported 174 responses" in first.output
    again = runner.invoke(app, ["import", "surveymonkey", str(REPORT_CSV), "--instrument", "nmahp", "--wave", "2023"])
    assert "imported 0 responses" in again.output and "174 were already there" in again.output
    assert Response.objects.count() == 174
    assert ContactDetails.objects.count() == 102  # 4.2.2.1: 102 left contact details
    assert not any("contact_email" in r.answers for r in Response.objects.all())


@pytest.mark.db
@pytest.mark.django_db
def test_import_command_with_an_invalid_row_writes_nothing(tmp_path):
    from nmahp.web.surveys.models import Response, Wave

    rows = rows_of(REPORT_CSV)
    rows[40][column_index(rows, "What is your Agenda for Change pay band?", "Response")] = "Band 10"
    bad = write_rows(tmp_path / "bad.csv", rows)
    result = runner.invoke(app, ["import", "surveymonkey", str(bad), "--instrument", "nmahp", "--wave", "2023"],
                           env={"COLUMNS": "300"})
    assert result.exit_code == 2
    assert "1 row (41), column 'What is your Agenda for Change pay band? | Response': 'Band 10'" in result.output
    assert "nothing was imported" in result.output
    assert Response.objects.count() == 0 and Wave.objects.count() == 0


@pytest.mark.db
@pytest.mark.django_db
def test_analyse_a_stored_wave(tmp_path):
    import json

    runner.invoke(app, ["import", "surveymonkey", str(REPORT_CSV), "--instrument", "nmahp", "--wave", "2023"])
    result = runner.invoke(app, ["analyse", "--wave", "2023", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    tables = {t["id"]: t for t in json.loads((tmp_path / "tables.json").read_text())["tables"]}
    assert tables["research_interest"]["base_n"] == 172
    assert round(tables["research_interest"]["weighted_average"], 2) == 3.96
    assert (tmp_path / "csv" / "role_contract_interest.csv").exists()


def test_read_error_exit_code_and_message(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    result = runner.invoke(app, ["analyse", "--input", str(empty), "--instrument", "nmahp", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "the file is empty" in result.output
    assert not (tmp_path / "o").exists()


def test_fixture_copy_has_no_stray_state(tmp_path):
    copy = shutil.copy(REPORT_CSV, tmp_path / "copy.csv")
    assert Path(copy).read_bytes() == REPORT_CSV.read_bytes()
