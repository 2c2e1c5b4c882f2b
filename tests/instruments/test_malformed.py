"""A broken workbook says which sheet, row and column is wrong, and loads nothing."""

import pytest

from nmahp.errors import InstrumentError
from nmahp.instruments import load_instrument

GOOD_SURVEY = """
| survey   |
|          | type          | name    | label   | relevant          |
|          | select_one yn | consent | Agree?  |                   |
|          | text          | why     | Why?    | ${consent} = 'no' |
"""
CHOICES = """
| choices  |
|          | list_name | name | label |
|          | yn        | yes  | Yes   |
|          | yn        | no   | No    |
"""
SETTINGS = """
| settings |
|          | form_id | version |
|          | f       | 1       |
"""


def problems(md_workbook, md):
    with pytest.raises(InstrumentError) as caught:
        load_instrument(md_workbook(md))
    return caught.value.problems


def test_good_form_loads(md_workbook):
    form = load_instrument(md_workbook(GOOD_SURVEY + CHOICES + SETTINGS))
    assert list(form.questions) == ["consent", "why"]


def test_missing_survey_sheet_is_named(md_workbook):
    found = problems(md_workbook, CHOICES + SETTINGS)
    assert [(p.sheet, "no 'survey' sheet" in p.message) for p in found] == [("survey", True)]


def test_settings_are_optional_and_default_from_the_file_name(md_workbook):
    # XLSForm makes the settings sheet optional: form_id and title default to the file's name, version to none
    form = load_instrument(md_workbook(GOOD_SURVEY + CHOICES))
    assert (form.form_id, form.title, form.version) == (form.name, form.name, "")
    blank_id = load_instrument(md_workbook(GOOD_SURVEY + CHOICES + SETTINGS.replace("| f       |", "|         |")))
    assert (blank_id.form_id, blank_id.version) == (blank_id.name, "1")


def test_bad_type_names_sheet_row_and_column(md_workbook):
    md = GOOD_SURVEY.replace("| text          |", "| txet          |") + CHOICES + SETTINGS
    (problem,) = problems(md_workbook, md)
    assert (problem.sheet, problem.row, problem.column) == ("survey", 3, "type")
    assert "'txet' is not a question type" in problem.message


def test_unknown_choice_list_is_located(md_workbook):
    md = GOOD_SURVEY.replace("select_one yn", "select_one ny") + CHOICES + SETTINGS
    (problem,) = problems(md_workbook, md)
    assert (problem.sheet, problem.row, problem.column) == ("survey", 2, "type")
    assert "choice list 'ny'" in problem.message


@pytest.mark.parametrize("relevant,says", [
    ("${consent} = 'no", "cannot be read as an XPath expression"),
    ("${consnet} = 'no'", "refers to ${consnet}"),
    ("${consent} = = 'no'", "cannot be read as an XPath expression"),
])
def test_broken_relevant_names_sheet_row_and_column(md_workbook, relevant, says):
    md = GOOD_SURVEY.replace("${consent} = 'no' |", f"{relevant} |") + CHOICES + SETTINGS
    (problem,) = problems(md_workbook, md)
    assert (problem.sheet, problem.row, problem.column) == ("survey", 3, "relevant")
    assert says in problem.message
    assert "sheet 'survey', row 3, column 'relevant'" in str(problem)


def test_duplicate_names_and_choices_are_all_reported(md_workbook):
    md = GOOD_SURVEY.replace("| why     |", "| consent |") + CHOICES.replace("| no   | No", "| yes  | No") + SETTINGS
    found = problems(md_workbook, md)
    assert {(p.sheet, p.row, p.column) for p in found} == {("survey", 3, "name"), ("choices", 3, "name")}


def test_not_a_workbook(tmp_path):
    bogus = tmp_path / "form.xlsx"
    bogus.write_text("type,name,label\n")
    with pytest.raises(InstrumentError) as caught:
        load_instrument(bogus)
    assert "cannot be opened as an Excel workbook" in str(caught.value)


def test_unclosed_group(md_workbook):
    md = GOOD_SURVEY.replace("|          | select_one yn", "|          | begin_group | page | Page | |\n|          | select_one yn") + CHOICES + SETTINGS
    found = problems(md_workbook, md)
    assert any("never closed" in p.message for p in found)
