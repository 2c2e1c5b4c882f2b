"""The shapes every analysis returns: one Table per question or breakdown, serialisable as JSON."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

from ..study import STUDY

COUNTS_ONLY_BELOW = STUDY.counts_only_below
HIDDEN = f"fewer than {STUDY.disclosure.shown_from}"  # how a count hidden by disclosure control is shown


def share(count: int | None, base: int | None, counts_only: bool) -> str:
    """How every output states a count: '75% (n=129)', or '13/16' below N = 50 (the study's rule),
    or 'fewer than 8' where disclosure control hid it (nmahp.analysis.disclosure)."""
    if count is None or base is None:
        return HIDDEN
    if counts_only or not base:
        return f"{count}/{base}"
    return f"{100 * count / base:.0f}% (n={count})"


@dataclass(frozen=True)
class TableKey:
    """What a table is: the question counted, the question it is split by (if any), and the measure
    (`answers`: who chose each option; `role_contract`: Table 5A, contracts among those interested in
    each role; `grid`: a matrix question as one table; `crosstab`: `question` by `by` with row and column
    percentages and a test of the whole table). Tables are found by key, never by taking a name apart."""

    question: str
    by: str | None = None
    measure: str = "answers"

    @property
    def slug(self) -> str:
        """A stable name for file names, URLs and the JSON `id` (unambiguous only with `key` beside it)."""
        name = "role_contract_interest" if self.measure == "role_contract" else self.question
        if self.measure == "crosstab":
            return f"{name}_crosstab_{self.by}"
        return f"{name}_by_{self.by}" if self.by else name

    def split_by(self, by: str) -> TableKey:
        return TableKey(self.question, by, self.measure)

    def as_dict(self) -> dict:
        return {"question": self.question, "by": self.by, "measure": self.measure}


@dataclass
class Cell:
    option: str
    label: str
    count: int | None  # None when hidden by disclosure control; rounded outside the analyst role
    percent: float | None  # None when hidden or when the base is under 50
    ci_low: float | None = None
    ci_high: float | None = None
    suppressed: bool = False
    score: int | None = None  # the point on a Likert scale
    row_percent: float | None = None  # a cross-tabulation's group cell: 100 * count / the option's total


@dataclass
class Test:
    option: str
    test: str
    statistic: float | None
    p: float | None
    p_adjusted: float | None
    marked: bool
    method: str = ""  # the test in words ("Fisher's exact test", ...): what the report's method text names


@dataclass
class Group:
    name: str
    label: str
    base_n: int | None  # None when hidden (a group of fewer than the disclosure threshold)
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
    interested: int | None  # None when hidden by disclosure control
    percent: float | None
    contracts: list[Cell]


@dataclass
class GridRow:
    """One row of a matrix question: the row's question, and the names of its cells in the table's `cells`
    (`any`: answered the row at all; `columns`: one per option, in option order)."""

    question: str
    label: str
    any: str
    columns: list[str]


@dataclass
class Table:
    key: TableKey
    question: str
    label: str
    kind: str  # single | multi | likert | top3 | role_contract | grid
    base_n: int | None  # None when hidden (fewer than the disclosure threshold answered)
    cells: list[Cell]
    weighted_average: float | None = None
    by: str | None = None
    by_label: str | None = None
    groups: list[Group] = field(default_factory=list)
    tests: list[Test] = field(default_factory=list)
    roles: list[ContractRow] = field(default_factory=list)
    counts_only: bool = False
    notes: list[str] = field(default_factory=list)
    base_suppressed: bool = False
    rows: list[GridRow] = field(default_factory=list)  # a matrix question's rows (kind grid)
    association: Test | None = None  # a cross-tabulation's test of the whole table
    source: dict | None = None  # how a derived variable was made from answers (nmahp.analysis.derived)
    mentions: int | None = None  # a coded text question: codes given (a respondent counted once per code)

    def cell(self, option: str) -> Cell:
        return next(c for c in self.cells if c.option == option)

    def group(self, name: str) -> Group:
        return next(g for g in self.groups if g.name == name)

    @property
    def id(self) -> str:
        return self.key.slug

    def to_dict(self) -> dict:
        data = _clean(asdict(self))
        data["key"] = self.key.as_dict()
        return {"id": self.id, **data}


def _clean(value):
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 6)
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value
