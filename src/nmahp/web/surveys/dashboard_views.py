"""Dashboards over the analysis engine: analysts see everything (and may download, audited); leads
see their region only, as n/N below 50 with small cells suppressed."""

import base64
import csv
import io

import polars as pl
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods

from nmahp.analysis import analyse, response_frame
from nmahp.analysis.groups import as_question
from nmahp.instruments import get_instrument
from nmahp.report import figures

from ..accounts.access import role_of, role_required
from ..accounts.models import ADMIN, ANALYST, LEAD, audit
from . import store
from .models import ContactDetails, Response, Wave

FILTERS = ["professional_group", "region", "organisation_type", "pay_band"]
BREAKDOWNS = ["professional_group", "region", "pay_band", "ethnicity", "gender", "sexual_orientation", "disability"]


def _scope(request, wave: Wave):
    """The wave's responses as this user may see them, with the filters applied."""
    instrument = get_instrument(wave.instrument)
    frame = response_frame(instrument, store.wave_answers(wave))
    role = role_of(request.user)
    applied = {}
    if role == LEAD:
        region = request.user.profile.region
        frame = frame.filter(pl.col("region") == region) if "region" in frame.columns else frame.head(0)
        applied["region"] = region
    for name in FILTERS:
        value = request.GET.get(name, "")
        if not value or name not in frame.columns or (role == LEAD and name == "region"):
            continue
        if value not in as_question(instrument, name).choice_names():
            continue  # an unknown filter value is ignored, never passed on
        question = instrument.questions[name]
        if question.type == "select_multiple":
            frame = frame.filter(pl.col(name).str.split(" ").list.contains(value))
        else:
            frame = frame.filter(pl.col(name) == value)
        applied[name] = value
    return instrument, frame, applied, role


def _filter_options(instrument, applied):
    out = []
    for name in FILTERS:
        if name in instrument.questions:
            question = as_question(instrument, name)
            out.append((name, question.label, [(c.name, c.label) for c in question.choices], applied.get(name, "")))
    return out


@require_http_methods(["GET"])
@role_required(LEAD, ANALYST, ADMIN)
def dashboard(request):
    waves = []
    for wave in Wave.objects.order_by("instrument", "name"):
        collectors = []
        for link in wave.collectors.all():
            started = link.responses.count()
            completed = link.responses.filter(status=Response.COMPLETE).count()
            collectors.append({
                "channel": link.channel, "invited": link.invited, "started": started, "completed": completed,
                "response_rate": round(100 * completed / link.invited, 1) if link.invited else None,
                "completion_rate": round(100 * completed / started, 1) if started else None})
        waves.append({"id": wave.pk, "name": wave.name, "instrument": wave.instrument,
                      "complete": wave.responses.filter(status=Response.COMPLETE).count(),
                      "collectors": collectors})
    return render(request, "web/dashboard/index.html", {"waves": waves, "role": role_of(request.user)})


@require_http_methods(["GET"])
@role_required(LEAD, ANALYST, ADMIN)
def wave_tables(request, wave_id):
    wave = get_object_or_404(Wave, pk=wave_id)
    instrument, frame, applied, role = _scope(request, wave)
    tables = analyse(frame, instrument, by=[])
    return render(request, "web/dashboard/wave.html", {
        "wave": wave, "tables": tables, "respondents": frame.height, "filters": _filter_options(instrument, applied),
        "applied": applied, "role": role, "query": request.GET.urlencode()})


def _table_context(request, wave_id, table_id):
    wave = get_object_or_404(Wave, pk=wave_id)
    instrument, frame, applied, role = _scope(request, wave)
    by = request.GET.get("by", "professional_group")
    if by not in BREAKDOWNS or by not in frame.columns:
        by = "professional_group"
    tables = {t.id: t for t in analyse(frame, instrument, by=[by], suppress=role != ANALYST)}
    if table_id not in tables:
        raise Http404("No such table")
    return wave, tables[table_id], tables.get(f"{table_id}_by_{by}"), by, applied, role, frame.height


@require_http_methods(["GET"])
@role_required(LEAD, ANALYST, ADMIN)
def table_page(request, wave_id, table_id):
    wave, table, split, by, applied, role, respondents = _table_context(request, wave_id, table_id)
    figure = None
    if table.cells and table.base_n:
        values = [(c.count or 0) if table.counts_only else (c.percent or 0) for c in table.cells]
        notes = [("suppressed" if c.count is None else (f"{c.count}/{table.base_n}" if table.counts_only
                                                         else f"{c.percent:.0f}% (n={c.count})")) for c in table.cells]
        _, svg = figures.bars(table.label, [c.label for c in table.cells], values,
                              xlabel="Number of respondents" if table.counts_only else "Percentage of respondents",
                              base_note=f"Base: {table.base_n} respondents.", annotations=notes)
        figure = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    return render(request, "web/dashboard/table.html", {
        "wave": wave, "table": table, "split": split, "by": by, "breakdowns": BREAKDOWNS, "applied": applied,
        "role": role, "respondents": respondents, "figure": figure, "query": request.GET.urlencode()})


@require_http_methods(["GET"])
@role_required(LEAD, ANALYST, ADMIN)
def table_json(request, wave_id, table_id):
    wave, table, split, by, applied, role, respondents = _table_context(request, wave_id, table_id)
    return JsonResponse({"wave": wave.name, "instrument": wave.instrument, "filters": applied,
                         "respondents": respondents, "table": table.to_dict(),
                         "breakdown": split.to_dict() if split else None})


def _long_rows(tables):
    yield ["table", "question", "group", "option", "label", "count", "percent", "base_n"]
    for table in tables:
        for cell in table.cells:
            yield [table.id, table.question, "", cell.option, cell.label, cell.count, cell.percent, table.base_n]
        for group in table.groups:
            for cell in group.cells:
                yield [table.id, table.question, group.name, cell.option, cell.label, cell.count, cell.percent,
                       group.base_n]


@require_http_methods(["GET"])
@role_required(ANALYST, ADMIN)
def download(request, wave_id, fmt):
    wave = get_object_or_404(Wave, pk=wave_id)
    instrument, frame, applied, role = _scope(request, wave)
    tables = analyse(frame, instrument, by=["professional_group", "region", "pay_band"], suppress=False)
    name = f"{wave.instrument}-{wave.name}-tables"
    audit(request.user.get_username(), f"download_{fmt}", f"wave {wave.pk} ({wave})",
          f"filters: {applied or 'none'}; {frame.height} respondents")
    if fmt == "csv":
        buffer = io.StringIO()
        csv.writer(buffer).writerows(_long_rows(tables))
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "tables"
        for row in _long_rows(tables):
            sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(buffer.getvalue(),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@require_http_methods(["GET"])
@role_required(ANALYST)
def contacts(request, wave_id):
    wave = get_object_or_404(Wave, pk=wave_id)
    keys = list(wave.responses.values_list("respondent_key", flat=True))
    rows = list(ContactDetails.objects.filter(respondent_key__in=keys).order_by("created"))
    audit(request.user.get_username(), "read_contacts", f"wave {wave.pk} ({wave})", f"{len(rows)} contacts shown")
    return render(request, "web/dashboard/contacts.html", {"wave": wave, "contacts": rows})
