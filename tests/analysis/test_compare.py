"""Wave on wave: two synthetic waves with a change planted in one question; the comparison must find it and
must not flag questions that did not change. Tests of the tests against hand-worked and published values."""

import polars as pl
import pytest

from nmahp.analysis import response_frame
from nmahp.analysis.compare import compare_table, compare_waves, newcombe, summary_lines, two_proportions
from nmahp.analysis.disclosure import PUBLISHED
from nmahp.analysis.stats import holm
from nmahp.app.compare import compare_responses
from nmahp.app.waves import Responses
from nmahp.errors import NmahpError
from nmahp.instruments import get_instrument
from nmahp.instruments.synth import synthesise

PLANTED = "research_confidence"  # a Likert question
UNCHANGED = "teaching_confidence"  # another Likert question, on the same scale, left alone
SHIFTED = 0.3  # of the respondents who answered PLANTED, this share now answer 'very_confident'


@pytest.fixture(scope="module")
def nmahp():
    return get_instrument("nmahp")


@pytest.fixture(scope="module")
def waves(nmahp):
    """Two independent synthetic waves of 400 from the study's marginals; in the second, 30% of those who
    answered PLANTED now say 'very_confident' (a planted change of about +25 points)."""
    first = response_frame(nmahp, synthesise(nmahp, 400, seed=11))
    second = response_frame(nmahp, synthesise(nmahp, 400, seed=12))
    return first, _plant(second)


def _plant(frame: pl.DataFrame) -> pl.DataFrame:
    answered = pl.col(PLANTED).is_not_null()
    chosen = (pl.int_range(pl.len()) % 10) < int(10 * SHIFTED)  # every 10 rows, the first 3: deterministic
    return frame.with_columns(pl.when(answered & chosen).then(pl.lit("very_confident"))
                              .otherwise(pl.col(PLANTED)).alias(PLANTED))


def _share(frame, question, option):
    column = frame.get_column(question).drop_nulls()
    return (column == option).sum() / column.len()


def test_the_planted_change_is_found_with_its_size(waves, nmahp):
    first, second = waves
    comparison = compare_table(first, nmahp, second, nmahp, PLANTED)
    assert comparison.tested
    moved = {o.option: o for o in comparison.moved}
    assert "very_confident" in moved
    change = moved["very_confident"]
    expected = 100 * (_share(second, PLANTED, "very_confident") - _share(first, PLANTED, "very_confident"))
    assert change.difference == pytest.approx(expected)
    assert change.difference > 15  # the plant moved it up
    assert change.ci_low < change.difference < change.ci_high and change.ci_low > 0
    assert change.p_adjusted < 0.05
    assert comparison.mean.moved and comparison.mean.difference > 0
    assert comparison.mean.ci_low > 0
    assert "'Very confident' up" in comparison.sentence()


def test_an_unchanged_question_is_not_flagged(waves, nmahp):
    first, second = waves
    comparison = compare_table(first, nmahp, second, nmahp, UNCHANGED)
    assert comparison.tested
    assert comparison.moved == []
    assert not comparison.mean.moved
    assert comparison.mean.ci_low < 0 < comparison.mean.ci_high
    assert all(o.p_adjusted >= 0.05 for o in comparison.options)
    assert "no change found" in comparison.sentence()


def test_only_the_planted_question_moves_when_nothing_else_changed(waves, nmahp):
    """The same respondents before and after the plant: every other table is identical, none may be flagged."""
    first, _ = waves
    comparisons = compare_waves(first, nmahp, _plant(first), nmahp)
    flagged = [c.question for c in comparisons if c.moved or (c.mean and c.mean.moved)]
    assert flagged == [PLANTED]
    steady = [c for c in comparisons if c.tested and c.question != PLANTED]
    assert len(steady) > 50
    assert all(o.p_adjusted == pytest.approx(1.0) for c in steady for o in c.options if o.test != "none")
    lines = summary_lines(comparisons)
    assert lines[0].startswith("How confident do you feel in research?: moved:")
    assert f"No change found in {len(steady)} tables" in lines[1]


def test_holm_runs_across_the_options_and_the_mean_of_a_table(waves, nmahp):
    first, second = waves
    comparison = compare_table(first, nmahp, second, nmahp, PLANTED)
    family = [o for o in comparison.options if o.test != "none"] + [comparison.mean]
    assert [f.p_adjusted for f in family] == pytest.approx(holm([f.p for f in family]))
    assert f"Holm correction across the {len(family)} tests" in comparison.notes[-1]


def test_two_proportion_z_test_against_a_hand_computation():
    """30/100 against 45/100: pooled p = 75/200 = 0.375; SE = sqrt(0.375 * 0.625 * (1/100 + 1/100)) = 0.068465;
    z = (0.45 - 0.30) / 0.068465 = 2.19089; two-sided p = 2 * (1 - Phi(2.19089)) = 0.028460."""
    test, z, p = two_proportions(30, 100, 45, 100)
    assert test == "two_proportion_z"
    assert z == pytest.approx(2.19089, abs=1e-5)
    assert p == pytest.approx(0.028460, abs=1e-6)


def test_small_expected_counts_use_fishers_exact_test():
    """1/10 against 6/10: pooled 7/20, expected 3.5 chose it in each wave (< 5): Fisher's exact test, whose
    two-sided p for this 2x2 table is 0.0573 (sum of the hypergeometric probabilities no larger than the
    observed one)."""
    test, _, p = two_proportions(1, 10, 6, 10)
    assert test == "fisher_exact"
    assert p == pytest.approx(0.05728, abs=1e-4)
    assert two_proportions(0, 10, 0, 12)[0] == "none"


def test_newcombe_interval_matches_newcombes_published_example():
    """Newcombe (1998), Statistics in Medicine 17:873-890, Table II example (a): 56/70 against 48/80, his method
    10 (hybrid score) gives 0.0524 to 0.3339 for the difference."""
    low, high = newcombe(48, 80, 56, 70)
    assert low == pytest.approx(5.24, abs=0.01)
    assert high == pytest.approx(33.39, abs=0.01)


def test_outside_the_analyst_view_counts_are_hidden_and_nothing_is_tested(waves, nmahp):
    first, second = waves
    comparison = compare_table(first, nmahp, second, nmahp, "ethnicity", disclosure=PUBLISHED)
    assert not comparison.tested
    assert all(o.p is None and o.difference is None and not o.moved for o in comparison.options)
    hidden = [o for o in comparison.options if o.after.suppressed]
    assert hidden and all(o.after.count is None for o in hidden)
    shown = [o.after.count for o in comparison.options if not o.after.suppressed]
    assert shown and all(c % 10 == 0 for c in shown)
    assert comparison.before_n % 10 == 0
    assert "analysts only" in comparison.sentence()


def _responses(instrument, rows, name):
    return Responses(instrument, response_frame(instrument, rows), f"wave {name}")


OLD = """
| survey   |
|          | type                | name            | label                                        |
|          | select_one interest | research_career | How interested are you in a research career? |
|          | select_one band     | pay_band        | What is your pay band?                       |
| choices  |
|          | list_name | name   | label          |
|          | interest  | low    | Not interested |
|          | interest  | high   | Interested     |
|          | band      | band_5 | Band 5         |
|          | band      | band_6 | Band 6         |
| settings |
|          | form_id | version |
|          | careers | 1       |
"""

NEW = """
| survey   |
|          | type                | name              | label                                         |
|          | select_one interest | research_interest | How interested are you in a research career?  |
|          | select_one band     | pay_band          | What is your pay band?                        |
| choices  |
|          | list_name | name   | label          |
|          | interest  | low    | Not interested |
|          | interest  | high   | Interested     |
|          | band      | band_5 | Band 5         |
|          | band      | band_6 | Band 6         |
|          | band      | band_7 | Band 7         |
| settings |
|          | form_id | version |
|          | careers | 2       |
"""


def test_a_question_renamed_between_versions_is_compared_with_itself(md_form):
    old, new = md_form(OLD), md_form(NEW)
    before = _responses(old, [{"research_career": "low", "pay_band": "band_5"}] * 60
                        + [{"research_career": "high", "pay_band": "band_6"}] * 40, "1")
    after = _responses(new, [{"research_interest": "low", "pay_band": "band_5"}] * 30
                       + [{"research_interest": "high", "pay_band": "band_7"}] * 70, "2")
    result = compare_responses(before, after)
    found = {c.question: c for c in result.comparisons}
    renamed = found["research_interest"]
    assert renamed.before_question == "research_career"
    assert {o.option for o in renamed.moved} == {"low", "high"}
    assert renamed.options[0].before.count in (60, 40)
    assert any("version diff" in n for n in result.notes)
    pay = found["pay_band"]
    assert any("different options" in n for n in pay.notes)
    assert any("one wave only" in n and "Band 7" in n for n in pay.notes)
    seven = next(o for o in pay.options if o.option == "band_7")
    assert seven.before is None and seven.test == "none"


def test_waves_of_two_instruments_are_refused(nmahp):
    leads = get_instrument("leads")
    with pytest.raises(NmahpError, match="two instruments"):
        compare_responses(_responses(nmahp, [], "1"), _responses(leads, [], "2"))


def test_a_scope_too_small_in_either_wave_shows_nothing(waves, nmahp):
    first, second = waves
    a = Responses(nmahp, first, "wave 1")
    b = Responses(nmahp, second.head(5), "wave 2")
    result = compare_responses(a, b, disclosure=PUBLISHED)
    assert result.comparisons == [] and result.scope_note
    assert result.first_n is None and result.second_n is None


def test_a_rename_the_wording_does_not_show_is_compared_when_declared(md_form):
    old = md_form(OLD)
    new = md_form(NEW.replace("How interested are you in a research career?  ", "Would you like a research job?"))
    before = _responses(old, [{"research_career": "low"}] * 50 + [{"research_career": "high"}] * 50, "1")
    after = _responses(new, [{"research_interest": "low"}] * 50 + [{"research_interest": "high"}] * 50, "2")
    undeclared = {c.question for c in compare_responses(before, after).comparisons}
    assert "research_interest" not in undeclared  # reworded past recognition: not linked by itself
    declared = compare_responses(before, after, renames={"research_career": "research_interest"})
    linked = next(c for c in declared.comparisons if c.question == "research_interest")
    assert linked.before_question == "research_career" and linked.tested and linked.moved == []
