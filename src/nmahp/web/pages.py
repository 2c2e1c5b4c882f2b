"""Every page and its JSON twin (Datasette style): one view renders a page's context as HTML or, on the
twin's route, the JSON-safe part of it. The twin runs the same view, so it gets the same access control,
filters, disclosure control and errors: a 403, 404 or 400 page is a 403, 404 or 400 JSON answer.

A view takes `as_json=False`, builds `context` (for the template) and `data` (what may leave as JSON:
never model instances, secrets, CSRF tokens, or contact details a page does not show an analyst) and
returns `respond(...)`. Forms are posted to the page's route; the twin answers GET only."""

from __future__ import annotations

import json
from functools import wraps
from http import HTTPStatus

from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path


def twin_route(route: str) -> str:
    """/x/ -> /x.json; the site root -> index.json."""
    return route.rstrip("/") + ".json" if route else "index.json"


def page_and_twin(route: str, view, name: str, *, twin: str | None = None, aliases: tuple[str, ...] = ()):
    """A page and its JSON twin over one view: `name` and `name-json` (plus older addresses of the twin)."""
    json_view = json_twin(view)
    routes = [path(route, view, name=name),
              path(twin or twin_route(route), json_view, {"as_json": True}, name=f"{name}-json")]
    routes += [path(alias, json_view, {"as_json": True}) for alias in aliases]
    return routes


def respond(request, template: str, context: dict, data: dict, *, as_json: bool, status: int = 200):
    """The page, or its twin: `data` as JSON with the page's status."""
    if as_json:
        return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    return render(request, template, context, status=status)


def json_text(data: dict) -> str:
    """`data` as its twin sends it (respond's JSON)."""
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)


def respond_json(data: dict, kept: str, *, status: int = 200) -> HttpResponse:
    """A twin of `data` followed by the members of `kept` (json_text of a dict with at least one member, e.g.
    made once and cached): the same bytes as respond(..., as_json=True) of the two merged, without decoding
    and encoding `kept` again."""
    body = json_text(data)[:-1] + ", " + kept[1:] if data else kept
    return HttpResponse(body, status=status, content_type="application/json")


def go(name: str, *, as_json: bool, **kwargs):
    """Redirect to a page, or from a twin to that page's twin."""
    return redirect(f"{name}-json" if as_json else name, **kwargs)


def _error(status: int, message: str = "") -> JsonResponse:
    phrase = HTTPStatus(status).phrase
    return JsonResponse({"error": phrase, "status": status, "message": message or phrase}, status=status,
                        json_dumps_params={"ensure_ascii": False})


def json_twin(view):
    """The view on its twin's route: GET only, and an error page (raised or returned) answered as JSON
    with the same status. Redirects (e.g. to sign in) are left as they are."""
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            response = _error(405, "A JSON twin answers GET only; send forms to the page.")
            response["Allow"] = "GET, HEAD"
            return response
        try:
            response = view(request, *args, **kwargs)
        except Http404 as exc:
            return _error(404, str(exc))
        except PermissionDenied as exc:
            return _error(403, str(exc))
        if (response.status_code >= 400 and not isinstance(response, HttpResponseRedirect)
                and not response.get("Content-Type", "").startswith("application/json")):
            return _error(response.status_code)
        return response
    return wrapper


def form_dict(form, *, withheld: tuple[str, ...] = ()) -> dict:
    """What a form page shows: its fields, their choices, current values and errors. Values of the
    `withheld` fields (contact details) are left out: `"given": true` says there is one."""
    fields = []
    for name, field in form.fields.items():
        bound = form[name]
        value = bound.value()
        item = {"name": name, "label": str(field.label or name.replace("_", " ").capitalize()),
                "required": field.required, "errors": [str(e) for e in bound.errors]}
        if getattr(field, "choices", None) is not None:
            item["choices"] = [[v, str(label)] for v, label in field.choices]
        if name in withheld:
            item["value"], item["given"] = None, bool(value)
        else:
            item["value"] = value if value is None or isinstance(value, bool | int | list) else str(value)
        fields.append(item)
    return {"fields": fields, "errors": {k: [str(e) for e in v] for k, v in form.errors.items()}}
