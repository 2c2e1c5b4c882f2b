"""The cross-tabulation page (with its JSON twin and CSV download): two questions of a wave chosen by an
analyst or a lead, with row and column percentages and the test that ran, over nmahp.app.dashboards under
the same scope, filters and disclosure as every other dashboard page (a lead's region only, the policy's
hidden and rounded counts, no tests on rounded figures)."""

from django.http import HttpResponse
from django.views.decorators.http import require_http_methods

from nmahp.app import dashboards as app

from ..accounts.access import role_required
from ..accounts.models import ADMIN, ANALYST, LEAD, audit
from ..pages import respond
from .dashboard_views import POLICY, _scope, _wave_dict

CHOOSE = "choose two different questions from the lists"


def _chosen(request, s):
    """(question, by, table, error): nothing chosen yet is no error; a question not offered is."""
    question, by = request.GET.get("question", ""), request.GET.get("by", "")
    if not question and not by:
        return question, by, None, None
    try:
        return question, by, app.crosstab_table(s, question, by), None
    except KeyError:
        return question, by, None, CHOOSE


@require_http_methods(["GET"])
@role_required(LEAD, ANALYST, ADMIN)
def crosstab_page(request, wave_id, as_json=False):
    s = _scope(request, wave_id)
    choices = app.crosstab_choices(s)
    question, by, table, error = _chosen(request, s)
    data = {"wave": _wave_dict(s.wave), "filters": s.applied, "respondents": s.respondents, "scope_note": s.note,
            "choices": [{"name": n, "label": label} for n, label in choices], "question": question, "by": by,
            "error": error, "table": table.to_dict() if table else None,
            "test": None if table is None or table.association is None else {
                "method": table.association.method, "statistic": table.association.statistic,
                "p": table.association.p}}
    rows = []
    if table is not None:
        rows = [(cell, [(group, group.cell(cell.option)) for group in table.groups]) for cell in table.cells]
    context = {"wave": s.wave, "choices": choices, "question": question, "by": by, "error": error, "table": table,
               "rows": rows, "role": s.role, "applied": s.applied_labels, "respondents": s.respondents,
               "scope_note": s.note, "query": request.GET.urlencode(), **POLICY}
    return respond(request, "web/dashboard/crosstab.html", context, data, as_json=as_json,
                   status=400 if error else 200)


@require_http_methods(["GET"])
@role_required(ANALYST, ADMIN)
def crosstab_download(request, wave_id):
    """The cross-tabulation as CSV, for those who download the wave's tables (audited like that download)."""
    import csv
    import io

    s = _scope(request, wave_id)
    question, by, table, error = _chosen(request, s)
    if error or not question:
        return HttpResponse(CHOOSE, status=400, content_type="text/plain; charset=utf-8")
    audit(request.user.get_username(), "download_crosstab", f"wave {s.wave.pk} ({s.wave})",
          f"{question} by {by}; filters: {s.applied or 'none'}; " + (f"{s.respondents} respondents" if s.shown
                                                                     else s.note))
    buffer = io.StringIO()
    if table is None:
        buffer.write(s.note + "\n")
    else:
        csv.writer(buffer).writerows(app.crosstab_rows(table))
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{s.wave.instrument}-{s.wave.name}-{question}-by-{by}.csv"'
    return response
