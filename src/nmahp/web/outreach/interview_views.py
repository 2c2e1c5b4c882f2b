"""The interview sample of a wave (report 4.2.3), with its JSON twin, over nmahp.app.interviews: draw the first
round, invite, record where each participant stands, open the second round; the grid filled against its target
and uptake by cell (the disclosure policy for admins)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_http_methods

from nmahp.app import interviews as app
from nmahp.errors import NmahpError
from nmahp.instruments import get_instrument
from nmahp.study import STUDY

from ..accounts.access import role_of, role_required
from ..accounts.models import ADMIN, ANALYST
from ..outreach.models import Interviewee, InterviewSample
from ..pages import respond
from ..surveys.models import Wave


def _number(value: str, what: str) -> int:
    if not value.strip().isdigit():
        raise NmahpError(f"{what}: enter a whole number, 0 or more")
    return int(value)


def _action(request, wave, sample) -> str:
    actor, action = request.user.get_username(), request.POST.get("action", "")
    if action == "draw":
        drawn = app.draw_sample(wave, seed=_number(request.POST.get("seed", "0") or "0", "Seed"), actor=actor)
        return f"{drawn.interviewees.count()} respondents drawn for the first round"
    if sample is None:
        raise NmahpError("Draw the first round first")
    if action == "invite":
        return f"{app.send_invitations(sample, actor=actor)} invitations queued"
    if action == "remind":
        return f"{app.send_reminders(sample, actor=actor)} reminders queued"
    if action == "second_round":
        return f"{app.open_second_round(sample, actor=actor)} more respondents in the second round"
    if action == "record":
        person = app.record(sample, _number(request.POST.get("participant", ""), "Participant"),
                            request.POST.get("status", ""), actor=actor)
        return f"{person.participant}: {person.get_status_display().lower()}"
    raise NmahpError("Choose what to do")


def _in_words(wave, facts: dict | None) -> dict | None:
    """The page's copy of the overview with each cell named by its label, not its code (the twin keeps codes)."""
    if facts is None:
        return None
    form = get_instrument(wave.instrument, version=wave.form_version)
    names = {}
    for d in facts["dimensions"]:
        if d == "professional_group":
            names[d] = {g: STUDY.group(g).label for g in STUDY.group_ids}
        elif d in form.questions:
            names[d] = {c.name: c.label for c in form.questions[d].choices or ()}
    statuses = dict(Interviewee.STATUSES)

    def named(row):
        return {k: names[k].get(v, v) if k in names else v for k, v in row.items()}

    return {**facts, "headings": [d.replace("_", " ").capitalize() for d in facts["dimensions"]],
            "grid": [named(r) for r in facts["grid"]], "uptake": [named(r) for r in facts["uptake"]],
            "interviewees": [{**p, "status": statuses.get(p["status"], p["status"]).lower()}
                             for p in facts["interviewees"]]}


@role_required(ANALYST, ADMIN)
@require_http_methods(["GET", "POST"])
def interviews(request, wave_id, as_json=False):
    wave = get_object_or_404(Wave, pk=wave_id)
    sample = InterviewSample.objects.filter(wave=wave).first()
    problems, done = [], ""
    if request.method == "POST":
        try:
            done = _action(request, wave, sample)
        except NmahpError as exc:
            problems = [str(exc)]
        sample = InterviewSample.objects.filter(wave=wave).first()
    facts = app.overview(sample, role_of(request.user)) if sample else None
    data = {"wave": {"id": wave.pk, "name": wave.name, "instrument": wave.instrument}, "sample": facts,
            "statuses": [s for s, _ in Interviewee.STATUSES], "done": done, "problems": problems}
    return respond(request, "web/outreach/interviews.html", {
        "wave": wave, "sample": _in_words(wave, facts), "statuses": Interviewee.STATUSES, "done": done,
        "problems": problems,
        "error_items": [("", p) for p in problems]}, data, as_json=as_json, status=400 if problems else 200)
