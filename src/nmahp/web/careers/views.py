"""Careers navigator pages. Each page has a JSON twin built from the same context (Datasette style);
filtering, eligibility and grouping live in nmahp.navigator."""

from __future__ import annotations

import datetime as dt

from django.http import Http404

from nmahp.app.opportunities import opportunities_for
from nmahp.navigator import catalogue
from nmahp.navigator.eligibility import CLOSED, ONE_STEP, OPEN, UNKNOWN, AnswerError, check
from nmahp.study import STUDY

from ..pages import respond
from .content import get_content, setting_choices
from .models import Opportunity, Story

MAX_QUERY = 2000
CARDS = [
    ("/careers/schemes/", "All schemes on one page", "Every internship, fellowship and route, with filters."),
    ("/careers/check/", "What can I apply for?", "Seven questions. See what is open to you now and your next step."),
    ("/careers/pathway/", "The pathway map", "From first interest to senior roles, and where each scheme sits."),
    ("/careers/start-small/", "Start small", "Workshops, journal clubs and guest lectures that fit around your job."),
    ("/careers/employment/", "Contracts, pay and pensions", "Joint posts, honorary contracts and what to ask HR."),
    ("/careers/stories/", "Career stories", "How others got there, how their posts are set up and what helped."),
    ("/careers/opportunities/", "Opportunities board", "Jobs, secondments and workshops, with closing dates."),
    ("/careers/glossary/", "What the words mean", "{terms} terms and acronyms in plain English."),
]  # longer query strings are not from our forms


def _too_long(request) -> bool:
    return len(request.META.get("QUERY_STRING", "")) > MAX_QUERY


def _error_items(problems: dict[str, str]) -> list[tuple[str, str]]:
    return [("#maincontent" if field == "_" else f"#{field}", message) for field, message in problems.items()]


def _choice(request, field: str, allowed, problems: dict[str, str], what: str) -> str:
    """A filter value from the query, or a problem recorded for the error summary."""
    value = request.GET.get(field, "")
    if value and value not in allowed:
        problems[field] = f"Choose {what} from the list"
        return ""
    return value


def index(request, as_json=False):
    content = get_content()
    data = {"schemes": len([s for s in content.schemes.values() if not s.is_ended]),
            "glossary_terms": len(content.glossary), "stages": [s.name for s in content.stages_in_order()],
            "pages": {"schemes": "/careers/schemes/", "check": "/careers/check/", "pathway": "/careers/pathway/",
                      "start_small": "/careers/start-small/", "employment": "/careers/employment/",
                      "stories": "/careers/stories/", "opportunities": "/careers/opportunities/",
                      "glossary": "/careers/glossary/"}}
    cards = [(href, title, text.format(terms=len(content.glossary))) for href, title, text in CARDS]
    return respond(request, "web/careers/index.html", {"data": data, "cards": cards}, data, as_json=as_json)


def schemes(request, as_json=False):
    content = get_content()
    problems = {}
    if _too_long(request):
        problems = {"_": "That address is too long to be a filter from this page."}
        f = catalogue.SchemeFilter()
    else:
        try:
            f = catalogue.SchemeFilter.from_query(content, request.GET)
        except AnswerError as exc:
            problems, f = exc.problems, catalogue.SchemeFilter()
    found = catalogue.filter_schemes(content, f)
    data = {"filters": {"profession": f.profession, "stage": f.stage, "time": f.time, "funded": f.funded,
                        "ended": f.ended},
            "problems": problems, "count": len(found), "total": len(content.schemes),
            "schemes": [catalogue.scheme_dict(content, s) for s in found]}
    context = {"data": data, "found": found, "f": f, "content": content, "problems": problems,
               "error_items": _error_items(problems),
               "professions": sorted(content.professions.values(), key=lambda p: p.name),
               "stages": content.stages_in_order(), "times": content.questions["time"].options,
               "query": request.GET.urlencode() if not problems else ""}
    return respond(request, "web/careers/schemes.html", context, data, as_json=as_json, status=400 if problems else 200)


def scheme(request, scheme_id, as_json=False):
    content = get_content()
    found = content.schemes.get(scheme_id)
    if found is None:
        raise Http404("No such scheme")
    data = catalogue.scheme_dict(content, found, full=True)
    stories = [s for s in Story.objects.filter(published=True) if found.id in s.schemes or found.stage in s.stages]
    rows = [("Provided by", "provider", found.provider), ("Who can apply", "who_can_apply", found.who_can_apply),
            ("What it pays for", "pays_for", found.pays_for), ("How long it lasts", "duration", found.duration),
            ("Time it needs", "time_commitment", data["time_commitment_label"]),
            ("Where", "region", found.region), ("How to apply", "how_to_apply", found.how_to_apply)]
    context = {"scheme": found, "data": data, "stage": content.stages[found.stage], "rows": rows,
               "replaced_by": content.schemes.get(found.replaced_by), "stories": stories[:3],
               "conditions": data["conditions"]}
    return respond(request, "web/careers/scheme.html", context, data, as_json=as_json)


def glossary(request, as_json=False):
    content = get_content()
    terms = catalogue.glossary_sorted(content)
    data = {"count": len(terms), "terms": [catalogue.term_dict(t) for t in terms]}
    groups: dict[str, list] = {}
    for term in terms:
        letter = term.term[0].upper() if term.term[0].isalpha() else "0-9"
        groups.setdefault(letter, []).append(term)
    return respond(request, "web/careers/glossary.html",
                    {"terms": terms, "groups": sorted(groups.items(), key=lambda g: (g[0] != "0-9", g[0]))},
                    data, as_json=as_json)


def pathway(request, as_json=False):
    content = get_content()
    steps = catalogue.pathway(content)
    stories = list(Story.objects.filter(published=True))
    by_stage = {step.stage.id: [s for s in stories if step.stage.id in s.stages] for step in steps}
    data = {"stages": [{"id": st.stage.id, "name": st.stage.name, "summary": st.stage.summary,
                        "typical_qualification": st.stage.typical_qualification,
                        "schemes": [s.id for s in st.schemes], "ended": [s.id for s in st.ended],
                        "stories": [s.id for s in by_stage[st.stage.id]]} for st in steps]}
    return respond(request, "web/careers/pathway.html",
                    {"steps": steps, "stories": by_stage}, data, as_json=as_json)


def checker(request, as_json=False):
    content = get_content()
    questions = list(content.questions.values())
    answers = {k: v for k, v in request.GET.items() if k in content.questions}
    result, problems = None, {}
    given = {k: v for k, v in request.GET.items() if k != "edit"}
    if given and "edit" not in request.GET:
        if _too_long(request):
            problems = {"_": "That address is too long to be an answer from this page."}
        else:
            try:
                result = check(content, given)
            except AnswerError as exc:
                problems = exc.problems
            if result is not None:
                missing = {q.id: f"Answer '{q.label}'" for q in questions if q.id not in result.answers}
                if missing and not as_json:
                    problems, result = missing, None
    data = {"questions": [{"id": q.id, "label": q.label, "options": [o.value for o in q.options]}
                          for q in questions],
            "problems": problems, "result": result.as_dict() if result else None}
    context = {"questions": questions, "answers": answers, "result": result, "problems": problems,
               "error_items": _error_items(problems),
               "groups": [(OPEN, result.with_status(OPEN)), (ONE_STEP, result.with_status(ONE_STEP)),
                          (CLOSED, result.with_status(CLOSED)), (UNKNOWN, result.with_status(UNKNOWN))]
               if result else [],
               "summary": {q.id: q.label_for(result.answers[q.id]) for q in questions if q.id in result.answers}
               if result else {}}
    return respond(request, "web/careers/check.html", context, data, as_json=as_json, status=400 if problems else 200)


def start_small(request, as_json=False):
    content = get_content()
    track = request.GET.get("track", "")
    if track not in ("", "research", "teaching"):
        track = ""
    starts = [s for s in content.starts.values() if not track or s.track in (track, "both")]
    time_q = content.questions["time"]
    data = {"track": track, "starts": [{"id": s.id, "title": s.title, "summary": s.summary, "track": s.track,
                                        "time_commitment": s.time_commitment, "how_to_find": s.how_to_find}
                                       for s in starts]}
    low = [s for s in content.schemes.values() if not s.is_ended and s.time_commitment == "hours_month"]
    return respond(request, "web/careers/start_small.html",
                    {"starts": starts, "track": track, "time_q": time_q, "schemes": low}, data, as_json=as_json)


def employment(request, as_json=False):
    content = get_content()
    explainers = list(content.explainers.values())
    data = {"explainers": [{"id": e.id, "title": e.title, "summary": e.summary, "body": list(e.body),
                            "hr_questions": list(e.hr_questions)} for e in explainers]}
    return respond(request, "web/careers/employment.html", {"explainers": explainers}, data, as_json=as_json)


def _story_dict(story: Story) -> dict:
    return {"id": story.id, "title": story.title, "person": story.person, "profession": story.profession,
            "setting": story.setting, "stages": story.stages, "schemes": story.schemes, "journey": story.journey,
            "contract": story.contract, "time_split": story.time_split, "what_helped": story.what_helped,
            "illustrative": story.illustrative}


def stories(request, as_json=False):
    content = get_content()
    problems: dict[str, str] = {}
    profession = _choice(request, "profession", content.professions, problems, "a profession")
    setting = _choice(request, "setting", dict(setting_choices()), problems, "a setting")
    stage = _choice(request, "stage", content.stages, problems, "a stage")
    found = Story.objects.filter(published=True)
    if profession:
        found = found.filter(profession=profession)
    if setting:
        found = found.filter(setting=setting)
    found = [s for s in found if not stage or stage in s.stages]
    for story in found:
        story.stage_items = [content.stages[i] for i in story.stages if i in content.stages]
        story.scheme_items = [content.schemes[i] for i in story.schemes if i in content.schemes]
    data = {"filters": {"profession": profession, "setting": setting, "stage": stage}, "problems": problems,
            "stories": [_story_dict(s) for s in found]}
    used = sorted({s.profession for s in Story.objects.filter(published=True)})
    context = {"stories": found, "profession": profession, "setting": setting, "stage": stage,
               "problems": problems, "error_items": _error_items(problems),
               "professions": [content.professions[p] for p in used if p in content.professions],
               "settings": setting_choices(), "stages": content.stages_in_order(), "content": content}
    return respond(request, "web/careers/stories.html", context, data, as_json=as_json, status=400 if problems else 200)


def opportunity_filter(request) -> tuple[dict, dict[str, str]]:
    """The board's filters (shared by the page and its feeds) and any values that are not choices."""
    content = get_content()
    problems: dict[str, str] = {}
    f = {"kind": _choice(request, "kind", dict(Opportunity.KINDS), problems, "a kind of opportunity"),
         "region": _choice(request, "region", {o.value for o in content.questions["region"].options}, problems,
                           "a place"),
         "group": _choice(request, "group", STUDY.group_ids, problems, "who it is open to"),
         "stage": _choice(request, "stage", content.stages, problems, "a career stage"),
         "closed": request.GET.get("closed", "") in ("1", "on", "yes")}
    return f, problems


def opportunity_dict(o: Opportunity) -> dict:
    return {"id": o.id, "title": o.title, "kind": o.kind, "organisation": o.organisation, "summary": o.summary,
            "url": o.url, "region": o.region, "open_to": o.open_to, "stage": o.stage,
            "closes_on": o.closes_on.isoformat(), "starts_on": o.starts_on.isoformat() if o.starts_on else None}


def opportunities(request, as_json=False):
    from urllib.parse import urlencode

    content = get_content()
    f, problems = opportunity_filter(request)
    found = opportunities_for(f)
    query = urlencode({k: ("1" if v is True else v) for k, v in f.items() if v})
    data = {"filters": f, "problems": problems, "count": len(found),
            "opportunities": [opportunity_dict(o) for o in found],
            "feeds": {"atom": f"/careers/opportunities/feed.atom?{query}",
                      "rss": f"/careers/opportunities/feed.rss?{query}",
                      "ical": f"/careers/opportunities/deadlines.ics?{query}"}}
    context = {"found": found, "f": f, "kinds": Opportunity.KINDS, "regions": content.questions["region"].options,
               "feeds": data["feeds"], "region_labels": {o.value: o.label for o in content.questions["region"].options},
               "stages": content.stages_in_order(), "today": dt.date.today(), "groups": STUDY.professional_groups,
               "problems": problems, "error_items": _error_items(problems)}
    return respond(request, "web/careers/opportunities.html", context, data, as_json=as_json,
                   status=400 if problems else 200)
