"""The study's vocabulary is one file; the workbooks' own rules and the careers content must agree
with it, so a change in one place that the others do not follow fails here."""

import pytest

from nmahp.errors import NmahpError
from nmahp.instruments import get_instrument
from nmahp.navigator.content import load_content
from nmahp.study import STUDY, load_vocabulary


@pytest.mark.parametrize("instrument", ["nmahp", "leads"])
def test_the_workbook_calculation_and_the_vocabulary_agree_for_every_profession(instrument):
    form = get_instrument(instrument)
    calculation = form.question("professional_group").calculation
    professions = form.question("profession").choice_names()
    assert professions, "the workbook lists no professions"
    disagreements = {}
    for profession in professions:
        workbook_says = calculation.as_text({"profession": profession})
        if workbook_says != STUDY.group_of(profession):
            disagreements[profession] = (workbook_says, STUDY.group_of(profession))
    assert disagreements == {}
    # and every profession of the workbook is named in the vocabulary, none left to the write-in default
    assert set(professions) <= set(STUDY.group_of_profession)


def test_the_six_invited_professions_count_with_the_ahps_everywhere():
    invited = ["chiropractor", "clinical_scientist", "biomedical_scientist", "hearing_aid_dispenser",
               "practitioner_psychologist", "clinical_research_practitioner"]
    content = load_content()
    for profession in invited:
        assert STUDY.group_of(profession) == "ahp"
        assert content.professions[profession].group == "ahp"  # the navigator reads the same fact


def test_the_navigator_uses_the_workbook_profession_ids():
    workbook = set(get_instrument("nmahp").question("profession").choice_names())
    navigator = set(load_content().professions)
    assert "community_public_health_nurse" in navigator and "public_health_nurse" not in navigator
    assert workbook - {"other"} <= navigator
    assert navigator <= set(STUDY.group_of_profession)


def test_career_stages_are_one_ladder_for_navigator_and_mentoring():
    from nmahp.web.mentoring.forms import STAGE_CHOICES

    content = load_content()
    ladder = [s.id for s in STUDY.career_stages]
    assert [s.id for s in content.stages_in_order()] == ladder + [STUDY.alongside_stage.id]
    assert [value for value, _ in STAGE_CHOICES] == ladder
    assert [s.rank for s in STUDY.career_stages] == list(range(len(ladder)))


def test_group_labels_come_in_three_registers():
    nm = STUDY.group("nursing_midwifery")
    ahp = STUDY.group("ahp")
    assert (ahp.label, ahp.short_label, ahp.in_sentence) == ("Allied health professionals", "AHPs", "AHPs")
    assert nm.in_sentence == "nurses and midwives"
    assert STUDY.compared_groups == ("nursing_midwifery", "ahp")


def test_a_profession_in_two_groups_is_refused():
    text = """
professional_groups: [{id: a, label: A, short_label: A, in_sentence: a}, {id: b, label: B, short_label: B, in_sentence: b}]
compared_groups: [a, b]
professions: {a: [nurse], b: [nurse]}
career_stages: [{id: one, name: One}]
alongside_stages: {id: any, name: Any}
protected_characteristics: [ethnicity]
disclosure: {threshold: 8, suppress_at_most: 7, round_to: 5}
counts_only_below: 50
default_breakdowns: []
dashboard_filters: []
demographics: []
open_text_questions: []
mentoring_offers: []
"""
    with pytest.raises(NmahpError, match="'nurse' is in two groups"):
        load_vocabulary(text)
    with pytest.raises(NmahpError, match="incomplete or malformed"):
        load_vocabulary("professional_groups: []\n")


def test_every_protected_characteristic_is_a_question_of_the_survey():
    form = get_instrument("nmahp")
    for name in (*STUDY.protected_characteristics, *STUDY.demographics, *STUDY.dashboard_filters):
        assert name in form.questions, name
