"""Analysis sees answers kept under the as-recorded policy: how many break the current rules, and the
answers without them."""

import pytest

from nmahp.analysis.rule_breaks import rule_breaks, without_rule_breaks
from nmahp.instruments.synth import synthesise


def test_a_table_counts_and_can_leave_out_answers_that_break_the_rules(nmahp):
    answers = synthesise(nmahp, 30, seed=21)
    planted = [0, 4, 9]
    for i in planted:
        answers[i] = {**answers[i], "time_last_12_months": "neither", "time_proportion_research": "under_25",
                      "time_proportion_teaching": "25_50"}
    answers[12] = {**answers[12], "top_barriers": "lack_of_contracts financial_penalties not_change_employer other",
                   "top_barriers_other": "Caring"}
    assert rule_breaks(nmahp, answers) == {"time_proportion_research": {"skip_logic": 3},
                                           "time_proportion_teaching": {"skip_logic": 3},
                                           "top_barriers": {"constraint": 1}}
    kept = without_rule_breaks(nmahp, answers)
    assert [i for i, a in enumerate(kept) if "time_proportion_research" not in a and
            "time_proportion_research" in answers[i]] == planted
    assert "top_barriers" not in kept[12] and kept[12]["region"] == answers[12]["region"]
    assert rule_breaks(nmahp, kept) == {}


@pytest.mark.db
def test_a_stored_waves_kept_answers_are_counted(db, nmahp):
    from nmahp.app.imports import wave_rule_breaks
    from nmahp.web.surveys import store
    from nmahp.web.surveys.models import Response

    wave = store.get_or_create_wave("nmahp", "kept")
    store.bulk_load(wave, synthesise(nmahp, 5, seed=3), source="test")
    response = Response.objects.first()
    response.answers = {**response.answers, "time_last_12_months": "neither", "time_proportion_research": "over_75"}
    response.answers.pop("time_proportion_teaching", None)
    response.save()
    assert wave_rule_breaks(wave) == {"time_proportion_research": {"skip_logic": 1}}


CASCADE = """
| survey |
| | type                 | name    | label   | choice_filter        | required |
| | select_one country   | country | Country |                      | yes      |
| | select_one city      | city    | City    | country = ${country} |          |
| | select_multiple city | visited | Visited | country = ${country} |          |
| choices |
| | list name | name | label      | country |
| | country   | uk   | UK         |         |
| | country   | fr   | France     |         |
| | city      | lon  | London     | uk      |
| | city      | man  | Manchester | uk      |
| | city      | par  | Paris      | fr      |
"""


def test_an_import_checks_each_row_against_the_choice_filter(md_form, tmp_path):
    import csv

    from nmahp.importers import import_file
    from nmahp.instruments import validate

    form = md_form(CASCADE)
    rows = [("uk", "lon", "lon man"), ("fr", "par", "par"), ("fr", "man", "par"), ("uk", "par", "lon par"),
            ("fr", "lon", "")]
    path = tmp_path / "cascade.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([("country", "city", "visited"), *rows])
    refused = import_file(path, form, policy="strict")
    assert not refused.ok and refused.respondents == []
    assert refused.breaks == {("city", "choice_filter"): 3, ("visited", "choice_filter"): 1}
    found = {(p.question, p.value): p.rows for p in refused.errors}
    assert found == {("city", "man"): [4], ("city", "par"): [5], ("city", "lon"): [6], ("visited", "lon par"): [5]}
    # the same verdict as the form's own validation, row by row
    answers = [dict(zip(("country", "city", "visited"), r, strict=True)) for r in rows]
    assert [i + 2 for i, a in enumerate(answers) if not validate(form, {k: v for k, v in a.items() if v}).ok] == [
        4, 5, 6]
    kept = import_file(path, form, policy="as-recorded")
    assert kept.ok and len(kept.respondents) == len(rows)
    flagged = [r for r in kept.respondents if r.flags]
    assert [(r.answers["city"], r.flags) for r in flagged][0] == ("man", [{"question": "city",
                                                                         "rule": "choice_filter"}])
    assert rule_breaks(form, [r.answers for r in kept.respondents]) == {"city": {"choice_filter": 3},
                                                                        "visited": {"choice_filter": 1}}
    assert rule_breaks(form, without_rule_breaks(form, [r.answers for r in kept.respondents])) == {}
