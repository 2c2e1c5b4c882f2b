"""The version diff: two small versions of one form and what a reader must be told changed between them."""

import pytest

from nmahp.errors import NmahpError
from nmahp.instruments import get_instrument
from nmahp.instruments.diff import DECLARED, DETECTED, diff

OLD = """
| survey   |
|          | type                 | name            | label                                        |
|          | select_one band      | pay_band        | What is your pay band?                       |
|          | select_multiple bar  | top_barriers    | What are the main barriers to a career?      |
|          | select_one interest  | research_career | How interested are you in a research career? |
|          | text                 | job_title       | What is your job title?                      |
|          | integer              | years           | Years qualified                              |
|          | text                 | comments        | Any other comments?                          |
| choices  |
|          | list_name | name    | label        |
|          | band      | band_5  | Band 5       |
|          | band      | band_6  | Band 6       |
|          | bar       | time    | No time      |
|          | bar       | money   | Lack of money |
|          | interest  | low     | Not interested |
|          | interest  | high    | Interested   |
| settings |
|          | form_id | version |
|          | careers | 1       |
"""

NEW = """
| survey   |
|          | type                 | name              | label                                         |
|          | select_one band      | pay_band          | What is your pay band?                        |
|          | select_multiple bar  | top_barriers      | What are the main barriers to a career?       |
|          | select_one interest  | research_interest | How interested are you in a research career?  |
|          | text                 | role              | What is your role called?                     |
|          | decimal              | years             | Years qualified                               |
|          | select_one yn        | contact_consent   | May we contact you?                           |
| choices  |
|          | list_name | name    | label           |
|          | band      | band_5  | Band 5          |
|          | band      | band_6  | Band 6          |
|          | band      | band_7  | Band 7          |
|          | bar       | time    | No protected time |
|          | interest  | low     | Not interested  |
|          | interest  | high    | Interested      |
|          | yn        | yes     | Yes             |
|          | yn        | no      | No              |
| settings |
|          | form_id | version |
|          | careers | 2       |
"""


@pytest.fixture
def versions(md_form):
    return md_form(OLD), md_form(NEW)


def test_a_question_renamed_with_the_same_wording_is_found_and_mapped(versions):
    result = diff(*versions)
    assert [(r.old, r.new, r.how) for r in result.renamed] == [("research_career", "research_interest", DETECTED)]
    assert result.names()["research_career"] == "research_interest"
    assert "research_career" not in {n for n, _ in result.removed}
    assert "research_interest" not in {n for n, _ in result.added}


def test_added_and_removed_questions_are_named(versions):
    result = diff(*versions)
    assert {n for n, _ in result.added} == {"role", "contact_consent"}
    assert {n for n, _ in result.removed} == {"job_title", "comments"}
    assert "job_title" not in result.names() and result.names()["pay_band"] == "pay_band"


def test_options_added_removed_and_reworded_are_told_per_question(versions):
    result = diff(*versions)
    by_question = {o.question: o for o in result.options}
    assert by_question["pay_band"].added == (("band_7", "Band 7"),)
    assert by_question["top_barriers"].removed == (("money", "Lack of money"),)
    assert by_question["top_barriers"].relabelled == (("time", "No time", "No protected time"),)
    assert set(result.reoptioned) == {"pay_band", "top_barriers"}
    assert "research_interest" not in by_question  # same options: not reported


def test_a_type_change_and_a_reworded_label_are_reported(versions):
    result = diff(*versions)
    assert result.retyped == [("years", "integer", "decimal")]
    assert [n for n, _, _ in result.relabelled] == []  # whitespace and case alone are no rewording
    lines = result.lines()
    assert "Type changed: years: integer is now decimal" in lines
    assert "Option added to pay_band: band_7 (Band 7)" in lines


def test_a_declared_rename_wins_over_detection(versions):
    result = diff(*versions, renames={"job_title": "role"})
    renamed = {(r.old, r.new, r.how) for r in result.renamed}
    assert ("job_title", "role", DECLARED) in renamed
    assert result.names()["job_title"] == "role"
    assert ("role", "What is your job title?", "What is your role called?") in result.relabelled
    assert {n for n, _ in result.added} == {"contact_consent"}


@pytest.mark.parametrize("renames,message", [
    ({"nope": "role"}, "'nope', which version 1 does not ask"),
    ({"job_title": "nope"}, "'nope', which version 2 does not ask"),
    ({"pay_band": "role"}, "version 2 still asks 'pay_band'"),
])
def test_a_rename_naming_a_question_that_is_not_there_is_refused(versions, renames, message):
    with pytest.raises(NmahpError, match=message):
        diff(*versions, renames=renames)


def test_unlike_wording_is_not_taken_for_a_rename(versions):
    result = diff(*versions)
    assert ("comments", "role") not in {(r.old, r.new) for r in result.renamed}


def test_a_version_against_itself_is_unchanged():
    form = get_instrument("nmahp")
    result = diff(form, form)
    assert result.unchanged and result.lines() == ["No change to any question or option."]
    assert result.names()["top_barriers"] == "top_barriers"


def test_two_instruments_are_not_two_versions():
    with pytest.raises(NmahpError, match="two instruments"):
        diff(get_instrument("nmahp"), get_instrument("leads"))
