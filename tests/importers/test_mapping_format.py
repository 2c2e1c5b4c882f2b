"""The mapping format a person writes (docs/importing.md): the documented example imports, and every
mistake in a mapping is an error naming the mapping file and the entry."""

import csv
import re
from pathlib import Path

import pytest

from nmahp.errors import NmahpError
from nmahp.importers import import_file
from nmahp.importers.mapping import Mapping

DOC = Path(__file__).resolve().parents[2] / "docs" / "importing.md"
HEADERS = [
    ("Respondent ID", ""), ("End Date", ""), ("IP Address", ""),
    ("Which AfC band is your post graded at?", "Response"), ("", "Other (please specify)"),
    ("Academic qualifications - which do you hold or are you studying for?", "Masters degree - hold"),
    ("", "Doctorate - studying"),
    ("Pick up to three things that most hold you back from an academic career", "Worry about losing out financially"),
    ("", "Other (please specify)"),
    ("Final comments (part 1)", "Open-Ended Response"), ("Final comments (continued)", "Open-Ended Response"),
    ("May we get in touch about taking part in an interview later on?", "Response"),
]


def documented_example() -> str:
    text = DOC.read_text(encoding="utf-8")
    after = text[text.index("This mapping imports it:"):]
    return re.search(r"```yaml\n(.*?)```", after, re.S).group(1)


def write_export(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow([h for h, _ in HEADERS])
        out.writerow([s for _, s in HEADERS])
        out.writerows(rows)
    return path


ROWS = [
    ["1", "03/01/2024", "10.0.0.1", "AfC band 5", "", "Masters degree - hold", "", "", "", "More time.", "And money.",
     "Yes, you may contact me"],
    ["2", "03/02/2024", "10.0.0.2", "Not on AfC / other pay scale", "University grade 7", "", "Doctorate - studying",
     "Worry about losing out financially", "Childcare", "", "", "No thank you"],
]


def test_the_documented_example_imports(nmahp, tmp_path):
    mapping_file = tmp_path / "mapping.yaml"
    mapping_file.write_text(documented_example(), encoding="utf-8")
    export = write_export(tmp_path / "export.csv", ROWS)
    result = import_file(export, nmahp, mapping=Mapping.load(mapping_file, nmahp), policy="as-recorded")
    assert result.ok, result.report()
    first, second = result.respondents
    assert first.answers["consent"] == "yes"  # the constant
    assert first.answers["pay_band"] == "band_5" and first.answers["qualifications"] == "masters_hold"
    assert first.answers["open_comments"] == "More time.\nAnd money."  # two columns, one answer
    assert second.answers["pay_band"] == "other" and second.answers["pay_band_other"] == "University grade 7"
    assert second.answers["top_barriers"] == "financial_penalties other"
    assert second.answers["top_barriers_other"] == "Childcare"
    assert second.answers["qualifications"] == "phd_undertaking"


def load(tmp_path, nmahp, text):
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8")
    return Mapping.load(path, nmahp)


@pytest.mark.parametrize(("text", "message"), [
    ("columns:\n  'Pay': pay_bnd\n", "column 'Pay': 'pay_bnd' is not a question of nmahp_survey"),
    ("columns:\n  'Quals | Masters': qualifications = masters\n", "column 'Quals | Masters': 'masters' is not an "
                                                                   "option of qualifications"),
    ("values:\n  pay_band:\n    'Band 8A': band_8x\n", "values: pay_band: the export's 'Band 8A' is mapped to "
                                                       "'band_8x', which is not an option of pay_band"),
    ("constants:\n  consent: maybe\n", "constants: 'consent: maybe': 'maybe' is not an option of consent"),
    ("columns:\n  'Comments': {join: pay_band}\n", "only text questions can join several columns"),
    ("columns:\n  'Other': {other: age}\n", "'age' has no 'other' option"),
    ("colums:\n  'X': ignore\n", "expected top-level keys"),
])
def test_a_mistake_names_the_file_and_the_entry(nmahp, tmp_path, text, message):
    with pytest.raises(NmahpError) as caught:
        load(tmp_path, nmahp, text)
    assert str(caught.value).startswith(f"mapping file {tmp_path / 'm.yaml'}")
    assert message in str(caught.value)


def test_an_entry_that_matches_no_column_refuses_the_import(nmahp, tmp_path):
    text = documented_example().replace("columns:\n", "columns:\n  'Your job title | Response': job_title\n")
    mapping = load(tmp_path, nmahp, text)
    result = import_file(write_export(tmp_path / "export.csv", ROWS), nmahp, mapping=mapping)
    (problem,) = result.errors
    assert problem.rule == "mapping"
    assert f"mapping file {tmp_path / 'm.yaml'}: the entry 'Your job title | Response' matches no column" in \
        problem.message


def test_a_label_missing_from_values_shows_the_exports_text_and_the_mapping(nmahp, tmp_path):
    mapping = load(tmp_path, nmahp, documented_example())
    rows = [list(ROWS[0]), list(ROWS[1])]
    rows[0][3] = "AfC band 7"
    result = import_file(write_export(tmp_path / "export.csv", rows), nmahp, mapping=mapping)
    (problem,) = [p for p in result.errors if p.rule == "value"]
    assert (problem.value, problem.rows, problem.column) == ("AfC band 7", [3], "Which AfC band is your post graded "
                                                                                "at? | Response")
    assert f"nor one of the labels mapping file {tmp_path / 'm.yaml'} gives for pay_band" in problem.message
