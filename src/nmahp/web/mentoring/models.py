"""Opt-in profiles, matching rounds and the matches people accept or decline."""

import secrets

from django.conf import settings
from django.db import models

from nmahp.study import STUDY


def new_key() -> str:
    return secrets.token_urlsafe(18)


def profession_label(name: str) -> str:
    from nmahp.instruments import get_instrument

    return get_instrument("nmahp").question("profession").choice_label(name)


def stage_name(stage_id: str) -> str:
    try:
        return STUDY.stage(stage_id).name
    except KeyError:
        return stage_id


class Person(models.Model):
    """What clinicians and mentors both have: consent to be matched, and where they stand."""

    opted_in = models.BooleanField(default=False)
    profession = models.CharField(max_length=60)
    professional_group = models.CharField(max_length=30)
    region = models.CharField(max_length=60)

    class Meta:
        abstract = True

    @property
    def profession_label(self) -> str:
        return profession_label(self.profession)

    @property
    def career_stage_name(self) -> str:
        return stage_name(self.career_stage)


class ClinicianProfile(Person):
    key = models.CharField(max_length=40, unique=True, default=new_key)
    name = models.CharField(max_length=100)
    email = models.EmailField(max_length=200)
    organisation = models.CharField(max_length=200, blank=True)
    career_stage = models.CharField(max_length=30, help_text="A career stage id of the study's vocabulary.")
    interests = models.TextField(max_length=2000)
    wants = models.JSONField(default=list)
    same_profession = models.BooleanField(default=False)
    has_mentor = models.BooleanField(default=False)
    under_represented = models.BooleanField(default=False)
    availability = models.CharField(max_length=100, blank=True)
    from_respondent = models.CharField(max_length=64, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"clinician profile {self.pk}"


class MentorProfile(Person):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentor_profile")
    institution = models.CharField(max_length=200, blank=True)
    career_stage = models.CharField(max_length=30, default="post-doctoral",
                                    help_text="A career stage id of the study's vocabulary.")
    specialisms = models.TextField(max_length=2000)
    offers = models.JSONField(default=list)
    capacity = models.PositiveSmallIntegerField(default=2)
    preferences = models.TextField(max_length=1000, blank=True)

    def __str__(self):
        return f"mentor profile {self.pk}"


class MatchingRound(models.Model):
    DRAFT, PUBLISHED = "draft", "published"
    created = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, default=DRAFT)
    fairness = models.BooleanField(default=False)
    run_by = models.CharField(max_length=150)
    total_score = models.FloatField(default=0)
    blocking_pairs = models.PositiveIntegerField(default=0)
    greedy_total_score = models.FloatField(default=0)
    greedy_blocking_pairs = models.PositiveIntegerField(default=0)
    peer_groups = models.JSONField(default=list)

    class Meta:
        ordering = ["-created"]


class Match(models.Model):
    PROPOSED, ACCEPTED, DECLINED = "proposed", "accepted", "declined"
    round = models.ForeignKey(MatchingRound, on_delete=models.CASCADE, related_name="matches")
    clinician = models.ForeignKey(ClinicianProfile, on_delete=models.CASCADE, related_name="matches")
    mentor = models.ForeignKey(MentorProfile, on_delete=models.CASCADE, related_name="matches")
    score = models.FloatField()
    reasons = models.JSONField(default=list)
    status = models.CharField(max_length=10, default=PROPOSED)
    responded = models.DateTimeField(null=True, blank=True)
