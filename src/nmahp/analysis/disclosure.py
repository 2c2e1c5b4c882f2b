"""Disclosure control for breakdowns by protected characteristics: no count under 5 is shown, and
more is hidden wherever a shown total would let a hidden count be worked out."""

from __future__ import annotations

from ..study import STUDY
from .tables import Table

THRESHOLD = STUDY.disclosure_threshold


def is_protected(question: str) -> bool:
    return question in STUDY.protected_characteristics


def _hide(cell) -> None:
    cell.count = cell.percent = cell.ci_low = cell.ci_high = None
    cell.suppressed = True


def _small(count) -> bool:
    return count is not None and 0 < count < THRESHOLD


def suppress_small_cells(table: Table) -> None:
    """Primary: hide every count from 1 to 4, and the whole of any group of fewer than 5 people.
    Secondary: a line (an option across groups, with its total; or, for single-choice questions, a
    group's options, with its N) that has exactly one hidden count gives it away by subtraction, so
    hide the next smallest count on that line, or the line's total when nothing else is left.
    Repeat until no line gives anything away."""
    for group in table.groups:
        if _small(group.base_n):
            group.base_n = None
            group.base_suppressed = True
            for cell in group.cells:
                _hide(cell)
    for cell in [*table.cells, *(c for group in table.groups for c in group.cells)]:
        if _small(cell.count):
            _hide(cell)
    single_choice = table.kind in ("single", "likert")
    changed = True
    while changed:
        changed = False
        for total in table.cells:
            line = [group.cell(total.option) for group in table.groups]
            if total.suppressed:
                continue
            changed |= _protect_line(line, on_empty=lambda t=total: _hide(t))
        if single_choice:
            for group in table.groups:
                if group.base_n is None:
                    continue
                changed |= _protect_line(group.cells, on_empty=lambda g=group: _hide_base(g))
    if any(c.suppressed for g in table.groups for c in g.cells) or any(c.suppressed for c in table.cells):
        for group in table.groups:
            group.weighted_average = None  # an average over hidden cells would reveal them
        table.weighted_average = table.weighted_average if not any(c.suppressed for c in table.cells) else None
        table.tests = []
        table.notes.append(f"counts under {THRESHOLD} suppressed, with secondary suppression so totals "
                           "cannot reveal them")


def _hide_base(group) -> None:
    group.base_n = None
    group.base_suppressed = True


def _protect_line(line, on_empty) -> bool:
    hidden = [c for c in line if c.suppressed]
    if len(hidden) != 1:
        return False
    visible = [c for c in line if not c.suppressed and c.count]
    if visible:
        _hide(min(visible, key=lambda c: c.count))
    else:
        on_empty()
    return True
