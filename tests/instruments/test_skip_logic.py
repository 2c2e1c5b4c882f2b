"""Skip logic and constraints, evaluated on the server: small forms and the answers that must pass or fail."""

import pytest

from nmahp.instruments import validate

TOP3_FORM = """
| survey   |
|          | type                   | name         | label        | required | relevant                           | constraint            | constraint_message                  |
|          | select_one yn          | spent_time   | Spent time?  | yes      |                                    |                       |                                     |
|          | select_one band        | proportion   | How much?    | yes      | ${spent_time} = 'yes'              |                       |                                     |
|          | select_multiple bar    | top_barriers | Top 3        |          |                                    | count-selected(.) <= 3 | Select no more than three barriers. |
|          | integer                | years        | Years        |          |                                    | . >= 0 and . <= 60    | Enter a number of years from 0 to 60 |
| choices  |
|          | list_name | name | label |
|          | yn        | yes  | Yes   |
|          | yn        | no   | No    |
|          | band      | low  | Less than 25% |
|          | band      | high | Over 75% |
|          | bar       | a    | A |
|          | bar       | b    | B |
|          | bar       | c    | C |
|          | bar       | d    | D |
| settings |
|          | form_id | version |
|          | skip    | 1       |
"""


@pytest.mark.parametrize("answers,errors,stored", [
    ({"spent_time": "yes", "proportion": "low"}, {}, {"spent_time": "yes", "proportion": "low"}),
    ({"spent_time": "no", "proportion": "low"}, {}, {"spent_time": "no"}),  # irrelevant answer dropped
    ({"spent_time": "yes"}, {"proportion": "Select an answer"}, None),
    ({"spent_time": "no", "top_barriers": "a b c"}, {}, {"spent_time": "no", "top_barriers": "a b c"}),
    ({"spent_time": "no", "top_barriers": "a b c d"}, {"top_barriers": "Select no more than three barriers."}, None),
    ({"spent_time": "no", "top_barriers": ["d", "a"]}, {}, {"spent_time": "no", "top_barriers": "a d"}),
    ({"spent_time": "no", "top_barriers": "a z"}, {"top_barriers": "'z' is not one of the options for this question"},
     None),
    ({"spent_time": "maybe"}, {"spent_time": "'maybe' is not one of the options for this question"}, None),
    ({"spent_time": "no", "years": "61"}, {"years": "Enter a number of years from 0 to 60"}, None),
    ({"spent_time": "no", "years": "ten"}, {"years": "'ten' is not a whole number"}, None),
    ({"spent_time": "no", "colour": "red"}, {"colour": "is not a question in this survey"}, None),
])
def test_skip_logic_and_constraints(md_form, answers, errors, stored):
    result = validate(md_form(TOP3_FORM), answers)
    assert result.errors_by_question() == errors
    if stored is not None:
        assert result.answers == stored


def test_fourth_top_barrier_is_refused(nmahp):
    result = validate(nmahp, {"consent": "yes", "top_barriers":
                              "lack_of_contracts financial_penalties not_change_employer patient_contact"})
    assert result.errors_by_question()["top_barriers"] == "Select no more than three barriers."
    assert "top_barriers" not in result.answers


def test_irrelevant_answer_is_dropped_never_stored(nmahp):
    result = validate(nmahp, {"consent": "yes", "time_last_12_months": "neither",
                              "time_proportion_research": "over_75", "careers_advice_received": "no",
                              "careers_advice_sources": "peers"})
    assert "time_proportion_research" not in result.answers
    assert "careers_advice_sources" not in result.answers
    assert set(result.dropped) == {"time_proportion_research", "careers_advice_sources"}


def test_no_consent_keeps_nothing_but_the_refusal(nmahp):
    result = validate(nmahp, {"consent": "no", "profession": "midwife", "pay_band": "band_6"})
    assert result.ok
    assert result.answers == {"consent": "no"}
    assert set(result.dropped) == {"profession", "pay_band"}


@pytest.mark.parametrize("question,answers,relevant", [
    ("careers_advice_sources", {"careers_advice_received": "research"}, True),
    ("careers_advice_sources", {"careers_advice_received": "teaching"}, True),
    ("careers_advice_sources", {"careers_advice_received": "no"}, False),
    ("contract_teaching_only", {"roles_of_interest": "teaching_only research_only"}, True),
    ("contract_teaching_only", {"roles_of_interest": "research_only"}, False),
    ("time_proportion_teaching", {"time_last_12_months": "research teaching"}, True),
    ("time_proportion_teaching", {"time_last_12_months": "research"}, True),  # 5.1.3.3 bases: all who spent time
    ("time_proportion_teaching", {"time_last_12_months": "neither"}, False),
    ("contact_email", {"contact_consent": "yes"}, True),
    ("contact_email", {"contact_consent": "no"}, False),
    ("pay_band_other", {"pay_band": "other"}, True),
    ("pay_band_other", {"pay_band": "band_7"}, False),
])
def test_nmahp_skip_logic(nmahp, question, answers, relevant):
    from nmahp.instruments import is_relevant

    assert is_relevant(nmahp.question(question), {"consent": "yes", **answers}) is relevant


@pytest.mark.parametrize("profession,group", [
    ("adult_nurse", "nursing_midwifery"),
    ("adult_nurse mental_health_nurse", "nursing_midwifery"),
    ("midwife", "nursing_midwifery"),
    ("nursing_associate", "nursing_midwifery"),
    ("physiotherapist", "ahp"),
    ("therapeutic_radiographer", "ahp"),
    ("clinical_research_practitioner", "ahp"),
    ("other", "other"),
])
def test_professional_group_is_derived_inside_the_instrument(nmahp, profession, group):
    result = validate(nmahp, {"consent": "yes", "profession": profession, "profession_other": "Optometrist"})
    assert result.answers["professional_group"] == group


def test_professional_group_cannot_be_forged(nmahp):
    result = validate(nmahp, {"consent": "yes", "profession": "physiotherapist", "professional_group": "other"})
    assert result.answers["professional_group"] == "ahp"


@pytest.mark.parametrize("profession,ok", [
    ("adult_nurse childrens_nurse", True),
    ("physiotherapist midwife", False),
    ("midwife adult_nurse", False),
    ("physiotherapist", True),
])
def test_only_nursing_fields_combine(nmahp, profession, ok):
    result = validate(nmahp, {"consent": "yes", "profession": profession})
    assert ("profession" not in result.errors_by_question()) is ok


@pytest.mark.parametrize("question,value", [
    ("disability", "none physical"),
    ("job_description", "neither research"),
    ("research_activities", "none journal_club"),
    ("careers_advice_received", "no research"),
    ("roles_of_interest", "none teaching_only"),
])
def test_exclusive_options_cannot_be_combined(nmahp, question, value):
    result = validate(nmahp, {"consent": "yes", question: value})
    assert question in result.errors_by_question()


def test_email_and_phone_formats(nmahp):
    base = {"consent": "yes", "contact_consent": "yes", "contact_name": "A"}
    bad = validate(nmahp, {**base, "contact_email": "not-an-email", "contact_phone": "call me"})
    assert bad.errors_by_question()["contact_email"].startswith("Enter an email address")
    assert bad.errors_by_question()["contact_phone"].startswith("Enter a phone number")
    good = validate(nmahp, {**base, "contact_email": "a.b@nhs.net", "contact_phone": "0161 123 4567"})
    assert "contact_email" not in good.errors_by_question()


@pytest.mark.parametrize("value", [
    "<script>alert(1)</script>", "'; DROP TABLE surveys_response; --", "x" * 1_000_000, "\x00",
])
def test_hostile_strings_in_select_questions_are_refused(nmahp, value):
    result = validate(nmahp, {"consent": "yes", "pay_band": value})
    assert "pay_band" in result.errors_by_question()
    assert "pay_band" not in result.answers


def test_megabyte_text_is_refused_not_truncated(nmahp):
    result = validate(nmahp, {"consent": "yes", "open_comments": "x" * 1_000_000})
    assert "limit" in result.errors_by_question()["open_comments"]
    assert "open_comments" not in result.answers


def test_wrong_types_are_reported_plainly(nmahp):
    result = validate(nmahp, {"consent": "yes", "pay_band": 7, "top_barriers": {"a": 1}})
    assert result.errors_by_question()["pay_band"] == "'7' is not one of the options for this question"
    assert "top_barriers" in result.errors_by_question()


def test_expressions_compile_safely_from_many_threads():
    # web workers load instruments from several threads at once; the XPath parser is shared
    from concurrent.futures import ThreadPoolExecutor

    from nmahp.instruments import Expression

    sources = [f"selected(${{q{i}}}, 'a') and count-selected(${{r{i}}}) <= {i % 5}" for i in range(400)]
    with ThreadPoolExecutor(max_workers=16) as pool:
        compiled = list(pool.map(Expression, sources))
    assert all(e.is_true({f"q{i}": "a", f"r{i}": ""}) for i, e in enumerate(compiled))
