"""Blind double-coding pages: open a round, follow it, close it, see agreement and adjudicate. What a coder
may see is decided in nmahp.app.coding_rounds, so each page and its JSON twin show the same."""

from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_http_methods

from nmahp.app import coding_rounds
from nmahp.errors import NmahpError

from ..accounts.access import role_of, role_required
from ..accounts.models import ADMIN, ANALYST
from ..pages import respond
from .models import CodingProject, CodingRound


@require_http_methods(["GET", "POST"])
@role_required(ANALYST, ADMIN)
def rounds(request, project_id, as_json=False):
    project = get_object_or_404(CodingProject, pk=project_id)
    error = ""
    if request.method == "POST":
        try:
            documents = [int(d) for d in request.POST.getlist("documents") if d.isdigit()]
            made = coding_rounds.open_round(project, request.POST.get("name", ""), documents,
                                            request.POST.getlist("coders"), by=request.user.get_username())
        except NmahpError as exc:
            error = str(exc)
        else:
            return redirect("coding-round", project_id=project.pk, round_id=made.pk)
    listed = [{"id": r.pk, "name": r.name, "open": r.closed is None, "created_by": r.created_by}
              for r in project.rounds.order_by("-pk")]
    documents = [{"id": d.pk, "name": d.name, "segments": len(d.segments)} for d in project.documents.all()]
    data = {"project": project.pk, "rounds": listed, "documents": documents, "coders": coding_rounds.coders()}
    return respond(request, "web/coding/rounds.html", {
        "project": project, "data": data, "error": error, "error_items": [("#round-name", error)] if error else []},
        data, as_json=as_json, status=400 if error else 200)


@require_http_methods(["GET", "POST"])
@role_required(ANALYST, ADMIN)
def round_page(request, project_id, round_id, as_json=False):
    project = get_object_or_404(CodingProject, pk=project_id)
    round_ = get_object_or_404(CodingRound, pk=round_id, project=project)
    viewer = request.user.get_username()
    error = ""
    if request.method == "POST":
        try:
            coding_rounds.close_round(round_, by=viewer, is_admin=role_of(request.user) == ADMIN)
        except NmahpError as exc:
            error = str(exc)
        else:
            return redirect("coding-round", project_id=project.pk, round_id=round_.pk)
    data = coding_rounds.summary(round_, viewer)
    can_close = data["open"] and (viewer == round_.created_by or role_of(request.user) == ADMIN)
    return respond(request, "web/coding/round.html", {
        "project": project, "data": data, "can_close": can_close, "error": error,
        "error_items": [("#close", error)] if error else []}, data, as_json=as_json, status=400 if error else 200)


@require_http_methods(["GET", "POST"])
@role_required(ANALYST, ADMIN)
def adjudicate(request, project_id, round_id, as_json=False):
    project = get_object_or_404(CodingProject, pk=project_id)
    round_ = get_object_or_404(CodingRound, pk=round_id, project=project)
    error = ""
    if request.method == "POST":
        try:
            segment = int(request.POST.get("segment", ""))
        except ValueError:
            segment = -1
        try:
            coding_rounds.adjudicate(round_, request.POST.get("document", ""), segment,
                                     request.POST.getlist("codes"), by=request.user.get_username())
        except NmahpError as exc:
            error = str(exc)
        else:
            return redirect(f"/coding/{project.pk}/rounds/{round_.pk}/adjudicate/#d-{request.POST['document']}-"
                            f"{segment}")
    try:
        data = coding_rounds.disagreements(round_)
    except NmahpError as exc:  # the round is open: the coders' work stays hidden, on the page and its twin
        data = {"round": round_.pk, "name": round_.name, "error": str(exc)}
        return respond(request, "web/coding/adjudicate.html", {"project": project, "round": round_, "data": data,
                                                              "error": str(exc), "error_items": []},
                       data, as_json=as_json, status=403)
    rows = []
    for row in data["disagreements"]:
        chosen = set(row["everyone"]) if row["agreed"] is None else {
            g for g in row["code_ids"] if data["codes"][g] in row["agreed"]}
        rows.append({**row, "options": [(g, data["codes"][g], g in chosen) for g in row["code_ids"]]})
    return respond(request, "web/coding/adjudicate.html", {
        "project": project, "round": round_, "data": data, "rows": rows, "error": error,
        "error_items": [("#disagreements", error)] if error else []}, data, as_json=as_json,
        status=400 if error else 200)
