"""The study's vocabulary (professional groups and who belongs to them, career stages, protected
characteristics, the disclosure policy, default breakdowns, demographics, open-text questions, mentoring
offers), read once from `vocabulary.yaml`. Every other module asks here instead of spelling a list of its own."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from importlib import resources

import yaml

from ..errors import NmahpError


@dataclass(frozen=True)
class ProfessionalGroup:
    id: str
    label: str
    short_label: str
    in_sentence: str


@dataclass(frozen=True)
class CareerStage:
    id: str
    name: str
    rank: int  # 0 = the first rung; a mentor's rank minus a clinician's is how far ahead they are


@dataclass(frozen=True)
class Offer:
    id: str
    label: str


@dataclass(frozen=True)
class DisclosureRule:
    """The disclosure policy's numbers (docs/disclosure.md): a count under `threshold` identifies people,
    and none may be shown or worked out; counts of at most `suppress_at_most` (beyond the threshold, so a
    hidden count may as well be large) are shown as "fewer than `shown_from`"; every other count and
    total is rounded to the nearest `round_to`."""

    threshold: int
    suppress_at_most: int
    round_to: int

    @property
    def shown_from(self) -> int:
        """The smallest count ever shown outside the analyst role."""
        return self.suppress_at_most + 1


@dataclass(frozen=True)
class Vocabulary:
    professional_groups: tuple[ProfessionalGroup, ...]
    compared_groups: tuple[str, ...]
    group_of_profession: dict[str, str]
    career_stages: tuple[CareerStage, ...]
    alongside_stage: CareerStage
    protected_characteristics: tuple[str, ...]
    disclosure: DisclosureRule
    counts_only_below: int
    default_breakdowns: tuple[str, ...]
    dashboard_filters: tuple[str, ...]
    demographics: tuple[str, ...]
    open_text_questions: tuple[str, ...]
    mentoring_offers: tuple[Offer, ...]
    # phase 3's first round of interview invitations: how many, and over which answers their variation is sought
    interview_target: int
    interview_grid: tuple[str, ...]

    @cached_property
    def group_ids(self) -> tuple[str, ...]:
        return tuple(g.id for g in self.professional_groups)

    def group(self, group_id: str) -> ProfessionalGroup:
        return _by_id(self.professional_groups, group_id)

    def group_of(self, profession: str) -> str:
        """The professional group a profession counts in; a profession the study never named is a write-in."""
        return self.group_of_profession.get(profession, "other")

    @cached_property
    def stage_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.career_stages)

    def stage(self, stage_id: str) -> CareerStage:
        return _by_id(self.career_stages, stage_id)

    @cached_property
    def offer_ids(self) -> tuple[str, ...]:
        return tuple(o.id for o in self.mentoring_offers)

    @cached_property
    def breakdowns(self) -> tuple[str, ...]:
        """What a table may be split by on a dashboard: the defaults, then the protected characteristics."""
        return (*self.default_breakdowns, *self.protected_characteristics)


def _by_id(items, wanted: str):
    found = next((item for item in items if item.id == wanted), None)
    if found is None:
        raise KeyError(wanted)
    return found


def _parse(data: dict) -> Vocabulary:
    try:
        groups = tuple(ProfessionalGroup(**g) for g in data["professional_groups"])
        known = {g.id for g in groups}
        members: dict[str, str] = {}
        for group_id, professions in data["professions"].items():
            if group_id not in known:
                raise NmahpError(f"vocabulary.yaml: professions: '{group_id}' is not a professional group")
            for profession in professions:
                if profession in members:
                    raise NmahpError(f"vocabulary.yaml: profession '{profession}' is in two groups")
                members[profession] = group_id
        compared = tuple(data["compared_groups"])
        rule = DisclosureRule(**{k: int(v) for k, v in data["disclosure"].items()})
        if rule.suppress_at_most < rule.threshold - 1 or rule.round_to < 1 or rule.threshold < 1:
            raise NmahpError("vocabulary.yaml: disclosure: suppress_at_most must be at least threshold - 1, "
                             "and threshold and round_to at least 1")
        if not set(compared) <= known:
            raise NmahpError("vocabulary.yaml: compared_groups names a group that does not exist")
        return Vocabulary(
            professional_groups=groups, compared_groups=compared, group_of_profession=members,
            career_stages=tuple(CareerStage(s["id"], s["name"], rank)
                                for rank, s in enumerate(data["career_stages"])),
            alongside_stage=CareerStage(data["alongside_stages"]["id"], data["alongside_stages"]["name"],
                                        len(data["career_stages"])),
            protected_characteristics=tuple(data["protected_characteristics"]),
            disclosure=rule,
            counts_only_below=int(data["counts_only_below"]),
            default_breakdowns=tuple(data["default_breakdowns"]),
            dashboard_filters=tuple(data["dashboard_filters"]),
            demographics=tuple(data["demographics"]),
            open_text_questions=tuple(data["open_text_questions"]),
            mentoring_offers=tuple(Offer(**o) for o in data["mentoring_offers"]),
            interview_target=int(data["interview_sampling"]["target"]),
            interview_grid=tuple(data["interview_sampling"]["grid"]),
        )
    except (KeyError, TypeError) as exc:
        raise NmahpError(f"vocabulary.yaml is incomplete or malformed: {exc}") from exc


def load_vocabulary(text: str | None = None) -> Vocabulary:
    if text is None:
        text = resources.files(__package__).joinpath("vocabulary.yaml").read_text(encoding="utf-8")
    return _parse(yaml.safe_load(text))


STUDY = load_vocabulary()

__all__ = ["STUDY", "CareerStage", "DisclosureRule", "Offer", "ProfessionalGroup", "Vocabulary", "load_vocabulary"]
