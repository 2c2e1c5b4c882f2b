"""Running a wave from the browser: keep every version of an instrument's workbook (checked on upload, with
what changed since the version before), make a wave pinned to one version, hand out collector links per
channel (with a QR code), close a wave, and ask for its report as a background job. Every change is in the
audit log."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .. import limits
from ..errors import InstrumentError, NmahpError, Problem
from ..instruments import Instrument, available, get_instrument, load_instrument, registered, resolve
from ..instruments.diff import VersionDiff, diff
from . import jobs, ready

REPORT_FORMATS = ("html", "docx", "pdf")
CHANNEL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.-]{0,99}$")


def _models():
    ready()
    from ..web.accounts.models import audit
    from ..web.programme import models
    from ..web.surveys.models import CollectorLink, Response, Wave

    return models, Wave, CollectorLink, Response, audit


# --- versions --------------------------------------------------------------------------------------------
def keep_bundled(instrument: str):
    """The workbook in the instruments folder, kept as a version of its instrument if its version is not kept
    yet (so a wave made from it stays on it after the folder moves on). Returns the kept version."""
    models, *_ = _models()
    path = resolve(instrument)
    form = get_instrument(instrument)
    found = models.InstrumentVersion.objects.filter(instrument=form.form_id, version=form.version).first()
    if found is not None:
        return found
    data = path.read_bytes()
    latest = models.InstrumentVersion.objects.filter(instrument=form.form_id).order_by("-created", "-pk").first()
    found, _ = models.InstrumentVersion.objects.get_or_create(
        instrument=form.form_id, version=form.version,
        defaults={"title": form.title, "file_name": path.name, "workbook": data,
                  "checksum": hashlib.sha256(data).hexdigest(), "bundled": True, "previous": latest})
    return found


def versions(instrument: str | None = None) -> list:
    """Every kept version (the folder's workbooks kept first), oldest first within each instrument. A workbook
    in the folder that no longer loads is left out here (`folder_problems` names it)."""
    models, *_ = _models()
    for name in ([registered(instrument)] if instrument else available()):
        if name:
            try:
                keep_bundled(name)
            except NmahpError:
                continue
    found = models.InstrumentVersion.objects.defer("workbook")
    if instrument:
        found = found.filter(instrument=registered(instrument) or instrument)
    return list(found)


def folder_problems() -> list[str]:
    """What a reader of the versions page must know about the instruments folder: a workbook that does not load,
    or one whose version is kept with other bytes (waves on that version keep using the kept workbook)."""
    models, *_ = _models()
    problems = []
    for name in available():
        try:
            form = get_instrument(name)
        except NmahpError as exc:
            problems.append(limits.one_line(exc, 300))
            continue
        kept = models.InstrumentVersion.objects.filter(instrument=form.form_id, version=form.version).first()
        if kept is not None and kept.checksum != hashlib.sha256(resolve(name).read_bytes()).hexdigest():
            problems.append(f"{resolve(name).name} in the instruments folder says version {form.version} but differs "
                            f"from the kept version {form.version}: waves on {form.version} use the kept workbook; "
                            "give the folder's workbook a new version, or upload it as one")
    return problems


def version_instrument(version) -> Instrument:
    return get_instrument(version.instrument, version=version.version)


def parse_renames(text: str) -> dict[str, str]:
    """'old_name = new_name', one a line (blank lines ignored): questions renamed since the version before."""
    renames = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        old, sep, new = line.partition("=")
        old, new = old.strip(), new.strip()
        if not sep or not old or not new or " " in old or " " in new:
            raise NmahpError(f"renamed questions, line {number}: write 'old_name = new_name', not "
                             f"'{limits.one_line(line, 60)}'")
        if old in renames:
            raise NmahpError(f"renamed questions, line {number}: '{old}' is renamed twice")
        renames[old] = new
    return renames


def check_workbook(data: bytes, file_name: str) -> Instrument:
    """The uploaded workbook as an instrument, checked as `nmahp instruments validate` checks it: every problem
    with its sheet, row and column (InstrumentError), or over the size limit (NmahpError). Nothing is kept."""
    label = Path(file_name).name[:200] or "the workbook"
    cap = limits.limit("workbook_bytes")
    if len(data) > cap:
        raise limits.too_big(label, len(data), "workbook_bytes")
    if not data:
        raise NmahpError(f"{label}: the file is empty")
    if not label.lower().endswith(".xlsx"):
        raise NmahpError(f"{label}: a workbook is an Excel .xlsx file")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "workbook.xlsx"
        path.write_bytes(data)
        try:
            return load_instrument(path)
        except InstrumentError as exc:
            raise InstrumentError(label, exc.problems) from None


@dataclass
class Registered:
    version: object  # the kept InstrumentVersion
    diff: VersionDiff | None


def register_version(data: bytes, file_name: str, *, renames: str | dict = "", actor: str = "") -> Registered:
    """Keep a new version of a registered instrument: checked, new (its version and its bytes), and compared
    with the latest kept version (declared renames must name real questions). All or nothing."""
    models, *_, audit = _models()
    from django.db import transaction

    form = check_workbook(data, file_name)
    label = Path(file_name).name[:200]
    if registered(form.form_id) != form.form_id:
        raise InstrumentError(label, [Problem(f"form_id '{form.form_id}' is not a registered instrument "
                                              f"({', '.join(available())}); a new version keeps its instrument's "
                                              "form_id", sheet="settings", column="form_id")])
    if not form.version:
        raise InstrumentError(label, [Problem("the version is empty: give each version its own, e.g. 2024.1",
                                              sheet="settings", column="version")])
    declared = parse_renames(renames) if isinstance(renames, str) else dict(renames)
    keep_bundled(form.form_id)
    checksum = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        kept = models.InstrumentVersion.objects.filter(instrument=form.form_id)
        same = kept.filter(version=form.version).first()
        if same is not None:
            raise InstrumentError(label, [Problem(f"version '{form.version}' of {form.form_id} is already kept "
                                                  f"({same.file_name}, {same.created:%d %b %Y}); give this one a "
                                                  "new version", sheet="settings", column="version")])
        twin = kept.filter(checksum=checksum).first()
        if twin is not None:
            raise NmahpError(f"{label}: this workbook is already kept, byte for byte, as version {twin.version}")
        previous = kept.order_by("-created", "-pk").first()
        change = diff(version_instrument(previous), form, declared) if previous else None
        version = models.InstrumentVersion.objects.create(
            instrument=form.form_id, version=form.version, title=form.title, file_name=label, workbook=data,
            checksum=checksum, renames=declared, previous=previous, uploaded_by=actor[:150])
        audit(actor, "register_instrument_version", f"{form.form_id} {form.version}",
              f"{label}, sha256 {checksum[:16]}" + (f", after {previous.version}" if previous else ""))
    return Registered(version, change)


def version_diff(version) -> VersionDiff | None:
    """What changed from the version before (None for the first kept)."""
    if version.previous is None:
        return None
    return diff(version_instrument(version.previous), version_instrument(version), version.renames or None)


# --- waves -----------------------------------------------------------------------------------------------
def create_wave(version_id: int, name: str, *, opens: dt.date | None = None, closes: dt.date | None = None,
                language: str = "", channels: list[tuple[str, int | None]] = (), actor: str = ""):
    """A wave of the instrument pinned to one kept version, with a collector link per channel given."""
    models, Wave, CollectorLink, _, audit = _models()
    from django.core.exceptions import ValidationError
    from django.db import transaction

    version = models.InstrumentVersion.objects.defer("workbook").filter(pk=version_id).first()
    if version is None:
        raise NmahpError("choose one of the kept versions")
    if opens and closes and closes < opens:
        raise NmahpError(f"the wave cannot close ({closes:%d %b %Y}) before it opens ({opens:%d %b %Y})")
    if Wave.objects.filter(instrument=version.instrument, name=name).exists():
        raise NmahpError(f"{version.instrument} already has a wave called '{name}'")
    wave = Wave(name=name, instrument=version.instrument, form_version=version.version, opens=opens, closes=closes,
                language=language)
    try:
        wave.full_clean()
    except ValidationError as exc:
        raise NmahpError("; ".join(f"{field}: {' '.join(messages)}" for field, messages in
                                   exc.message_dict.items())) from None
    with transaction.atomic():
        wave.save()
        for channel, invited in channels:
            add_collector(wave, channel, invited, actor=actor)
        audit(actor, "create_wave", str(wave), f"version {version.version}"
              + (f", opens {opens}" if opens else "") + (f", closes {closes}" if closes else ""))
    return wave


def add_collector(wave, channel: str, invited: int | None = None, *, organisation_id: int | None = None,
                  actor: str = ""):
    """A collector link for one channel (its own link, so responses and rates can be told apart)."""
    models, _, CollectorLink, _, audit = _models()
    channel = " ".join(channel.split())
    if not CHANNEL.match(channel):
        raise NmahpError("a channel is a short name of letters, digits, spaces, '-', '_' or '.', e.g. email")
    if invited is not None and invited < 0:
        raise NmahpError("the number invited cannot be below 0")
    if wave.collectors.filter(channel=channel).exists():
        raise NmahpError(f"wave {wave.name} already has a link for '{channel}'")
    organisation = None
    if organisation_id:
        organisation = models.Organisation.objects.filter(pk=organisation_id).first()
        if organisation is None:
            raise NmahpError("choose one of the organisations")
    link = CollectorLink.objects.create(wave=wave, channel=channel, invited=invited)
    if organisation is not None:
        models.OrganisationLink.objects.create(collector=link, organisation=organisation)
    audit(actor, "add_collector", str(wave), f"{channel}, invited {invited if invited is not None else 'unknown'}"
          + (f", for {organisation.name}" if organisation else ""))
    return link


def set_invited(link, invited: int | None, *, actor: str = "") -> None:
    _, _, _, _, audit = _models()
    if invited is not None and invited < 0:
        raise NmahpError("the number invited cannot be below 0")
    before = link.invited
    link.invited = invited
    link.save(update_fields=["invited"])
    audit(actor, "set_invited", str(link.wave), f"{link.channel}: {before} -> {invited}")


def close_wave(wave, *, actor: str = "") -> None:
    """Close the wave now: no respondent's answers are taken from here on (unfinished ones stay unfinished)."""
    _, Wave, _, _, audit = _models()
    from django.utils import timezone

    if wave.closed:
        raise NmahpError(f"wave {wave.name} was closed on {timezone.localtime(wave.closed):%d %b %Y %H:%M}")
    now = timezone.now()
    today = timezone.localdate()
    closes = today if wave.closes is None or wave.closes > today else wave.closes
    Wave.objects.filter(pk=wave.pk).update(closed=now, closes=closes)
    wave.closed, wave.closes = now, closes
    audit(actor, "close_wave", str(wave), f"closed {timezone.localtime(now):%Y-%m-%d %H:%M}")


def start_report(wave, fmt: str, *, user=None):
    """The report of the wave (both surveys when both ran a wave of that name), as a background job."""
    _, _, _, _, audit = _models()
    if fmt not in REPORT_FORMATS:
        raise NmahpError(f"the report can be {', '.join(REPORT_FORMATS)}, not '{limits.one_line(fmt, 20)}'")
    job = jobs.submit("report", {"wave": wave.name, "format": fmt}, user=user)
    audit(user.get_username() if user else "", "start_report", str(wave), f"{fmt}, job {job.pk}")
    return job


# --- collector links -------------------------------------------------------------------------------------
def qr_svg(url: str) -> str:
    """The link as a QR code, an SVG document (segno: error correction M, dark on white)."""
    import io

    import segno

    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=4, border=4, xmldecl=False, svgns=True,
                                    title=None, desc=None, svgclass=None, lineclass=None)
    return buffer.getvalue().decode("ascii")


def links(wave, base_url: str) -> list[dict]:
    """The wave's collector links: channel, address, QR code (SVG), invited, started, completed and rates."""
    _, _, CollectorLink, Response, _ = _models()
    from django.db.models import Count, Q

    found = (CollectorLink.objects.filter(wave=wave).select_related("organisation_link__organisation")
             .annotate(started=Count("responses"),
                       completed=Count("responses", filter=Q(responses__status=Response.COMPLETE)))
             .order_by("channel"))
    out = []
    for link in found:
        url = f"{base_url.rstrip('/')}/survey/{link.token}/"
        organisation = getattr(getattr(link, "organisation_link", None), "organisation", None)
        out.append({"id": link.pk, "channel": link.channel, "url": url, "invited": link.invited,
                    "started": link.started, "completed": link.completed,
                    "response_rate": round(100 * link.completed / link.invited, 1) if link.invited else None,
                    "organisation": organisation.name if organisation else None, "qr_svg": qr_svg(url)})
    return out


def wave_facts(wave) -> dict:
    from django.utils import timezone

    return {"id": wave.pk, "name": wave.name, "instrument": wave.instrument, "form_version": wave.form_version,
            "opens": wave.opens.isoformat() if wave.opens else None,
            "closes": wave.closes.isoformat() if wave.closes else None,
            "closed": timezone.localtime(wave.closed).isoformat() if wave.closed else None,
            "state": wave.collecting(), "language": wave.language or None}
