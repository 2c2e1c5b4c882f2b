"""Counting for many tables at once: every count the wave's tables need is planned as a polars lazy
query and collected together, so polars can run them in parallel over one scan of the data."""

from __future__ import annotations

from collections import defaultdict

import polars as pl

from ..instruments import Instrument, Question
from ..instruments.model import SELECT_MULTIPLE


def multiple_columns(instrument: Instrument) -> frozenset[str]:
    """The columns that hold several options (space-separated): a breakdown by one counts each respondent
    under every option they ticked."""
    return frozenset(q.name for q in instrument.questions.values() if q.type == SELECT_MULTIPLE)


def _long(frame: pl.LazyFrame, question: Question, columns: list[str]) -> pl.LazyFrame:
    data = frame.select(columns).filter(pl.col(question.name).is_not_null())
    if question.type == SELECT_MULTIPLE:
        # validated answers hold each option once, so splitting counts respondents
        data = data.with_columns(pl.col(question.name).str.split(" ")).explode(question.name)
    return data


class CountPlan:
    """Collects (question, by) count requests, then runs them all in one `collect_all`."""

    def __init__(self, frame: pl.DataFrame, multiple: frozenset[str] = frozenset()):
        self.frame = frame.lazy()
        self.multiple = multiple
        self.queries: list[pl.LazyFrame] = []
        self.keys: list[tuple[str, str, str | None]] = []
        self.results: dict[tuple[str, str, str | None], pl.DataFrame] = {}

    def want(self, question: Question, by: str | None = None) -> None:
        key_counts = ("counts", question.name, by)
        if key_counts in self.keys:
            return
        name = question.name
        if by is None:
            self.keys.append(("base", name, None))
            self.queries.append(self.frame.select(pl.col(name).is_not_null().sum().alias("len")))
            self.keys.append(key_counts)
            self.queries.append(_long(self.frame, question, [name]).group_by(name).len())
        else:
            both = self.frame.filter(pl.col(name).is_not_null() & pl.col(by).is_not_null())
            if by in self.multiple:
                # a respondent who ticked two groups is in both (never lost as an unknown 'a b' group)
                both = both.with_columns(pl.col(by).str.split(" ")).explode(by)
            self.keys.append(("base", name, by))
            self.queries.append(both.group_by(by).len())
            self.keys.append(key_counts)
            self.queries.append(_long(both, question, [by, name]).group_by([by, name]).len())

    def run(self) -> None:
        if self.queries:
            for key, result in zip(self.keys, pl.collect_all(self.queries), strict=True):
                self.results[key] = result
        self.queries, self.keys = [], []

    def overall(self, question: Question) -> tuple[int, dict[str, int]]:
        base = self.results[("base", question.name, None)].item()
        counts = self.results[("counts", question.name, None)]
        return int(base or 0), dict(counts.iter_rows())

    def by_group(self, question: Question, by: str) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
        bases = dict(self.results[("base", question.name, by)].iter_rows())
        counts: dict[str, dict[str, int]] = defaultdict(dict)
        for group, option, n in self.results[("counts", question.name, by)].iter_rows():
            counts[group][option] = n
        return bases, counts
