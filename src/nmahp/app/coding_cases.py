"""Participants of a coding project as cases: their answers to the wave's survey (professional group, region,
pay band, any single-choice question) as attributes, and themes counted by any of them, exact for analysts
and under the disclosure policy for everyone else (nmahp.analysis.disclosure)."""

from __future__ import annotations

from ..analysis.disclosure import Disclosure
from ..errors import NmahpError
from ..qualitative.cases import UNKNOWN, themes_by
from ..study import STUDY
from ..web.coding.models import CodingProject, ParticipantNumber
from ..web.surveys.models import Response
from ..web.surveys.store import instrument_for
from .coding import load, one_per_passage


def attribute_questions(project: CodingProject) -> dict[str, str]:
    """The attributes a participant can be described by: the wave's single-choice questions and its
    calculated professional group, by name, with their wording."""
    instrument = instrument_for(project.wave)
    found = {}
    for name, question in instrument.questions.items():
        if question.type == "select_one" or name == "professional_group":
            found[name] = question.label or name
    return found


def _labels(project: CodingProject, attribute: str) -> dict[str, str]:
    if attribute == "professional_group":  # calculated, so its labels are the study's, not the workbook's
        return {g.id: g.label for g in STUDY.professional_groups}
    question = instrument_for(project.wave).questions.get(attribute)
    return {c.name: c.label for c in question.choices} if question is not None else {}


def attributes(project: CodingProject, wanted: list[str]) -> dict[str, dict[str, str]]:
    """Each participant number's answers to the wanted questions (a respondent's key never leaves here)."""
    numbers = dict(ParticipantNumber.objects.filter(wave=project.wave).values_list("respondent_key", "number"))
    out = {}
    for key, answers in Response.objects.filter(wave=project.wave, status=Response.COMPLETE) \
            .values_list("respondent_key", "answers"):
        if key in numbers:
            out[str(numbers[key])] = {q: str(answers.get(q) or "") for q in wanted}
    return out


def themes_by_attribute(project: CodingProject, attribute: str, disclosure: Disclosure, viewer: str) -> dict:
    """Themes by the participants' answers to `attribute`, JSON-safe; counts shown as `disclosure` says
    (None: hidden, fewer than the threshold)."""
    questions = attribute_questions(project)
    if attribute not in questions:
        raise NmahpError(f"'{attribute}' is not a single-choice question of the wave's survey")
    # each passage once, an adjudicated one as agreed (coding.one_per_passage): a code the adjudication dropped
    # does not count its participant
    table = themes_by(one_per_passage(load(project, viewer)), attributes(project, [attribute]), attribute)
    labels = _labels(project, attribute)
    shown = disclosure.shown
    values = table["values"]
    if not disclosure.exact:
        # every value is listed, even one no coded participant has: a value listed only when someone has it would
        # say that someone coded is, say, bisexual, while their count is hidden (docs/disclosure.md)
        values = sorted({*labels, *values, UNKNOWN}, key=lambda v: (v == UNKNOWN, v))
        # ranked by the shown counts, ties (hidden ones among them) by name: the order says nothing more
        table["rows"].sort(key=lambda r: (-(shown(r["participants"]) or 0), r["code"]))
    if not disclosure.scope_shown(table["participants"]):  # too few people coded: that fact and nothing else
        return {"attribute": attribute, "question": questions[attribute], "exact": False,
                "hidden_label": disclosure.hidden_label, "too_few": True, "values": [], "participants": None,
                "rows": [], "attributes": [{"name": n, "label": label} for n, label in questions.items()]}
    return {"attribute": attribute, "question": questions[attribute], "exact": disclosure.exact, "too_few": False,
            "hidden_label": disclosure.hidden_label,
            "values": [{"value": v, "label": labels.get(v, v) if v != UNKNOWN else "No answer",
                        "participants": shown(table["base"].get(v, 0))} for v in values],
            "participants": shown(table["participants"]),
            "rows": [{"code": r["code"], "participants": shown(r["participants"]),
                      "by_value": [shown(r["by_value"].get(v, 0)) for v in values]} for r in table["rows"]],
            "attributes": [{"name": n, "label": label} for n, label in questions.items()]}
