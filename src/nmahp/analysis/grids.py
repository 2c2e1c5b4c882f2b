"""Matrix questions as one table: rows that share one list of options and are laid out as a grid in the
workbook (appearance `horizontal`, one group), e.g. what sparked interest, research or teaching. The
table's base is everyone who answered any row, and every cell's percentage is over that base, as the
report gives "conference, research: 55%" over the 152 who answered the question."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import polars as pl

from ..instruments import Choice, Instrument, Question
from ..instruments.model import SELECT_MULTIPLE
from .breakdown import _tests, group_labels
from .counting import multiple_columns
from .counts import cells_for
from .groups import as_question
from .tables import COUNTS_ONLY_BELOW, Cell, GridRow, Group, Table, TableKey

GRID_APPEARANCE = "horizontal"
SEPARATOR = "/"  # a cell's option: "<row question>/<option>"; the row's own cell is the row question


@dataclass(frozen=True)
class Grid:
    name: str  # the workbook group
    label: str
    rows: tuple[Question, ...]
    columns: tuple[Choice, ...]

    def question(self) -> Question:
        """The grid as one select question with a choice per row and per row and column (for the cells)."""
        choices = []
        for row in self.rows:
            choices.append(Choice(row.name, row.label))
            choices += [Choice(f"{row.name}{SEPARATOR}{c.name}", f"{row.label}: {c.label}") for c in self.columns]
        return Question(self.name, SELECT_MULTIPLE, self.label, None, choices=tuple(choices))


def grids_of(instrument: Instrument) -> list[Grid]:
    """Every matrix of the workbook: two or more select rows of one group with one list, laid out as a grid."""
    by_group: dict[tuple, list[Question]] = defaultdict(list)
    for question in instrument.questions.values():
        if question.is_select and GRID_APPEARANCE in (question.appearance or "") and question.group:
            by_group[(question.group, question.list_name)].append(question)
    out = []
    for (group, _), rows in by_group.items():
        if len(rows) < 2:
            continue
        notes = [q for q in instrument.questions.values() if q.group == group and q.type == "note"]
        label = notes[0].label if notes else instrument.groups[group].label
        out.append(Grid(group, label, tuple(rows), rows[0].choices))
    return out


def grid_of(instrument: Instrument, name: str) -> Grid:
    for grid in grids_of(instrument):
        if grid.name == name:
            return grid
    raise KeyError(name)


def _counts(frame: pl.DataFrame, grid: Grid, by: str | None, by_multiple: bool):
    """(base per group, {group: {cell option: count}}); the group is None without a breakdown."""
    names = [r.name for r in grid.rows]
    data = frame.select([*names, *([by] if by else [])]).filter(pl.any_horizontal(pl.col(n).is_not_null()
                                                                                  for n in names))
    if by:
        data = data.filter(pl.col(by).is_not_null())
        if by_multiple:
            data = data.with_columns(pl.col(by).str.split(" ")).explode(by)
    group = pl.col(by) if by else pl.lit(None).alias("_all")
    key = by or "_all"
    bases = dict(data.group_by(group).len().iter_rows())
    counts: dict = defaultdict(dict)
    for row in grid.rows:
        answered = data.filter(pl.col(row.name).is_not_null())
        for g, n in answered.group_by(group).len().iter_rows():
            counts[g][row.name] = n
        long = answered.select(group, pl.col(row.name).str.split(" ").alias("_option")).explode("_option")
        for g, option, n in long.group_by([key, "_option"]).len().iter_rows():
            counts[g][f"{row.name}{SEPARATOR}{option}"] = n
    return bases, counts


def grid_table(frame: pl.DataFrame, instrument: Instrument, grid: Grid, by: str | None = None) -> Table:
    """The grid as one table: a cell per row (answered the row at all) and per row and option, each over
    everyone who answered any row (of the group, for a breakdown)."""
    question = grid.question()
    by_multiple = by is not None and by in multiple_columns(instrument)
    bases, counts = _counts(frame, grid, by, by_multiple)
    rows = [GridRow(r.name, r.label, r.name, [f"{r.name}{SEPARATOR}{c.name}" for c in grid.columns])
            for r in grid.rows]
    if by is None:
        base = int(bases.get(None, 0))
        cells = cells_for(question, base, counts.get(None, {}))
        table = Table(key=TableKey(grid.name, measure="grid"), question=grid.name, label=grid.label, kind="grid",
                      base_n=base, cells=cells, rows=rows, counts_only=base < COUNTS_ONLY_BELOW)
    else:
        overall: dict[str, int] = defaultdict(int)
        for group_counts in counts.values():
            for option, n in group_counts.items():
                overall[option] += n
        total = int(sum(bases.values()))
        table = Table(key=TableKey(grid.name, by, "grid"), question=grid.name, label=grid.label, kind="grid",
                      base_n=total, cells=cells_for(question, total, overall), rows=rows, by=by,
                      by_label=as_question(instrument, by).label or by, counts_only=total < COUNTS_ONLY_BELOW)
        for name, label in group_labels(instrument, by).items():
            if name not in bases:
                continue
            base = int(bases[name])
            table.groups.append(Group(name, label, base, cells_for(question, base, counts.get(name, {})),
                                      counts_only=base < COUNTS_ONLY_BELOW))
        if by_multiple:
            table.notes.append("no test: a respondent can be in more than one group")
        else:
            _tests(table)
    table.notes.append(f"base: the {table.base_n} respondents who answered any row of the grid; every percentage, "
                       "the rows' and each option's, is over that base")
    return table


def cell_of(table: Table, row: str, option: str | None = None) -> Cell:
    return table.cell(row if option is None else f"{row}{SEPARATOR}{option}")
