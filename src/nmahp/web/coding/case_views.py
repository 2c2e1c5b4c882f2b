"""Themes by the participants' attributes (their survey answers), exact for analysts and under the
disclosure policy for admins."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_http_methods

from nmahp.app import coding_cases
from nmahp.app.dashboards import disclosure_for
from nmahp.errors import NmahpError

from ..accounts.access import role_of, role_required
from ..accounts.models import ADMIN, ANALYST
from ..pages import respond
from .models import CodingProject


@require_http_methods(["GET"])
@role_required(ANALYST, ADMIN)
def cases(request, project_id, as_json=False):
    project = get_object_or_404(CodingProject, pk=project_id)
    try:
        data = coding_cases.themes_by_attribute(project, request.GET.get("by", "professional_group"),
                                                disclosure_for(role_of(request.user)), request.user.get_username())
    except NmahpError as exc:
        raise Http404(str(exc)) from None
    data["project"] = project.pk
    return respond(request, "web/coding/cases.html", {"project": project, "data": data}, data, as_json=as_json)
