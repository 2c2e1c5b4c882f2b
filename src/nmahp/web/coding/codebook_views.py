"""Codebook pages: the codes as a tree with their history; a code's page to rename, describe, colour, move,
merge and write a memo."""

from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_http_methods

from nmahp.app import coding_codebook
from nmahp.app.coding_passages import memo_of
from nmahp.errors import NmahpError

from ..accounts.access import role_required
from ..accounts.models import ADMIN, ANALYST
from ..pages import respond
from .models import CodeItem, CodingProject


@require_http_methods(["GET"])
@role_required(ANALYST, ADMIN)
def codebook(request, project_id, as_json=False):
    project = get_object_or_404(CodingProject, pk=project_id)
    data = coding_codebook.codebook(project, request.user.get_username())
    return respond(request, "web/coding/codebook.html", {"project": project, "data": data}, data, as_json=as_json)


@require_http_methods(["GET", "POST"])
@role_required(ANALYST, ADMIN)
def code_page(request, project_id, code_id, as_json=False):
    project = get_object_or_404(CodingProject, pk=project_id)
    code = get_object_or_404(CodeItem, pk=code_id, project=project)
    by = request.user.get_username()
    error, where = "", ""
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "merge":
                where = "#merge-into"
                target = project.codes.filter(pk=int(request.POST.get("into") or 0)
                                              if (request.POST.get("into") or "").isdigit() else 0).first()
                if target is None:
                    raise NmahpError("Choose a code to merge into")
                coding_codebook.merge_codes(project, code, target, by=by)
                return redirect(f"/coding/{project.pk}/codebook/#code-{target.pk}")
            if action == "memo":
                where = "#code-memo"
                coding_codebook.code_memo(project, code, request.POST.get("memo", ""), by=by)
            else:
                where = "#code-name"
                coding_codebook.edit_code(project, code, name=request.POST.get("name", ""),
                                          description=request.POST.get("description", ""),
                                          color=request.POST.get("color", ""), parent=request.POST.get("parent", ""),
                                          by=by)
            return redirect(f"/coding/{project.pk}/codebook/#code-{code.pk}")
        except NmahpError as exc:
            error = str(exc)
            code.refresh_from_db()
    memo = memo_of(project, code.guid, by)
    others = [c for c in project.codes.order_by("name") if c.pk != code.pk]
    data = {"project": project.pk, "id": code.pk, "name": code.name, "description": code.description,
            "color": code.color, "parent": code.parent.name if code.parent else None,
            "highlights": code.highlights.count(), "memo": memo.text if memo else ""}
    return respond(request, "web/coding/code.html", {
        "project": project, "code": code, "data": data, "others": others, "error": error,
        "error_items": [(where, error)] if error else []}, data, as_json=as_json, status=400 if error else 200)
