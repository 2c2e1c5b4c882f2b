"""Coding projects kept in the database: documents, a codebook and highlights, one project per wave."""

import uuid

from django.db import models

from ..surveys.models import Wave


def guid() -> str:
    return str(uuid.uuid4())


class CodingProject(models.Model):
    wave = models.OneToOneField(Wave, on_delete=models.CASCADE, related_name="coding")
    name = models.CharField(max_length=200)


class ParticipantNumber(models.Model):
    """The report's '(43)': a number per respondent of a wave; the private key never leaves here."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE)
    respondent_key = models.CharField(max_length=64)
    number = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["wave", "respondent_key"], name="one_number_per_respondent"),
                       models.UniqueConstraint(fields=["wave", "number"], name="numbers_unique_in_wave")]


class CodingDocument(models.Model):
    project = models.ForeignKey(CodingProject, on_delete=models.CASCADE, related_name="documents")
    guid = models.CharField(max_length=40, default=guid)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20)
    text = models.TextField()
    segments = models.JSONField(default=list)
    memo = models.TextField(blank=True)  # the source's description in the tool it came from


class CodeItem(models.Model):
    project = models.ForeignKey(CodingProject, on_delete=models.CASCADE, related_name="codes")
    guid = models.CharField(max_length=40, default=guid)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    # blank: the code came from another tool without a colour, and none is invented for it
    color = models.CharField(max_length=7, default="#005EB8", blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    codable = models.BooleanField(default=True)  # False: a category that only groups codes (REFI-QDA isCodable)


class HighlightItem(models.Model):
    document = models.ForeignKey(CodingDocument, on_delete=models.CASCADE, related_name="highlights")
    guid = models.CharField(max_length=40, default=guid)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    codes = models.ManyToManyField(CodeItem, related_name="highlights")
    coder = models.CharField(max_length=150)
    memo = models.TextField(blank=True)
    # coded in a blind round: hidden from everyone but its coder until the round closes
    round = models.ForeignKey("CodingRound", null=True, blank=True, on_delete=models.CASCADE,
                              related_name="highlights")


class CodingNote(models.Model):
    """A memo from another QDA tool (REFI-QDA Note), kept with what it was attached to, so it goes back out."""

    project = models.ForeignKey(CodingProject, on_delete=models.CASCADE, related_name="notes")
    guid = models.CharField(max_length=40, default=guid)
    name = models.CharField(max_length=200, blank=True)
    text = models.TextField(blank=True)
    coder = models.CharField(max_length=150, blank=True)
    created = models.CharField(max_length=40, blank=True)  # as the file gave it
    attached_to = models.JSONField(default=list)  # guids of codes, documents, highlights; "project"


class CodeSet(models.Model):
    """A named group of codes and documents from another QDA tool (REFI-QDA Set)."""

    project = models.ForeignKey(CodingProject, on_delete=models.CASCADE, related_name="sets")
    guid = models.CharField(max_length=40, default=guid)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    codes = models.ManyToManyField(CodeItem, related_name="sets", blank=True)
    documents = models.ManyToManyField(CodingDocument, related_name="sets", blank=True)
    notes = models.JSONField(default=list)  # guids of the project's notes in the set


class CodingRound(models.Model):
    """A round of blind double coding: documents assigned to two or more coders, who see only their own
    coding of them until the round closes; then agreement, and the disagreements adjudicated."""

    project = models.ForeignKey(CodingProject, on_delete=models.CASCADE, related_name="rounds")
    name = models.CharField(max_length=200)
    created_by = models.CharField(max_length=150)
    created = models.DateTimeField(auto_now_add=True)
    closed = models.DateTimeField(null=True, blank=True)


class RoundAssignment(models.Model):
    round = models.ForeignKey(CodingRound, on_delete=models.CASCADE, related_name="assignments")
    document = models.ForeignKey(CodingDocument, on_delete=models.CASCADE, related_name="assignments")
    coder = models.CharField(max_length=150)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "document", "coder"], name="one_assignment")]


class CodebookChange(models.Model):
    """The codebook's history: each rename, merge, move, colour or description change, by whom and when."""

    project = models.ForeignKey(CodingProject, on_delete=models.CASCADE, related_name="codebook_changes")
    when = models.DateTimeField(auto_now_add=True)
    who = models.CharField(max_length=150)
    action = models.CharField(max_length=20)
    code = models.CharField(max_length=200)  # the code's name when it changed
    detail = models.TextField()


class DiscardedSuggestion(models.Model):
    """A suggested theme someone discarded, by its terms, so it is not suggested again."""

    project = models.ForeignKey(CodingProject, on_delete=models.CASCADE, related_name="discarded_suggestions")
    terms = models.CharField(max_length=500)
    who = models.CharField(max_length=150)
    when = models.DateTimeField(auto_now_add=True)
