"""Coding frames, measures, cross-tabulations and the choice of test, on small hand-made answers."""

import dataclasses

import pytest

from nmahp.analysis import analyse, compute_table, crosstab, derive, response_frame
from nmahp.analysis.disclosure import EXACT, PUBLISHED
from nmahp.analysis.stats import compare_groups, contingency_test
from nmahp.analysis.tables import TableKey
from nmahp.errors import NmahpError
from nmahp.instruments import get_instrument


@pytest.fixture(scope="module")
def nmahp():
    return get_instrument("nmahp")


def rows(*answers):
    return [{"consent": "yes", **a} for a in answers]


def test_job_title_frame_codes_each_title_and_an_override_replaces_the_rules(nmahp):
    frame = response_frame(nmahp, rows({"job_title": "Staff Nurse / Research Nurse"}, {"job_title": "Lecturer"},
                                       {"job_title": "Physiotherapist"}, {"job_title": "physiotherapist."}, {}))
    table = compute_table(frame, nmahp, TableKey("job_title_category"), disclosure=EXACT)
    counts = {c.option: c.count for c in table.cells}
    assert table.base_n == 4 and counts == {"clinical_practice": 3, "research": 1, "education_development": 1}
    assert table.mentions == 5
    # an analyst decides 'Physiotherapist' (any spelling) is research-related
    changed = compute_table(frame, nmahp, TableKey("job_title_category"), disclosure=EXACT,
                            overrides={"job_title_category": {"physiotherapist": ("research",)}})
    assert {c.option: c.count for c in changed.cells} == {"clinical_practice": 1, "research": 3,
                                                          "education_development": 1}
    assert changed.source["overrides"] == 1


def test_a_select_multiple_breakdown_counts_everyone_in_every_group_they_ticked(nmahp):
    frame = response_frame(nmahp, rows({"disability": "hidden physical", "region": "greater_manchester"},
                                       {"disability": "none", "region": "greater_manchester"},
                                       {"disability": "physical", "region": "cheshire_merseyside"}))
    table = crosstab(frame, nmahp, "region", "disability", disclosure=EXACT)
    groups = {g.name: (g.base_n, g.cell("greater_manchester").count) for g in table.groups}
    assert groups["hidden"] == (1, 1) and groups["physical"] == (2, 1) and groups["none"] == (1, 1)
    assert table.association is None and any("overlap" in n for n in table.notes)
    # row percentages: of the two in Greater Manchester who answered both, one counted under each of three groups
    assert table.groups[0].cell("greater_manchester").row_percent is not None


def test_measures_a_and_not_b_and_more_than_one(nmahp):
    frame = response_frame(nmahp, rows({"organisation_type": "mental_health_trust"},
                                       {"organisation_type": "mental_health_trust acute_trust"},
                                       {"organisation_type": "acute_trust"}, {}))
    frame, derived = derive(frame, nmahp)
    assert frame.get_column("mental_health_not_acute_trust").to_list() == ["yes", "no", "no", None]
    assert frame.get_column("more_than_one_organisation_type").to_list() == ["no", "yes", "no", None]
    assert derived.derived["mental_health_not_acute_trust"]["base"] == "respondents who answered every one of " \
                                                                       "organisation_type"


def test_an_and_or_measure_across_questions_counts_anyone_who_answered_either(nmahp):
    frame = response_frame(nmahp, rows({"research_interest": "interested"},
                                       {"teaching_interest": "very_interested", "research_interest": "neither"},
                                       {"teaching_interest": "uninterested"}, {}))
    table = compute_table(frame, nmahp, TableKey("interested_in_research_or_teaching"), disclosure=EXACT)
    assert (table.base_n, table.cell("yes").count) == (3, 2)


def test_other_answers_are_for_analysts_only(nmahp):
    frame = response_frame(nmahp, rows(*[{"profession": "other", "profession_other": "Optometrist"}] * 12))
    names = {t.question for t in analyse(frame, nmahp, by=[], disclosure=EXACT)}
    assert "profession_other_answers" in names
    published = {t.question for t in analyse(frame, nmahp, by=[], disclosure=PUBLISHED)}
    assert "profession_other_answers" not in published and "job_title_category" in published
    with pytest.raises(KeyError):
        compute_table(frame, nmahp, TableKey("profession_other_answers"), disclosure=PUBLISHED)


def test_small_expected_counts_get_an_exact_or_monte_carlo_test():
    assert compare_groups([3, 1], [5, 6])[0] == "fisher_exact"
    assert compare_groups([30, 40, 50], [100, 100, 100])[0] == "chi_square"
    name, _, p = compare_groups([1, 2, 6], [40, 40, 10])
    assert name == "monte_carlo_chi_square" and 0 < p < 0.05
    assert contingency_test([[2, 1, 0], [0, 1, 3], [5, 0, 1]])[0] == "monte_carlo_chi_square"
    assert contingency_test([[0, 0], [3, 4]])[0] == "none"


def test_a_wrong_measure_names_file_measure_and_option(nmahp, tmp_path):
    workbook = tmp_path / "nmahp_survey.xlsx"
    (tmp_path / "nmahp_survey.measures.yaml").write_text(
        "measures:\n  - name: odd\n    label: Odd\n    when: {question: organisation_type, any_of: [castle]}\n")
    moved = dataclasses.replace(nmahp, path=str(workbook))
    frame = response_frame(nmahp, rows({"organisation_type": "acute_trust"}))
    with pytest.raises(NmahpError, match=r"measures.yaml: measure 'odd': 'castle' is not an option of "
                                         r"'organisation_type'"):
        derive(frame, moved)
    (tmp_path / "nmahp_survey.measures.yaml").write_text("measures:\n  - name: odd\n    label: Odd\n    when: "
                                                         "{question: nowhere, answered: true}\n")
    with pytest.raises(NmahpError, match="question 'nowhere' is not a select question"):
        derive(frame, moved)
