"""Any table split by a grouping question (professional group, region, pay band, ...), with the
tests the study did not run and the disclosure control it needed."""

from __future__ import annotations

import polars as pl

from ..instruments import Instrument, Question
from .counts import cells_for, kind_of, option_counts, weighted_average
from .disclosure import PROTECTED, suppress_small_cells
from .groups import as_question
from .stats import ALPHA, compare_groups, holm
from .tables import COUNTS_ONLY_BELOW, Group, Table, Test

MIN_GROUP_FOR_TESTS = 20  # groups smaller than this are shown, not tested (e.g. 'other', n=10)


def group_labels(instrument: Instrument, by: str) -> dict[str, str]:
    return {c.name: c.label for c in as_question(instrument, by).choices}


def breakdown(frame: pl.DataFrame, instrument: Instrument, question: Question, by: str, *,
              suppress: bool = True) -> Table:
    """`question` split by the answers to `by` (a select_one or the derived professional group)."""
    labels = group_labels(instrument, by)
    kind = kind_of(question)
    table = Table(id=f"{question.name}_by_{by}", question=question.name, label=question.label, kind=kind,
                  base_n=0, cells=[], by=by, by_label=as_question(instrument, by).label or by)
    grouped = frame.filter(pl.col(by).is_not_null() & pl.col(question.name).is_not_null())
    table.base_n = grouped.height
    present = set(grouped.get_column(by).unique().to_list())
    for group_name, group_label in labels.items():
        if group_name not in present:
            continue
        part = grouped.filter(pl.col(by) == group_name)
        base, counts = option_counts(part, question)
        cells = cells_for(question, base, counts, likert=kind == "likert")
        group = Group(group_name, group_label, base, cells, counts_only=base < COUNTS_ONLY_BELOW)
        if kind == "likert":
            group.weighted_average = weighted_average(cells, base)
        table.groups.append(group)
    base, counts = option_counts(grouped, question)
    table.cells = cells_for(question, base, counts, likert=kind == "likert")
    table.counts_only = base < COUNTS_ONLY_BELOW
    _tests(table)
    if suppress and by in PROTECTED:
        suppress_small_cells(table)
    return table


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
        table.tests.append(Test(option, test, statistic, p, p_adj, marked=test != "none" and p_adj < ALPHA))
    names = ", ".join(g.name for g in tested)
    table.notes.append(f"tests compare {names}; Holm correction across the {len(results)} options; "
                       f"'marked' means adjusted p < {ALPHA}")
