"""Programme pages (analysts and admins), each with its JSON twin, over nmahp.app.programme: the waves, the
kept versions of each instrument with an upload and a version's changes, a new wave, and a wave's page (its
links with invited counts, copyable addresses and QR codes; closing it; its report as a background job). And
the lead's overview of their own organisation (nmahp.app.lead_overview)."""

from __future__ import annotations

import base64

from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_http_methods

from nmahp.analysis.disclosure import RULE
from nmahp.analysis.tables import HIDDEN, share
from nmahp.app import lead_overview
from nmahp.app import programme as app
from nmahp.errors import InstrumentError, NmahpError

from ..accounts.access import role_of, role_required
from ..accounts.models import ADMIN, ANALYST, LEAD
from ..pages import form_dict, respond
from ..surveys.models import CollectorLink, Response, Wave
from .forms import InvitedForm, LinkForm, UploadForm, WaveForm
from .models import InstrumentVersion, Organisation

PROGRAMME = (ANALYST, ADMIN)
POLICY = {"threshold": RULE.shown_from, "round_to": RULE.round_to, "hidden": HIDDEN}


def _actor(request) -> str:
    return request.user.get_username()


def _problems(exc: NmahpError) -> list[str]:
    """An error as lines: a workbook's problems one a line, each with its sheet, row and column."""
    if isinstance(exc, InstrumentError):
        return [f"{exc.path}: {p}" for p in exc.problems]
    return [str(exc)]


@require_http_methods(["GET"])
@role_required(*PROGRAMME)
def index(request, as_json=False):
    waves = (Wave.objects.annotate(complete=Count("responses", filter=Q(responses__status=Response.COMPLETE)),
                                   links=Count("collectors", distinct=True)).order_by("instrument", "-created"))
    listed = [{**app.wave_facts(w), "complete": w.complete, "links": w.links} for w in waves]
    return respond(request, "web/programme/index.html", {"waves": listed}, {"waves": listed}, as_json=as_json)


def _version_dict(v) -> dict:
    return {"id": v.pk, "instrument": v.instrument, "version": v.version, "title": v.title, "file_name": v.file_name,
            "checksum": v.checksum, "bundled": v.bundled, "uploaded_by": v.uploaded_by or None,
            "created": v.created.isoformat(), "previous": v.previous.version if v.previous else None}


@require_http_methods(["GET", "POST"])
@role_required(*PROGRAMME)
def versions(request, as_json=False):
    form = UploadForm()
    problems: list[str] = []
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["workbook"]
            if upload.size > app.limits.limit("workbook_bytes"):
                problems = [str(app.limits.too_big(upload.name, upload.size, "workbook_bytes"))]
            else:
                try:
                    kept = app.register_version(b"".join(upload.chunks()), upload.name,
                                                renames=form.cleaned_data["renames"], actor=_actor(request))
                except NmahpError as exc:
                    problems = _problems(exc)
                else:
                    return redirect("programme-version", version_id=kept.version.pk)
    kept = app.versions()
    warnings = app.folder_problems()
    status = 400 if (problems or form.errors) else 200
    data = {"versions": [_version_dict(v) for v in kept], "problems": problems, "warnings": warnings,
            "form": form_dict(form)}
    error_items = [("#id_workbook", p) for p in problems] + [
        (f"#id_{name}", f"{form.fields[name].label}: {' '.join(errs)}" if name in form.fields else " ".join(errs))
        for name, errs in form.errors.items()]
    return respond(request, "web/programme/versions.html", {"versions": kept, "form": form, "problems": problems,
                                                            "warnings": warnings, "error_items": error_items}, data,
                   as_json=as_json, status=status)


@require_http_methods(["GET"])
@role_required(*PROGRAMME)
def version_page(request, version_id, as_json=False):
    version = get_object_or_404(InstrumentVersion.objects.defer("workbook").select_related("previous"), pk=version_id)
    try:
        change = app.version_diff(version)
    except NmahpError as exc:  # a kept workbook no longer loads (a rule of the loader changed since)
        change, problems = None, _problems(exc)
    else:
        problems = []
    waves = list(Wave.objects.filter(instrument=version.instrument, form_version=version.version).order_by("name"))
    data = {"version": _version_dict(version), "diff": change.as_dict() if change else None,
            "changes": change.lines() if change else [], "problems": problems,
            "waves": [{"id": w.pk, "name": w.name} for w in waves]}
    return respond(request, "web/programme/version.html", {"version": version, "diff": change, "problems": problems,
                                                           "waves": waves}, data, as_json=as_json)


@require_http_methods(["GET", "POST"])
@role_required(*PROGRAMME)
def new_wave(request, as_json=False):
    kept = app.versions()
    form = WaveForm(versions=kept, initial={"version": request.GET.get("version", "")})
    problems: list[str] = []
    if request.method == "POST":
        form = WaveForm(request.POST, versions=kept)
        if form.is_valid():
            c = form.cleaned_data
            try:
                wave = app.create_wave(c["version"], c["name"], opens=c["opens"], closes=c["closes"],
                                       channels=[(ch, None) for ch in form.channel_list()], actor=_actor(request))
            except NmahpError as exc:
                problems = _problems(exc)
            else:
                return redirect("programme-wave", wave_id=wave.pk)
    error_items = [("#id_name", p) for p in problems] + [
        (f"#id_{name}", f"{form.fields[name].label}: {' '.join(errs)}" if name in form.fields else " ".join(errs))
        for name, errs in form.errors.items()]
    data = {"form": form_dict(form), "problems": problems}
    return respond(request, "web/programme/new_wave.html", {"form": form, "problems": problems,
                                                            "error_items": error_items}, data,
                   as_json=as_json, status=400 if error_items else 200)


def _wave_action(request, wave: Wave):
    """A form posted to the wave's page: add a link, set a link's invited count, close, or write the report.
    Returns (problems, the link form as posted, where to go next when it was done)."""
    action = request.POST.get("action", "")
    link_form = LinkForm()
    done = redirect("programme-wave", wave_id=wave.pk)
    try:
        if action == "add_link":
            link_form = LinkForm(request.POST)
            if not link_form.is_valid():
                return ["The link could not be added: check the fields of the new link"], link_form, None
            c = link_form.cleaned_data
            app.add_collector(wave, c["channel"], c["invited"], organisation_id=c["organisation"],
                              actor=_actor(request))
        elif action == "invited":
            posted = InvitedForm(request.POST)
            if not posted.is_valid():
                return ["People invited: enter a whole number, 0 or more, or leave it empty if not known"], \
                    link_form, None
            link = get_object_or_404(CollectorLink, pk=posted.cleaned_data["link"], wave=wave)
            app.set_invited(link, posted.cleaned_data["invited"], actor=_actor(request))
        elif action == "close":
            app.close_wave(wave, actor=_actor(request))
        elif action == "report":
            job = app.start_report(wave, request.POST.get("format", ""), user=request.user)
            done = redirect("job", job_id=job.pk)
        else:
            return ["Choose what to do"], link_form, None
    except NmahpError as exc:
        return _problems(exc), link_form, None
    return [], link_form, done


@require_http_methods(["GET", "POST"])
@role_required(*PROGRAMME)
def wave_page(request, wave_id, as_json=False):
    wave = get_object_or_404(Wave, pk=wave_id)
    problems: list[str] = []
    link_form = LinkForm()
    if request.method == "POST":
        problems, link_form, done = _wave_action(request, wave)
        if done is not None:
            return done
        wave.refresh_from_db()
    links = app.links(wave, request.build_absolute_uri("/"))
    for link in links:
        link["qr_uri"] = "data:image/svg+xml;base64," + base64.b64encode(link["qr_svg"].encode()).decode()
    data = {"wave": app.wave_facts(wave), "links": [{k: v for k, v in link.items() if k != "qr_uri"} for link in links],
            "problems": problems, "report_formats": list(app.REPORT_FORMATS), "link_form": form_dict(link_form)}
    return respond(request, "web/programme/wave.html", {
        "wave": wave, "facts": app.wave_facts(wave), "links": links, "problems": problems, "link_form": link_form,
        "error_items": [("", p) for p in problems]}, data, as_json=as_json, status=400 if problems else 200)


# --- the lead's overview ---------------------------------------------------------------------------------
def _overview_waves() -> list[Wave]:
    """Waves whose instrument asks what the overview shows (the NMAHP survey's), newest first."""
    waves = []
    for wave in Wave.objects.order_by("-created"):
        try:
            questions = app.get_instrument(wave.instrument, version=wave.form_version).questions
        except NmahpError:  # an instrument no longer registered
            continue
        if all(q in questions for q in ("research_interest", "roles_of_interest", "top_barriers")):
            waves.append(wave)
    return waves


@require_http_methods(["GET"])
@role_required(LEAD, ANALYST, ADMIN)
def organisation(request, as_json=False):
    role = role_of(request.user)
    if role == LEAD:
        chosen = lead_overview.organisation_of(request.user)
        organisations = [chosen] if chosen else []
    else:
        organisations = list(Organisation.objects.all())
        wanted = request.GET.get("organisation", "")
        chosen = next((o for o in organisations if str(o.pk) == wanted), organisations[0] if organisations else None)
    waves = _overview_waves()
    wanted_wave = request.GET.get("wave", "")
    wave = next((w for w in waves if str(w.pk) == wanted_wave), waves[0] if waves else None)
    if wanted_wave and (wave is None or str(wave.pk) != wanted_wave):
        raise Http404("No such wave")
    view = None
    problems = []
    if chosen is not None and wave is not None:
        try:
            view = lead_overview.overview(wave, chosen, role=role,
                                          region=request.user.profile.region if role == LEAD else "")
        except NmahpError as exc:
            problems = [str(exc)]
    data = {"role": role, "organisation": chosen.name if chosen else None, "problems": problems,
            "organisations": [{"id": o.pk, "name": o.name} for o in organisations] if role != LEAD else None,
            "waves": [{"id": w.pk, "name": w.name, "instrument": w.instrument} for w in waves],
            "overview": lead_overview.as_dict(view) if view else None}
    rows = _rows(view) if view else []
    agreed = {"ours": _agreed(view.ours), "theirs": _agreed(view.region)} if view else {}
    return respond(request, "web/programme/organisation.html", {
        "role": role, "chosen": chosen, "organisations": organisations, "waves": waves, "wave": wave, "view": view,
        "rows": rows, "agreed": agreed, "problems": problems, **POLICY}, data, as_json=as_json)


def _agreed(side) -> str:
    if side.note:
        return "not shown"
    if side.consent is None:
        return "not asked"
    return _text(side.agreed, side.consent)


def _text(cell, table) -> str:
    if cell is None or table is None:
        return HIDDEN if table is not None else "not shown"
    return share(None if cell.suppressed else cell.count, table.base_n, table.counts_only)


def _rows(view) -> list[dict]:
    """Each table as rows of (option, the organisation's share, the region's share), in the region's order; a
    side whose scope is too small says so once, above."""
    out = []
    for table_id in view.table_ids():
        ours, theirs = view.ours.tables.get(table_id), view.region.tables.get(table_id)
        model = theirs or ours
        if model.kind == "role_contract":
            ours_by = {r.role: r for r in (ours.roles if ours else [])}
            rows = []
            for r in model.roles:
                mine = ours_by.get(r.role)
                wanted = ", ".join(f"{c.label}: {share(None if c.suppressed else c.count, mine.interested, True)}"
                                   for c in mine.contracts) if mine and mine.interested else ""
                rows.append({"label": r.label, "detail": wanted,
                             "ours": share(mine.interested, ours.base_n, ours.counts_only) if mine else "not shown",
                             "theirs": (share(r.interested, theirs.base_n, theirs.counts_only) if theirs
                                        else "not shown")})
            out.append({"id": table_id, "label": "Roles of interest, and the contracts wanted in your organisation",
                        "rows": rows, "detail": True})
            continue
        ours_by = {c.option: c for c in (ours.cells if ours else [])}
        rows = [{"label": c.label, "ours": _text(ours_by.get(c.option), ours),
                 "theirs": _text(c, theirs) if theirs else "not shown"} for c in model.cells]
        out.append({"id": table_id, "label": model.label, "rows": rows, "detail": False})
    return out
