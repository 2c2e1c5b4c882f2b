"""The eligibility checker: one engine over the rules written beside each scheme. Table-driven from
realistic personas, then the engine's own behaviour on small inline schemes."""

import pytest

from nmahp.navigator.eligibility import CLOSED, ONE_STEP, OPEN, UNKNOWN, AnswerError, check

BAND5_NURSE = dict(profession="adult_nurse", registration="registered", qualification="degree",
                   research_experience="none", employer="nhs", region="nw_greater_manchester", time="half_or_more")
BAND7_PHYSIO = dict(profession="physiotherapist", registration="registered", qualification="masters",
                    research_experience="some", employer="nhs", region="nw_cheshire_merseyside", time="two_days")
MIDWIFE_PHD = dict(profession="midwife", registration="registered", qualification="doctorate",
                   research_experience="substantial", employer="nhs", region="nw_lancashire_cumbria",
                   time="half_or_more")
NO_DEGREE = dict(profession="assistant_practitioner", registration="not_registered", qualification="no_degree",
                 research_experience="none", employer="nhs", region="nw_greater_manchester", time="hours_month")
DIPLOMA_NURSE = dict(BAND5_NURSE, profession="mental_health_nurse", qualification="no_degree")

# persona, scheme, expected status, a phrase the reason or step must contain
PERSONAS = [
    # a band 5 nurse with a degree and no research experience: the pre-doctoral fellowship is open (no
    # master's needed); a PhD fellowship is one step away, and the step is a master's
    (BAND5_NURSE, "pcaf", OPEN, ""),
    (BAND5_NURSE, "nihr-hcp-internship", OPEN, ""),
    (BAND5_NURSE, "associate-pi", OPEN, ""),
    (BAND5_NURSE, "nihr-nm-incubator", OPEN, ""),
    (BAND5_NURSE, "dcaf", ONE_STEP, "Complete a master's"),
    (BAND5_NURSE, "rfpb-nurses-midwives", ONE_STEP, "Get some experience first"),
    (BAND5_NURSE, "ica-predoctoral-bridging", CLOSED, "master's-level research training"),
    (BAND5_NURSE, "acaf", CLOSED, "You need a doctorate."),
    (BAND5_NURSE, "arc-nwc-internship", CLOSED, "Cheshire, Merseyside, Lancashire or South Cumbria"),
    (BAND5_NURSE, "nihr-in-practice-fellowship", CLOSED, "primary care"),
    (BAND5_NURSE, "ica-clinical-lectureship", CLOSED, "This scheme has ended. Look at Advanced Clinical"),
    # a band 7 physiotherapist with a master's: bridging and PCAF Bridge are open; the DCAF needs more
    # time than they said they could give, so the step is release; the nurses-only schemes are closed
    (BAND7_PHYSIO, "pcaf-bridge", OPEN, ""),
    (BAND7_PHYSIO, "ica-predoctoral-bridging", OPEN, ""),
    (BAND7_PHYSIO, "arc-nwc-internship", OPEN, ""),
    (BAND7_PHYSIO, "dcaf", ONE_STEP, "Talk to your manager about being released"),
    (BAND7_PHYSIO, "acaf", CLOSED, "You need a doctorate."),
    (BAND7_PHYSIO, "nihr-nm-incubator", CLOSED, "It is for nurses and midwives."),
    (BAND7_PHYSIO, "rfpb-nurses-midwives", CLOSED, "led by nurses or midwives"),
    # a midwife with a PhD: the post-doctoral and senior awards are open; pre-doctoral awards and a first
    # doctorate are closed, and the partnership for people doing little research does not fit her
    (MIDWIFE_PHD, "acaf", OPEN, ""),
    (MIDWIFE_PHD, "scpra", OPEN, ""),
    (MIDWIFE_PHD, "ica-postdoctoral-bridging", OPEN, ""),
    (MIDWIFE_PHD, "nihr-senior-research-leader", OPEN, ""),
    (MIDWIFE_PHD, "joint-clinical-academic-post", OPEN, ""),
    (MIDWIFE_PHD, "pcaf", CLOSED, "not for people who already have one"),
    (MIDWIFE_PHD, "dcaf", CLOSED, "It pays for a first doctorate."),
    (MIDWIFE_PHD, "ukri-carp", CLOSED, "little research at the moment"),
    # a practitioner with no degree and no register: low-commitment routes are open; registration and a
    # degree are both missing for the fellowships, so they are closed with both reasons
    (NO_DEGREE, "associate-pi", OPEN, ""),
    (NO_DEGREE, "sessional-teaching", OPEN, ""),
    (NO_DEGREE, "research-secondment", ONE_STEP, "Talk to your manager"),
    (NO_DEGREE, "pcaf", CLOSED, "You need to be on the register"),
    (NO_DEGREE, "pcaf", CLOSED, "Applicants are normally graduates."),
    (NO_DEGREE, "nihr-hcp-internship", CLOSED, "You need to be on a professional register."),
    (NO_DEGREE, "nihr-insight", CLOSED, "recently registered"),
    # a registered nurse trained by diploma: the PCAF is one step away (a degree), marked unconfirmed
    (DIPLOMA_NURSE, "pcaf", ONE_STEP, "Gain a degree"),
]


@pytest.mark.parametrize("answers, scheme, status, phrase", PERSONAS,
                         ids=[f"{a['profession']}-{a['qualification']}-{s}" for a, s, _, _ in PERSONAS])
def test_personas(content, answers, scheme, status, phrase):
    verdict = next(v for v in check(content, answers).verdicts if v.scheme.id == scheme)
    assert verdict.status == status, verdict
    said = " ".join(verdict.reasons) + " " + verdict.step
    assert phrase in said, said


def test_every_scheme_is_judged_once_in_pathway_order(content):
    result = check(content, BAND5_NURSE)
    assert sorted(v.scheme.id for v in result.verdicts) == sorted(content.schemes)
    orders = [content.stages[v.scheme.stage].order for v in result.verdicts]
    assert orders == sorted(orders)


def test_a_rule_that_is_met_from_unconfirmed_facts_is_flagged(content):
    verdict = next(v for v in check(content, BAND5_NURSE).verdicts if v.scheme.id == "pcaf")
    assert verdict.unconfirmed == ("Applicants are normally graduates.",)


def test_json_shape(content):
    out = check(content, MIDWIFE_PHD).as_dict()
    assert out["answers"]["professional_group"] == "nursing_midwifery"
    assert {"open", "one_step", "closed", "unknown"} <= set(out)
    assert {"scheme", "name", "status", "reasons", "step", "unconfirmed"} == set(out["open"][0])


@pytest.mark.parametrize("answers, field", [
    ({"profession": "wizard"}, "profession"),
    ({"qualification": "phd"}, "qualification"),
    ({"time": ["day_week"]}, "time"),
    ({"region": "<script>alert(1)</script>"}, "region"),
    ({"pay_band": "7"}, "_"),
])
def test_answers_that_are_not_options_are_refused(content, answers, field):
    with pytest.raises(AnswerError) as caught:
        check(content, answers)
    assert field in caught.value.problems


SCHEME = """
schemes:
  - id: test-award
    name: Test award
    kind: Fellowship
    provider: Nobody
    stage: doctoral
    status: {status}
    region: England
    summary: A test.
    who_can_apply: Anyone.
    pays_for: Nothing.
    funded: true
    time_commitment: day_week
    duration: A year.
    how_to_apply: Ask.
    sources: [{{report: "6.7"}}]
    last_checked: 2026-11-25
    rules:
{rules}
"""
MASTERS = """      - {field: qualification, at_least: masters, why: You need a master's., step: Do a master's.}"""
REGISTERED = """      - {field: registration, in: [registered], why: You must be registered., step: Register.}"""
NURSES = """      - {field: professional_group, in: [nursing_midwifery], why: Nurses and midwives only.}"""


def _verdict(tiny, answers, rules, status="open"):
    content = tiny(SCHEME.format(status=status, rules="\n".join(rules)))
    return check(content, answers).verdicts[0]


@pytest.mark.parametrize("qualification, status", [
    ("doctorate", OPEN), ("masters", OPEN), ("degree", ONE_STEP), ("no_degree", CLOSED)])
def test_one_level_short_is_one_step_and_two_levels_short_is_closed(tiny, qualification, status):
    verdict = _verdict(tiny, dict(BAND5_NURSE, qualification=qualification), [MASTERS])
    assert verdict.status == status
    if status == ONE_STEP:
        assert verdict.step == "Do a master's."


def test_two_missed_conditions_are_closed_with_both_reasons(tiny):
    verdict = _verdict(tiny, dict(NO_DEGREE, qualification="degree", time="day_week"), [MASTERS, REGISTERED])
    assert verdict.status == CLOSED
    assert verdict.reasons == ("You need a master's.", "You must be registered.")


def test_a_missed_condition_without_a_step_is_closed(tiny):
    verdict = _verdict(tiny, BAND7_PHYSIO, [NURSES])
    assert (verdict.status, verdict.reasons) == (CLOSED, ("Nurses and midwives only.",))


def test_the_time_commitment_is_a_condition_too(tiny):
    verdict = _verdict(tiny, dict(BAND5_NURSE, time="hours_month"), [MASTERS.replace("masters", "degree")])
    assert verdict.status == ONE_STEP
    assert verdict.reasons == ("It needs about a day a week.",)
    assert "backfill" in verdict.step


def test_unanswered_questions_make_a_scheme_unknown_not_closed(tiny):
    verdict = _verdict(tiny, {"profession": "midwife"}, [MASTERS])
    assert verdict.status == UNKNOWN
    assert "We need your answer to: What is your highest qualification?" in verdict.reasons


def test_an_unanswered_profession_is_asked_for_by_name(tiny):
    verdict = _verdict(tiny, {"qualification": "masters"}, [NURSES, MASTERS])
    assert verdict.status == UNKNOWN
    assert verdict.reasons[0] == "We need your answer to: What is your profession?"


def test_an_ended_scheme_is_closed_whatever_the_answers(tiny):
    verdict = _verdict(tiny, MIDWIFE_PHD, [], status="ended")
    assert (verdict.status, verdict.reasons) == (CLOSED, ("This scheme has ended.",))
