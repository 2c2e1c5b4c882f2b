"""The 'all schemes on one page' list and the pathway map: filtering and grouping over the content,
with plain dictionaries for the pages' JSON twins."""

from __future__ import annotations

from dataclasses import dataclass

from .eligibility import AnswerError, open_to_profession, rules_for
from .model import Content, Scheme, Stage, Term

FILTERS = ("profession", "stage", "time", "funded", "ended")


@dataclass(frozen=True)
class SchemeFilter:
    profession: str = ""
    stage: str = ""
    time: str = ""  # the most time someone can give: schemes needing no more than this
    funded: str = ""  # "yes" | "no" | ""
    ended: bool = False  # include schemes that have ended

    @classmethod
    def from_query(cls, content: Content, query) -> SchemeFilter:
        """Build a filter from query parameters; unknown values are refused with a message per field."""
        problems = {}
        profession = query.get("profession", "")
        if profession and profession not in content.professions:
            problems["profession"] = "Choose a profession from the list"
        stage = query.get("stage", "")
        if stage and stage not in content.stages:
            problems["stage"] = "Choose a stage from the list"
        time = query.get("time", "")
        if time and time not in {o.value for o in content.questions["time"].options}:
            problems["time"] = "Choose a time commitment from the list"
        funded = query.get("funded", "")
        if funded not in ("", "yes", "no"):
            problems["funded"] = "Choose funded, unfunded or either"
        if problems:
            raise AnswerError(problems)
        return cls(profession, stage, time, funded, query.get("ended", "") in ("1", "yes", "on", "true"))

    def active(self) -> bool:
        return bool(self.profession or self.stage or self.time or self.funded or self.ended)


def filter_schemes(content: Content, f: SchemeFilter) -> list[Scheme]:
    order = {s.id: s.order for s in content.stages.values()}
    time_q = content.questions["time"]
    out = []
    for scheme in content.schemes.values():
        if scheme.is_ended and not f.ended:
            continue
        if f.stage and scheme.stage != f.stage:
            continue
        if f.funded and scheme.funded != (f.funded == "yes"):
            continue
        if f.time and time_q.index(scheme.time_commitment) > time_q.index(f.time):
            continue
        if f.profession and not open_to_profession(content, scheme, f.profession):
            continue
        out.append(scheme)
    return sorted(out, key=lambda s: (order.get(s.stage, 99), s.is_ended, s.name))


def rule_text(content: Content, scheme: Scheme) -> list[dict]:
    """The scheme's conditions as the checker reads them, for the scheme page."""
    return [{"field": r.field, "question": content.questions[r.field].label if r.field in content.questions
             else "Professional group", "why": r.why, "step": r.step, "unconfirmed": r.unconfirmed}
            for r in rules_for(content, scheme)]


def scheme_dict(content: Content, scheme: Scheme, full: bool = False) -> dict:
    out = {"id": scheme.id, "name": scheme.name, "acronym": scheme.acronym, "kind": scheme.kind,
           "stage": scheme.stage, "stage_name": content.stages[scheme.stage].name, "status": scheme.status,
           "summary": scheme.summary, "funded": scheme.funded, "time_commitment": scheme.time_commitment,
           "time_commitment_label": content.questions["time"].label_for(scheme.time_commitment),
           "region": scheme.region, "last_checked": scheme.last_checked.isoformat(),
           "unconfirmed": list(scheme.unconfirmed)}
    if full:
        out.update({"provider": scheme.provider, "who_can_apply": scheme.who_can_apply,
                    "pays_for": scheme.pays_for, "duration": scheme.duration, "how_to_apply": scheme.how_to_apply,
                    "replaced_by": scheme.replaced_by,
                    "sources": [{"title": s.title, "url": s.url, "report_section": s.report_section}
                                for s in scheme.sources],
                    "conditions": rule_text(content, scheme)})
    return out


def term_dict(term: Term) -> dict:
    return {"id": term.id, "term": term.term, "stands_for": term.stands_for, "means": term.means,
            "aliases": list(term.aliases), "scheme": term.scheme, "source": term.source}


def glossary_sorted(content: Content) -> list[Term]:
    return sorted(content.glossary.values(), key=lambda t: t.term.lower().lstrip("0123456789@"))


@dataclass(frozen=True)
class PathwayStep:
    stage: Stage
    schemes: list[Scheme]
    ended: list[Scheme]


def pathway(content: Content) -> list[PathwayStep]:
    """Stages from first interest to senior roles, each with the schemes that sit there."""
    steps = []
    for stage in content.stages_in_order():
        at = sorted(content.schemes_at(stage.id), key=lambda s: s.name)
        steps.append(PathwayStep(stage, [s for s in at if not s.is_ended], [s for s in at if s.is_ended]))
    return steps
