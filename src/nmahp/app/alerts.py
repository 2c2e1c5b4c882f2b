"""Opportunity alerts by saved filter: someone saves the careers board's filters with their address, confirms
from the first message, and is then sent the opportunities newly matching them (a daily job), each at most
once, until they unsubscribe. The address is read only to send (audited) and never shown."""

from __future__ import annotations

from django.utils import timezone

from ..errors import NmahpError
from . import jobs, mail, ready

ready()

from django.core.exceptions import ValidationError  # noqa: E402
from django.core.validators import validate_email  # noqa: E402
from django.db import transaction  # noqa: E402

from ..web.accounts.models import audit  # noqa: E402
from ..web.outreach.models import Message, OpportunityAlert  # noqa: E402

FILTERS = ("kind", "region", "group", "stage")


def subscribe(email: str, filters: dict) -> OpportunityAlert:
    """Save the filters with the address and send the message that confirms it."""
    email = email.strip()
    try:
        validate_email(email)
    except ValidationError:
        raise NmahpError("Enter an e-mail address, like name@nhs.net") from None
    alert = OpportunityAlert.objects.create(email=email, filters={k: filters.get(k) or "" for k in FILTERS})
    audit("alert subscriber", "store_contact_details", f"alert {alert.pk}", "an address saved for opportunity alerts")
    mail.send("alert_confirm", Message.ALERT, alert.pk)
    return alert


def by_token(token: str) -> OpportunityAlert:
    alert = OpportunityAlert.objects.filter(token=token).first()
    if alert is None:
        raise NmahpError("this alert is not known: the link may have been mistyped")
    return alert


def confirm(alert: OpportunityAlert) -> None:
    if alert.confirmed is None:
        alert.confirmed = timezone.now()
        alert.save(update_fields=["confirmed"])


def unsubscribe(alert: OpportunityAlert) -> None:
    if alert.unsubscribed is None:
        alert.unsubscribed = timezone.now()
        alert.save(update_fields=["unsubscribed"])
        audit("alert subscriber", "unsubscribe", f"alert {alert.pk}", "")


def _matching(filters: dict) -> list:
    from .opportunities import opportunities_for

    return opportunities_for({**{k: filters.get(k) or "" for k in FILTERS}, "closed": False})


def send_alerts() -> int:
    """Each confirmed alert is sent the open opportunities matching its filters that it has not been sent yet."""
    sent = 0
    with transaction.atomic():
        for alert in OpportunityAlert.objects.select_for_update().filter(confirmed__isnull=False,
                                                                         unsubscribed__isnull=True):
            new = [o for o in _matching(alert.filters) if o.pk not in set(alert.sent_ids)]
            if not new:
                continue
            mail.send("opportunity_alert", Message.ALERT, alert.pk, {"opportunities": [
                {"title": o.title, "organisation": o.organisation, "closes_on": o.closes_on.strftime("%-d %B %Y"),
                 "url": o.url or mail.site_url("/careers/opportunities/")} for o in new]}, actor="opportunity alerts")
            alert.sent_ids = [*alert.sent_ids, *(o.pk for o in new)]
            alert.save(update_fields=["sent_ids"])
            sent += 1
    return sent


@jobs.task("opportunity_alerts", atomic=False, title="opportunity alerts")
def alerts_job(progress) -> dict:
    """Run daily (`nmahp jobs submit opportunity_alerts` from cron)."""
    count = send_alerts()
    progress(1, 1, "queued")
    return {"summary": f"{count} alerts queued", "alerts": count}


@mail.resolver(Message.ALERT)
def _alert(recipient_id: int, message) -> mail.Recipient | None:
    alert = OpportunityAlert.objects.filter(pk=recipient_id).first()
    if alert is None:
        return None
    skip = "unsubscribed" if alert.unsubscribed else ""
    if message.template != "alert_confirm" and not alert.confirmed:
        skip = skip or "not confirmed"
    page = mail.site_url(f"/careers/alerts/{alert.token}/")
    chosen = {k: v for k, v in alert.filters.items() if v}
    return mail.Recipient(alert.email, "", skip, {"page": page, "filters": chosen},
                          {"List-Unsubscribe": f"<{page}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"})
