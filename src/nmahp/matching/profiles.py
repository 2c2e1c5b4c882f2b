"""Opt-in profiles: what a clinician wants and what an academic or mentor offers."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Clinician:
    id: str
    profession: str
    professional_group: str
    region: str
    career_stage: int  # rank on the study's ladder of career stages (nmahp.study: 0 is the first rung)
    interests: str
    wants: frozenset[str] = field(default_factory=lambda: frozenset({"mentoring"}))
    same_profession: bool = False  # "an AHP guide": only someone from my own profession
    has_mentor: bool = False
    under_represented: bool = False
    organisation: str = ""


@dataclass(frozen=True)
class Mentor:
    id: str
    profession: str
    professional_group: str
    region: str
    career_stage: int  # rank on the study's ladder of career stages (nmahp.study: 0 is the first rung)
    specialisms: str
    offers: frozenset[str] = field(default_factory=lambda: frozenset({"mentoring"}))
    capacity: int = 1
    institution: str = ""
