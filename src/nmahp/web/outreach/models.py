"""Invitees and outgoing e-mail. An invitee's address sits here, apart from the answers: the only link to a
response is the respondent key their own link started, as for contact details. An outgoing message keeps who it
is for by reference (an invitee, a clinician, a mentor), never the address, so the queue's storage and the
message's record hold no contact detail: the address is read when the message is sent, and that read is audited."""

import secrets

from django.db import models

from nmahp.web.surveys.models import CollectorLink


def new_invite_token() -> str:
    return secrets.token_urlsafe(18)


class Invitee(models.Model):
    collector = models.ForeignKey(CollectorLink, on_delete=models.CASCADE, related_name="invitees")
    email = models.EmailField(max_length=254)
    name = models.CharField(max_length=200, blank=True, default="")
    token = models.CharField(max_length=64, unique=True, default=new_invite_token)
    # the response their link started (blank until they consent on it); complete there = responded
    respondent_key = models.CharField(max_length=64, blank=True, default="", db_index=True)
    invited = models.DateTimeField(null=True, blank=True, help_text="when the invitation was sent")
    reminders = models.PositiveSmallIntegerField(default=0)
    last_reminded = models.DateTimeField(null=True, blank=True)
    unsubscribed = models.DateTimeField(null=True, blank=True)
    added = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["collector", "email"], name="one_invitee_per_address")]
        ordering = ["pk"]

    def __str__(self):
        return f"invitee {self.pk}"  # never the address: str() ends up in logs and the admin's history


class Message(models.Model):
    """One e-mail to send: what (a template and its context, no contact details), to whom (by reference), and
    how the sending went."""

    QUEUED, SENT, FAILED, SKIPPED = "queued", "sent", "failed", "skipped"
    STATUSES = [(s, s) for s in (QUEUED, SENT, FAILED, SKIPPED)]
    INVITEE, CLINICIAN, MENTOR, INTERVIEWEE, ALERT = "invitee", "clinician", "mentor", "interviewee", "alert"
    RECIPIENTS = [(r, r) for r in (INVITEE, CLINICIAN, MENTOR, INTERVIEWEE, ALERT)]

    template = models.CharField(max_length=50)
    context = models.JSONField(default=dict)
    recipient_kind = models.CharField(max_length=20, choices=RECIPIENTS)
    recipient_id = models.PositiveBigIntegerField()
    status = models.CharField(max_length=10, choices=STATUSES, default=QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True, default="")
    created = models.DateTimeField(auto_now_add=True)
    sent = models.DateTimeField(null=True, blank=True)
    asked_by = models.CharField(max_length=150, blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["recipient_kind", "recipient_id"])]
        ordering = ["pk"]

    def __str__(self):
        return f"message {self.pk} ({self.template} to {self.recipient_kind} {self.recipient_id})"


class InterviewSample(models.Model):
    """Phase 3's sample of a wave: the grid it was drawn over (as drawn, so later edits to the study's grid do not
    rewrite it), the seed, and when the second round to everyone remaining was opened."""

    wave = models.OneToOneField("surveys.Wave", on_delete=models.PROTECT, related_name="interview_sample")
    grid = models.JSONField(help_text="{'dimensions': [...], 'levels': [[...], ...], 'target': n}")
    seed = models.PositiveIntegerField(default=0)
    drawn_by = models.CharField(max_length=150, blank=True, default="")
    created = models.DateTimeField(auto_now_add=True)
    second_round = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"interview sample of {self.wave}"


class Interviewee(models.Model):
    """One respondent who agreed to be contacted, in the sample: their cell, round and where they stand. Known on
    pages by the wave's participant number, never by name or key; the address is read from their contact details
    only when an invitation is sent."""

    STATUSES = [("not_invited", "Not invited yet"), ("invited", "Invited"), ("replied", "Replied"),
                ("consent_form", "Consent form received"), ("interviewed", "Interviewed"), ("declined", "Declined")]
    sample = models.ForeignKey(InterviewSample, on_delete=models.CASCADE, related_name="interviewees")
    respondent_key = models.CharField(max_length=64)
    # the wave's participant number (nmahp.app.coding.participant_numbers): the transcript is added under it in
    # coding, where the same number carries this person's survey answers as case attributes
    number = models.PositiveIntegerField()
    cell = models.JSONField(default=list, help_text="the grid cell's levels; empty when outside the grid")
    round = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=20, choices=STATUSES, default="not_invited")
    invited = models.DateTimeField(null=True, blank=True)
    reminders = models.PositiveSmallIntegerField(default=0)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["sample", "respondent_key"], name="once_per_sample")]
        ordering = ["round", "pk"]

    @property
    def participant(self) -> str:
        return f"P{self.number}"

    def __str__(self):
        return f"interviewee {self.participant}"


class OpportunityAlert(models.Model):
    """A saved filter of the opportunities board and the address its new matches are sent to. Nothing is sent
    until the address's owner confirms from the first message (anyone can type any address into a form)."""

    email = models.EmailField(max_length=254)
    filters = models.JSONField(default=dict, help_text="the board's filters: kind, region, group, stage")
    token = models.CharField(max_length=64, unique=True, default=new_invite_token)
    created = models.DateTimeField(auto_now_add=True)
    confirmed = models.DateTimeField(null=True, blank=True)
    unsubscribed = models.DateTimeField(null=True, blank=True)
    sent_ids = models.JSONField(default=list, help_text="opportunities already sent in an alert")

    def __str__(self):
        return f"opportunity alert {self.pk}"
