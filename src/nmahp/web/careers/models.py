"""What programme staff add through the admin: career stories and opportunities. Schemes, stages and
the glossary are YAML (content/), so the ids stored here refer to them and are checked on save."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from nmahp.study import STUDY

from .content import get_content, setting_choices


def _check_ids(values, known, what: str):
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ValidationError(f"Give a list of {what} ids.")
    unknown = [v for v in values if v not in known]
    if unknown:
        raise ValidationError(f"Not {what} ids in the content files: {', '.join(unknown)}")


def validate_stage_ids(values):
    _check_ids(values, get_content().stages, "stage")


def validate_scheme_ids(values):
    _check_ids(values, get_content().schemes, "scheme")


def validate_professional_groups(values):
    _check_ids(values, STUDY.group_ids, "professional group")


class Story(models.Model):
    """A role model's career journey, attached to the pathway stages it illustrates."""

    title = models.CharField(max_length=120)
    person = models.CharField(max_length=80, help_text="Name or initials, as the person agreed to be shown.")
    profession = models.CharField(max_length=60, help_text="A profession id from content/professions.yaml.")
    setting = models.CharField(max_length=20, choices=setting_choices())
    stages = models.JSONField(default=list, validators=[validate_stage_ids],
                              help_text="The pathway stages this story illustrates.")
    schemes = models.JSONField(default=list, blank=True, validators=[validate_scheme_ids],
                               help_text="Schemes the person used, if any.")
    journey = models.TextField(help_text="How they got there, in their words or close to them.")
    contract = models.TextField(help_text="How the post is contracted (e.g. NHS substantive, university honorary).")
    time_split = models.CharField(max_length=120, help_text="For example: 60% clinical, 40% research.")
    what_helped = models.TextField()
    illustrative = models.BooleanField(default=False, help_text="An illustrative example, not a real person.")
    consent_confirmed = models.BooleanField(default=False, help_text="The person agreed to this story being shown.")
    published = models.BooleanField(default=False)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        verbose_name_plural = "stories"

    def __str__(self):
        return self.title

    def clean(self):
        if self.profession not in get_content().professions:
            raise ValidationError({"profession": f"'{self.profession}' is not in content/professions.yaml."})
        if self.published and not (self.consent_confirmed or self.illustrative):
            raise ValidationError({"published": "Confirm the person's consent before publishing a real story."})


class Opportunity(models.Model):
    """A job, secondment, internship or workshop posted by programme staff, with a closing date."""

    KINDS = [("job", "Job"), ("secondment", "Secondment"), ("internship", "Internship"), ("workshop", "Workshop"),
             ("funding", "Funding round"), ("other", "Other")]
    title = models.CharField(max_length=160)
    kind = models.CharField(max_length=20, choices=KINDS)
    organisation = models.CharField(max_length=160)
    summary = models.TextField()
    url = models.URLField(max_length=500, help_text="Where to read more and apply.")
    region = models.CharField(max_length=40, blank=True, help_text="A region answer from content/questions.yaml; "
                              "blank for anywhere.")
    open_to = models.JSONField(default=list, blank=True, validators=[validate_professional_groups],
                               help_text="Professional groups (nursing_midwifery, ahp, other); empty for all.")
    stage = models.CharField(max_length=40, blank=True, help_text="A stage id from content/stages.yaml, if any.")
    closes_on = models.DateField()
    starts_on = models.DateField(null=True, blank=True, help_text="For workshops and events: the day it runs.")
    published = models.BooleanField(default=True)
    posted = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["closes_on", "title"]
        verbose_name_plural = "opportunities"

    def __str__(self):
        return self.title

    def clean(self):
        content = get_content()
        regions = {o.value for o in content.questions["region"].options}
        if self.region and self.region not in regions:
            raise ValidationError({"region": f"Choose one of: {', '.join(sorted(regions))}."})
        if self.stage and self.stage not in content.stages:
            raise ValidationError({"stage": f"Choose one of: {', '.join(content.stages)}."})
        if self.kind == "workshop" and self.starts_on and self.closes_on > self.starts_on:
            raise ValidationError({"closes_on": "Bookings for a workshop should close on or before the day it runs."})
