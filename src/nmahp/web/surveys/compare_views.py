"""The wave-on-wave comparison page and its twin, over nmahp.app.compare: a wave against the one before it (or
another of the same instrument), table by table, with what moved and what did not. Analysts see the tests;
everyone else each wave's figures under the disclosure policy, and leads their region only."""

from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_http_methods

from nmahp.analysis.compare import METHODS, shown
from nmahp.analysis.disclosure import RULE
from nmahp.analysis.groups import as_question
from nmahp.analysis.tables import HIDDEN
from nmahp.app import compare as app
from nmahp.app.dashboards import FILTERS

from ..accounts.access import role_of, role_required
from ..accounts.models import ADMIN, ANALYST, LEAD
from ..pages import respond
from . import store
from .models import Wave

POLICY = {"threshold": RULE.shown_from, "round_to": RULE.round_to, "hidden": HIDDEN}


def _rows(comparison) -> list[dict]:
    """Each option as the page writes it: both waves' figures, and for analysts the change and its test."""
    rows = []
    for o in comparison.options:
        rows.append({"label": o.label, "before": shown(o.before), "after": shown(o.after),
                     "change": None if o.difference is None else f"{o.difference:+.1f}",
                     "interval": None if o.ci_low is None else f"{o.ci_low:+.1f} to {o.ci_high:+.1f}",
                     "p": None if o.p_adjusted is None else f"{o.p_adjusted:.3g}", "moved": o.moved})
    return rows


def _filter_options(wave, role, applied) -> list[tuple[str, str, list[tuple[str, str]], str]]:
    """(name, label, [(value, label)], chosen) per dashboard filter the instrument has (a lead's region is fixed)."""
    instrument = store.instrument_for(wave)
    out = []
    for name in FILTERS:
        if name in instrument.questions and (role != LEAD or name != "region"):
            question = as_question(instrument, name)
            out.append((name, question.label, [(c.name, c.label) for c in question.choices], applied.get(name, "")))
    return out


@require_http_methods(["GET"])
@role_required(LEAD, ANALYST, ADMIN)
def compare_page(request, wave_id, as_json=False):
    wave = get_object_or_404(Wave, pk=wave_id)
    role = role_of(request.user)
    region = request.user.profile.region if role == LEAD else ""
    others = app.other_waves(wave)
    chosen = request.GET.get("with", "")
    other = next((w for w in others if str(w.pk) == chosen), None) or app.previous_wave(wave) or (
        others[0] if others else None)
    waves = [{"id": w.pk, "name": w.name} for w in others]
    if other is None:
        message = f"Wave {wave.name} is the only wave of {wave.instrument}: there is nothing to compare it with."
        return respond(request, "web/dashboard/compare.html", {"wave": wave, "message": message, "role": role},
                       {"wave": wave.name, "instrument": wave.instrument, "waves": waves, "message": message},
                       as_json=as_json)
    result = app.compare_for(other, wave, role=role, region=region, query=request.GET)
    tables = [{"comparison": c, "rows": _rows(c), "sentence": c.sentence()} for c in result.comparisons]
    query = request.GET.copy()
    query["with"] = str(other.pk)
    context = {"wave": wave, "other": other, "others": others, "result": result, "tables": tables, "role": role,
               "filters": _filter_options(wave, role, result.filters), "query": query.urlencode(),
               "methods": METHODS, **POLICY}
    data = {"wave": wave.name, "with": other.name, "waves": waves, **result.to_dict()}
    return respond(request, "web/dashboard/compare.html", context, data, as_json=as_json)
