"""Opt-in profiles: what a clinician wants and what an academic or mentor offers."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Clinician:
    id: str
    profession: str
    professional_group: str
    region: str
    career_stage: int  # 0 first interest .. 6 senior clinical academic (web/mentoring STAGE_CHOICES)
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
    career_stage: int  # 0 first interest .. 6 senior clinical academic (web/mentoring STAGE_CHOICES)
    specialisms: str
    offers: frozenset[str] = field(default_factory=lambda: frozenset({"mentoring"}))
    capacity: int = 1
    institution: str = ""
