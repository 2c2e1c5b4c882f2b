"""The coding-frame review page: each short text answer with the codes the frame's rules gave it, and a
form per answer to override them (stored as a highlight in the project's one codebook)."""

from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_http_methods

from nmahp.app import coding_frames
from nmahp.errors import NmahpError

from ..accounts.access import role_required
from ..accounts.models import ADMIN, ANALYST
from ..pages import respond
from .models import CodingProject


@require_http_methods(["GET", "POST"])
@role_required(ANALYST, ADMIN)
def frame_page(request, project_id, frame, as_json=False):
    project = get_object_or_404(CodingProject, pk=project_id)
    error = ""
    try:
        if request.method == "POST":
            try:
                segment = int(request.POST.get("segment", ""))
            except ValueError:
                segment = -1
            coding_frames.override(project, frame, segment, request.POST.getlist("codes"),
                                   coder=request.user.get_username())
            return redirect("coding-frame", project_id=project.pk, frame=frame)
        data = coding_frames.review(project, frame)
    except NmahpError as exc:
        if request.method != "POST":
            from django.http import Http404

            raise Http404(str(exc)) from None
        error = str(exc)
        data = coding_frames.review(project, frame)
    return respond(request, "web/coding/frame.html", {"project": project, "data": data, "error": error,
                                                      "error_items": [("#answers", error)] if error else []},
                   data, as_json=as_json, status=400 if error else 200)
