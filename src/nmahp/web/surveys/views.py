"""The landing page and its JSON twin (/ and /index.json)."""

from nmahp.instruments import available, get_instrument

from ..pages import respond
from . import store


def _instruments() -> list[dict]:
    out = []
    for name in available():
        form = get_instrument(name)
        out.append({"name": form.name, "title": form.title, "form_id": form.form_id, "version": form.version,
                    "questions": len(form.answer_questions()), "sections": len(form.pages())})
    return out


def landing(request, as_json: bool = False):
    from .models import CollectorLink

    context = {"instruments": _instruments(), "waves": store.wave_summaries()}
    for wave in context["waves"]:
        link = CollectorLink.objects.filter(wave__name=wave["name"], wave__instrument=wave["instrument"],
                                            channel="web").first()
        wave["survey_url"] = f"/survey/{link.token}/" if link else None
    return respond(request, "web/landing.html", context, context, as_json=as_json)
