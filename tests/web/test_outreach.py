"""Invitations through the pages and the queue: an invitee list uploaded as CSV (limits, clear errors, nothing
stored on error), each invitee's own link starting and then resuming their response, reminders that skip those
who completed and those who unsubscribed, and the dashboard's response rate, exact from invitees."""

import datetime as dt
import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from nmahp.app import outreach
from nmahp.instruments import get_instrument
from nmahp.instruments.synth import synthesise
from nmahp.web.accounts.models import AuditEvent
from nmahp.web.outreach.models import Invitee
from nmahp.web.surveys import store
from nmahp.web.surveys.models import CollectorLink, Response, Wave

pytestmark = [pytest.mark.db, pytest.mark.django_db]
FOUR = b"Email,Name\nann@a.nhs.example,Ann\nben@b.nhs.example,Ben\ncat@c.nhs.example,\ndan@d.nhs.example,Dan\n"


@pytest.fixture
def link(db):
    wave = Wave.objects.create(instrument="nmahp_survey", name="2031", form_version="1")
    return CollectorLink.objects.create(wave=wave, channel="staff email")


def _upload(client, link, content: bytes, name="invitees.csv"):
    return client.post(f"/programme/links/{link.pk}/invitees/",
                       {"action": "upload", "invitees": SimpleUploadedFile(name, content, "text/csv")})


@pytest.mark.parametrize("content, says", [
    (b"name,address\nAnn,ann@a.nhs.example\n", "line 1 must name the columns, one of them 'email'"),
    (b"email\nann@a.nhs.example\nnot-an-address\n\nben@b.nhs.example\nANN@a.nhs.example\n",
     "line 3, column 'email': not an e-mail address; line 6: the same address as line 2"),
    ("email,name\nann@a.nhs.example,Zoë\n".encode("utf-16"), "not UTF-8 text"),
    (b"email\n", "no invitees in the file"),
    (b"email\n" + b"".join(b"n%d@b.nhs.example\n" % i for i in range(6)), "the number of rows is 7, over the limit of 6"),
    (b"email\n" + b"\x00\x01" * 10, "not a CSV file"),
])
def test_a_bad_list_is_refused_clearly_and_nothing_is_stored(signed_in, link, monkeypatch, content, says):
    monkeypatch.setenv("NMAHP_MAX_INVITEES_ROWS", "6")
    page = _upload(signed_in("analyst"), link, content)
    assert page.status_code == 400 and says in html.unescape(page.content.decode())
    assert Invitee.objects.count() == 0 and not AuditEvent.objects.filter(action="store_contact_details").exists()
    assert b"@a.nhs.example" not in page.content  # an error never repeats an address


def test_a_list_over_the_size_limit_is_refused_before_it_is_read(signed_in, link, monkeypatch):
    monkeypatch.setenv("NMAHP_MAX_INVITEES_MB", "0.0001")  # 104 bytes
    page = _upload(signed_in("analyst"), link, FOUR + b"eve@e.nhs.example,Eve\n")
    text = html.unescape(page.content.decode())
    assert page.status_code == 400 and "over the limit" in text
    assert "NMAHP_MAX_INVITEES_MB" in text and Invitee.objects.count() == 0


def test_the_list_page_shows_counts_never_addresses_and_only_to_the_programme(signed_in, link):
    analyst = signed_in("analyst")
    assert _upload(analyst, link, FOUR).status_code == 200
    again = _upload(analyst, link, b"email\nann@a.nhs.example\neve@e.nhs.example\n")
    assert "1 invitees added; 1 were on the list already" in html.unescape(again.content.decode())
    twin = analyst.get(f"/programme/links/{link.pk}/invitees.json").json()
    assert (twin["invitees"], twin["invited"], twin["response_rate"]) == (5, 0, 0.0)
    assert "nhs.example" not in str(twin) and b"nhs.example" not in again.content
    assert signed_in("lead").get(f"/programme/links/{link.pk}/invitees/").status_code == 403


def _answers(seed):
    return synthesise(get_instrument("nmahp_survey"), 1, seed=seed)[0]


def _start(invitee) -> str:
    """Consent on the invitee's own link, as they would; returns the key of the response it started."""
    client = Client()
    page = client.post(f"/invite/{invitee.token}/", {"consent": "yes"})
    assert page.status_code == 302 and "/respond/" in page.url
    invitee.refresh_from_db()
    assert invitee.respondent_key and page.url.startswith(f"/respond/{invitee.respondent_key}/")
    return invitee.respondent_key


def test_an_invitees_link_starts_their_response_then_resumes_it(link):
    outreach.add_invitees(link, FOUR)
    ann = Invitee.objects.get(name="Ann")
    assert "consent" in Client().get(f"/invite/{ann.token}/").content.decode().lower()
    key = _start(ann)
    assert Response.objects.get(respondent_key=key).collector == link
    again = Client().get(f"/invite/{ann.token}/")
    assert again.status_code == 302 and again.url == f"/respond/{key}/"
    assert Client().get("/invite/no-such-token/").status_code == 404


def test_reminders_skip_who_completed_and_who_unsubscribed(link, mailoutbox):
    outreach.add_invitees(link, FOUR)
    assert outreach.send_invitations(link) == 4 and len(mailoutbox) == 4
    ann, ben, cat, dan = Invitee.objects.order_by("email")
    store.save_response(link.wave, _answers(1), complete=True, collector=link, respondent_key=_start(ann))
    _start(ben)  # started, never finished: still reminded
    assert Client().post(f"/unsubscribe/{cat.token}/").status_code == 200  # one-click, no form needed
    now = timezone.now()
    assert outreach.send_reminders(link, now=now) == 0  # not due yet
    assert outreach.send_reminders(link, now=now + dt.timedelta(days=8)) == 2
    reminded = sorted(r for m in mailoutbox[4:] for r in m.to)
    assert reminded == ["ben@b.nhs.example", "dan@d.nhs.example"]
    assert all(m.subject.startswith("Reminder:") and "/unsubscribe/" in m.body for m in mailoutbox[4:])
    assert outreach.send_reminders(link, now=now + dt.timedelta(days=9)) == 0  # a week between two
    assert outreach.send_reminders(link, now=now + dt.timedelta(days=16)) == 2
    assert outreach.send_reminders(link, now=now + dt.timedelta(days=40)) == 0  # two at most
    assert AuditEvent.objects.filter(action="unsubscribe", target=f"invitee {cat.pk}").count() == 1


def test_a_reminder_queued_before_they_completed_is_not_sent(link, mailoutbox, settings):
    outreach.add_invitees(link, b"email\nann@a.nhs.example\n")
    outreach.send_invitations(link)
    ann = Invitee.objects.get()
    store.save_response(link.wave, _answers(2), complete=True, collector=link, respondent_key=_start(ann))
    from nmahp.app import mail

    message = mail.send("reminder", "invitee", ann.pk)
    message.refresh_from_db()
    assert (message.status, message.error, len(mailoutbox)) == ("skipped", "already completed the survey", 1)


def test_the_dashboards_response_rate_is_exact_from_invitees(signed_in, link):
    outreach.add_invitees(link, FOUR)
    ann, ben, *_ = Invitee.objects.order_by("email")
    store.save_response(link.wave, _answers(3), complete=True, collector=link, respondent_key=_start(ann))
    _start(ben)
    store.save_response(link.wave, _answers(4), complete=True, collector=link)  # the shared link, not an invitee's
    other = CollectorLink.objects.create(wave=link.wave, channel="twitter", invited=10)
    store.save_response(link.wave, _answers(5), complete=True, collector=other)
    waves = signed_in("analyst").get("/dashboard.json").json()["waves"]
    rates = {c["channel"]: c for c in waves[0]["collectors"]}
    assert rates["staff email"]["invited"] == 4 and rates["staff email"]["rate_from"] == "invitees"
    assert rates["staff email"]["invitees_completed"] == 1 and rates["staff email"]["response_rate"] == 25.0
    assert rates["staff email"]["completed"] == 2  # all completions through the link are still counted
    assert (rates["twitter"]["response_rate"], rates["twitter"]["rate_from"]) == (10.0, "invited")


def test_erasing_a_respondent_removes_their_invitation(link, mailoutbox):
    from nmahp.app.people import erase_respondent
    from nmahp.web.outreach.models import Message

    outreach.add_invitees(link, FOUR)
    outreach.send_invitations(link)
    ann = Invitee.objects.get(name="Ann")
    key = _start(ann)
    removed = erase_respondent(key, actor="dpo")
    assert removed.get("invitations") == 1 and not Invitee.objects.filter(pk=ann.pk).exists()
    assert not Message.objects.filter(recipient_kind="invitee", recipient_id=ann.pk).exists()
    assert Invitee.objects.count() == 3 and Message.objects.count() == 3
