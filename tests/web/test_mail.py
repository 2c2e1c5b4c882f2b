"""E-mail that goes out: invitations, reminders and mentoring notices sent through the background queue to a
real SMTP server on this machine (aiosmtpd), checked as received: recipients, plain-text and HTML parts, the
invitee's own link and the unsubscribe link; a transient refusal tried again by the queue; every read of an
address audited, and no address in any log line."""

import logging

import pytest
from django.contrib.auth import get_user_model

from nmahp.app import matching, outreach
from nmahp.web.accounts.models import AuditEvent
from nmahp.web.mentoring.models import ClinicianProfile, Match, MatchingRound, MentorProfile
from nmahp.web.outreach.models import Invitee, Message
from nmahp.web.surveys.models import CollectorLink, Wave

from .smtp import SmtpServer

pytestmark = [pytest.mark.db, pytest.mark.django_db]
LIST = b"email,name\nada.l@trust-a.nhs.example,Ada L\nbo.k@trust-b.nhs.example,\n"
ADDRESSES = ["ada.l@trust-a.nhs.example", "bo.k@trust-b.nhs.example"]


@pytest.fixture
def smtp(settings):
    def start(refuse_first=0, retries=2):
        server = SmtpServer(refuse_first)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.NMAHP_EMAIL_RETRIES, settings.NMAHP_EMAIL_RETRY_DELAY = retries, 0  # the queue retries at once
        settings.NMAHP_SITE_URL = "https://pathways.example"
        servers.append(server.__enter__())
        return server
    servers = []
    # aiosmtpd's own log ('mail.log') stands for the remote server's: quiet, so caplog holds only ours
    remote = logging.getLogger("mail.log")
    level, remote.level = remote.level, logging.WARNING
    yield start
    remote.setLevel(level)
    for server in servers:
        server.__exit__(None, None, None)


@pytest.fixture
def link(db):
    wave = Wave.objects.create(instrument="nmahp_survey", name="2031", form_version="1")
    return CollectorLink.objects.create(wave=wave, channel="staff email")


def test_invitations_arrive_with_both_parts_their_own_link_and_unsubscribe(smtp, link, caplog):
    server = smtp()
    outreach.add_invitees(link, LIST, actor="analyst-1")
    with caplog.at_level(logging.DEBUG):
        assert outreach.send_invitations(link, actor="analyst-1") == 2
    assert sorted(r for m in server.received for r in m.recipients) == ADDRESSES
    for got in server.received:
        invitee = Invitee.objects.get(email=got.recipients[0])
        own, unsubscribe = (f"https://pathways.example/invite/{invitee.token}/",
                            f"https://pathways.example/unsubscribe/{invitee.token}/")
        assert got.message.get_content_type() == "multipart/alternative"
        plain, html = got.part("text/plain"), got.part("text/html")
        assert own in plain and unsubscribe in plain and own in html and unsubscribe in html
        assert got.message["Subject"].startswith("You are invited to take part")
        assert got.message["List-Unsubscribe"].strip() == f"<{unsubscribe}>"
        assert ("Dear Ada L" in plain) == (invitee.name == "Ada L") and "#005eb8" in html
        others = [i.token for i in Invitee.objects.exclude(pk=invitee.pk)]
        assert not any(t in plain or t in html for t in others)  # nobody's link in another's message
    assert set(Message.objects.values_list("status", flat=True)) == {Message.SENT}
    used = AuditEvent.objects.filter(action="use_contact_details")
    assert sorted(e.target for e in used) == sorted(f"invitee {i.pk}" for i in Invitee.objects.all())
    assert AuditEvent.objects.filter(action="store_contact_details", actor="analyst-1").count() == 1
    assert not any(a in caplog.text for a in ADDRESSES)
    assert outreach.send_invitations(link) == 0  # nobody is invited twice


def test_a_transient_refusal_is_tried_again_by_the_queue(smtp, link, caplog):
    server = smtp(refuse_first=1, retries=2)
    outreach.add_invitees(link, b"email\nada.l@trust-a.nhs.example\n")
    with caplog.at_level(logging.DEBUG):
        outreach.send_invitations(link)
    message = Message.objects.get()
    assert server.capture.attempts == 2 and len(server.received) == 1
    assert (message.status, message.attempts) == (Message.SENT, 2)
    assert "Unhandled exception" in caplog.text and "451" in caplog.text  # the first try failed in the task
    assert ADDRESSES[0] not in caplog.text


def test_a_message_refused_every_time_is_failed_with_no_address_anywhere(smtp, link, caplog):
    server = smtp(refuse_first=10, retries=1)
    outreach.add_invitees(link, b"email\nada.l@trust-a.nhs.example\n")
    with caplog.at_level(logging.DEBUG):
        outreach.send_invitations(link)
    message = Message.objects.get()
    assert server.capture.attempts == 2 and server.received == []
    assert (message.status, message.attempts) == (Message.FAILED, 2) and "451" in message.error
    assert ADDRESSES[0] not in message.error and ADDRESSES[0] not in caplog.text


def test_mentoring_match_and_decline_notices_reach_both_people(smtp):
    server = smtp()
    user = get_user_model().objects.create_user("mentor-1", email="prof.m@uni.example", first_name="Mo",
                                                last_name="Rees")
    mentor = MentorProfile.objects.create(user=user, opted_in=True, profession="physiotherapist",
                                          professional_group="ahp", region="cheshire_merseyside",
                                          specialisms="rehabilitation trials")
    clinician = ClinicianProfile.objects.create(opted_in=True, profession="physiotherapist",
                                                professional_group="ahp", region="cheshire_merseyside",
                                                name="Cy Dee", email="cy.dee@trust-c.nhs.example",
                                                career_stage="pre-masters", interests="falls")
    draft = MatchingRound.objects.create(run_by="analyst-1")
    Match.objects.create(round=draft, clinician=clinician, mentor=mentor, score=0.5)
    assert matching.publish_round(draft)
    assert sorted(r for m in server.received for r in m.recipients) == ["cy.dee@trust-c.nhs.example",
                                                                        "prof.m@uni.example"]
    to_clinician = next(m for m in server.received if m.recipients == ["cy.dee@trust-c.nhs.example"])
    assert f"/mentoring/me/{clinician.key}/" in to_clinician.part("text/plain")
    assert "Dear Cy Dee" in to_clinician.part("text/html")
    matching.clinician_says(clinician, "decline")
    last = server.received[-1]
    assert len(server.received) == 3 and last.recipients == ["prof.m@uni.example"]
    assert "declined" in last.part("text/plain") and "Dear Mo Rees" in last.part("text/plain")
    assert AuditEvent.objects.filter(action="use_contact_details").count() == 3
    again = MatchingRound.objects.create(run_by="analyst-1")
    proposal = Match.objects.create(round=again, clinician=clinician, mentor=mentor, score=0.4)
    matching.publish_round(again)
    assert matching.mentor_declines(user, proposal.pk)
    assert server.received[-1].recipients == ["cy.dee@trust-c.nhs.example"]
    assert "next round" in server.received[-1].part("text/plain") and len(server.received) == 6


def test_a_worker_takes_the_message_from_a_sqlite_queue_and_retries_it_later(smtp, link, monkeypatch, tmp_path,
                                                                             settings):
    """On a real queue the message waits for a worker; a new Huey instance (what `nmahp worker` makes) knows the
    sending task by name, and a refusal puts it back on the queue's schedule for later, not at once."""
    from nmahp.app import jobs

    server = smtp(refuse_first=1, retries=2)
    settings.NMAHP_EMAIL_RETRY_DELAY = 60
    monkeypatch.setenv("NMAHP_QUEUE", f"sqlite:///{tmp_path / 'queue.sqlite3'}")
    jobs.queue.cache_clear()
    try:
        outreach.add_invitees(link, b"email\nada.l@trust-a.nhs.example\n")
        with django_capture_on_commit():
            outreach.send_invitations(link)
        assert server.capture.attempts == 0 and Message.objects.get().status == Message.QUEUED
        jobs.queue.cache_clear()
        worker = jobs.queue()  # a fresh instance, as in another process
        worker.execute(worker.dequeue())
        assert server.capture.attempts == 1 and Message.objects.get().status == Message.QUEUED
        assert worker.dequeue() is None and worker.scheduled_count() == 1  # tried again in a minute
        retry = worker.read_schedule(worker.scheduled()[0].eta)
        worker.execute(retry[0], timestamp=retry[0].eta)  # as the consumer does, a minute on
        assert len(server.received) == 1 and Message.objects.get().status == Message.SENT
    finally:
        jobs.queue.cache_clear()


def django_capture_on_commit():
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)


@pytest.mark.parametrize("env, backend", [
    ({}, "console"), ({"NMAHP_EMAIL_FILE_PATH": "/tmp/mail"}, "filebased"),
    ({"NMAHP_SMTP_HOST": "smtp.example", "NMAHP_SMTP_STARTTLS": "1"}, "smtp")])
def test_nothing_goes_out_unless_an_smtp_host_is_set(monkeypatch, env, backend):
    from nmahp.web.outreach.mailconfig import email_settings

    for name in ("NMAHP_SMTP_HOST", "NMAHP_EMAIL_FILE_PATH", "NMAHP_EMAIL_BACKEND", "NMAHP_SMTP_PORT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    chosen = email_settings()
    assert chosen["EMAIL_BACKEND"] == f"django.core.mail.backends.{backend}.EmailBackend"
    assert chosen["EMAIL_PORT"] == (587 if "NMAHP_SMTP_STARTTLS" in env else 25)


def test_a_misspelt_backend_or_port_is_refused(monkeypatch):
    from nmahp.errors import NmahpError
    from nmahp.web.outreach.mailconfig import email_settings

    monkeypatch.setenv("NMAHP_EMAIL_BACKEND", "smpt")
    with pytest.raises(NmahpError, match="NMAHP_EMAIL_BACKEND must be one of"):
        email_settings()
    monkeypatch.setenv("NMAHP_EMAIL_BACKEND", "smtp")
    monkeypatch.setenv("NMAHP_SMTP_PORT", "twenty-five")
    with pytest.raises(NmahpError, match="NMAHP_SMTP_PORT"):
        email_settings()
