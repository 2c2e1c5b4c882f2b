"""The `nmahp` command's instrument sub-commands."""

from typer.testing import CliRunner

from nmahp.cli import app

from .formtools import workbook_from_md

runner = CliRunner()


def test_instruments_list_shows_both():
    result = runner.invoke(app, ["instruments", "list"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "nmahp_survey" in result.output and "leads_survey" in result.output


def test_instruments_show_prints_skip_logic():
    result = runner.invoke(app, ["instruments", "show", "nmahp"], env={"COLUMNS": "400"})
    assert result.exit_code == 0
    assert "time_proportion_research" in result.output
    assert "selected(${careers_advice_received}, 'research')" in result.output


def test_instruments_validate_good_and_bad(tmp_path):
    good = runner.invoke(app, ["instruments", "validate", "src/nmahp/workbooks/nmahp_survey.xlsx"])
    assert good.exit_code == 0 and "OK" in good.output
    bad = workbook_from_md("""
| survey |
|        | type | name | label |
|        | texty | q | Q |
| choices |
|        | list_name | name | label |
| settings |
|        | form_id | version |
|        | f | 1 |
""", tmp_path / "bad.xlsx")
    result = runner.invoke(app, ["instruments", "validate", str(bad)], env={"COLUMNS": "200"})
    assert result.exit_code == 1
    assert "sheet 'survey', row 2, column 'type'" in result.output
