"""Passage coding pages: select any stretch of a document (with the mouse, through a small static script,
or by character positions and search hits from the keyboard), code it, write memos; change, re-code or
delete one's own highlights."""

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_http_methods

from nmahp.app import coding_passages
from nmahp.errors import NmahpError

from ..accounts.access import role_required
from ..accounts.models import ADMIN, ANALYST
from ..pages import respond
from .models import CodingDocument, CodingProject, HighlightItem


@require_http_methods(["GET", "POST"])
@role_required(ANALYST, ADMIN)
def passages(request, project_id, document_id, as_json=False):
    project = get_object_or_404(CodingProject, pk=project_id)
    document = get_object_or_404(CodingDocument, pk=document_id, project=project)
    coder = request.user.get_username()
    form = {"start": request.GET.get("start", ""), "end": request.GET.get("end", ""), "codes": [], "memo": ""}
    error = ""
    if request.method == "POST":
        action = request.POST.get("action", "code")
        form = {"start": request.POST.get("start", ""), "end": request.POST.get("end", ""),
                "codes": request.POST.getlist("codes"), "memo": request.POST.get("memo", "")}
        try:
            if action == "document-memo":
                coding_passages.set_memo(project, document.guid, request.POST.get("document_memo", ""), coder=coder,
                                         about=f"document {document.name}")
                return redirect(f"/coding/{project.pk}/doc/{document.pk}/passages/#document-memo")
            if action == "code":
                coding_passages.code_passage(document, form["start"], form["end"], form["codes"], coder=coder,
                                             memo=form["memo"])
                return redirect(f"/coding/{project.pk}/doc/{document.pk}/passages/#my-highlights")
        except NmahpError as exc:
            error = str(exc)
    data = coding_passages.passage_page(document, coder, request.GET.get("q", ""))
    preview = ""
    if form["start"].isdigit() and form["end"].isdigit():
        start, end = int(form["start"]), int(form["end"])
        if 0 <= start < end <= len(document.text):
            preview = document.text[start:end]
    return respond(request, "web/coding/passages.html", {
        "project": project, "document": document, "data": data, "form": form, "preview": preview,
        "chosen": {str(c) for c in form["codes"]}, "error": error,
        "error_items": [("#passage-start", error)] if error else []},
        data, as_json=as_json, status=400 if error else 200)


@require_http_methods(["GET", "POST"])
@role_required(ANALYST, ADMIN)
def highlight_page(request, project_id, document_id, highlight_id, as_json=False):
    project = get_object_or_404(CodingProject, pk=project_id)
    document = get_object_or_404(CodingDocument, pk=document_id, project=project)
    coder = request.user.get_username()
    item = HighlightItem.objects.filter(pk=highlight_id, document=document).first()
    if item is None or item.coder != coder:  # another coder's highlight is not even said to exist
        raise Http404("No such highlight of yours")
    back = f"/coding/{project.pk}/doc/{document.pk}/passages/#my-highlights"
    error = ""
    memo = coding_passages.memo_of(project, item.guid, coder)
    form = {"start": str(item.start), "end": str(item.end), "codes": [str(c.pk) for c in item.codes.all()],
            "memo": memo.text if memo else ""}
    if request.method == "POST":
        try:
            if request.POST.get("action") == "delete":
                coding_passages.delete_highlight(item, coder=coder)
                return redirect(back)
            form = {"start": request.POST.get("start", ""), "end": request.POST.get("end", ""),
                    "codes": request.POST.getlist("codes"), "memo": request.POST.get("memo", "")}
            coding_passages.update_highlight(item, form["start"], form["end"], form["codes"], coder=coder,
                                             memo=form["memo"])
            return redirect(back)
        except NmahpError as exc:
            error = str(exc)
    data = {"project": project.pk, "document": document.name, "id": item.pk, "start": item.start, "end": item.end,
            "text": document.text[item.start:item.end], "codes": [c.name for c in item.codes.all()],
            "memo": memo.text if memo else ""}
    codes = list(project.codes.filter(codable=True))
    return respond(request, "web/coding/highlight.html", {
        "project": project, "document": document, "item": item, "data": data, "form": form, "codes": codes,
        "chosen": set(form["codes"]), "error": error, "error_items": [("#start", error)] if error else []},
        data, as_json=as_json, status=400 if error else 200)


@require_http_methods(["GET", "POST"])
@role_required(ANALYST, ADMIN)
def search(request, project_id, as_json=False):
    project = get_object_or_404(CodingProject, pk=project_id)
    query = (request.POST if request.method == "POST" else request.GET).get("q", "")[:200]
    error, coded = "", None
    if request.method == "POST":
        try:
            coded = coding_passages.code_hits(project, query, request.POST.getlist("codes"),
                                              coder=request.user.get_username())
        except NmahpError as exc:
            error = str(exc)
    data = coding_passages.search(project, query)
    data["coded"] = coded
    codes = list(project.codes.filter(codable=True))
    return respond(request, "web/coding/search.html", {
        "project": project, "data": data, "codes": codes, "error": error,
        "error_items": [("#code-hits", error)] if error else []}, data, as_json=as_json,
        status=400 if error else 200)
