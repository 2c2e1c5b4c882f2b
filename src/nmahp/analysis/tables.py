"""The shapes every analysis returns: one Table per question or breakdown, serialisable as JSON."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

COUNTS_ONLY_BELOW = 50  # the study: below N = 50, counts as n/N, never percentages


@dataclass
class Cell:
    option: str
    label: str
    count: int | None  # None when suppressed
    percent: float | None  # None when suppressed or when the base is under 50
    ci_low: float | None = None
    ci_high: float | None = None
    suppressed: bool = False
    score: int | None = None  # the point on a Likert scale


@dataclass
class Test:
    option: str
    test: str
    statistic: float | None
    p: float | None
    p_adjusted: float | None
    marked: bool


@dataclass
class Group:
    name: str
    label: str
    base_n: int | None  # None when suppressed (a protected group of fewer than 5)
    cells: list[Cell]
    weighted_average: float | None = None
    counts_only: bool = False
    base_suppressed: bool = False

    def cell(self, option: str) -> Cell:
        return next(c for c in self.cells if c.option == option)


@dataclass
class ContractRow:
    """One role of Table 5A: who is interested, and of them, who wants each contract."""

    role: str
    label: str
    interested: int
    percent: float | None
    contracts: list[Cell]


@dataclass
class Table:
    id: str
    question: str
    label: str
    kind: str  # single | multi | likert | top3 | role_contract
    base_n: int
    cells: list[Cell]
    weighted_average: float | None = None
    by: str | None = None
    by_label: str | None = None
    groups: list[Group] = field(default_factory=list)
    tests: list[Test] = field(default_factory=list)
    roles: list[ContractRow] = field(default_factory=list)
    counts_only: bool = False
    notes: list[str] = field(default_factory=list)

    def cell(self, option: str) -> Cell:
        return next(c for c in self.cells if c.option == option)

    def group(self, name: str) -> Group:
        return next(g for g in self.groups if g.name == name)

    def to_dict(self) -> dict:
        return _clean(asdict(self))


def _clean(value):
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 6)
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value
