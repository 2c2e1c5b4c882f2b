"""Answers that break the instrument's current rules (kept by an import's as-recorded policy): how many
each question's table holds, by rule, and the answers with them left out. The rules are checked now, by
the same column-wise checks the importer runs, so a workbook changed since the import is what counts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import polars as pl

from ..importers.answers import ROW
from ..importers.checks import AS_RECORDED, check
from ..instruments import Instrument


def _frame(instrument: Instrument, answers: list[Mapping[str, str]]) -> pl.DataFrame:
    names = [q.name for q in instrument.questions.values() if q.holds_answer]
    return pl.DataFrame({ROW: range(1, len(answers) + 1)} | {n: [a.get(n) or None for a in answers] for n in names},
                        schema={ROW: pl.Int64} | dict.fromkeys(names, pl.String))


def rule_breaks(instrument: Instrument, answers: Iterable[Mapping[str, str]]) -> dict[str, dict[str, int]]:
    """{question: {rule: answers}} for every answer that breaks the skip logic or a constraint now.
    (A required answer that is missing is no answer in any table, so it is not counted here.)"""
    rows = list(answers)
    if not rows:
        return {}
    checked = check(_frame(instrument, rows), instrument, mapped=set(), column_of={}, policy=AS_RECORDED)
    out: dict[str, dict[str, int]] = {}
    for (question, rule), n in checked.breaks.items():
        if rule != "required":
            out.setdefault(question, {})[rule] = n
    return out


def without_rule_breaks(instrument: Instrument, answers: Iterable[Mapping[str, str]]) -> list[dict[str, str]]:
    """The answers as the form would have kept them: an answer to a question the skip logic does not ask,
    or one that breaks its constraint, left out (the rest of the response stays)."""
    rows = [dict(a) for a in answers]
    for _ in range(len(instrument.questions)):  # each pass removes at least one answer, or stops
        if not rows:
            break
        checked = check(_frame(instrument, rows), instrument, mapped=set(), column_of={}, policy=AS_RECORDED)
        drop: dict[int, set[str]] = {}
        for problem in checked.problems:
            if problem.rule in ("skip_logic", "constraint"):
                for row in problem.rows:
                    drop.setdefault(row, set()).add(problem.question)
        if not drop:
            break
        # leaving an answer out can leave a question it gated unasked: check again until nothing changes
        rows = [{k: v for k, v in a.items() if k not in drop.get(i, ())} for i, a in enumerate(rows, start=1)]
    return rows
