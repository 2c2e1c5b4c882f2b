"""Dashboards: response rates per collector, a wave's tables as a role may see them, one table with
its breakdown and figure, and the download. The pages, their JSON twins and the downloads all call
these, so what a role sees is decided once.

Disclosure by role (docs/disclosure.md): analysts see exact figures; everyone else sees every table under
the study's disclosure policy (nmahp.analysis.disclosure: counts under the threshold hidden, every other
count and total rounded, a scope of fewer than the threshold showing nothing). Leads also see only their
region. The completed-response counts per collector are not special-category data and are shown as they are."""

from __future__ import annotations

import base64
import csv
import functools
import html
import io
from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl
from django.db.models import Count, Prefetch, Q

from nmahp.analysis import TableKey, analyse, compute_table, overall_keys, share
from nmahp.analysis.counts import CONTRACT_PREFIX, ROLE_QUESTION
from nmahp.analysis.derived import Overrides, derive, spec_for
from nmahp.analysis.disclosure import EXACT, PUBLISHED, Disclosure, scope_note
from nmahp.analysis.filters import filter_conditions
from nmahp.analysis.groups import as_question
from nmahp.analysis.tables import HIDDEN, Table
from nmahp.instruments import Instrument
from nmahp.study import STUDY

from ..web.accounts.models import ANALYST, LEAD
from ..web.surveys import store
from ..web.surveys.models import CollectorLink, Response, Wave
from . import outreach, snapshots
from .analysis import overrides_for

FILTERS = STUDY.dashboard_filters
BREAKDOWNS = STUDY.breakdowns
DEFAULT_BY = STUDY.default_breakdowns[0]


def disclosure_for(role: str | None) -> Disclosure:
    """What figures a role sees: exact for analysts; the disclosure policy for everyone else (admins and
    leads included), on the page, its twin and the download alike."""
    return EXACT if role == ANALYST else PUBLISHED


def collector_rates() -> list[dict]:
    """Every wave with its completed responses and, per collector link, invited, started, completed,
    response rate and completion rate. Two queries however many collectors there are."""
    links = CollectorLink.objects.annotate(
        started=Count("responses"),
        completed=Count("responses", filter=Q(responses__status=Response.COMPLETE)),
        **outreach.invitee_annotations()).order_by("pk")
    waves = (Wave.objects.annotate(complete=Count("responses", filter=Q(responses__status=Response.COMPLETE)))
             .prefetch_related(Prefetch("collectors", queryset=links)).order_by("instrument", "name"))
    return [{"id": wave.pk, "name": wave.name, "instrument": wave.instrument, "complete": wave.complete,
             "collectors": [_rates(link) for link in wave.collectors.all()]} for wave in waves]


def _rates(link) -> dict:
    """A link with a list of invitees has an exact rate: completed through invitees' own links over invitees
    (nmahp.app.outreach); otherwise the rate is over the number invited given by hand, if any."""
    rates = {"channel": link.channel, "invited": link.invited, "started": link.started, "completed": link.completed,
             "response_rate": round(100 * link.completed / link.invited, 1) if link.invited else None,
             "completion_rate": round(100 * link.completed / link.started, 1) if link.started else None,
             "rate_from": "invited" if link.invited else None}
    if getattr(link, "invitee_count", None):
        done = link.invitees_completed or 0
        rates.update(invited=link.invitee_count, invitees_completed=done, rate_from="invitees",
                     response_rate=round(100 * done / link.invitee_count, 1))
    return rates


@dataclass
class Scope:
    """A wave's responses as one person may see them, with the filters that were applied: the wave's snapshot
    and the conditions that narrow it, pushed into every read of it (nothing is read until a table asks)."""

    wave: Wave
    instrument: Instrument
    snapshot: snapshots.Snapshot
    conditions: list[pl.Expr]
    applied: dict[str, str]
    role: str | None
    size: int  # respondents in scope, exactly

    @property
    def disclosure(self) -> Disclosure:
        return disclosure_for(self.role)

    @property
    def shown(self) -> bool:
        """False when the scope has fewer respondents than the threshold: then nothing is shown but that."""
        return self.disclosure.scope_shown(self.size)

    @property
    def respondents(self) -> int | None:
        """How many respondents are in scope, as this role may see it (rounded, or None when too few)."""
        return self.disclosure.respondents(self.size) if self.shown else None

    @property
    def note(self) -> str | None:
        return None if self.shown else scope_note(self.disclosure)

    @functools.cached_property
    def columns(self) -> list[str]:
        return self.snapshot.columns()

    @functools.cached_property
    def overrides(self) -> Overrides | None:
        """The analysts' coding overrides of the wave, read only when something is computed (saving one moves
        the wave's data version, so no result cached before it is served)."""
        return overrides_for(self)

    @property
    def frame(self) -> pl.DataFrame:
        """Every question's column for the respondents in scope (the pages read only what a table needs)."""
        return self.read(self.columns)

    def read(self, columns: list[str]) -> pl.DataFrame:
        return self.snapshot.read([c for c in dict.fromkeys(columns) if c in self.columns], self.conditions)

    def cached(self, what: str, parts, compute):
        """`compute()` once per wave version, filters and disclosure (nmahp.app.snapshots.cached)."""
        return snapshots.cached(self.snapshot, what, (parts, tuple(sorted(self.applied.items())),
                                                      self.disclosure.exact), compute)

    @property
    def applied_labels(self) -> dict[str, str]:
        """The filters as a person reads them (the question's label = the option's label), for the line that
        says what a page counts; the twins give the names."""
        out = {}
        for name, value in self.applied.items():
            question = as_question(self.instrument, name)
            out[question.label or name] = next((c.label for c in question.choices if c.name == value), value)
        return out

    def filter_options(self) -> list[tuple[str, str, list[tuple[str, str]], str]]:
        """(name, label, [(value, label)], chosen) per filter the instrument has."""
        out = []
        for name in FILTERS:
            if name in self.instrument.questions:
                question = as_question(self.instrument, name)
                out.append((name, question.label, [(c.name, c.label) for c in question.choices],
                            self.applied.get(name, "")))
        return out


def scope(wave: Wave, *, role: str | None, region: str = "", query: Mapping[str, str]) -> Scope:
    """A lead sees their region only, whatever the query asks; other filters come from the query and
    unknown values are ignored. Reads the wave's snapshot of `wave.data_version` (made first if need be):
    pass a wave just read from the database."""
    instrument = store.instrument_for(wave)
    snapshot = snapshots.current(wave, fresh=True, instrument=instrument)
    columns = snapshot.columns()
    wanted = {name: query.get(name, "") for name in FILTERS}
    forced, conditions = {}, []
    if role == LEAD:
        conditions.append(pl.col("region") == region if "region" in columns else pl.lit(False))
        forced = {"region": region}
        wanted.pop("region")
    chosen, applied = filter_conditions(columns, instrument, wanted, allowed=FILTERS)
    applied = {**forced, **applied}
    conditions += chosen
    size = snapshots.cached(snapshot, "respondents", tuple(sorted(applied.items())),
                            lambda: snapshot.count(conditions))
    return Scope(wave, instrument, snapshot, conditions, applied, role, size)


def _derived_sources(instrument: Instrument, wanted: list[str]) -> list[str]:
    """The columns a table of `wanted` needs beside them: what every measure is made from (nmahp.analysis.derived
    makes each measure whose questions are there before counting anything), and the text a coded variable or
    tally among them (or among the measures') is made from. Other text columns are left unread, so their
    coding is not done for a table that does not show it."""
    spec = spec_for(instrument)
    made_from = {f.name: f.question for f in spec.frames} | {t.name: t.question for t in spec.tallies}
    needed = [q for m in spec.measures for q in m.questions()]
    return needed + [made_from[n] for n in (*wanted, *needed) if n in made_from]


def _keys(s: Scope) -> list[TableKey]:
    """The wave's tables before any breakdown, derived variables included (their names need no answers)."""
    def keys() -> list[TableKey]:
        empty = pl.DataFrame(schema={c: pl.Utf8 for c in s.columns})
        return overall_keys(derive(empty, s.instrument)[1], s.disclosure)

    return snapshots.cached(s.snapshot, "keys", s.disclosure.exact, keys)


def wave_tables(s: Scope) -> list[Table]:
    """Every table of the wave before any breakdown (the wave page lists them, the overview shows them)."""
    if not s.shown:
        return []
    return s.cached("tables", None, lambda: analyse(s.frame, s.instrument, by=[], disclosure=s.disclosure,
                                                         overrides=s.overrides))


def table_list(s: Scope) -> list[dict]:
    """The wave page's list: each table's id, question, label, kind and base (kept small: read on every view)."""
    if not s.shown:
        return []
    return s.cached("table list", None, lambda: [
        {"id": t.id, "question": t.question, "label": t.label, "kind": t.kind, "base_n": t.base_n,
         "base_suppressed": t.base_suppressed} for t in wave_tables(s)])


def overview(s: Scope) -> list[tuple[Table, str | None]]:
    """Every table of the wave with its figure, for the overview page (computed once per version and scope)."""
    if not s.shown:
        return []
    return s.cached("overview", None, lambda: [(t, summary_figure(t)) for t in wave_tables(s)])


SUMMARY_BARS = 30  # more options than this (an analyst's tally of 'other' answers): the table alone


def summary_figure(table: Table) -> str | None:
    """A small bar chart of the table for the overview, as a data: URI: drawn as plain SVG, since the
    overview draws every question at once (the report's matplotlib figure takes a good part of a second)."""
    if not table.cells or not table.base_n or len(table.cells) > SUMMARY_BARS:
        return None
    values = [(c.count or 0) if table.counts_only else (c.percent or 0) for c in table.cells]
    top = max(values) or 1
    row, label_width, bar_width = 22, 300, 260
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_width + bar_width + 120}" '
             f'height="{row * len(values) + 10}" font-family="Arial, sans-serif" font-size="13">']
    for i, (cell, value) in enumerate(zip(table.cells, values, strict=True)):
        y = 5 + i * row
        label = html.escape(cell.label if len(cell.label) <= 45 else cell.label[:44] + "…")
        shown = html.escape(share(cell.count, table.base_n, table.counts_only))
        width = round(bar_width * value / top, 1)
        parts.append(f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end" fill="#212b32">{label}</text>'
                     f'<rect x="{label_width}" y="{y + 3}" width="{width}" height="{row - 6}" fill="#005eb8"/>'
                     f'<text x="{label_width + width + 6}" y="{y + 15}" fill="#212b32">{shown}</text>')
    parts.append("</svg>")
    return "data:image/svg+xml;base64," + base64.b64encode("".join(parts).encode()).decode()


def breakdown_for(s: Scope, by: str) -> str:
    """The breakdown a table page shows for the `by` asked for: the default when that one is not offered."""
    return by if by in BREAKDOWNS and by in s.columns else DEFAULT_BY


def table_with_breakdown(s: Scope, table_id: str, by: str) -> tuple[Table, Table | None, str] | None:
    """The table (overall) and its breakdown by `by` (the default when `by` is not offered), or None
    when the wave has no such table. Both are None when the scope is too small to show anything.
    Only the columns of the table and its breakdown are read from the snapshot."""
    by = breakdown_for(s, by)
    # the address names a table of the wave; it is looked up among the wave's keys, never taken apart
    key = next((k for k in _keys(s) if k.slug == table_id), None)
    if key is None:
        return None
    if not s.shown:
        return None, None, by

    def compute():
        if key.measure == "role_contract":
            roles = [ROLE_QUESTION, *(c for c in s.columns if c.startswith(CONTRACT_PREFIX))]
            frame = s.read([*roles, *_derived_sources(s.instrument, roles)])
        elif key.measure == "answers":
            frame = s.read([key.question, by, *_derived_sources(s.instrument, [key.question, by])])
        else:  # a grid reads its rows: every column, rather than knowing each kind's
            frame = s.frame
        table = compute_table(frame, s.instrument, key, disclosure=s.disclosure, overrides=s.overrides)
        try:
            split = compute_table(frame, s.instrument, key.split_by(by), disclosure=s.disclosure,
                                  overrides=s.overrides)
        except KeyError:  # e.g. a question split by itself, or by what it is derived from
            split = None
        return table, split

    table, split = s.cached("table", (key.slug, by), compute)
    return table, split, by


def crosstab_choices(s: Scope) -> list[tuple[str, str]]:
    """(name, label) of every question a cross-tabulation may use in this scope: select questions, coded
    variables and measures; an analysts' tally of distinct 'other' answers only for exact figures."""
    def choices() -> list[tuple[str, str]]:
        from nmahp.analysis.derived import is_tally

        empty = pl.DataFrame(schema={c: pl.Utf8 for c in s.columns})
        frame, instrument = derive(empty, s.instrument)
        opening = s.instrument.gates_every_page()  # consent: one answer in every complete response
        out = []
        for name in instrument.questions:
            question = as_question(instrument, name)
            if name not in frame.columns or not question.is_select or name in opening:
                continue
            if not s.disclosure.exact and is_tally(instrument, name):
                continue
            out.append((name, question.label or name))  # a calculated group has its label from the study
        return out

    return snapshots.cached(s.snapshot, "crosstab choices", s.disclosure.exact, choices)


def crosstab_table(s: Scope, question: str, by: str) -> Table | None:
    """`question` (rows) by `by` (columns) with row and column percentages and the test that ran, as this role
    may see it (nmahp.analysis.crosstab); None when the scope is too small to show anything. Raises KeyError
    naming a question that is not among crosstab_choices, or the same question twice."""
    names = {name for name, _ in crosstab_choices(s)}
    for name in (question, by):
        if name not in names:
            raise KeyError(name)
    if question == by:
        raise KeyError(by)
    if not s.shown:
        return None

    def compute() -> Table:
        frame = s.read([question, by, *_derived_sources(s.instrument, [question, by])])
        return compute_table(frame, s.instrument, TableKey(question, by, "crosstab"), disclosure=s.disclosure,
                             overrides=s.overrides)

    return s.cached("crosstab", (question, by), compute)


def crosstab_rows(table: Table):
    """A cross-tabulation's download, one row per cell, written as the page writes it (a hidden count as
    'fewer than 8'); the test that ran last, when this role may see one."""
    yield ["question", "option", "label", "by", "group", "group_label", "count", "column_percent", "row_percent",
           "group_base_n"]
    for cell in table.cells:
        for group in table.groups:
            c = group.cell(cell.option)
            yield [table.question, cell.option, cell.label, table.by, group.name, group.label,
                   HIDDEN if c.suppressed else c.count, c.percent, c.row_percent,
                   HIDDEN if group.base_suppressed else group.base_n]
    if table.association is not None:
        test = table.association
        yield ["test of the whole table", test.method or test.test, "statistic", test.statistic, "p", test.p]


def figure_for(s: Scope, table: Table | None) -> str | None:
    """The table's figure (figure_uri), drawn once per wave version, scope and table."""
    if table is None:
        return None
    return s.cached("figure", table.id, lambda: figure_uri(table))


def figure_uri(table: Table) -> str | None:
    """The table's bar chart as a data: URI, or None when there is nothing to draw."""
    from nmahp.report import figures

    if table is None or not table.cells or not table.base_n:
        return None
    values = [(c.count or 0) if table.counts_only else (c.percent or 0) for c in table.cells]
    notes = [share(c.count, table.base_n, table.counts_only) for c in table.cells]
    _, svg = figures.bars(table.label, [c.label for c in table.cells], values,
                          xlabel="Number of respondents" if table.counts_only else "Percentage of respondents",
                          base_note=f"Base: {table.base_n} respondents.", annotations=notes)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def download_tables(s: Scope) -> list[Table]:
    """What the download holds: every table, broken down every way the table page offers, with the same
    disclosure control as the pages for this role (nothing when the scope is too small)."""
    if not s.shown:
        return []
    return s.cached("download tables", None, lambda: analyse(s.frame, s.instrument, by=BREAKDOWNS,
                                                             disclosure=s.disclosure, overrides=s.overrides))


def download_csv(s: Scope) -> str:
    """The download as CSV text (long_rows), made once per wave version, scope and disclosure."""
    def write() -> str:
        buffer = io.StringIO()
        csv.writer(buffer).writerows(long_rows(download_tables(s)))
        return buffer.getvalue()

    return s.cached("download csv", None, write)


def long_rows(tables: list[Table]):
    """The download's rows, one per cell; a hidden count or base is written as the pages write it
    ('fewer than 8')."""
    def count(cell):
        return HIDDEN if cell.suppressed else cell.count

    yield ["table", "question", "group", "option", "label", "count", "percent", "base_n"]
    for table in tables:
        table_base = HIDDEN if table.base_suppressed else table.base_n
        for cell in table.cells:
            yield [table.id, table.question, "", cell.option, cell.label, count(cell), cell.percent, table_base]
        for group in table.groups:
            base = HIDDEN if group.base_suppressed else group.base_n
            for cell in group.cells:
                yield [table.id, table.question, group.name, cell.option, cell.label, count(cell), cell.percent,
                       base]
