"""Outreach pages, each with its JSON twin, over nmahp.app.outreach: a collector link's invitees (upload, invite,
remind; counts only, never an address), an invitee's own survey link, and unsubscribing."""

from __future__ import annotations

from urllib.parse import urlparse

from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import Resolver404, resolve
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from nmahp import limits
from nmahp.app import outreach as app
from nmahp.errors import NmahpError

from ..accounts.access import role_required
from ..accounts.models import ADMIN, ANALYST
from ..pages import go, respond
from ..surveys import survey_views
from ..surveys.models import CollectorLink, Response


def _action(request, link) -> str:
    actor = request.user.get_username()
    action = request.POST.get("action", "")
    if action == "upload":
        upload = request.FILES.get("invitees")
        if upload is None:
            raise NmahpError("Choose a CSV file of invitees, with an 'email' column")
        if upload.size > limits.limit("invitees_bytes"):
            raise limits.too_big(upload.name, upload.size, "invitees_bytes")
        added = app.add_invitees(link, upload.read(), label=limits.one_line(upload.name, 100), actor=actor)
        return f"{added['added']} invitees added" + (f"; {added['already']} were on the list already"
                                                     if added["already"] else "")
    if action == "invite":
        return f"{app.send_invitations(link, actor=actor)} invitations queued"
    if action == "remind":
        return f"{app.send_reminders(link, actor=actor)} reminders queued"
    raise NmahpError("Choose what to do: upload a list, send the invitations or send reminders")


@role_required(ANALYST, ADMIN)
@require_http_methods(["GET", "POST"])
def invitees(request, link_id, as_json=False):
    link = get_object_or_404(CollectorLink.objects.select_related("wave"), pk=link_id)
    problems, done = [], ""
    if request.method == "POST":
        try:
            done = _action(request, link)
        except NmahpError as exc:
            problems = [str(exc)]
    facts = app.summary(link)
    data = {"collector": {"id": link.pk, "wave": link.wave.name, "instrument": link.wave.instrument,
                          "channel": link.channel}, **facts, "done": done, "problems": problems,
            "reminders": {"after_days": app.REMIND_AFTER_DAYS, "most": app.MOST_REMINDERS}}
    return respond(request, "web/outreach/invitees.html", {
        "link": link, "facts": facts, "done": done, "problems": problems, "reminders": data["reminders"],
        "error_items": [("#invitees", p) for p in problems]}, data, as_json=as_json, status=400 if problems else 200)


def _invitee(token: str):
    try:
        return app.invitee_by_token(token)
    except NmahpError as exc:
        raise Http404(str(exc)) from None


@require_http_methods(["GET", "POST"])
def invite(request, token, as_json=False):
    """An invitee's own link: the survey's consent page, and once they have started, their response."""
    invitee = _invitee(token)
    if invitee.respondent_key and Response.objects.filter(respondent_key=invitee.respondent_key).exists():
        return go("survey-resume", as_json=as_json, key=invitee.respondent_key)
    answer = survey_views.start(request, invitee.collector.token, as_json=as_json)
    if request.method == "POST" and isinstance(answer, HttpResponseRedirect):
        try:
            match = resolve(urlparse(answer.url).path)
        except Resolver404:
            match = None
        if match is not None and match.url_name == "survey-page":
            app.started(invitee, match.kwargs["key"])
    return answer


@csrf_exempt  # RFC 8058 one-click unsubscribe: the mail client posts without a form; the token is the secret
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token, as_json=False):
    invitee = _invitee(token)
    if request.method == "POST":
        app.unsubscribe(invitee)
        invitee.refresh_from_db()
    done = invitee.unsubscribed is not None
    return respond(request, "web/outreach/unsubscribe.html", {"done": done},
                   {"unsubscribed": done}, as_json=as_json)
