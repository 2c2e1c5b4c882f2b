"""Any table split by a grouping question (professional group, region, pay band, ...), with the
tests the study did not run and the disclosure control it needed (nmahp.analysis.disclosure)."""

from __future__ import annotations

import polars as pl

from ..instruments import Instrument, Question
from .counting import CountPlan, multiple_columns
from .counts import cells_for, kind_of, weighted_average
from .disclosure import PUBLISHED, Disclosure, apply
from .groups import as_question
from .stats import ALPHA, compare_groups, holm, method_label
from .tables import COUNTS_ONLY_BELOW, Group, Table, TableKey, Test

MIN_GROUP_FOR_TESTS = 20  # groups smaller than this are shown, not tested (e.g. 'other', n=10)


def group_labels(instrument: Instrument, by: str) -> dict[str, str]:
    return {c.name: c.label for c in as_question(instrument, by).choices}


def breakdown(frame: pl.DataFrame, instrument: Instrument, question: Question, by: str, *,
              disclosure: Disclosure = PUBLISHED) -> Table:
    """`question` split by the answers to `by` (a select_one or the derived professional group)."""
    plan = CountPlan(frame, multiple=multiple_columns(instrument))
    plan.want(question, by)
    plan.run()
    return breakdown_from_counts(instrument, question, by, *plan.by_group(question, by),
                                disclosure=disclosure)


def breakdown_from_counts(instrument: Instrument, question: Question, by: str, bases: dict[str, int],
                          counts: dict[str, dict[str, int]], *, disclosure: Disclosure = PUBLISHED) -> Table:
    labels = group_labels(instrument, by)
    kind = kind_of(question)
    table = Table(key=TableKey(question.name, by), question=question.name, label=question.label, kind=kind,
                  base_n=sum(bases.values()), cells=[], by=by, by_label=as_question(instrument, by).label or by)
    overall: dict[str, int] = {}
    for group_counts in counts.values():
        for option, n in group_counts.items():
            overall[option] = overall.get(option, 0) + n
    for group_name, group_label in labels.items():
        if group_name not in bases and disclosure.exact:
            continue  # outside the analyst's view every group is listed: a listed group is not known to exist
        base = bases.get(group_name, 0)
        cells = cells_for(question, base, counts.get(group_name, {}), likert=kind == "likert")
        group = Group(group_name, group_label, base, cells, counts_only=base < COUNTS_ONLY_BELOW)
        if kind == "likert":
            group.weighted_average = weighted_average(cells, base)
        table.groups.append(group)
    table.cells = cells_for(question, table.base_n, overall, likert=kind == "likert")
    table.counts_only = table.base_n < COUNTS_ONLY_BELOW
    if by in multiple_columns(instrument):
        # each respondent is counted under every option they ticked, so the groups overlap and a test of
        # independent groups does not hold
        table.notes.append("a respondent is counted in every group they chose; no test: the groups overlap")
    else:
        _tests(table)
    return apply(table, disclosure)


def _tests(table: Table) -> None:
    tested = [g for g in table.groups if g.base_n >= MIN_GROUP_FOR_TESTS]
    if len(tested) < 2:
        if table.groups:
            table.notes.append(f"no test: fewer than two groups of {MIN_GROUP_FOR_TESTS} or more")
        return
    results = []
    for cell in table.cells:
        counts = [g.cell(cell.option).count for g in tested]
        results.append((cell.option, *compare_groups(counts, [g.base_n for g in tested])))
    adjusted = holm([p for *_, p in results])
    for (option, test, statistic, p), p_adj in zip(results, adjusted, strict=True):
        table.tests.append(Test(option, test, statistic, p, p_adj, marked=test != "none" and p_adj < ALPHA,
                                method=method_label(test)))
    names = ", ".join(g.name for g in tested)
    used = sorted({t.test for t in table.tests if t.test != "none"})
    table.notes.append(f"tests compare {names} ({'; '.join(method_label(t) for t in used) or 'none run'}); "
                       f"Holm correction across the {len(results)} options; 'marked' means adjusted p < {ALPHA}")
