"""XLSForms other people wrote (pyxform's own test suite), each loaded with synthetic respondents validated against
it, or refused with the unsupported feature named. Every result goes into docs/interoperability.md.

The forms are pyxform's markdown-table and CSV forms (tests/fixtures/external/SOURCES.md); each is turned into an
.xlsx by pyxform's own readers (the same sheets and cells pyxform converts), then loaded as a workbook.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import Workbook
from pyxform.xls2json_backends import get_xlsform

from nmahp.errors import InstrumentError
from nmahp.instruments import load_instrument, validate
from nmahp.instruments.synth import synthesise

FORMS = Path(__file__).resolve().parents[1] / "fixtures" / "external" / "xlsform"
SUITE = "pyxform test suite (hand-written XLSForm)"
RESPONDENTS = 200


def as_workbook(source: Path, folder: Path) -> Path:
    """The form as an .xlsx, sheet by sheet as pyxform reads the text form."""
    data = get_xlsform(str(source))
    book = Workbook()
    book.remove(book.active)
    for sheet in ("survey", "choices", "settings", "external_choices", "entities", "osm"):
        rows, header = getattr(data, sheet), getattr(data, f"{sheet}_header")
        if not rows and not header:
            continue
        columns = list(header[0]) if header else list(dict.fromkeys(k for r in rows for k in r))
        page = book.create_sheet(sheet)
        page.append(columns)
        for row in rows or []:
            page.append([row.get(c) for c in columns])
    out = folder / f"{source.stem.split('.')[0]}.xlsx"
    book.save(out)
    return out


def outcome(source: Path, folder: Path):
    """(instrument or None, the conformance line's result)."""
    try:
        form = load_instrument(as_workbook(source, folder))
    except InstrumentError as exc:
        return None, "refused: " + "; ".join(str(p) for p in exc.problems)
    rows = synthesise(form, RESPONDENTS, seed=3)
    invalid = [r for r in rows if not validate(form, r).ok]
    asked = len(form.answer_questions())
    notes = []
    if len(form.languages) > 1:
        notes.append(f"{len(form.languages)} languages ({', '.join(form.languages)})")
    filtered = sum(1 for q in form.questions.values() if q.choice_filter is not None)
    if filtered:
        notes.append(f"{filtered} with a choice_filter")
    notes = f" ({'; '.join(notes)})" if notes else ""
    return form, (f"loaded: {asked} question{'s' if asked != 1 else ''}{notes}, "
                  f"{len(rows) - len(invalid)} of {len(rows)} synthetic respondents valid")


# (file, what the loaded form or the refusal must show; every claim below is read from the file itself)
LOADED = {
    "yes_or_no_question.md": lambda f: f.question("good_day").choice_names() == ("yes", "no"),
    "text_and_integer.md": lambda f: [q.type for q in f.answer_questions()] == ["text", "integer"],
    # `select one from sexes or specify other`: pyxform adds the 'other' choice and a text question for it
    "specify_other.md": lambda f: (f.question("sex").choice_names() == ("male", "female", "other")
                                   and f.question("sex_other").type == "text"),
    # `label:English (en)`, a group, and `phone number` (a text question in XForms)
    "group.csv": lambda f: (f.languages == ("English (en)",) and f.question("age").group == "father"
                            and f.question("phone_number").type == "text"),
    # `list name`, `label::en`/`label::ko`, allow_choice_duplicates, settings `id_string`
    "test_choices_sheet__duplicates_and_translations.md": lambda f: (
        f.languages == ("en", "ko") and f.question("S1").choice_names() == ("a", "b", "c", "c")
        and f.in_language("ko").question("S1").label == "질문 1"),
    "test_choices_sheet__numeric_names_dynamic_select.md": lambda f: (
        f.question("a").available_names({}) == ("1", "2")),
    "test_sheet_columns__choice_filter_columns_not_normalised.md": lambda f: (
        f.question("q1").available_names({"q0": "a1"}) == ("na",)
        and f.question("q1").available_names({"q0": "b5"}) == ("nb",)
        and f.question("q1").available_names({"q0": "b6"}) == ("nb",)
        and f.question("q1").available_names({"q0": "zz"}) == ()),
    "test_sheet_columns__form_id_variant.md": lambda f: (f.form_id, f.version) == ("AUTO-v2-jef",
                                                                                   "vWvvk3GYzjXcJQyvTWELej"),
}
REFUSED = {
    "case_insensitivity.md": ("entities", "select_one_external", "OpenStreetMap"),
    "loop.md": ("repeat groups",),
    "include.md": ("'include' is not a question type",),
    "test_external_instances_for_selects__from_file_with_filters.md": (
        "the choices file 'cities.csv' is not beside the workbook",),
    "test_external_instances_for_selects__select_one_external_with_filters.md": ("select_one_external",),
}


@pytest.mark.conformance
@pytest.mark.parametrize("name", sorted(LOADED))
def test_real_form_loads_and_synthetic_respondents_are_valid(name, tmp_path, conformance):
    source = FORMS / name
    form, result = outcome(source, tmp_path)
    conformance(source, SUITE, "XLSForm", result)
    assert form is not None, result
    assert result.endswith(f"{RESPONDENTS} of {RESPONDENTS} synthetic respondents valid"), result
    assert LOADED[name](form)


@pytest.mark.conformance
@pytest.mark.parametrize("name", sorted(REFUSED))
def test_real_form_with_unsupported_features_is_refused_by_name(name, tmp_path, conformance):
    source = FORMS / name
    form, result = outcome(source, tmp_path)
    conformance(source, SUITE, "XLSForm", result)
    assert form is None
    for feature in REFUSED[name]:
        assert feature in result


def test_the_form_matches_pyxforms_expected_json_output(tmp_path):
    # pyxform's own expected output for yes_or_no_question: the same questions, choices and labels by language
    expected = json.loads((FORMS / "yes_or_no_question.expected.json").read_text(encoding="utf-8"))
    form = load_instrument(as_workbook(FORMS / "yes_or_no_question.md", tmp_path))
    asked = [c for c in expected["children"] if c["type"] != "group"]
    assert [q.name for q in form.answer_questions()] == [c["name"] for c in asked]
    for child in asked:
        question = form.question(child["name"])
        assert question.list_name == child["list_name"]
        assert question.labels == child["label"]
        assert [(c.name, c.labels) for c in question.choices] == [(c["name"], c["label"]) for c in child["choices"]]
    assert form.form_id == expected["id_string"]


def test_a_choice_the_filter_leaves_out_is_refused_and_synthesis_keeps_to_the_filter(tmp_path):
    form = load_instrument(as_workbook(FORMS / "test_sheet_columns__choice_filter_columns_not_normalised.md",
                                       tmp_path))
    assert validate(form, {"q0": "a3", "q1": "na"}).ok
    refused = validate(form, {"q0": "a3", "q1": "nb"})
    assert refused.errors_by_question() == {"q1": "'nb' is not one of the options for this question"}
    # synthetic answers never break the filter: every q1 given is one the filter keeps for that q0
    for row in synthesise(form, 300, seed=8):
        if "q1" in row:
            assert row["q1"] in form.question("q1").available_names(row)
