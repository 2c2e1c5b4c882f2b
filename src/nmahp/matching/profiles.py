"""Opt-in profiles: what a clinician wants and what an academic or mentor offers."""

from __future__ import annotations

from dataclasses import dataclass, field

MENTORING = "mentoring"  # what a profile asks for or offers when it says nothing else


@dataclass(frozen=True)
class Person:
    id: str
    profession: str
    professional_group: str
    region: str
    career_stage: int  # rank on the study's ladder of career stages (nmahp.study: 0 is the first rung)


@dataclass(frozen=True)
class Clinician(Person):
    interests: str = ""
    wants: frozenset[str] = field(default_factory=lambda: frozenset({MENTORING}))
    same_profession: bool = False  # "an AHP guide": only someone from my own profession
    has_mentor: bool = False
    under_represented: bool = False
    organisation: str = ""


@dataclass(frozen=True)
class Mentor(Person):
    specialisms: str = ""
    offers: frozenset[str] = field(default_factory=lambda: frozenset({MENTORING}))
    capacity: int = 1
    institution: str = ""
