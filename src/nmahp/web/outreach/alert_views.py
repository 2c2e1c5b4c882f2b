"""Opportunity alerts by saved filter, with JSON twins, over nmahp.app.alerts: save the board's filters with an
address (a confirmation is sent first), and the alert's own page to confirm it or stop it."""

from __future__ import annotations

from django.http import Http404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from nmahp.app import alerts as app
from nmahp.errors import NmahpError

from ..careers.views import opportunity_filter
from ..pages import respond


@require_http_methods(["GET", "POST"])
def new_alert(request, as_json=False):
    f, problems = opportunity_filter(request)
    chosen = {k: f[k] for k in app.FILTERS if f.get(k)}
    errors, done = list(problems.values()), False
    if request.method == "POST" and not errors:
        try:
            app.subscribe(request.POST.get("email", ""), chosen)
            done = True
        except NmahpError as exc:
            errors = [str(exc)]
    return respond(request, "web/outreach/alert_new.html",
                   {"filters": chosen, "done": done, "errors": errors, "query": request.GET.urlencode(),
                    "error_items": [("#email", e) for e in errors]},
                   {"filters": chosen, "saved": done, "problems": errors}, as_json=as_json,
                   status=400 if errors else 200)


@csrf_exempt  # RFC 8058 one-click unsubscribe posts without a form; the token in the address is the secret
@require_http_methods(["GET", "POST"])
def alert_page(request, token, as_json=False):
    try:
        alert = app.by_token(token)
    except NmahpError as exc:
        raise Http404(str(exc)) from None
    if request.method == "POST":
        if request.POST.get("action") == "confirm":
            app.confirm(alert)
        else:  # 'unsubscribe', or a mail client's List-Unsubscribe=One-Click
            app.unsubscribe(alert)
    state = "stopped" if alert.unsubscribed else "on" if alert.confirmed else "waiting"
    chosen = {k: v for k, v in alert.filters.items() if v}
    return respond(request, "web/outreach/alert.html", {"state": state, "filters": chosen},
                   {"state": state, "filters": chosen}, as_json=as_json)
