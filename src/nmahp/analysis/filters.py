"""Narrow a response table to the respondents a set of filters asks for. Pure, Django-free: the
dashboards, their JSON twins and the downloads all filter through here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import polars as pl

from ..instruments import Instrument
from ..instruments.model import SELECT_MULTIPLE
from .groups import as_question


def apply_filters(frame: pl.DataFrame, instrument: Instrument, wanted: Mapping[str, str], *,
                  allowed: Iterable[str] | None = None) -> tuple[pl.DataFrame, dict[str, str]]:
    """`frame` with each wanted `question = value` applied, and the filters that were applied.

    A filter is ignored (never passed on) when its value is blank, its question is not a column of the
    frame, is not in `allowed` (when given), or the value is not one of the question's choices. For a
    select_multiple question a respondent matches when they chose the value among others."""
    conditions, applied = filter_conditions(frame.columns, instrument, wanted, allowed=allowed)
    for condition in conditions:
        frame = frame.filter(condition)
    return frame, applied


def filter_conditions(columns: Iterable[str], instrument: Instrument, wanted: Mapping[str, str], *,
                      allowed: Iterable[str] | None = None) -> tuple[list[pl.Expr], dict[str, str]]:
    """The filters of `apply_filters` as polars conditions (for a lazy scan of a wave's snapshot, where
    they are pushed down into the read), with the filters that were applied; same rules."""
    columns = set(columns)
    allowed = set(allowed) if allowed is not None else None
    conditions: list[pl.Expr] = []
    applied: dict[str, str] = {}
    for name, value in wanted.items():
        if not value or name not in columns or (allowed is not None and name not in allowed):
            continue
        if value not in as_question(instrument, name).choice_names():
            continue
        question = instrument.questions.get(name)
        if question is not None and question.type == SELECT_MULTIPLE:
            conditions.append(pl.col(name).str.split(" ").list.contains(value))
        else:
            conditions.append(pl.col(name) == value)
        applied[name] = value
    return conditions, applied
