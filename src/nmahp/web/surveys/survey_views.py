"""The respondent's pages: consent, one section per page, save and resume, check answers, done."""

from django.core.exceptions import RequestDataTooBig
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from nmahp.errors import NmahpError
from nmahp.instruments import get_instrument, validate

from ..pages import go, respond
from . import flow, store
from .models import CollectorLink, Response


def _instrument(wave, request=None, key: str | None = None):
    """The wave's instrument, in the wave's language or the one this respondent chose. A wave whose
    instrument is no longer registered is a plain 404 for the respondent, never a 500 (and its stored name
    is never read as a path)."""
    chosen = request.session.get(LANGUAGE_KEY + key) if request is not None and key else None
    try:
        return get_instrument(wave.instrument, language=chosen or wave.language, version=wave.form_version)
    except NmahpError:
        raise Http404("This survey is not available") from None


LANGUAGE_KEY = "survey-language-"


def _choose_language(request, response: Response, key: str) -> None:
    """`?language=` on a page: the respondent's choice among the workbook's languages, kept for their link."""
    wanted = request.GET.get("language")
    if wanted is None:
        return
    languages = _instrument(response.wave).languages
    if wanted in languages:
        request.session[LANGUAGE_KEY + key] = wanted


def _languages(instrument) -> dict:
    return {"language": instrument.current_language, "languages": list(instrument.languages)}


def _answers(response: Response) -> dict:
    """The answers and contact details given so far (the response as read here carries both)."""
    answers = dict(response.answers)
    if response.contact_details:
        answers.update(response.contact_details)
    return answers


def _open_response(key: str) -> Response:
    response = (store.with_contact(Response.objects.filter(respondent_key=key)).select_related("wave", "collector")
                .first())
    if response is None:
        raise Http404("No survey found for this link")
    return response


def _locked(key: str) -> Response:
    """The response locked for a change (inside transaction.atomic), with its contact details; gone (erased)
    is a 404."""
    response = store.lock_response(key, contact=True)
    if response is None:
        raise Http404("No survey found for this link")
    return response


def _already_sent(request, response: Response):
    """A change that arrived after the answers were sent: refused, and said so; the response stays
    complete as it was sent."""
    title = _instrument(response.wave).title
    return render(request, "web/survey/done.html", {"title": title, "already": True, "unsaved": True},
                  status=409)


def _not_collecting(request, wave, title: str, *, as_json: bool = False, unsaved: bool = False):
    """The plain page a respondent gets outside the wave's dates (410 closed, 403 not open yet), or None
    while the survey is open."""
    state = wave.collecting()
    if state == wave.OPEN:
        return None
    data = {"title": title, "state": state, "opens": wave.opens and wave.opens.isoformat(),
            "closes": wave.closes and wave.closes.isoformat()}
    return respond(request, "web/survey/closed.html", {"title": title, "state": state, "opens": wave.opens,
                                                      "closes": wave.closes, "unsaved": unsaved},
                   data, as_json=as_json, status=410 if state == wave.CLOSED else 403)


def _field_dict(field) -> dict:
    q = field.question
    return {"name": q.name, "label": q.label, "hint": q.hint, "type": q.type, "widget": field.widget,
            "required": q.required, "choices": [[c.name, c.label] for c in field.choices],
            "value": field.echo, "kept": getattr(field, "kept", False), "error": field.error}


def _error_items(page, errors) -> list[tuple[str, str]]:
    """The NHS error summary: one linked line per field in error, then any error of the whole form."""
    items = [(f"#{f.id}", f"{f.question.label}: {f.error}") for f in page.fields if f.error]
    if errors.get("form"):
        items.append(("", errors["form"]))
    return items


@require_http_methods(["GET", "POST"])
def start(request, token, as_json=False):
    collector = get_object_or_404(CollectorLink.objects.select_related("wave"), token=token)
    instrument = _instrument(collector.wave)
    wanted = request.POST.get("language") or request.GET.get("language")
    if wanted in instrument.languages:  # chosen before consenting; kept for the respondent's link below
        instrument = instrument.in_language(wanted)
    shut = _not_collecting(request, collector.wave, instrument.title, as_json=as_json)
    if shut is not None:
        return shut
    consent = instrument.questions["consent"]
    information = next((q.label for q in instrument.questions_in_group(flow.CONSENT_PAGE) if q.type == "note"), "")
    error = ""
    if request.method == "POST":
        choice = request.POST.get("consent", "")
        if choice == "yes":
            response = store.save_response(collector.wave, {"consent": "yes"}, complete=False, collector=collector)
            if wanted in instrument.languages:
                request.session[LANGUAGE_KEY + response.respondent_key] = wanted
            return redirect("survey-page", key=response.respondent_key, page=flow.pages(instrument)[0])
        if choice == "no":
            return render(request, "web/survey/declined.html", {"title": instrument.title})
        error = "Select whether you agree to take part"
    data = {"title": instrument.title, "information": information, "error": error, **_languages(instrument),
            "consent": {"name": consent.name, "label": consent.label,
                        "choices": [[c.name, c.label] for c in consent.choices]}}
    return respond(request, "web/survey/start.html", {
        "title": instrument.title, "information": information, "consent": consent, "error": error,
        **_languages(instrument),
        "error_items": [("#consent-yes", error)] if error else [], "token": token}, data, as_json=as_json)


@require_http_methods(["GET"])
def resume(request, key, as_json=False):
    response = _open_response(key)
    if response.status == Response.COMPLETE:
        title = _instrument(response.wave).title
        return respond(request, "web/survey/done.html", {"title": title, "already": True},
                       {"title": title, "complete": True}, as_json=as_json)
    instrument = _instrument(response.wave)
    shut = _not_collecting(request, response.wave, instrument.title, as_json=as_json)
    if shut is not None:
        return shut
    page = flow.first_unfinished(instrument, _answers(response))
    return (go("survey-check", as_json=as_json, key=key) if page is None
            else go("survey-page", as_json=as_json, key=key, page=page))


def _page_gate(request, response: Response, key: str, page: str, *, as_json: bool):
    """What a section's page checks first, in this order: the respondent's language, the survey open, the
    section one of the survey's, relevant to the answers so far. Returns (the answer to send instead, or None;
    the instrument; the answers)."""
    _choose_language(request, response, key)
    instrument = _instrument(response.wave, request, key)
    shut = _not_collecting(request, response.wave, instrument.title, as_json=as_json,
                           unsaved=request.method == "POST")
    if shut is not None:
        return shut, instrument, None
    if page not in flow.pages(instrument):
        raise Http404("No such section")
    answers = _answers(response)
    if not flow.page_is_relevant(instrument, page, answers):
        following = flow.next_page(instrument, page, answers)
        return (go("survey-page", as_json=as_json, key=key, page=following) if following
                else go("survey-check", as_json=as_json, key=key)), instrument, answers
    return None, instrument, answers


def _save_page(request, key: str, page: str):
    """A section's answers sent (a twin answers GET only, so never as JSON). The response is read once, locked,
    and the page's checks, the merge and the write all happen under that lock: a concurrent final submit
    either ran before (this save is refused) or waits until this save is stored."""
    response = None
    try:
        with transaction.atomic():
            response = _locked(key)
            early, instrument, answers = _page_gate(request, response, key, page, as_json=False)
            if early is not None:
                return early
            try:
                request.POST  # noqa: B018 - parsed here so an oversized body gets a page, not a crash
            except RequestDataTooBig:
                built = flow.build_page(instrument, page, answers)
                errors = {"form": "Your answers were too long to send. Shorten them and try again."}
                return render(request, "web/survey/page.html", {
                    "title": instrument.title, "page": built, "key": key, "position": 1, "total": 1, "back": None,
                    "errors": errors, "error_items": _error_items(built, errors)}, status=413)
            posted = flow.read_post(instrument, page, request.POST)
            for name in instrument.contact_questions():  # blank keeps what was given (never shown again)
                if name in posted and not posted[name] and answers.get(name):
                    posted[name] = answers[name]
            cleaned, errors = flow.check_page(instrument, page, answers, posted)
            if not errors:
                store.save_response(response.wave, cleaned, complete=False, collector=response.collector,
                                    respondent_key=key, locked=response, instrument=instrument.in_language(None))
    except store.AlreadySubmitted:  # sent before this save: the response stays as it was sent
        return _already_sent(request, response or _open_response(key))
    except store.SurveyClosed:  # it closed while the page was open: nothing is stored
        return _not_collecting(request, response.wave, instrument.title, unsaved=True)
    if not errors:
        if request.POST.get("action") == "save":
            return render(request, "web/survey/saved.html", {"title": instrument.title, "key": key})
        following = flow.next_page(instrument, page, cleaned)
        return redirect("survey-page", key=key, page=following) if following else redirect("survey-check", key=key)
    shown = {**answers, **{k: v for k, v in posted.items() if v != "\x00multiple"}}
    return _section(request, key, page, instrument, shown, errors, as_json=False)


@require_http_methods(["GET", "POST"])
def page(request, key, page, as_json=False):
    if request.method == "POST":
        return _save_page(request, key, page)
    response = _open_response(key)
    if response.status == Response.COMPLETE:
        return go("survey-resume", as_json=as_json, key=key)
    early, instrument, answers = _page_gate(request, response, key, page, as_json=as_json)
    if early is not None:
        return early
    return _section(request, key, page, instrument, answers, {}, as_json=as_json)


def _section(request, key: str, page: str, instrument, shown: dict, errors: dict, *, as_json: bool):
    """The section's page with `shown` in its fields (and the errors of a POST that was refused)."""
    order = flow.relevant_pages(instrument, shown)
    built = flow.build_page(instrument, page, shown, errors)
    contact = set(instrument.contact_questions())
    for field in built.fields:
        if field.question.name in contact and field.value and not errors.get(field.question.name):
            field.value = ""  # given contact details are not shown back
            field.kept = True
    previous = flow.previous_page(instrument, page, shown)
    position = order.index(page) + 1 if page in order else 1
    data = {"title": instrument.title, "section": {"name": built.name, "title": built.title},
            "position": position, "total": len(order), "questions": [_field_dict(f) for f in built.fields],
            "errors": errors, "back": f"/respond/{key}/{previous}/" if previous else None, **_languages(instrument)}
    return respond(request, "web/survey/page.html", {
        "title": instrument.title, "page": built, "errors": errors, "key": key, **_languages(instrument),
        "error_items": _error_items(built, errors), "position": position, "total": len(order),
        "back": f"/respond/{key}/{previous}/" if previous else None,
    }, data, as_json=as_json, status=400 if errors else 200)


@require_http_methods(["GET", "POST"])
def check(request, key, as_json=False):
    response = _open_response(key)
    if response.status == Response.COMPLETE:
        return go("survey-resume", as_json=as_json, key=key)
    instrument = _instrument(response.wave, request, key)
    shut = _not_collecting(request, response.wave, instrument.title, as_json=as_json,
                           unsaved=request.method == "POST")
    if shut is not None:
        return shut
    answers = _answers(response)
    problems = []
    if request.method == "POST":
        try:
            # the answers as stored now, validated and marked complete under the response's lock
            with transaction.atomic():
                response = _locked(key)
                answers = _answers(response)
                result = validate(instrument, answers)
                if result.ok:
                    store.save_response(response.wave, answers, complete=True, collector=response.collector,
                                        respondent_key=key, locked=response, instrument=instrument.in_language(None))
        except store.AlreadySubmitted:  # sent twice (a double click): the first one counts
            return redirect("survey-done", key=key)
        except store.SurveyClosed:  # it closed while the page was open: the response stays unfinished
            return _not_collecting(request, response.wave, instrument.title, unsaved=True)
        if result.ok:
            return redirect("survey-done", key=key)
        problems = [(e.question, e.message) for e in result.errors]
    contact = set(instrument.contact_questions())
    sections = []
    for section, rows in flow.summary(instrument, answers):
        sections.append((section, [(q, "Given (not shown)" if q.name in contact and v != "Not answered" else v)
                                   for q, v in rows]))
    pages_of = {q.name: p for p in flow.pages(instrument) for q in flow.page_questions(instrument, p)}
    data = {"title": instrument.title, "problems": [{"question": q, "message": m} for q, m in problems],
            "sections": [{"name": section.name, "title": section.title,
                          "answers": [{"question": q.name, "label": q.label, "answer": v} for q, v in rows]}
                         for section, rows in sections]}
    return respond(request, "web/survey/check.html", {
        "title": instrument.title, "sections": sections, "key": key, "problems": problems,
        "error_items": [(f"/respond/{key}/{pages_of.get(q, '')}/#q-{q}", m) for q, m in problems]},
        data, as_json=as_json, status=400 if problems else 200)


@require_http_methods(["GET"])
def done(request, key, as_json=False):
    response = _open_response(key)
    if response.status != Response.COMPLETE:
        return go("survey-resume", as_json=as_json, key=key)
    title = _instrument(response.wave).title
    return respond(request, "web/survey/done.html", {"title": title}, {"title": title, "complete": True},
                   as_json=as_json)
