"""Cross-tabulation of any two questions (workbook questions, coded variables, measures): counts with
row and column percentages, a test per option and a test of the whole table, under the same disclosure
control as every other table. A select_multiple question counts each respondent under every option
they ticked (so its groups overlap, and then no test is run)."""

from __future__ import annotations

import numpy as np
import polars as pl

from ..instruments import Instrument
from .breakdown import breakdown
from .counting import multiple_columns
from .derived import derive
from .disclosure import PUBLISHED, Disclosure
from .groups import as_question
from .stats import ALPHA, contingency_test, method_label
from .tables import Table, TableKey, Test


def crosstab(frame: pl.DataFrame, instrument: Instrument, question: str, by: str, *,
             disclosure: Disclosure = PUBLISHED) -> Table:
    """`question` (rows) by `by` (columns). Raises KeyError naming a question that cannot be cross-tabulated."""
    frame, instrument = derive(frame, instrument)
    for name in (question, by):
        if name not in instrument.questions or name not in frame.columns or not as_question(instrument, name).is_select:
            raise KeyError(name)
    if question == by:
        raise KeyError(by)
    from .derived import is_tally

    if not disclosure.exact and (is_tally(instrument, question) or is_tally(instrument, by)):
        raise KeyError(question if is_tally(instrument, question) else by)
    from .disclosure import EXACT, apply

    table = breakdown(frame, instrument, as_question(instrument, question), by, disclosure=EXACT)
    table.key = TableKey(question, by, "crosstab")
    totals = {c.option: c.count for c in table.cells}
    for group in table.groups:
        for cell in group.cells:
            cell.row_percent = 100 * cell.count / totals[cell.option] if totals.get(cell.option) else None
    multiple = multiple_columns(instrument)
    if question not in multiple and by not in multiple and table.groups:
        counts = np.array([[g.cell(c.option).count for g in table.groups] for c in table.cells])
        test, statistic, p = contingency_test(counts)
        table.association = Test("", test, statistic, p, None, marked=test != "none" and p < ALPHA,
                                 method=method_label(test))
        table.notes.append(f"test of the whole table: {method_label(test)}")
    table.notes.append("percent: of the column (the group); row_percent: of the row (everyone choosing the option "
                       "who answered both questions)")
    table = apply(table, disclosure)
    if not disclosure.exact:
        table.association = None
        for group in table.groups:
            for cell in group.cells:
                cell.row_percent = None if cell.count is None or not _shown_total(table, cell.option) else \
                    100 * cell.count / _shown_total(table, cell.option)
    return table


def _shown_total(table: Table, option: str) -> int | None:
    cell = table.cell(option)
    return None if cell.suppressed else cell.count
