"""Coding pages for analysts: build a project from a wave's open text, code segments, see themes and
quotes, exchange with other QDA tools, review suggested themes."""

import io
import re
import tempfile
from pathlib import Path

from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from nmahp import limits
from nmahp.app import coding, coding_rounds, coding_suggestions, jobs
from nmahp.errors import NmahpError
from nmahp.qualitative.suggest import Suggestion, suggest_themes

from ..accounts.access import role_required
from ..accounts.models import ADMIN, ANALYST, audit
from ..pages import respond
from ..surveys.models import Wave
from .models import CodeItem, CodingDocument, CodingProject, HighlightItem

COLOUR = "#005EB8"
HEX_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")


@require_http_methods(["GET", "POST"])
@role_required(ANALYST, ADMIN)
def index(request, as_json=False):
    if request.method == "POST":
        wave = get_object_or_404(Wave, pk=request.POST.get("wave") or 0)
        return redirect("coding-project", project_id=coding.build_project(wave).pk)
    waves = list(Wave.objects.select_related("coding").all())
    data = {"waves": [{"id": w.pk, "instrument": w.instrument, "name": w.name,
                       "project": w.coding.pk if hasattr(w, "coding") else None} for w in waves]}
    return respond(request, "web/coding/index.html", {"waves": waves}, data, as_json=as_json)


@require_http_methods(["GET", "POST"])
@role_required(ANALYST, ADMIN)
def project_page(request, project_id, as_json=False):
    """The project's themes, quotes, agreement between every pair of coders, documents and codes; its twin
    is also served at the older /coding/<id>/themes.json."""
    project = get_object_or_404(CodingProject, pk=project_id)
    error = ""
    if request.method == "POST":
        name = request.POST.get("name", "").strip()[:200]
        parent = project.codes.filter(pk=request.POST.get("parent") or 0).first()
        colour = request.POST.get("color", COLOUR)
        if not name:
            error = "Enter a name for the code"
        elif project.codes.filter(name=name).exists():
            error = "A code with this name exists already"
        else:
            CodeItem.objects.create(project=project, name=name, parent=parent,
                                    description=request.POST.get("description", "").strip()[:2000],
                                    color=colour if HEX_COLOUR.fullmatch(colour) else COLOUR)
            return redirect("coding-project", project_id=project.pk)
    data = coding.overview(project, request.user.get_username())
    return respond(request, "web/coding/project.html", {
        "project": project, "data": data, "codes": project.codes.all(), "error": error,
        "error_items": [("#code-name", error)] if error else []}, data, as_json=as_json, status=400 if error else 200)


@require_http_methods(["GET", "POST"])
@role_required(ANALYST, ADMIN)
def document_page(request, project_id, document_id, as_json=False):
    project = get_object_or_404(CodingProject, pk=project_id)
    document = get_object_or_404(CodingDocument, pk=document_id, project=project)
    coder = request.user.get_username()
    codes = list(project.codes.all())
    # in an open blind round the coder's coding of this document is the round's, and starts afresh
    in_round = coding_rounds.current_round(document, coder)
    if request.method == "POST":
        valid = {str(c.pk): c for c in codes}
        for index, segment in enumerate(document.segments):
            chosen = [valid[v] for v in request.POST.getlist(f"segment-{index}") if v in valid]
            mine = document.highlights.filter(coder=coder, start=segment["start"], end=segment["end"], round=in_round)
            mine.delete()
            if chosen:
                item = HighlightItem.objects.create(document=document, start=segment["start"], end=segment["end"],
                                                    coder=coder, round=in_round)
                item.codes.set(chosen)
        return redirect("coding-project", project_id=project.pk)
    applied = {}
    for item in document.highlights.filter(coder=coder, round=in_round).prefetch_related("codes"):
        applied[(item.start, item.end)] = {c.pk for c in item.codes.all()}
    segments = [{"index": i, "participant": s["participant"], "speaker": s.get("speaker", ""),
                 "text": document.text[s["start"]:s["end"]], "applied": applied.get((s["start"], s["end"]), set())}
                for i, s in enumerate(document.segments)]
    data = {"project": project.pk, "document": document.name, "kind": document.kind, "coder": coder,
            "codes": [{"id": c.pk, "name": c.name} for c in codes],
            "segments": [{**s, "applied": sorted(s["applied"])} for s in segments]}
    return respond(request, "web/coding/document.html", {"project": project, "document": document,
                                                         "segments": segments, "codes": codes, "coder": coder},
                   data, as_json=as_json)


@require_http_methods(["GET"])
@role_required(ANALYST, ADMIN)
def export(request, project_id, fmt):
    project = get_object_or_404(CodingProject, pk=project_id)
    # built in memory: nothing is left on disk once the response is sent
    data = coding.export(project, fmt, request.user.get_username())
    audit(request.user.get_username(), f"download_{fmt}", f"coding project {project.pk}", project.name)
    return FileResponse(io.BytesIO(data), as_attachment=True, filename=f"{project.name}.{fmt}".replace(" ", "-"))


@require_http_methods(["POST"])
@role_required(ANALYST, ADMIN)
def import_project(request, project_id):
    project = get_object_or_404(CodingProject, pk=project_id)
    upload = request.FILES.get("file")
    message = ""
    if upload is None:
        message = "Choose a .qdpx file to import"
    elif upload.size > limits.limit("qda_bytes"):
        message = str(limits.too_big(upload.name, upload.size, "qda_bytes"))
    else:
        suffix = ".qdc" if upload.name.lower().endswith(".qdc") else ".qdpx"
        with tempfile.NamedTemporaryFile(suffix=suffix) as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
            handle.flush()
            try:  # every fault of the file is an NmahpError naming it, raised before anything is stored
                added = coding.import_refi(project, Path(handle.name), label=upload.name[:200])
            except NmahpError as exc:
                message = str(exc).replace(handle.name, upload.name[:200])
            else:
                said = coding.describe_import(added)  # added, merged and skipped, and why, as the CLI says it
                message = said[:1].upper() + said[1:]
    return render(request, "web/coding/imported.html", {"project": project, "message": message},
                  status=200 if message.startswith("Imported") else 400)


@require_http_methods(["GET", "POST"])
@role_required(ANALYST, ADMIN)
def suggestions(request, project_id, as_json=False):
    project = get_object_or_404(CodingProject, pk=project_id)
    if request.method == "POST" and request.POST.get("action") == "suggest":
        # grouping by meaning loads a language model: long work, so a background job shows its progress
        job = jobs.submit("theme_suggestions", {"project": project.pk, "method": request.POST.get("method", "tfidf")},
                          user=request.user)
        return redirect(f"/jobs/{job.pk}/?next=1")
    error = ""
    if request.method == "POST":
        terms = request.POST.get("terms", "").split(",")
        try:
            if request.POST.get("action") == "discard":
                coding_suggestions.discard(project, terms, by=request.user.get_username())
                return redirect(request.get_full_path())
            code, _ = coding_suggestions.accept(project, request.POST.get("name", ""), terms,
                                                request.POST.getlist("example"), by=request.user.get_username())
            return redirect(f"/coding/{project.pk}/codebook/#code-{code.pk}")
        except NmahpError as exc:
            error = str(exc)
    method = "embeddings" if request.GET.get("method") == "embeddings" else "tfidf"
    done = _finished_suggestions(request.GET.get("job"), project)
    if done is not None:  # what a background job found (see the 'suggest' action above)
        method, found = done["method"], [Suggestion(**s) for s in done["suggestions"]]
    else:
        try:
            found = suggest_themes(coding.load(project), themes=6, method=method)
        except NmahpError as exc:  # the optional embedding packages are not installed
            found, method = [], str(exc)
    gone = coding_suggestions.discarded(project)
    found = [s for s in found if coding_suggestions.terms_key(s.terms) not in gone]
    data = {"project": project.pk, "method": method,
            "suggestions": [{"terms": s.terms, "examples": s.examples, "size": s.size} for s in found]}
    return respond(request, "web/coding/suggestions.html", {
        "project": project, "suggestions": found, "method": method, "error": error,
        "error_items": [("#suggestions", error)] if error else []}, data, as_json=as_json,
        status=400 if error else 200)


def _finished_suggestions(job_id: str | None, project: CodingProject) -> dict | None:
    """A finished theme-suggestions job's result for this project, or None (no job, or not this project's)."""
    if not (job_id or "").isdigit():
        return None
    try:
        job = jobs.get(int(job_id))
    except NmahpError:
        return None
    result = job.result or {}
    if job.kind != "theme_suggestions" or job.status != "done" or result.get("project") != project.pk:
        return None
    return result if "suggestions" in result else None
