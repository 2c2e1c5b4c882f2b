"""Answers that break the instrument's current rules (kept by an import's as-recorded policy): how many
each question's table holds, by rule, and the answers with them left out. The rules are checked now, by
the same column-wise checks the importer runs, so a workbook changed since the import is what counts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import polars as pl

from ..importers.answers import ROW
from ..importers.checks import AS_RECORDED, check
from ..importers.problems import INSTRUMENT_RULES, REQUIRED
from ..instruments import Instrument

BROKEN = tuple(r for r in INSTRUMENT_RULES if r != REQUIRED)  # what an answer given can break


def _names(instrument: Instrument) -> list[str]:
    return [q.name for q in instrument.questions.values() if q.holds_answer]


def _frame(instrument: Instrument, answers: list[Mapping[str, str]]) -> pl.DataFrame:
    names = _names(instrument)
    return pl.DataFrame({n: [a.get(n) or None for a in answers] for n in names},
                        schema=dict.fromkeys(names, pl.String))


def _checked(instrument: Instrument, frame: pl.DataFrame):
    """The importer's checks over an analysis frame (one text column per question; others are ignored)."""
    names = _names(instrument)
    data = frame.select([pl.col(n).cast(pl.String) if n in frame.columns else pl.lit(None, pl.String).alias(n)
                         for n in names])
    data = data.with_columns(pl.int_range(1, frame.height + 1, dtype=pl.Int64).alias(ROW)).select(ROW, *names)
    return check(data, instrument, mapped=set(), column_of={}, policy=AS_RECORDED)


def frame_rule_breaks(instrument: Instrument, frame: pl.DataFrame) -> dict[str, dict[str, int]]:
    """{question: {rule: answers}} for every answer of an analysis frame that breaks the instrument's rules
    now. (A required answer that is missing is no answer in any table, so it is not counted here.)"""
    if not frame.height:
        return {}
    out: dict[str, dict[str, int]] = {}
    for (question, rule), n in _checked(instrument, frame).breaks.items():
        if rule in BROKEN:
            out.setdefault(question, {})[rule] = n
    return out


def frame_without_rule_breaks(instrument: Instrument, frame: pl.DataFrame) -> pl.DataFrame:
    """The frame as the form would have kept it: an answer to a question the skip logic does not ask, or
    one that breaks a rule of its question, left empty (the rest of the response stays)."""
    for _ in range(len(instrument.questions)):  # each pass empties at least one answer, or stops
        if not frame.height:
            break
        drop: dict[str, set[int]] = {}
        for problem in _checked(instrument, frame).problems:
            if problem.rule in BROKEN and problem.question in frame.columns:
                drop.setdefault(problem.question, set()).update(problem.rows)
        if not drop:
            break
        # emptying an answer can leave a question it gated unasked: check again until nothing changes
        row = pl.int_range(1, pl.len() + 1, dtype=pl.Int64)
        frame = frame.with_columns([pl.when(row.is_in(sorted(rows))).then(None).otherwise(pl.col(q)).alias(q)
                                    for q, rows in drop.items()])
    return frame


def rule_breaks(instrument: Instrument, answers: Iterable[Mapping[str, str]]) -> dict[str, dict[str, int]]:
    """`frame_rule_breaks` over answer dicts."""
    return frame_rule_breaks(instrument, _frame(instrument, list(answers)))


def without_rule_breaks(instrument: Instrument, answers: Iterable[Mapping[str, str]]) -> list[dict[str, str]]:
    """`frame_without_rule_breaks` over answer dicts: each answer left out, the rest of the response kept."""
    rows = [dict(a) for a in answers]
    kept = frame_without_rule_breaks(instrument, _frame(instrument, rows))
    out = []
    for given, now in zip(rows, kept.iter_rows(named=True), strict=True):
        out.append({k: v for k, v in given.items() if k not in now or now[k] is not None})
    return out


def table_rule_breaks(breaks: Mapping[str, Mapping[str, int]], question: str) -> dict | None:
    """What a table of `question` says of its answers that break the rules: {count, rule}, or None."""
    found = breaks.get(question)
    if not found:
        return None
    return {"count": sum(found.values()), "rule": ", ".join(sorted(found))}


def describe(breaks: Mapping[str, int] | dict) -> str:
    """'13 of its answers break the current skip logic' (the rule named as the importer counts it)."""
    count, rule = breaks["count"], breaks["rule"]
    said = {"skip_logic": "skip logic", "constraint": "constraints", "choice_filter": "choice filters"}
    rules = " and ".join(said.get(r, r) for r in rule.split(", "))
    return f"{count} of its answers break{'s' if count == 1 else ''} the current {rules}"
