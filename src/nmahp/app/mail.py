"""E-mail that goes out: each message is a row (`Message`: a template, its context, whom it is for by reference)
and a task on the background queue that sends it through Django's e-mail framework (SMTP from the environment,
the console by default). A message the server does not take is tried again by Huey (NMAHP_EMAIL_RETRIES times,
NMAHP_EMAIL_RETRY_DELAY seconds apart), then marked failed. Addresses are read only when a message is sent, each
read is in the audit log, and no address is ever written to a log, an error or the queue."""

from __future__ import annotations

import copy
import logging
import re
from dataclasses import dataclass, field

from ..errors import NmahpError
from . import jobs, ready

log = logging.getLogger("nmahp.mail")
TASK = "nmahp.send_mail"
TEMPLATES = ("invitation", "reminder", "mentoring_match", "mentoring_declined", "interview_invitation",
             "alert_confirm", "opportunity_alert")
ADDRESS = re.compile(r"[^\s<>\"'(),;:]+@[^\s<>\"'(),;:]+")


class MailNotSent(Exception):
    """The server did not take a message; the text has every address blanked out (Huey logs it)."""


@dataclass
class Recipient:
    address: str
    name: str = ""
    skip: str = ""  # why not to send after all (unsubscribed, already responded, withdrew)
    context: dict = field(default_factory=dict)
    headers: dict = field(default_factory=dict)


def _models():
    ready()
    from ..web.accounts.models import audit
    from ..web.outreach.models import Message

    return Message, audit


# --- the queue's task -------------------------------------------------------------------------------------
def _register(huey):
    """The sending task on this Huey instance (once): called by jobs.queue() for every instance it makes, so a
    worker knows the task, and here for an instance made before this module was imported."""
    task = getattr(huey, "send_mail", None)
    if task is None:
        task = huey.task(name=TASK, context=True)(_run)
        huey.send_mail = task
    return task


def _run(message_id: int, task=None) -> None:
    deliver(message_id, last_try=task is None or not task.retries)


if _register not in jobs.QUEUE_TASKS:
    jobs.QUEUE_TASKS.append(_register)


def _enqueue(message_id: int) -> None:
    from django.conf import settings

    task = _register(jobs.queue())
    try:
        task.huey.enqueue(task.s(message_id, retries=settings.NMAHP_EMAIL_RETRIES,
                                 retry_delay=settings.NMAHP_EMAIL_RETRY_DELAY))
    except Exception as exc:  # the queue's server is down: the message stays queued, with why
        Message, _ = _models()
        log.error("message %s could not be queued: %s", message_id, type(exc).__name__)
        Message.objects.filter(pk=message_id).update(error=f"not queued: {type(exc).__name__}")


# --- asking for a message ---------------------------------------------------------------------------------
def send(template: str, recipient_kind: str, recipient_id: int, context: dict | None = None, *, actor: str = ""):
    """Queue one message (sent once the surrounding transaction commits). `context` is plain data and holds no
    contact detail: the recipient's name and address are filled in when it is sent."""
    Message, _ = _models()
    if template not in TEMPLATES:
        raise NmahpError(f"no e-mail template '{template}' (known: {', '.join(TEMPLATES)})")
    if recipient_kind not in dict(Message.RECIPIENTS):
        raise NmahpError(f"no kind of recipient '{recipient_kind}'")
    message = Message.objects.create(template=template, context=dict(context or {}), recipient_kind=recipient_kind,
                                     recipient_id=recipient_id, asked_by=actor[:150])
    jobs._after_commit(lambda: _enqueue(message.pk))
    return message


# --- sending ----------------------------------------------------------------------------------------------
RESOLVERS = {}


def resolver(kind: str):
    """Register `fn(recipient_id, message) -> Recipient | None` for a kind of recipient."""
    def register(fn):
        RESOLVERS[kind] = fn
        return fn
    return register


def site_url(path: str) -> str:
    from django.conf import settings

    return settings.NMAHP_SITE_URL + path


def render(template: str, context: dict, recipient: Recipient):
    """The message as it is sent: a plain-text body and an HTML alternative from the same context."""
    from django.conf import settings
    from django.core.mail import EmailMultiAlternatives
    from django.template.loader import render_to_string

    context = {**context, **recipient.context, "name": recipient.name, "site_url": settings.NMAHP_SITE_URL}
    base = f"web/outreach/email/{template}"
    subject = " ".join(render_to_string(f"{base}.subject.txt", context).split())
    email = EmailMultiAlternatives(subject, render_to_string(f"{base}.txt", context),
                                   settings.DEFAULT_FROM_EMAIL, [recipient.address], headers=recipient.headers)
    email.attach_alternative(render_to_string(f"{base}.html", context), "text/html")
    return email


def deliver(message_id: int, *, last_try: bool = True) -> str:
    """Send one queued message now (what the worker does); returns its status. A message already sent, or whose
    recipient has gone, unsubscribed or no longer needs it, is not sent. On a failure the error (addresses
    blanked) is kept on the message, and MailNotSent is raised so the queue tries again."""
    from django.db.models import F
    from django.utils import timezone

    Message, audit = _models()
    message = Message.objects.filter(pk=message_id).first()
    if message is None or message.status in (Message.SENT, Message.SKIPPED):
        return message.status if message else "gone"
    jobs._discover()  # the resolvers live beside the work that sends (outreach, interviews): all registered
    recipient = RESOLVERS[message.recipient_kind](message.recipient_id, message)
    if recipient is None or recipient.skip or not recipient.address:
        why = recipient.skip if recipient and recipient.skip else "the recipient has no address any more"
        Message.objects.filter(pk=message.pk).update(status=Message.SKIPPED, error=why)
        return Message.SKIPPED
    audit(message.asked_by or "mailer", "use_contact_details", f"{message.recipient_kind} {message.recipient_id}",
          f"e-mail address read to send '{message.template}' (message {message.pk})")
    Message.objects.filter(pk=message.pk).update(attempts=F("attempts") + 1)
    try:
        render(message.template, message.context, recipient).send(fail_silently=False)
    except Exception as exc:
        error = ADDRESS.sub("[address]", f"{type(exc).__name__}: {exc}")[:1000]
        Message.objects.filter(pk=message.pk).update(status=Message.FAILED if last_try else Message.QUEUED,
                                                     error=error)
        log.warning("message %s (%s) not sent%s: %s", message.pk, message.template,
                    "" if last_try else ", to be tried again", error)
        raise MailNotSent(f"message {message.pk}: {error}") from None
    Message.objects.filter(pk=message.pk).update(status=Message.SENT, sent=timezone.now(), error="")
    return Message.SENT


def status(message_ids) -> dict[str, int]:
    """How many of these messages are queued, sent, failed or skipped."""
    from django.db.models import Count

    Message, _ = _models()
    rows = Message.objects.filter(pk__in=list(message_ids)).values("status").annotate(n=Count("pk"))
    return {row["status"]: row["n"] for row in rows}


# --- mentoring's recipients ---------------------------------------------------------------------------------
@resolver("clinician")
def _clinician(recipient_id: int, message) -> Recipient | None:
    from ..web.mentoring.models import ClinicianProfile

    profile = ClinicianProfile.objects.filter(pk=recipient_id).first()
    if profile is None:
        return None
    return Recipient(profile.email, profile.name, "" if profile.opted_in else "withdrew from mentoring",
                     {"page": site_url(f"/mentoring/me/{profile.key}/")})


@resolver("mentor")
def _mentor(recipient_id: int, message) -> Recipient | None:
    from ..web.mentoring.models import MentorProfile

    profile = MentorProfile.objects.filter(pk=recipient_id).select_related("user").first()
    if profile is None:
        return None
    user = profile.user
    return Recipient(user.email, user.get_full_name() or user.get_username(),
                     "" if profile.opted_in else "no longer mentoring", {"page": site_url("/mentoring/mentor/")})


def mentoring_notices(matches, event: str, *, actor: str = "") -> int:
    """Tell both people of each match: 'published' (a proposed match to answer), 'declined_by_clinician' or
    'declined_by_mentor' (the other one is told, and that they join the next round)."""
    sent = 0
    for match in matches:
        if event == "published":
            send("mentoring_match", "clinician", match.clinician_id, {"role": "clinician"}, actor=actor)
            send("mentoring_match", "mentor", match.mentor_id, {"role": "mentor"}, actor=actor)
            sent += 2
        elif event == "declined_by_clinician":
            send("mentoring_declined", "mentor", match.mentor_id, {"by": "clinician"}, actor=actor)
            sent += 1
        elif event == "declined_by_mentor":
            send("mentoring_declined", "clinician", match.clinician_id, {"by": "mentor"}, actor=actor)
            sent += 1
        else:
            raise NmahpError(f"no mentoring notice for '{event}'")
    return sent


# --- the development backend ------------------------------------------------------------------------------
def masked(address: str) -> str:
    """An address as a log may show it: its first character and its domain (a***@nhs.net)."""
    local, _, domain = address.rpartition("@")
    return f"{local[:1]}***@{domain}"


def mask_addresses(text: str) -> str:
    return ADDRESS.sub(lambda m: masked(m.group()), text)


def _console_base():
    from django.core.mail.backends.console import EmailBackend

    return EmailBackend


class RedactedConsoleBackend(_console_base()):
    """Django's console backend (the default when no SMTP server is set: settings.py), with every e-mail address
    masked: the console is the server's output, which goes to logs, and addresses are personal data. The message
    is masked before it is encoded (a quoted-printable line break can split an address), and its text again after
    (headers Django adds)."""

    def write_message(self, message):
        shown = copy.copy(message)
        shown.to, shown.cc, shown.bcc, shown.reply_to = ([mask_addresses(a) for a in getattr(message, name)]
                                                         for name in ("to", "cc", "bcc", "reply_to"))
        shown.from_email = mask_addresses(message.from_email or "")
        shown.subject, shown.body = mask_addresses(message.subject), mask_addresses(message.body)
        shown.extra_headers = {k: mask_addresses(str(v)) for k, v in message.extra_headers.items()}
        shown.alternatives = [a._replace(content=mask_addresses(a.content)) if isinstance(a.content, str) else a
                              for a in getattr(message, "alternatives", [])]
        text = shown.message().as_bytes().decode("utf-8", errors="replace")
        self.stream.write(f"{mask_addresses(text)}\n{'-' * 79}\n")
