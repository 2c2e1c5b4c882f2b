"""Dashboards: response rates per collector, a wave's tables as a role may see them, one table with
its breakdown and figure, and the download. The pages, their JSON twins and the downloads all call
these, so what a role sees is decided once.

Disclosure by role (docs/disclosure.md): analysts see exact figures; everyone else sees every table under
the study's disclosure policy (nmahp.analysis.disclosure: counts under the threshold hidden, every other
count and total rounded, a scope of fewer than the threshold showing nothing). Leads also see only their
region. The completed-response counts per collector are not special-category data and are shown as they are."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl
from django.db.models import Count, Prefetch, Q

from nmahp.analysis import analyse, compute_table, overall_keys, response_frame, share
from nmahp.analysis.disclosure import EXACT, PUBLISHED, Disclosure, scope_note
from nmahp.analysis.filters import apply_filters
from nmahp.analysis.groups import as_question
from nmahp.analysis.tables import HIDDEN, Table
from nmahp.instruments import Instrument, get_instrument
from nmahp.study import STUDY

from ..web.accounts.models import ANALYST, LEAD
from ..web.surveys import store
from ..web.surveys.models import CollectorLink, Response, Wave

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
        completed=Count("responses", filter=Q(responses__status=Response.COMPLETE))).order_by("pk")
    waves = (Wave.objects.annotate(complete=Count("responses", filter=Q(responses__status=Response.COMPLETE)))
             .prefetch_related(Prefetch("collectors", queryset=links)).order_by("instrument", "name"))
    return [{"id": wave.pk, "name": wave.name, "instrument": wave.instrument, "complete": wave.complete,
             "collectors": [_rates(link) for link in wave.collectors.all()]} for wave in waves]


def _rates(link) -> dict:
    return {"channel": link.channel, "invited": link.invited, "started": link.started, "completed": link.completed,
            "response_rate": round(100 * link.completed / link.invited, 1) if link.invited else None,
            "completion_rate": round(100 * link.completed / link.started, 1) if link.started else None}


@dataclass
class Scope:
    """A wave's responses as one person may see them, with the filters that were applied."""

    wave: Wave
    instrument: Instrument
    frame: pl.DataFrame
    applied: dict[str, str]
    role: str | None

    @property
    def disclosure(self) -> Disclosure:
        return disclosure_for(self.role)

    @property
    def shown(self) -> bool:
        """False when the scope has fewer respondents than the threshold: then nothing is shown but that."""
        return self.disclosure.scope_shown(self.frame.height)

    @property
    def respondents(self) -> int | None:
        """How many respondents are in scope, as this role may see it (rounded, or None when too few)."""
        return self.disclosure.respondents(self.frame.height) if self.shown else None

    @property
    def note(self) -> str | None:
        return None if self.shown else scope_note(self.disclosure)

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
    unknown values are ignored."""
    instrument = get_instrument(wave.instrument)
    frame = response_frame(instrument, store.wave_answers(wave))
    wanted = {name: query.get(name, "") for name in FILTERS}
    forced = {}
    if role == LEAD:
        frame = frame.filter(pl.col("region") == region) if "region" in frame.columns else frame.head(0)
        forced = {"region": region}
        wanted.pop("region")
    frame, applied = apply_filters(frame, instrument, wanted, allowed=FILTERS)
    return Scope(wave, instrument, frame, {**forced, **applied}, role)


def wave_tables(s: Scope) -> list[Table]:
    if not s.shown:
        return []
    return analyse(s.frame, s.instrument, by=[], disclosure=s.disclosure)


def table_with_breakdown(s: Scope, table_id: str, by: str) -> tuple[Table, Table | None, str] | None:
    """The table (overall) and its breakdown by `by` (the default when `by` is not offered), or None
    when the wave has no such table. Both are None when the scope is too small to show anything."""
    if by not in BREAKDOWNS or by not in s.frame.columns:
        by = DEFAULT_BY
    # the address names a table of the wave; it is looked up among the wave's keys, never taken apart
    key = next((k for k in overall_keys(s.instrument) if k.slug == table_id), None)
    if key is None:
        return None
    if not s.shown:
        return None, None, by
    table = compute_table(s.frame, s.instrument, key, disclosure=s.disclosure)
    try:
        split = compute_table(s.frame, s.instrument, key.split_by(by), disclosure=s.disclosure)
    except KeyError:  # e.g. a question split by itself, or by what it is derived from
        split = None
    return table, split, by


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
    return analyse(s.frame, s.instrument, by=BREAKDOWNS, disclosure=s.disclosure)


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
