"""The report's method text follows the test that actually ran: respondents' answers where the analysis
runs Fisher's exact test (two groups), Pearson's chi-square (three large groups) or a Monte Carlo test
(three groups, small expected counts), read back from the sentences, the figure's note and its data."""

import pytest

from nmahp.analysis import breakdown, response_frame
from nmahp.analysis.disclosure import EXACT, PUBLISHED
from nmahp.instruments import get_instrument, validate
from nmahp.report import sentences
from nmahp.report.builder import Builder
from nmahp.report.model import Figure, Paragraph

FORM = get_instrument("nmahp")
QUESTION = FORM.question("workplace_preference")
PROFESSIONS = {"nursing_midwifery": "adult_nurse", "ahp": "physiotherapist", "other": "other"}


def respondents(plan: dict[str, list[tuple[int, str]]], status: dict[str, str] | None = None):
    """{group: [(how many, their answer to workplace_preference)]} as validated answers (the professional
    group is the workbook's calculation from the profession); `status`: each group's university_status."""
    rows = []
    for group, answers in plan.items():
        for n, chosen in answers:
            for _ in range(n):
                answers_given = {"consent": "yes", "profession": PROFESSIONS[group], "workplace_preference": chosen}
                if group == "other":
                    answers_given["profession_other"] = "Optometrist"
                if status:
                    answers_given["university_status"] = status[group]
                result = validate(FORM, answers_given, only=set(answers_given) - {"consent"})
                assert not result.errors and result.answers["professional_group"] == group
                rows.append(result.answers)
    return response_frame(FORM, rows)


def tables(plan, disclosure=EXACT):
    frame = respondents(plan)
    from nmahp.analysis import analyse

    found = {t.key: t for t in analyse(frame, FORM, by=["professional_group"], disclosure=disclosure)}
    return next(t for k, t in found.items() if k.question == QUESTION.name and k.by is None), \
        next(t for k, t in found.items() if k.question == QUESTION.name and k.by == "professional_group")


TWO_GROUPS = {"nursing_midwifery": [(30, "nhs_healthcare"), (10, "hei")],
              "ahp": [(8, "nhs_healthcare"), (32, "hei joint_appointment")]}
THREE_LARGE = {**TWO_GROUPS, "other": [(20, "nhs_healthcare joint_appointment"), (20, "hei joint_appointment")]}
THREE_SMALL = {"nursing_midwifery": [(38, "nhs_healthcare"), (2, "other")],
               "ahp": [(40, "hei")], "other": [(19, "nhs_healthcare joint_appointment"), (1, "hei other")]}


def written(plan, disclosure=EXACT):
    overall, split = tables(plan, disclosure)
    builder = Builder("t", "", disclosure)
    builder.question(overall, split)
    text = " ".join(b.text for b in builder.report.blocks if isinstance(b, Paragraph))
    figure = builder.report.figures()[-1]
    assert isinstance(figure, Figure) and figure.title.endswith("(nurses and midwives compared with AHPs)")
    return split, text, figure


def test_two_groups_fisher_ran_and_the_text_says_so():
    split, text, figure = written(TWO_GROUPS)
    assert {t.test for t in split.tests} - {"none"} == {"fisher_exact"}  # 'none': an option nobody chose
    assert "A markedly higher proportion of nurses and midwives (75%) than of AHPs (20%) chose" in text
    assert "(Fisher's exact test, p < 0.001 after Holm correction)" in text and "chi-square" not in text
    assert "Differences tested with Fisher's exact test" in figure.base_note and "Holm correction" in figure.base_note
    assert figure.data.header[-3:] == ["Test", "Adjusted p", "Marked difference"]
    assert {row[-3] for row in figure.data.rows if row[-1] == "yes"} == {"Fisher's exact test"}


def test_three_large_groups_chi_square_ran_and_the_text_says_so():
    split, text, figure = written(THREE_LARGE)
    marked = [t for t in split.tests if t.marked]
    assert marked and {t.test for t in marked} == {"chi_square"}
    assert "Fisher" not in text and "Fisher" not in figure.base_note
    assert "differed markedly between the groups (Pearson's chi-square test across nurses and midwives, AHPs and " \
           "other professions, p < 0.001 after Holm correction)" in text
    assert "Differences tested with Pearson's chi-square test" in figure.base_note


def test_small_expected_counts_the_text_names_the_test_that_replaced_chi_square():
    split, text, figure = written(THREE_SMALL)
    ran = {t.test: t.method for t in split.tests}
    assert {"monte_carlo_chi_square", "chi_square"} <= set(ran)  # small expected counts for some options only
    # each test that ran is named in the words its result carries, with how many options it tested
    for kind, method in ran.items():
        n = sum(t.test == kind for t in split.tests)
        assert f"{method} ({n} option{'s' if n > 1 else ''})" in figure.base_note
    assert sentences.tests_ran(split) in figure.base_note
    assert "Fisher" not in figure.base_note


def test_no_test_claimed_when_disclosure_control_withheld_them():
    split, text, figure = written(TWO_GROUPS, PUBLISHED)
    assert split.tests == []
    for said in (text, figure.base_note):
        assert "Fisher" not in said and "chi-square" not in said and "Holm" not in said and "markedly" not in said
    assert "Not tested: no tests are run on figures rounded under disclosure control" in figure.base_note
    assert "the groups were not tested" in text
    assert "Test" not in figure.data.header


def test_groups_too_small_to_test_are_said_untested_with_the_results_reason():
    small = {"nursing_midwifery": [(10, "nhs_healthcare"), (5, "hei")], "ahp": [(4, "nhs_healthcare"), (11, "hei")]}
    split, text, figure = written(small)
    assert split.tests == []
    reason = next(n for n in split.notes if n.startswith("no test")).split(":", 1)[1].strip()
    assert f"Not tested: {reason}." in figure.base_note and "Fisher" not in text + figure.base_note


@pytest.mark.parametrize("disclosure", [EXACT, PUBLISHED])
def test_the_chapter_opens_with_the_disclosure_control_as_applied(disclosure):
    said = sentences.disclosure_statement(disclosure)
    if disclosure.exact:
        assert "exact" in said and "rounded" in said and "fewer than" not in said
    else:
        rule = disclosure.rule
        assert f"{rule.suppress_at_most} or fewer is shown as \u2018fewer than {rule.shown_from}\u2019" in said
        assert f"rounded to the nearest {rule.round_to}" in said


def test_the_crosstab_names_its_whole_table_test_from_the_result():
    frame = respondents(THREE_LARGE, status={"nursing_midwifery": "yes", "ahp": "no", "other": "dont_know"})
    from nmahp.analysis import crosstab

    table = crosstab(frame, FORM, "university_status", "professional_group", disclosure=EXACT)
    assert table.association is not None
    builder = Builder("t", "", EXACT)
    builder.crosstab(table)
    note = builder.report.tables()[-1].note
    assert f"Test of the whole table: {table.association.method}, p < 0.001." in note
    multiple = crosstab(frame, FORM, "workplace_preference", "professional_group", disclosure=EXACT)
    assert multiple.association is None  # a select-multiple question: no test of the whole table
    builder.crosstab(multiple)
    assert builder.report.tables()[-1].note.endswith("No test of the whole table was run.")


def test_breakdown_and_report_agree_on_the_groups_tested():
    frame = respondents(THREE_LARGE)
    split = breakdown(frame, FORM, QUESTION, "professional_group", disclosure=EXACT)
    assert len({g.name for g in split.groups}) == 3 and split.tests
    assert "across nurses and midwives, AHPs and other professions" in sentences.comparison(split, 1)
