"""A whole wave analysed: every table of the report's chapter 5 and its breakdowns, written as
tables.json (schema in docs/tables_json.md) and one CSV per table."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from pathlib import Path

import polars as pl

from ..instruments import Instrument
from ..study import STUDY
from .breakdown import breakdown, breakdown_from_counts
from .counting import CountPlan, multiple_columns
from .counts import ROLE_QUESTION, option_counts, role_contract_interest, table_from_counts
from .derived import Overrides, derive, derived_names, is_tally
from .disclosure import PUBLISHED, Disclosure, apply
from .grids import grid_of, grid_table, grids_of
from .groups import PROFESSIONAL_GROUP, as_question
from .tables import HIDDEN, Table, TableKey, share

DEFAULT_BREAKDOWNS = STUDY.default_breakdowns
SCHEMA_VERSION = 1


def analysable(instrument: Instrument, disclosure: Disclosure | None = None) -> list:
    """Questions with options, bar consent and the gates whose meaning lives in another table, then the
    derived variables (coded text, measures; the tallies of 'other' answers for analysts only)."""
    skip = {"consent", "contact_consent"}
    questions = [q for q in instrument.questions.values()
                 if q.is_select and q.name not in skip and not q.name.startswith("contract_")
                 and not (is_tally(instrument, q.name) and not (disclosure or PUBLISHED).exact)]
    if PROFESSIONAL_GROUP in instrument.questions:
        questions.insert(1, as_question(instrument, PROFESSIONAL_GROUP))
    return questions


def analyse(frame: pl.DataFrame, instrument: Instrument, *, by: Iterable[str] = DEFAULT_BREAKDOWNS,
            disclosure: Disclosure = PUBLISHED, overrides: Overrides | None = None) -> list[Table]:
    """Every table of the wave and its breakdowns `by`, as `disclosure` may see them (EXACT for analysts;
    the default is the rule for everyone else). Coded variables and measures are derived first
    (nmahp.analysis.derived), with the analysts' `overrides` of coded answers."""
    frame, instrument = derive(frame, instrument, overrides)
    by = [b for b in by if b in frame.columns]
    questions = analysable(instrument, disclosure)
    pairs = [(q, g) for q in questions for g in by if g != q.name and not _derived_from(instrument, g, q.name)]
    plan = CountPlan(frame, multiple=multiple_columns(instrument))
    for question in questions:
        plan.want(question)
    for question, grouping in pairs:
        plan.want(question, grouping)
    has_roles = ROLE_QUESTION in instrument.questions
    if has_roles:
        for question in instrument.questions.values():
            if question.name.startswith("contract_"):
                plan.want(question)
    plan.run()
    tables = []
    for question in questions:
        tables.append(_sourced(apply(table_from_counts(question, *plan.overall(question)), disclosure), instrument))
        for q, grouping in pairs:
            if q is question:
                tables.append(_sourced(breakdown_from_counts(instrument, question, grouping,
                                                             *plan.by_group(question, grouping),
                                                             disclosure=disclosure), instrument))
    if has_roles:
        tables.append(apply(role_contract_interest(frame, instrument, plan), disclosure))
    for grid in grids_of(instrument):
        tables.append(apply(grid_table(frame, instrument, grid), disclosure))
        for grouping in by:
            if grouping not in {r.name for r in grid.rows}:
                tables.append(apply(grid_table(frame, instrument, grid, grouping), disclosure))
    return tables


def _sourced(table: Table, instrument: Instrument) -> Table:
    """A derived variable's table says how it was made, and a coded one how many codes were given."""
    source = getattr(instrument, "derived", {}).get(table.question)
    if source is not None:
        table.source = {k: v for k, v in source.items() if k != "codes"}
        table.notes.append(f"derived: {source['definition']}; base: {source['base']}")
        if source["kind"] == "coding_frame" and not table.by:
            counts = [c.count for c in table.cells]
            table.mentions = None if any(c is None for c in counts) else sum(counts)
    return table


def _derived_from(instrument: Instrument, grouping: str, question: str) -> bool:
    # professional group is computed from profession: splitting one by the other says nothing; nor is a
    # derived variable split by what it was derived from
    calculation = instrument.questions[grouping].calculation
    if calculation is not None and question in calculation.references:
        return True
    derived = getattr(instrument, "derived", {})
    return (grouping in derived.get(question, {}).get("from", ())
            or question in derived.get(grouping, {}).get("from", ()))


def write_outputs(tables: list[Table], out: Path, *, instrument: Instrument, source: str, respondents: int,
                  notes: list[str] | None = None) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    document = {"schema_version": SCHEMA_VERSION, "instrument": instrument.form_id,
                "form_version": instrument.version, "source": source, "respondents": respondents,
                "notes": notes or [], "tables": [t.to_dict() for t in tables]}
    path = out / "tables.json"
    path.write_text(json.dumps(document, indent=1, ensure_ascii=False), encoding="utf-8")
    csv_dir = out / "csv"
    csv_dir.mkdir(exist_ok=True)
    for table in tables:
        write_csv(table, csv_dir / f"{table.id}.csv")
    return path


def _fmt(value):
    return "" if value is None else (f"{value:.2f}" if isinstance(value, float) else value)


def write_csv(table: Table, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        if table.kind == "role_contract":
            contracts = [c.label for c in table.roles[0].contracts] if table.roles else []
            writer.writerow(["role", "interested", "percent_of_respondents", *contracts])
            for row in table.roles:
                writer.writerow([row.label, row.interested, _fmt(row.percent),
                                 *[_fmt(c.percent) if c.percent is not None else f"{c.count}/{row.interested}"
                                   for c in row.contracts]])
            return
        header = ["option", "label", "count", "percent", "ci_low", "ci_high"]
        for group in table.groups:
            header += [f"{group.name}_count", f"{group.name}_percent"]
        if table.tests:
            header += ["test", "statistic", "p", "p_adjusted", "marked"]
        writer.writerow(header)
        tests = {t.option: t for t in table.tests}
        for cell in table.cells:
            row = [cell.option, cell.label, _fmt(cell.count), _fmt(cell.percent), _fmt(cell.ci_low), _fmt(cell.ci_high)]
            for group in table.groups:
                gc = group.cell(cell.option)
                row += [HIDDEN if gc.suppressed else gc.count, _fmt(gc.percent)]
            if table.tests:
                t = tests[cell.option]
                row += [t.test, _fmt(t.statistic), _fmt(t.p), _fmt(t.p_adjusted), "yes" if t.marked else ""]
            writer.writerow(row)
        writer.writerow(["base_n", "", HIDDEN if table.base_suppressed else table.base_n, "", "", ""]
                        + [x for g in table.groups for x in (HIDDEN if g.base_suppressed else g.base_n, "")])
        if table.weighted_average is not None:
            writer.writerow(["weighted_average", "", _fmt(table.weighted_average)])


def summary_lines(tables: list[Table]) -> list[str]:
    """A readable digest for the terminal, in the report's style."""
    lines = []
    for table in tables:
        if table.by:
            marked = [t.option for t in table.tests if t.marked]
            if marked:
                lines.append(f"  {table.question} by {table.by}: marked difference in {', '.join(marked)}")
            continue
        if table.kind == "role_contract":
            top = table.roles[0] if table.roles else None
            if top:
                lines.append(f"{table.label} (N={table.base_n}): most interest in '{top.label}' "
                             f"{share(top.interested, table.base_n, table.counts_only)}")
            continue
        if not table.cells or not table.base_n:
            continue
        top = max(table.cells, key=lambda c: c.count or 0)
        extra = f"; weighted average {table.weighted_average:.2f}" if table.weighted_average is not None else ""
        lines.append(f"{table.question} (N={table.base_n}): '{top.label}' "
                     f"{share(top.count, table.base_n, table.counts_only)}{extra}")
    return lines



def overall_keys(instrument: Instrument, disclosure: Disclosure | None = None) -> list[TableKey]:
    """The keys of the wave's tables before any breakdown, in the report's order (derived variables need the
    instrument `derive` gives)."""
    keys = [TableKey(q.name) for q in analysable(instrument, disclosure)]
    if ROLE_QUESTION in instrument.questions:
        keys.append(TableKey(ROLE_QUESTION, measure="role_contract"))
    keys += [TableKey(g.name, measure="grid") for g in grids_of(instrument)]
    return keys


def compute_table(frame: pl.DataFrame, instrument: Instrument, key: TableKey, *,
                  disclosure: Disclosure = PUBLISHED, overrides: Overrides | None = None) -> Table:
    """The one table `key` names, computed alone (a dashboard page asks for one, not the wave's hundreds),
    as `disclosure` may see it. Raises KeyError when the instrument has no such table."""
    if key.measure == "crosstab" or {key.question, key.by} & derived_names(instrument):
        frame, instrument = derive(frame, instrument, overrides)  # only when the table needs them: it costs
    if key.measure == "crosstab":
        from .crosstab import crosstab

        return _sourced(crosstab(frame, instrument, key.question, key.by, disclosure=disclosure), instrument)
    if key.measure == "grid":
        grid = grid_of(instrument, key.question)
        if key.by is not None and (key.by not in frame.columns or key.by in {r.name for r in grid.rows}):
            raise KeyError(key)
        return apply(grid_table(frame, instrument, grid, key.by), disclosure)
    if key.measure == "role_contract":
        if ROLE_QUESTION not in instrument.questions or key.by is not None:
            raise KeyError(key)
        return apply(role_contract_interest(frame, instrument), disclosure)
    if key.measure != "answers":
        raise KeyError(key)
    questions = {q.name: q for q in analysable(instrument, disclosure)}
    question = questions[key.question]
    if key.by is None:
        return _sourced(apply(table_from_counts(question, *option_counts(frame, question)), disclosure), instrument)
    if key.by == key.question or key.by not in frame.columns or _derived_from(instrument, key.by, key.question):
        raise KeyError(key)
    return _sourced(breakdown(frame, instrument, question, key.by, disclosure=disclosure), instrument)
