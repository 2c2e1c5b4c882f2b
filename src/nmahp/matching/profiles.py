"""Opt-in profiles: what a clinician wants and what an academic or mentor offers."""

from __future__ import annotations

from dataclasses import dataclass, field

WANTS = ("mentoring", "research_project", "teaching_experience", "peer_group")
# career stages from first interest to senior clinical academic (0..6)
STAGES = ("first_interest", "early_research_activity", "masters_or_internship", "pre_doctoral", "doctoral",
          "post_doctoral", "senior_clinical_academic")


@dataclass(frozen=True)
class Clinician:
    id: str
    profession: str
    professional_group: str
    region: str
    career_stage: int
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
    career_stage: int
    specialisms: str
    offers: frozenset[str] = field(default_factory=lambda: frozenset({"mentoring"}))
    capacity: int = 1
    institution: str = ""
