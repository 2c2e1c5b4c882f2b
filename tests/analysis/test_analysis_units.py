"""The analysis functions on small hand-made tables, checked against values worked out by hand."""

import math

import pytest

from nmahp.analysis import analyse, breakdown, compare_groups, holm, question_table, response_frame, wilson
from nmahp.analysis.disclosure import EXACT, PUBLISHED, Disclosure, apply
from nmahp.analysis.tables import Cell, Group, Table, TableKey
from nmahp.study import STUDY, DisclosureRule


def frame(nmahp, rows):
    return response_frame(nmahp, rows)


def test_wilson_interval_matches_the_formula():
    # 129 of 172 (Table 4A, interested/very interested in research): p = 0.75
    low, high = wilson(129, 172)
    # by hand: centre (0.75 + z²/2n)/(1 + z²/n) = 0.7445, half-width 0.0642
    assert (round(low, 2), round(high, 2)) == (68.03, 80.88)
    assert wilson(0, 10)[0] == 0.0 and wilson(10, 10)[1] == pytest.approx(100.0)
    assert all(math.isnan(v) for v in wilson(0, 0))


def test_holm_adjustment():
    # sorted p: 0.01, 0.02, 0.04 -> 0.03, 0.04, 0.04 (monotone)
    assert holm([0.04, 0.01, 0.02]) == pytest.approx([0.04, 0.03, 0.04])
    assert holm([0.5, 0.9]) == [1.0, 1.0]


def test_fisher_for_two_groups_chi_square_for_more():
    assert compare_groups([38, 24], [73, 66])[0] == "fisher_exact"
    name, chi2, p = compare_groups([10, 20, 30], [50, 50, 50])
    # expected 20 chosen and 30 not in each group: 5 + 0 + 5 + 3.33 + 0 + 3.33
    assert name == "chi_square" and round(chi2, 2) == 16.67 and p < 0.001
    assert compare_groups([0, 0], [10, 12])[0] == "none"


def test_single_select_percent_is_over_question_respondents(nmahp):
    rows = [{"pay_band": "band_6"}] * 3 + [{"pay_band": "band_7"}] + [{}] * 6  # 6 did not answer
    table = question_table(frame(nmahp, rows), nmahp.question("pay_band"))
    assert table.base_n == 4
    assert table.counts_only  # N < 50
    assert table.cell("band_6").count == 3 and table.cell("band_6").percent is None


def test_percentages_shown_from_fifty(nmahp):
    rows = [{"pay_band": "band_6"}] * 30 + [{"pay_band": "band_7"}] * 20
    table = question_table(frame(nmahp, rows), nmahp.question("pay_band"))
    assert not table.counts_only and table.cell("band_6").percent == 60.0


def test_multiselect_counts_each_respondent_once_and_ranks(nmahp):
    rows = [{"top_barriers": "lack_of_training patient_contact"}] * 30 + [{"top_barriers": "patient_contact"}] * 25
    table = question_table(frame(nmahp, rows), nmahp.question("top_barriers"))
    assert table.kind == "top3" and table.base_n == 55
    assert [(c.option, c.count) for c in table.cells[:2]] == [("patient_contact", 55), ("lack_of_training", 30)]


def test_likert_weighted_average(nmahp):
    rows = [{"research_interest": v} for v in ["very_interested"] * 72 + ["interested"] * 57 + ["neither"] * 20
            + ["uninterested"] * 10 + ["completely_uninterested"] * 13]
    table = question_table(frame(nmahp, rows), nmahp.question("research_interest"))
    assert round(table.weighted_average, 4) == round(681 / 172, 4)


def test_marked_only_when_the_adjusted_test_holds(nmahp):
    nm = [{"professional_group": "nursing_midwifery", "top_enablers": "financial_support"}] * 20 + \
         [{"professional_group": "nursing_midwifery", "top_enablers": "role_models"}] * 40
    ahp = [{"professional_group": "ahp", "top_enablers": "financial_support"}] * 45 + \
          [{"professional_group": "ahp", "top_enablers": "role_models"}] * 15
    table = breakdown(frame(nmahp, nm + ahp), nmahp, nmahp.question("top_enablers"), "professional_group",
                      disclosure=EXACT)
    tests = {t.option: t for t in table.tests}
    assert tests["financial_support"].marked and tests["financial_support"].p_adjusted < 0.05
    assert not tests["other"].marked  # nobody chose it: no test, never marked
    assert table.group("ahp").cell("financial_support").count == 45


def test_small_groups_are_shown_but_not_tested(nmahp):
    rows = [{"professional_group": "other", "pay_band": "band_6"}] * 10 + \
           [{"professional_group": "ahp", "pay_band": "band_7"}] * 60
    table = breakdown(frame(nmahp, rows), nmahp, nmahp.question("pay_band"), "professional_group",
                      disclosure=EXACT)
    assert [g.name for g in table.groups] == ["ahp", "other"]
    assert table.tests == [] and "fewer than two groups" in table.notes[0]


def make(kind, columns):
    """A breakdown table from {group: {option: count}}; totals computed."""
    options = list(next(iter(columns.values())))
    groups = [Group(g, g, sum(c.values()), [Cell(o, o, n, None) for o, n in c.items()]) for g, c in columns.items()]
    cells = [Cell(o, o, sum(columns[g][o] for g in columns), None) for o in options]
    return Table(key=TableKey("q", "ethnicity"), question="q", label="q", kind=kind, base_n=sum(c.count for c in cells), cells=cells,
                 by="ethnicity", groups=groups)


def shown(table):
    return {g.name: [None if c.suppressed else c.count for c in g.cells] for g in table.groups}


# the mechanism with rounding to 5, so the arithmetic below is easy to follow; PUBLISHED uses the study's numbers
TO_FIVE = Disclosure(exact=False, rule=DisclosureRule(threshold=5, suppress_at_most=7, round_to=5))


def test_published_figures_hide_counts_under_the_threshold_and_round_the_rest():
    table = apply(make("single", {"a": {"x": 20, "y": 3, "z": 30}, "b": {"x": 27, "y": 12, "z": 0}}), TO_FIVE)
    # 3 and 0 are hidden ("fewer than 8"); 27 -> 25, 12 -> 10; bases 53 -> 55, 39 -> 40; totals too
    assert shown(table) == {"a": [20, None, 30], "b": [25, 10, None]}
    assert [g.base_n for g in table.groups] == [55, 40] and table.base_n == 90  # 92 -> 90
    assert [c.count for c in table.cells] == [45, 15, 30]  # 47, 15, 30
    assert table.group("a").cell("x").percent == pytest.approx(100 * 20 / 55)  # rounded over rounded
    assert table.group("b").counts_only and table.group("b").cell("x").percent is None  # N=40: n/N
    assert all(c.ci_low is None for c in table.cells)
    assert table.tests == [] and "rounded to the nearest 5" in table.notes[-1]
    assert PUBLISHED.rule == STUDY.disclosure  # what leads see follows the vocabulary's numbers


def test_a_table_answered_by_fewer_than_the_threshold_shows_nothing():
    table = apply(make("single", {"a": {"x": 4, "y": 3}}), PUBLISHED)
    assert table.base_n is None and table.base_suppressed and all(c.suppressed for c in table.cells)
    assert all(g.base_suppressed and all(c.suppressed for c in g.cells) for g in table.groups)


def test_every_table_is_published_under_the_rule_and_analysts_see_exact_counts(nmahp):
    rows = [{"ethnicity": "white_british", "research_interest": "interested"}] * 41 + \
           [{"ethnicity": "white_british", "research_interest": "very_interested"}] * 30 + \
           [{"ethnicity": "black_african", "research_interest": "interested"}] * 3
    data, question = frame(nmahp, rows), nmahp.question("research_interest")
    table = breakdown(data, nmahp, question, "ethnicity")
    small = table.group("black_african")
    assert small.base_n is None and small.base_suppressed and all(c.suppressed for c in small.cells)
    white = table.group("white_british")
    assert (white.base_n, white.cell("interested").count, white.cell("very_interested").count) == (70, 40, 30)
    assert table.cell("interested").count == 40  # 44: the hidden 3 is lost in the rounding to 10
    assert table.group("asian_indian").base_suppressed  # every group is listed, even one nobody is in
    plain = question_table(data, question)  # not a protected table: the same rule
    assert apply(plain, PUBLISHED).cell("neither").suppressed
    assert table.weighted_average is None and white.weighted_average is None  # over hidden counts: withheld
    answers = {"completely_uninterested": 8, "uninterested": 12, "neither": 13, "interested": 41, "very_interested": 30}
    full = apply(question_table(frame(nmahp, [{"research_interest": k} for k, n in answers.items() for _ in range(n)]),
                                question), PUBLISHED)
    assert [c.count for c in full.cells] == [10, 10, 10, 40, 30]  # 8, 12, 13, 41, 30 to the nearest 10
    assert full.weighted_average == pytest.approx((10 + 20 + 30 + 160 + 150) / 100)  # from the rounded counts
    exact = breakdown(data, nmahp, question, "ethnicity", disclosure=EXACT)
    assert exact.group("black_african").cell("interested").count == 3  # the analyst view
    assert exact.cell("interested").count == 44 and exact.group("white_british").base_n == 71


def test_breakdowns_by_region_and_pay_band_are_produced(nmahp):
    from nmahp.instruments.synth import synthesise

    tables = analyse(frame(nmahp, synthesise(nmahp, 300, seed=1)), nmahp)
    ids = {t.id for t in tables}
    assert {"top_barriers_by_professional_group", "top_barriers_by_region", "top_barriers_by_pay_band",
            "role_contract_interest", "professional_group"} <= ids
    assert "profession_by_professional_group" not in ids  # a split by its own derivation says nothing


def test_tables_are_found_by_key_even_when_a_question_name_contains_by(nmahp):
    """'sparked_by_people' split by professional group must not be mistaken for 'sparked' split by 'people'."""
    from nmahp.instruments.synth import synthesise

    tables = {t.key: t for t in analyse(frame(nmahp, synthesise(nmahp, 200, seed=2)), nmahp)}
    split = tables[TableKey("sparked_by_people", "professional_group")]
    assert split.question == "sparked_by_people" and split.by == "professional_group"
    assert tables[TableKey("roles_of_interest", measure="role_contract")].kind == "role_contract"
    assert TableKey("roles_of_interest", measure="role_contract") != TableKey("roles_of_interest")


def test_one_table_computed_alone_equals_the_same_table_of_the_whole_wave(nmahp):
    from nmahp.analysis import compute_table
    from nmahp.instruments.synth import synthesise

    data = frame(nmahp, synthesise(nmahp, 300, seed=3))
    everything = {t.key: t.to_dict() for t in analyse(data, nmahp, by=["professional_group", "ethnicity"])}
    for key in [TableKey("top_barriers"), TableKey("research_interest", "ethnicity"),
                TableKey("top_barriers", "professional_group"), TableKey("professional_group"),
                TableKey("roles_of_interest", measure="role_contract")]:
        assert compute_table(data, nmahp, key).to_dict() == everything[key]
    for unknown in [TableKey("no_such_question"), TableKey("profession", "professional_group"),
                    TableKey("top_barriers", "top_barriers"), TableKey("top_barriers", measure="average")]:
        with pytest.raises(KeyError):
            compute_table(data, nmahp, unknown)
