"""Storage of the instruments' answers.

Responses are keyed by a random respondent key; contact details sit in their own table linked only
by that key, so the answers table never holds anything that names a person.
"""

import secrets

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone


def new_respondent_key() -> str:
    return secrets.token_urlsafe(18)


def new_collector_token() -> str:
    return secrets.token_urlsafe(12)


class Wave(models.Model):
    """One run of an instrument (e.g. the 2023 NMAHP survey), pinned to a form version."""

    OPEN, NOT_YET, CLOSED = "open", "not_yet", "closed"
    name = models.SlugField(max_length=50, help_text="e.g. 2023")
    instrument = models.CharField(max_length=100, help_text="form_id of the workbook, e.g. nmahp_survey")
    form_version = models.CharField(max_length=50)
    opens = models.DateField(null=True, blank=True)
    closes = models.DateField(null=True, blank=True)
    # closed by hand before `closes` (the programme's wave page): from then on nothing is taken
    closed = models.DateTimeField(null=True, blank=True, help_text="when the wave was closed early, if it was")
    # the workbook's language respondents see first (a `label::English (en)` column's language; blank: its
    # default); each respondent may choose another of the workbook's languages
    language = models.CharField(max_length=100, blank=True, default="")
    created = models.DateTimeField(auto_now_add=True)
    # bumped in the same transaction as every write or erasure of its complete responses (store.py,
    # nmahp.app.waves.mark_changed): the snapshot and the dashboard caches are keyed by it
    data_version = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["instrument", "name"], name="one_wave_name_per_instrument")]
        ordering = ["instrument", "name"]

    def __str__(self):
        return f"{self.instrument} {self.name}"

    def collecting(self, today=None) -> str:
        """'open', 'not_yet' (before `opens`) or 'closed' (after `closes`); a date left empty does not limit."""
        if self.closed and (today is None or today >= timezone.localtime(self.closed).date()):
            return self.CLOSED
        today = today or timezone.localdate()
        if self.opens and today < self.opens:
            return self.NOT_YET
        if self.closes and today > self.closes:
            return self.CLOSED
        return self.OPEN

    def clean(self):
        super().clean()
        check_instrument(self.instrument)
        if self.language:
            from nmahp.instruments import get_instrument

            languages = get_instrument(self.instrument, version=self.form_version).languages
            if self.language not in languages:
                raise ValidationError({"language": f"the workbook has no language '{self.language[:80]}'; it has "
                                                   f"{', '.join(languages) or 'one, unnamed'}"})

    def save(self, *args, **kwargs):
        check_instrument(self.instrument)  # never store a name the registry cannot load (nor a path)
        super().save(*args, **kwargs)


def instrument_choices() -> list[tuple[str, str]]:
    from nmahp.instruments import available

    return [(name, name) for name in available()]


def check_instrument(name: str) -> None:
    """A wave's instrument is a registered instrument's name (a workbook in the instruments folder)."""
    from nmahp.instruments import available, registered

    if not name or registered(name) != name:
        raise ValidationError({"instrument": f"'{' '.join(str(name).split())[:80]}' is not a registered "
                                             f"instrument; choose one of {', '.join(available()) or 'none'}"})


class CollectorLink(models.Model):
    """A distribution channel's link, with how many people it was sent to (for response rates)."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="collectors")
    channel = models.CharField(max_length=100, help_text="e.g. email, twitter, whatsapp")
    token = models.CharField(max_length=32, unique=True, default=new_collector_token)
    invited = models.PositiveIntegerField(null=True, blank=True, help_text="people reached; blank if unknown")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["wave", "channel"], name="one_link_per_channel")]

    def __str__(self):
        return f"{self.wave} via {self.channel}"


class Response(models.Model):
    PARTIAL = "partial"
    COMPLETE = "complete"
    STATUSES = [(PARTIAL, "Partial"), (COMPLETE, "Complete")]

    respondent_key = models.CharField(max_length=64, unique=True, default=new_respondent_key)
    # no index of its own: the (wave, status) index below serves every lookup by wave, and one index fewer
    # to keep up is a tenth off storing a million imported rows
    wave = models.ForeignKey(Wave, on_delete=models.PROTECT, related_name="responses", db_index=False)
    collector = models.ForeignKey(CollectorLink, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="responses")
    status = models.CharField(max_length=10, choices=STATUSES, default=PARTIAL)
    answers = models.JSONField(default=dict, help_text="answers keyed by question name")
    source = models.CharField(max_length=200, default="web", help_text="web, synth, or the import it came from")
    external_id = models.CharField(max_length=100, blank=True, default="",
                                   help_text="the export's respondent ID, so re-importing a file adds nothing")
    started = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    submitted = models.DateTimeField(null=True, blank=True)
    # rules of the instrument this response breaks, kept under an import's as-recorded policy:
    # [{"question": "time_proportion_research", "rule": "skip_logic"}, ...]; empty for everything else
    flags = models.JSONField(default=list, blank=True)

    class Meta:
        indexes = [models.Index(fields=["wave", "status"])]
        constraints = [models.UniqueConstraint(fields=["wave", "external_id"], condition=~models.Q(external_id=""),
                                               name="one_response_per_external_id")]

    def __str__(self):
        return f"{self.wave} response {self.pk} ({self.status})"


class ContactDetails(models.Model):
    """Follow-up contact details, given only with consent; joined to answers by key alone."""

    respondent_key = models.CharField(max_length=64, unique=True)
    details = models.JSONField(default=dict)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "contact details"

    def __str__(self):
        return f"contact details {self.pk}"


class ImportRecord(models.Model):
    """One import into a wave, with the policy it ran under and what it counted: the wave's record of
    where its responses came from and which rules of the instrument they break."""

    STRICT, AS_RECORDED = "strict", "as-recorded"
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="imports")
    file_name = models.CharField(max_length=255)
    layout = models.CharField(max_length=20)
    policy = models.CharField(max_length=20, choices=[(STRICT, "strict"), (AS_RECORDED, "as recorded")])
    rows_read = models.PositiveIntegerField(default=0)
    added = models.PositiveIntegerField(default=0)
    already_present = models.PositiveIntegerField(default=0)
    excluded = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    flagged = models.PositiveIntegerField(default=0, help_text="responses kept with a flag (as-recorded)")
    breaks = models.JSONField(default=list, help_text="[{question, rule, rows}]: every disagreement counted")
    mapping = models.TextField(blank=True, default="", help_text="the mapping file as it was used")
    actor = models.CharField(max_length=150, blank=True, default="")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self):
        return f"{self.wave} import of {self.file_name} ({self.policy})"
