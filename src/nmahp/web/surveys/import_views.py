"""Importing an export from the browser, for analysts: upload (CSV or XLSX within the file limits), the
proposed mapping as a table to correct, a dry run, the import as a background job whose page shows its
progress, the mapping to download for next time. Each page has its JSON twin; the import itself is audited
(nmahp.app.imports.import_export)."""

from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from nmahp.app import imports as app
from nmahp.errors import NmahpError
from nmahp.importers import POLICIES
from nmahp.instruments import available

from ..accounts.access import role_required
from ..accounts.models import ADMIN, ANALYST
from ..pages import respond


def _draft(request, token):
    draft = app.get_draft(token, request.user.get_username())
    if draft is None:
        raise Http404("no such upload of yours")
    return draft


@require_http_methods(["GET", "POST"])
@role_required(ANALYST, ADMIN)
def upload(request, as_json=False):
    """Step 1: the export, the instrument, the wave and the policy."""
    problem, status = "", 200
    if request.method == "POST":
        upload = request.FILES.get("export")
        try:
            if upload is None:
                raise NmahpError("choose an export file to upload")
            wave = (request.POST.get("wave") or "").strip()
            if not wave or not wave.replace("-", "").replace("_", "").isalnum() or len(wave) > 50:
                raise NmahpError("give the wave a short name of letters, digits and dashes, e.g. 2024")
            draft = app.start_draft(upload.name, upload.chunks(), request.POST.get("instrument", ""), wave,
                                    request.POST.get("policy", "strict"), request.user.get_username())
        except NmahpError as exc:
            problem, status = str(exc), 400
        else:
            return redirect("import-draft", token=draft.token)
    data = {"instruments": available(), "policies": list(POLICIES), "problem": problem}
    return respond(request, "surveys/imports/upload.html", {**data}, data, as_json=as_json, status=status)


@require_http_methods(["GET", "POST"])
@role_required(ANALYST, ADMIN)
def draft_page(request, token, as_json=False):
    """Step 2: the proposed mapping as a table; correct it, check it (dry run), import it."""
    draft = _draft(request, token)
    problem, status, checked = "", 200, None
    if request.method == "POST":
        rows = draft.rows()
        targets = {row["column"]: request.POST.get(f"target-{i}", row["target"]) for i, row in enumerate(rows)}
        try:
            app.correct_draft(draft, targets, request.POST.get("extra", ""), request.POST.get("policy"))
            if request.POST.get("action") == "import":
                job = app.submit_import(draft, user=request.user)
                return redirect("job", job_id=job.pk)
            checked = app.dry_run(draft)
        except NmahpError as exc:
            problem, status = str(exc), 400
    rows = draft.rows()
    summary = None
    if checked is not None:
        summary = {"rows_read": checked.rows_read, "kept": checked.kept, "excluded": len(checked.excluded),
                   "duplicates": len(checked.duplicates), "ok": checked.ok, "breaks": checked.break_lines(),
                   "problems": [str(p) for p in checked.errors[:50]], "more": max(0, len(checked.errors) - 50)}
    data = {"token": draft.token, "file": draft.meta["name"], "instrument": draft.meta["instrument"],
            "wave": draft.meta["wave"], "policy": draft.meta["policy"], "policies": list(POLICIES),
            "mapping": rows, "extra": draft.extra_yaml(), "review": sum(r["review"] for r in rows),
            "check": summary, "problem": problem}
    return respond(request, "surveys/imports/draft.html", data, data, as_json=as_json, status=status)


@require_http_methods(["GET"])
@role_required(ANALYST, ADMIN)
def mapping_file(request, token):
    """The mapping as it stands, to keep with the export and use next time (`--mapping`)."""
    draft = _draft(request, token)
    return FileResponse(open(draft.mapping_file, "rb"), as_attachment=True, filename="mapping.yaml",
                        content_type="text/yaml; charset=utf-8")
