"""The navigator's content as plain objects: schemes with their eligibility rules, the checker's
questions, career stages, the glossary, low-commitment starts and employment explainers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    hint: str = ""


@dataclass(frozen=True)
class Question:
    """One question of the eligibility checker. Ordinal questions list options lowest first, so a
    rule can say 'at least a master's' and the engine can count how many steps short someone is."""

    id: str
    label: str
    hint: str
    options: tuple[Option, ...]
    ordinal: bool = False

    def index(self, value: str) -> int:
        return [o.value for o in self.options].index(value)

    def label_for(self, value: str) -> str:
        return next((o.label for o in self.options if o.value == value), value)


@dataclass(frozen=True)
class Profession:
    id: str
    name: str
    group: str  # nursing_midwifery | ahp | other, the report's professional groups
    regulator: str


@dataclass(frozen=True)
class Rule:
    """One condition of a scheme: `field` compared with `in` / `not_in` / `at_least` / `at_most`.
    `why` says in plain words what the condition is; `step` (if any) says how someone who misses it
    could meet it."""

    field: str
    op: str
    values: tuple[str, ...]
    why: str
    step: str = ""
    unconfirmed: bool = False


@dataclass(frozen=True)
class Source:
    title: str
    url: str = ""
    report_section: str = ""


@dataclass(frozen=True)
class Scheme:
    id: str
    name: str
    kind: str
    provider: str
    stage: str
    status: str  # open | varies | ended
    region: str
    summary: str
    who_can_apply: str
    pays_for: str
    funded: bool
    time_commitment: str
    duration: str
    how_to_apply: str
    sources: tuple[Source, ...]
    last_checked: dt.date
    rules: tuple[Rule, ...]
    unconfirmed: tuple[str, ...] = ()
    replaced_by: str = ""
    acronym: str = ""

    @property
    def is_ended(self) -> bool:
        return self.status == "ended"


@dataclass(frozen=True)
class Stage:
    id: str
    name: str
    order: int
    summary: str
    typical_qualification: str


@dataclass(frozen=True)
class Term:
    """A glossary entry. `term` is what people see in the wild (often an acronym); `aliases` are
    other spellings that link to the same entry."""

    id: str
    term: str
    stands_for: str
    means: str
    aliases: tuple[str, ...] = ()
    scheme: str = ""
    source: str = ""

    @property
    def spellings(self) -> tuple[str, ...]:
        return (self.term, *self.aliases)


@dataclass(frozen=True)
class Start:
    """A low-commitment way in ('dip your toe in')."""

    id: str
    title: str
    summary: str
    time_commitment: str
    track: str  # research | teaching | both
    how_to_find: str
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class Explainer:
    id: str
    title: str
    summary: str
    body: tuple[str, ...]
    hr_questions: tuple[str, ...]
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class Content:
    questions: dict[str, Question]
    professions: dict[str, Profession]
    stages: dict[str, Stage]
    schemes: dict[str, Scheme]
    glossary: dict[str, Term]
    starts: dict[str, Start]
    explainers: dict[str, Explainer]

    def stages_in_order(self) -> list[Stage]:
        return sorted(self.stages.values(), key=lambda s: s.order)

    def schemes_at(self, stage_id: str) -> list[Scheme]:
        return [s for s in self.schemes.values() if s.stage == stage_id]
