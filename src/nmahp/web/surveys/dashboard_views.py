"""Dashboard pages (each with its JSON twin) and the download, over nmahp.app.dashboards: leads see their
region only, as n/N below 50; only analysts see exact figures, everyone else the disclosure policy
(docs/disclosure.md); analysts and admins download (audited) what their pages show; analysts read contacts."""

import io

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from nmahp.analysis.disclosure import RULE
from nmahp.analysis.tables import HIDDEN
from nmahp.app import dashboards as app
from nmahp.app import rule_breaks

from ..accounts.access import role_of, role_required
from ..accounts.models import ADMIN, ANALYST, LEAD, audit
from ..pages import json_text, respond, respond_json
from .models import ContactDetails, Wave

BREAKDOWNS = app.BREAKDOWNS
# what the templates say about the disclosure policy (docs/disclosure.md)
POLICY = {"threshold": RULE.shown_from, "round_to": RULE.round_to, "hidden": HIDDEN}


def _scope(request, wave_id) -> app.Scope:
    """The wave's responses as this user may see them, with the query's filters applied."""
    wave = get_object_or_404(Wave, pk=wave_id)
    role = role_of(request.user)
    region = request.user.profile.region if role == LEAD else ""
    return app.scope(wave, role=role, region=region, query=request.GET)


def _wave_dict(wave: Wave) -> dict:
    return {"id": wave.pk, "name": wave.name, "instrument": wave.instrument}


@require_http_methods(["GET"])
@role_required(LEAD, ANALYST, ADMIN)
def dashboard(request, as_json=False):
    waves = app.collector_rates()
    role = role_of(request.user)
    return respond(request, "web/dashboard/index.html", {"waves": waves, "role": role, **POLICY},
                   {"role": role, "waves": waves}, as_json=as_json)


@require_http_methods(["GET"])
@role_required(LEAD, ANALYST, ADMIN)
def wave_tables(request, wave_id, as_json=False):
    s = _scope(request, wave_id)
    tables = app.table_list(s)
    filters = s.filter_options()
    data = {"wave": _wave_dict(s.wave), "respondents": s.respondents, "scope_note": s.note, "filters": s.applied,
            "filter_options": [{"name": n, "label": label, "choices": [list(c) for c in choices], "chosen": chosen}
                               for n, label, choices, chosen in filters if s.role != LEAD or n != "region"],
            "tables": [{k: t[k] for k in ("id", "question", "label", "kind", "base_n")} for t in tables]}
    context = {"wave": s.wave, "tables": tables, "respondents": s.respondents, "scope_note": s.note,
               "filters": filters, "applied": s.applied_labels, "role": s.role, "query": request.GET.urlencode(),
               **POLICY}
    if not as_json:  # rendered once per version, scope and role
        context["body"] = s.cached("wave page", (s.role, context["query"]), lambda: render_to_string(
            "web/dashboard/_wave_body.html", context))
    return respond(request, "web/dashboard/wave.html", context, data, as_json=as_json)


@require_http_methods(["GET"])
@role_required(LEAD, ANALYST, ADMIN)
def table_page(request, wave_id, table_id, as_json=False):
    """One table with a breakdown; its twin (tables/<table>.json) carries the same, hidden and rounded alike.
    A scope too small to show shows only that it is. What either shows of the table is made once per version,
    scope and role (the twin's as JSON text, the page's as HTML), so a page read again reads one cached value."""
    s = _scope(request, wave_id)
    by = app.breakdown_for(s, request.GET.get("by", app.DEFAULT_BY))
    exclude = request.GET.get("rule_breaks") == rule_breaks.EXCLUDE
    query = request.GET.urlencode()

    def tables():
        found = app.table_with_breakdown(s, table_id, by)
        if found is None:  # raised inside the computation: nothing is cached for an address naming no table
            raise Http404("No such table")
        table, split, _ = found
        return rule_breaks.dashboard_table(s, table, split, by, exclude=exclude)

    data = {"wave": s.wave.name, "instrument": s.wave.instrument, "filters": s.applied, "by": by,
            "respondents": s.respondents, "scope_note": s.note}
    context = {"wave": s.wave, "by": by, "breakdowns": BREAKDOWNS, "applied": s.applied_labels, "role": s.role,
               "respondents": s.respondents, "scope_note": s.note, "query": query, **POLICY}
    if as_json:
        def twin():
            breaks, table, split = tables()
            return breaks, json_text({"table": table.to_dict() if table else None,
                                      "breakdown": split.to_dict() if split else None})

        breaks, kept = s.cached("table twin json", (table_id, by, exclude), twin)
        return respond_json({**data, "rule_breaks": breaks}, kept)

    def page():  # the tables, figure and form
        breaks, table, split = tables()
        if table is None:
            return None, None
        return table.label, render_to_string("web/dashboard/_table_body.html", {
            **context, "table": table, "split": split, "rule_breaks": breaks, "figure": app.figure_for(s, table)})

    label, body = s.cached("table page html", (table_id, by, s.role, query), page)
    return respond(request, "web/dashboard/table.html", {
        **context, "table": {"label": label} if label is not None else None, "body": body}, data, as_json=False)


@require_http_methods(["GET"])
@role_required(ANALYST, ADMIN)
def download(request, wave_id, fmt):
    s = _scope(request, wave_id)
    name = f"{s.wave.instrument}-{s.wave.name}-tables"
    audit(request.user.get_username(), f"download_{fmt}", f"wave {s.wave.pk} ({s.wave})",
          f"filters: {s.applied or 'none'}; " + (f"{s.respondents} respondents" if s.shown else s.note))
    if fmt == "csv":
        response = HttpResponse(app.download_csv(s), content_type="text/csv; charset=utf-8")
    else:
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "tables"
        for row in app.long_rows(app.download_tables(s)):
            sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(buffer.getvalue(),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@require_http_methods(["GET"])
@role_required(LEAD, ANALYST, ADMIN)
def overview(request, wave_id, as_json=False):
    """Every question's summary with its figure on one page, the filters applying to all, under the same
    disclosure control as every table page; the twin carries the tables (figures are the page's). Both are
    made once per wave version, scope and role."""
    s = _scope(request, wave_id)
    links = urlencode({k: v for k, v in s.applied.items() if k != "region" or s.role != LEAD})
    data = {"wave": _wave_dict(s.wave), "respondents": s.respondents, "scope_note": s.note, "filters": s.applied,
            "tables": [] if not as_json else s.cached("overview twin", None,
                                                           lambda: [t.to_dict() for t, _ in app.overview(s)])}
    summaries = "" if as_json else s.cached("overview page", links, lambda: render_to_string(
        "web/dashboard/_summaries.html", {"wave": s.wave, "shown": app.overview(s), "query": links, **POLICY}))
    return respond(request, "web/dashboard/overview.html", {
        "wave": s.wave, "summaries": summaries, "respondents": s.respondents, "scope_note": s.note,
        "filters": s.filter_options(), "applied": s.applied_labels, "role": s.role, "query": request.GET.urlencode(),
        **POLICY}, data, as_json=as_json)


@require_http_methods(["GET"])
@role_required(ANALYST)
def contacts(request, wave_id, as_json=False):
    """Contact details, for analysts only (audited); the twin carries what the page shows them."""
    wave = get_object_or_404(Wave, pk=wave_id)
    keys = list(wave.responses.values_list("respondent_key", flat=True))
    rows = list(ContactDetails.objects.filter(respondent_key__in=keys).order_by("created"))
    audit(request.user.get_username(), "read_contacts", f"wave {wave.pk} ({wave})", f"{len(rows)} contacts shown")
    data = {"wave": _wave_dict(wave),
            "contacts": [{"name": c.details.get("contact_name", ""), "email": c.details.get("contact_email", ""),
                          "phone": c.details.get("contact_phone", "")} for c in rows]}
    return respond(request, "web/dashboard/contacts.html", {"wave": wave, "contacts": rows}, data, as_json=as_json)
