"""Participants as cases: each participant's attributes (their survey answers) beside the codes, so themes
can be counted by any attribute, as QDA tools' case classifications do."""

from __future__ import annotations

from collections.abc import Mapping

from .model import Project
from .themes import _participants

UNKNOWN = ""  # a participant without an answer to the attribute (or not found among the respondents)


def themes_by(project: Project, attributes: Mapping[str, Mapping[str, str]], attribute: str) -> dict:
    """For each code (its sub-codes' coding included, as in the theme table), how many participants coded
    with it have each value of `attribute`; and how many participants have each value among everyone coded
    in the project. Participants are counted once per code; interviewers are not participants."""
    def value(participant: str) -> str:
        return str(attributes.get(participant, {}).get(attribute) or UNKNOWN)

    codebook = project.codebook
    people_of: dict[str, set[str]] = {}
    for highlight in project.highlights:
        people = {p for p, _ in _participants(project, highlight)}
        for code in highlight.codes:
            seen = set()
            while code is not None and code in codebook.codes and code not in seen:
                seen.add(code)
                people_of.setdefault(code, set()).update(people)
                code = codebook.codes[code].parent
    everyone = set().union(*people_of.values()) if people_of else set()
    values = sorted({value(p) for p in everyone}, key=lambda v: (v == UNKNOWN, v))
    rows = []
    for code in codebook.codes.values():
        people = people_of.get(code.id, set())
        counts = {v: 0 for v in values}
        for person in people:
            counts[value(person)] += 1
        rows.append({"code": code.name, "participants": len(people), "by_value": counts})
    rows.sort(key=lambda r: (-r["participants"], r["code"]))
    base = {v: sum(1 for p in everyone if value(p) == v) for v in values}
    return {"attribute": attribute, "values": values, "participants": len(everyone), "base": base, "rows": rows}
