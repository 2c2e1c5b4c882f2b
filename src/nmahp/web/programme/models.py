"""What the programme team keeps: every version of an instrument's workbook as uploaded (a wave is pinned to
one), and the organisations whose collector links and leads make an organisation's own view possible."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from ..surveys.models import CollectorLink


class InstrumentVersion(models.Model):
    """One version of a registered instrument's workbook, kept byte for byte; never changed once stored."""

    instrument = models.CharField(max_length=100, help_text="form_id of a registered instrument")
    version = models.CharField(max_length=50, help_text="the workbook's settings 'version'")
    title = models.CharField(max_length=200)
    file_name = models.CharField(max_length=255)
    workbook = models.BinaryField()
    checksum = models.CharField(max_length=64, help_text="SHA-256 of the workbook's bytes")
    # questions the person uploading it said were renamed since the version before: {old name: new name}
    renames = models.JSONField(default=dict, blank=True)
    previous = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_versions")
    bundled = models.BooleanField(default=False, help_text="the workbook the service was installed with")
    uploaded_by = models.CharField(max_length=150, blank=True, default="")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["instrument", "version"], name="one_instrument_version")]
        ordering = ["instrument", "created", "pk"]

    def __str__(self):
        return f"{self.instrument} version {self.version}"


def versions_dir() -> Path:
    from ..config import PRIVATE_DIR, data_dir

    path = data_dir() / "instrument_versions"
    path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    return path


def stored_workbook(instrument: str, version: str) -> Path | None:
    """The registry's source of stored versions: the kept workbook written once to the data folder (named by
    its checksum, so a file is never two versions), or None when this version is not kept."""
    from django.db import connections, router

    # asked on every survey page (a wave's pinned version): one plain query, a sixth of what the ORM spends
    # building the same one (60 against 350 microseconds)
    connection = connections[router.db_for_read(InstrumentVersion)]
    table = connection.ops.quote_name(InstrumentVersion._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, checksum FROM {table} WHERE instrument = %s AND version = %s",
                       [instrument, version])
        row = cursor.fetchone()
    if row is None:
        return None
    path = versions_dir() / f"{instrument}-{row[1][:32]}.xlsx"
    if not path.exists():
        data = bytes(InstrumentVersion.objects.values_list("workbook", flat=True).get(pk=row[0]))
        partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
        partial.write_bytes(data)
        os.chmod(partial, 0o600)
        os.replace(partial, path)
    return path


class Organisation(models.Model):
    """An employing organisation (a trust, a practice, a university): its links say which responses are its
    staff's, and its leads see its overview against their region."""

    name = models.CharField(max_length=200, unique=True)
    region = models.CharField(max_length=50, help_text="choice name of the survey's region question")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        from nmahp.instruments import get_instrument

        regions = get_instrument("nmahp").question("region").choice_names()
        if self.region not in regions:
            raise ValidationError({"region": f"choose one of the survey's regions: {', '.join(regions)}"})


class OrganisationLink(models.Model):
    """A collector link handed out by one organisation: whoever answers through it works there."""

    collector = models.OneToOneField(CollectorLink, on_delete=models.CASCADE, related_name="organisation_link")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="links")

    def __str__(self):
        return f"{self.collector} for {self.organisation}"


class OrganisationLead(models.Model):
    """A lead's own organisation (a lead sees their region's dashboards, and this organisation's overview)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organisation_lead")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="leads")

    def __str__(self):
        return f"{self.user} leads for {self.organisation}"
