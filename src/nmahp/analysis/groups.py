"""The professional groups of report 5.1.1.1, as the instruments' `professional_group` calculate
names them, presented as a question so every analysis can count and split by them."""

from __future__ import annotations

from ..instruments import Choice, Instrument, Question
from ..study import STUDY

PROFESSIONAL_GROUP = "professional_group"


def as_question(instrument: Instrument, name: str) -> Question:
    """A select question to count; the derived professional group gets its labelled categories."""
    question = instrument.question(name)
    if name == PROFESSIONAL_GROUP:
        return Question(name=name, type="select_one", label="Professional group", group=question.group,
                        choices=tuple(Choice(g.id, g.label) for g in STUDY.professional_groups))
    return question
