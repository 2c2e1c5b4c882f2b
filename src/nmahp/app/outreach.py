"""Invitations: a list of invitees per collector link (a CSV upload, kept apart from the answers), a link of their
own for each, invitations and reminders by e-mail to those who have not completed, unsubscribing, and the
response rate that follows exactly from them (completed through invitees' links / invitees). Every read or
write of invitees' addresses is in the audit log."""

from __future__ import annotations

import csv
import datetime as dt
import io

from .. import limits
from ..errors import NmahpError
from . import jobs, mail, ready

EMAIL_HEADERS = ("email", "e-mail", "email address", "e-mail address")
NAME_HEADERS = ("name", "full name")
REMIND_AFTER_DAYS, MOST_REMINDERS = 7, 2


def _models():
    ready()
    from ..web.accounts.models import audit
    from ..web.outreach.models import Invitee
    from ..web.surveys.models import CollectorLink, Response

    return Invitee, CollectorLink, Response, audit


# --- the list -----------------------------------------------------------------------------------------------
def read_invitees(data: bytes, label: str = "the list") -> list[tuple[str, str]]:
    """(address, name) per row of a CSV with an 'email' column (and optionally 'name'). Every problem of the
    file is found before anything is stored; rows are named by their line in the file. Errors never repeat an
    address (the page that shows them is not the place to copy one from)."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    if not data.strip():
        raise NmahpError(f"{label}: the file is empty")
    if len(data) > limits.limit("invitees_bytes"):
        raise limits.too_big(label, len(data), "invitees_bytes")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise NmahpError(f"{label}: not UTF-8 text; save it from Excel as 'CSV UTF-8'") from None
    if "\x00" in text:
        raise NmahpError(f"{label}: not a CSV file (it holds binary data)")
    rows = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [" ".join(h.split()).lower() for h in next(rows)]
    except csv.Error as exc:
        raise NmahpError(f"{label}: line 1 is not CSV ({limits.one_line(exc)})") from None
    email_col = next((header.index(h) for h in EMAIL_HEADERS if h in header), None)
    if email_col is None:
        raise NmahpError(f"{label}: line 1 must name the columns, one of them 'email' (found: "
                         f"{limits.one_line(', '.join(header) or 'nothing')})")
    name_col = next((header.index(h) for h in NAME_HEADERS if h in header), None)
    cap, problems, seen, out = limits.limit("invitees_rows"), [], {}, []
    try:
        for row in rows:
            line = rows.line_num
            if line > cap:
                raise limits.too_big(label, line, "invitees_rows", "the number of rows")
            if not any(cell.strip() for cell in row):
                continue
            address = row[email_col].strip() if email_col < len(row) else ""
            name = " ".join(row[name_col].split())[:200] if name_col is not None and name_col < len(row) else ""
            try:
                validate_email(address)
            except ValidationError:
                problems.append(f"line {line}, column 'email': " + ("empty" if not address else
                                "not an e-mail address"))
                continue
            key = address.lower()
            if key in seen:
                problems.append(f"line {line}: the same address as line {seen[key]}")
                continue
            seen[key] = line
            out.append((address, name))
    except csv.Error as exc:
        raise NmahpError(f"{label}: line {rows.line_num} is not CSV ({limits.one_line(exc)})") from None
    if problems:
        more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
        raise NmahpError(f"{label}: nothing was added; " + "; ".join(problems[:10]) + more)
    if not out:
        raise NmahpError(f"{label}: no invitees in the file (only its header row)")
    return out


def add_invitees(collector, data: bytes, *, label: str = "the list", actor: str = "") -> dict:
    """Add a CSV's invitees to a collector link, all or none; an address already on the link's list is left
    as it is. Returns {'added': n, 'already': m}."""
    from django.db import transaction

    Invitee, _, _, audit = _models()
    rows = read_invitees(data, label)
    with transaction.atomic():
        known = {e.lower() for e in Invitee.objects.filter(collector=collector).values_list("email", flat=True)}
        new = [Invitee(collector=collector, email=a, name=n) for a, n in rows if a.lower() not in known]
        Invitee.objects.bulk_create(new, batch_size=1000)
        audit(actor, "store_contact_details", f"collector {collector.pk} ({collector})",
              f"{len(new)} invitees' addresses added, {len(rows) - len(new)} already on the list")
    return {"added": len(new), "already": len(rows) - len(new)}


def _completed_keys(Response, invitees) -> set[str]:
    keys = [i.respondent_key for i in invitees if i.respondent_key]
    return set(Response.objects.filter(respondent_key__in=keys, status=Response.COMPLETE)
               .values_list("respondent_key", flat=True))


# --- sending ------------------------------------------------------------------------------------------------
def send_invitations(collector, *, actor: str = "") -> int:
    """Invite everyone on the link's list not invited yet (nor unsubscribed); returns how many."""
    from django.db import transaction
    from django.utils import timezone

    Invitee, *_ = _models()
    with transaction.atomic():
        waiting = list(Invitee.objects.select_for_update().filter(collector=collector, invited__isnull=True,
                                                                  unsubscribed__isnull=True))
        Invitee.objects.filter(pk__in=[i.pk for i in waiting]).update(invited=timezone.now())
        for invitee in waiting:
            mail.send("invitation", "invitee", invitee.pk, actor=actor)
    return len(waiting)


def due_reminders(collector=None, *, now=None, after_days: int = REMIND_AFTER_DAYS, most: int = MOST_REMINDERS):
    """Invitees a reminder is due to: invited (or last reminded) `after_days` ago or more, fewer than `most`
    reminders so far, not unsubscribed, and not completed through their link."""
    from django.db.models import Q
    from django.utils import timezone

    Invitee, _, Response, _ = _models()
    since = (now or timezone.now()) - dt.timedelta(days=after_days)
    found = Invitee.objects.filter(invited__isnull=False, unsubscribed__isnull=True, reminders__lt=most).filter(
        Q(last_reminded__isnull=True, invited__lte=since) | Q(last_reminded__lte=since))
    if collector is not None:
        found = found.filter(collector=collector)
    found = list(found)
    done = _completed_keys(Response, found)
    return [i for i in found if i.respondent_key not in done]


def send_reminders(collector=None, *, now=None, after_days: int = REMIND_AFTER_DAYS, most: int = MOST_REMINDERS,
                   actor: str = "") -> int:
    """Remind every invitee a reminder is due to (of one link, or of every open wave's links); returns how many."""
    from django.db import transaction
    from django.db.models import F
    from django.utils import timezone

    Invitee, *_ = _models()
    now = now or timezone.now()
    with transaction.atomic():
        due = [i for i in due_reminders(collector, now=now, after_days=after_days, most=most)
               if i.collector.wave.collecting() == i.collector.wave.OPEN]
        Invitee.objects.filter(pk__in=[i.pk for i in due]).update(reminders=F("reminders") + 1, last_reminded=now)
        for invitee in due:
            mail.send("reminder", "invitee", invitee.pk, actor=actor)
    return len(due)


@jobs.task("outreach_reminders", title="survey reminders")
def reminders_job(progress, after_days: int = REMIND_AFTER_DAYS, most: int = MOST_REMINDERS) -> dict:
    """Run daily (`nmahp jobs submit outreach_reminders` from cron): reminders to whoever is due one."""
    count = send_reminders(after_days=int(after_days), most=int(most), actor="scheduled reminders")
    progress(1, 1, "queued")
    return {"summary": f"{count} reminders queued", "reminders": count}


@mail.resolver("invitee")
def _invitee(recipient_id: int, message) -> mail.Recipient | None:
    from nmahp.instruments import get_instrument

    Invitee, _, Response, _ = _models()
    invitee = Invitee.objects.filter(pk=recipient_id).select_related("collector__wave").first()
    if invitee is None:
        return None
    skip = "unsubscribed" if invitee.unsubscribed else ""
    if not skip and message.template == "reminder" and _completed_keys(Response, [invitee]):
        skip = "already completed the survey"
    wave = invitee.collector.wave
    unsubscribe = mail.site_url(f"/unsubscribe/{invitee.token}/")
    return mail.Recipient(
        invitee.email, invitee.name, skip,
        {"link": mail.site_url(f"/invite/{invitee.token}/"), "unsubscribe": unsubscribe,
         "survey": get_instrument(wave.instrument, version=wave.form_version).title,
         "closes": wave.closes.strftime("%-d %B %Y") if wave.closes else ""},
        {"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"})


# --- an invitee's own links -----------------------------------------------------------------------------------
def invitee_by_token(token: str):
    Invitee, *_ = _models()
    invitee = Invitee.objects.filter(token=token).select_related("collector__wave").first()
    if invitee is None:
        raise NmahpError("this link is not known: it may have been mistyped or the invitation withdrawn")
    return invitee


def started(invitee, respondent_key: str) -> None:
    """The response an invitee's own link started: from now on their link resumes it, and completing it counts
    for the link's response rate."""
    Invitee, *_ = _models()
    Invitee.objects.filter(pk=invitee.pk).update(respondent_key=respondent_key)
    invitee.respondent_key = respondent_key


def unsubscribe(invitee) -> bool:
    """No more e-mail to this invitee (their link still works); False if they had unsubscribed already."""
    from django.utils import timezone

    Invitee, _, _, audit = _models()
    changed = Invitee.objects.filter(pk=invitee.pk, unsubscribed__isnull=True).update(unsubscribed=timezone.now())
    if changed:
        audit("invitee", "unsubscribe", f"invitee {invitee.pk}", f"collector {invitee.collector_id}")
    return bool(changed)


# --- rates --------------------------------------------------------------------------------------------------
def invitee_counts(collector_ids=None) -> dict[int, tuple[int, int]]:
    """{collector id: (invitees, completed through invitees' links)} for links with a list; two queries."""
    from django.db.models import Count

    Invitee, _, Response, _ = _models()
    found = Invitee.objects.all() if collector_ids is None else Invitee.objects.filter(collector_id__in=collector_ids)
    totals = {row["collector_id"]: row["n"] for row in found.values("collector_id").annotate(n=Count("pk"))}
    done = Response.objects.filter(status=Response.COMPLETE, respondent_key__in=found.exclude(respondent_key="")
                                   .values("respondent_key"), collector_id__in=totals)
    completed = {row["collector_id"]: row["n"] for row in done.values("collector_id").annotate(n=Count("pk"))}
    return {cid: (n, completed.get(cid, 0)) for cid, n in totals.items()}


def invitee_annotations() -> dict:
    """Annotations of a CollectorLink queryset, in the same query: `invitee_count` (None for a link with no list) and
    `invitees_completed` (responses completed through invitees' own links)."""
    from django.db.models import Count, OuterRef, Subquery

    Invitee, _, Response, _ = _models()
    listed = Invitee.objects.filter(collector=OuterRef("pk")).values("collector").annotate(n=Count("pk")).values("n")
    keys = (Invitee.objects.filter(collector=OuterRef(OuterRef("pk"))).exclude(respondent_key="")
            .values("respondent_key"))
    done = (Response.objects.filter(collector=OuterRef("pk"), status=Response.COMPLETE, respondent_key__in=keys)
            .values("collector").annotate(n=Count("pk")).values("n"))
    return {"invitee_count": Subquery(listed), "invitees_completed": Subquery(done)}


def summary(collector) -> dict:
    """A link's list as plain data (counts only, never an address): for its page and the twin."""
    from django.db.models import Count, Q

    from ..web.outreach.models import Message

    Invitee, *_ = _models()
    people = Invitee.objects.filter(collector=collector)
    counts = people.aggregate(invitees=Count("pk"), invited=Count("pk", filter=Q(invited__isnull=False)),
                              reminded=Count("pk", filter=Q(reminders__gt=0)),
                              unsubscribed=Count("pk", filter=Q(unsubscribed__isnull=False)),
                              started=Count("pk", filter=~Q(respondent_key="")))
    invitees, completed = invitee_counts([collector.pk]).get(collector.pk, (0, 0))
    ids = list(people.values_list("pk", flat=True))
    messages = (Message.objects.filter(recipient_kind=Message.INVITEE, recipient_id__in=ids)
                .values("template", "status").annotate(n=Count("pk")))
    sent: dict[str, dict[str, int]] = {}
    for row in messages:
        sent.setdefault(row["template"], {})[row["status"]] = row["n"]
    return {**counts, "completed": completed,
            "response_rate": round(100 * completed / invitees, 1) if invitees else None,
            "messages": sent, "due_reminders": len(due_reminders(collector))}


# --- erasure ------------------------------------------------------------------------------------------------
def register_erasure_hook() -> None:
    from . import people

    if _erase_from_outreach not in people.ERASURE_HOOKS:
        people.on_erasure(_erase_from_outreach)


def _erase_from_outreach(erasure) -> dict[str, int]:
    """An erased respondent's invitation (their address, tied to their answers by the key their link started) and
    their place in an interview sample go, with the record of what was sent to them."""
    from ..web.outreach.models import Interviewee, Message

    Invitee, *_ = _models()
    invitees = list(Invitee.objects.filter(respondent_key=erasure.respondent_key).values_list("pk", flat=True))
    places = list(Interviewee.objects.filter(respondent_key=erasure.respondent_key).values_list("pk", flat=True))
    Message.objects.filter(recipient_kind=Message.INVITEE, recipient_id__in=invitees).delete()
    Message.objects.filter(recipient_kind=Message.INTERVIEWEE, recipient_id__in=places).delete()
    Invitee.objects.filter(pk__in=invitees).delete()
    Interviewee.objects.filter(pk__in=places).delete()
    return {"invitations": len(invitees), "interview sample places": len(places)}
