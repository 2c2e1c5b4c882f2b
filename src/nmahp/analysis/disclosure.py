"""Disclosure control, in one place: suppress, then round (docs/disclosure.md).

Analysts see exact figures (`EXACT`). Everyone else (`PUBLISHED`) sees every table, protected or not,
filtered or not, under one rule whose numbers are the study's (`STUDY.disclosure`, vocabulary.yaml):

- a count of at most `suppress_at_most` (zero included) is shown only as "fewer than `shown_from`";
- every other count, every total and every base is rounded to the nearest `round_to`;
- percentages are the rounded count over the rounded base; intervals, tests and exact weighted
  averages are withheld (a Likert average is recomputed from the rounded counts when none is hidden);
- a scope (filters, a lead's region) of fewer than `shown_from` respondents shows nothing but that fact.

Rounding every shown number is what makes differencing useless: a hidden count worked out as a rounded
total minus rounded cells carries the rounding of every term (+-2 each at `round_to` 5), so it cannot
be pinned to a small non-zero value (under `threshold`): tests/analysis/test_disclosure_attack.py checks
that with an integer program over everything a lead can request.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..study import STUDY, DisclosureRule
from .tables import COUNTS_ONLY_BELOW, Cell, Table

RULE: DisclosureRule = STUDY.disclosure


@dataclass(frozen=True)
class Disclosure:
    """Who the figures are for: `exact` for analysts, otherwise the study's rule."""

    exact: bool
    rule: DisclosureRule = RULE

    @property
    def hidden_label(self) -> str:
        return f"fewer than {self.rule.shown_from}"

    def shown(self, count: int) -> int | None:
        """What a count is shown as: exact, None (hidden: fewer than the threshold) or rounded."""
        if self.exact:
            return count
        if count <= self.rule.suppress_at_most:
            return None
        step = self.rule.round_to
        return step * ((count + step // 2) // step)

    def scope_shown(self, respondents: int) -> bool:
        """Whether a scope of this many respondents shows anything at all."""
        return self.exact or respondents > self.rule.suppress_at_most

    def respondents(self, respondents: int) -> int | None:
        return self.shown(respondents)

    def interval(self, shown: int | None) -> tuple[int, int | None]:
        """What a shown value says about the true count (the attacker's knowledge; docs/disclosure.md):
        the exact value, [0, suppress_at_most] when hidden, or the rounding interval."""
        if self.exact:
            return shown, shown
        if shown is None:
            return 0, self.rule.suppress_at_most
        step = self.rule.round_to
        return max(shown - step // 2, self.rule.shown_from), shown + (step - 1) // 2


EXACT = Disclosure(exact=True)
PUBLISHED = Disclosure(exact=False)


def is_protected(question: str) -> bool:
    return question in STUDY.protected_characteristics


def scope_note(disclosure: Disclosure = PUBLISHED) -> str:
    return f"{disclosure.hidden_label.capitalize()} people in scope: nothing is shown."


def apply(table: Table, disclosure: Disclosure) -> Table:
    """`table` as `disclosure` may see it (changed in place, and returned)."""
    if disclosure.exact:
        return table
    rule = disclosure.rule
    base = disclosure.shown(table.base_n or 0)
    table.base_n = base
    table.base_suppressed = base is None
    table.counts_only = base is None or base < COUNTS_ONLY_BELOW
    _cells(table.cells, base, disclosure)
    for group in table.groups:
        group_base = None if base is None else disclosure.shown(group.base_n or 0)
        group.base_n = group_base
        group.base_suppressed = group_base is None
        group.counts_only = group_base is None or group_base < COUNTS_ONLY_BELOW
        _cells(group.cells, group_base, disclosure)
        group.weighted_average = _average(group.cells, table.kind)
    for row in table.roles:
        interested = None if base is None else disclosure.shown(row.interested)
        row.interested = interested
        row.percent = None if interested is None or table.counts_only else 100 * interested / base
        _cells(row.contracts, interested, disclosure)
    table.weighted_average = _average(table.cells, table.kind)
    if table.kind in ("multi", "top3"):
        # ranked by the rounded counts; ties (and hidden counts) by label, so the order says nothing more
        table.cells.sort(key=lambda c: (-(c.count or 0), c.label))
    if table.roles:
        table.roles.sort(key=lambda r: (-(r.interested or 0), r.label))
        table.cells.sort(key=lambda c: (-(c.count or 0), c.label))
    table.tests = []
    table.notes = [n for n in table.notes if not n.startswith(("tests compare", "no test"))]
    table.notes.append(f"counts under {rule.shown_from} are shown as '{disclosure.hidden_label}'; every other "
                       f"count and total is rounded to the nearest {rule.round_to}, and percentages are of "
                       "rounded numbers, so that no one who answered can be picked out")
    return table


def _cells(cells: list[Cell], base: int | None, disclosure: Disclosure) -> None:
    counts_only = base is None or base < COUNTS_ONLY_BELOW
    for cell in cells:
        count = None if base is None else disclosure.shown(cell.count or 0)
        cell.count = count
        cell.suppressed = count is None
        cell.ci_low = cell.ci_high = None
        cell.percent = None if count is None or counts_only or not base else 100 * count / base


def _average(cells: list[Cell], kind: str) -> float | None:
    """A Likert average from the rounded counts, and only when none is hidden (it would say how many)."""
    if kind != "likert" or any(c.suppressed for c in cells):
        return None
    total = sum(c.count for c in cells)
    return sum(c.score * c.count for c in cells) / total if total else None
