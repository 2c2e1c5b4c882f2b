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
