"""Opportunity alerts by saved filter: saved from the board's filters, nothing sent but the confirmation until it
is confirmed, then each new matching opportunity once, to the right address only; stopped with one click."""

import datetime as dt

import pytest
from django.test import Client

from nmahp.app import alerts
from nmahp.web.accounts.models import AuditEvent
from nmahp.web.careers.models import Opportunity
from nmahp.web.outreach.models import OpportunityAlert

pytestmark = [pytest.mark.db, pytest.mark.django_db]


def _post(title, kind, region=""):
    return Opportunity.objects.create(title=title, kind=kind, organisation="Trust A", summary="s",
                                      url="https://example.org/apply", region=region,
                                      closes_on=dt.date.today() + dt.timedelta(days=30))


def test_an_alert_sends_new_matches_once_after_confirming_and_stops(mailoutbox):
    client = Client()
    page = client.get("/careers/alerts/new/?kind=internship&region=nw_greater_manchester")
    assert page.status_code == 200 and "internship" in page.content.decode()
    assert client.post("/careers/alerts/new/?kind=internship&region=nw_greater_manchester",
                       {"email": "me@trust.nhs.example"}).status_code == 200
    other = Client().post("/careers/alerts/new/?kind=job", {"email": "someone@else.example"})
    assert other.status_code == 200
    assert [m.to for m in mailoutbox] == [["me@trust.nhs.example"], ["someone@else.example"]]
    mine = OpportunityAlert.objects.get(email="me@trust.nhs.example")
    assert f"/careers/alerts/{mine.token}/" in mailoutbox[0].body
    _post("GM internship", "internship", "nw_greater_manchester")
    _post("Anywhere internship", "internship")
    _post("A job", "job", "nw_greater_manchester")
    assert alerts.send_alerts() == 0 and len(mailoutbox) == 2  # nobody has confirmed: nothing is sent

    assert Client().post(f"/careers/alerts/{mine.token}/", {"action": "confirm"}).status_code == 200
    assert alerts.send_alerts() == 1
    sent = mailoutbox[-1]
    assert sent.to == ["me@trust.nhs.example"] and "GM internship" in sent.body
    assert "Anywhere internship" in sent.body and "A job" not in sent.body
    assert "GM internship" in sent.alternatives[0][0] and sent.subject == "2 new opportunities for you"
    assert alerts.send_alerts() == 0  # each opportunity once
    _post("Second GM internship", "internship", "nw_greater_manchester")
    assert alerts.send_alerts() == 1 and "Second GM internship" in mailoutbox[-1].body
    assert "GM internship\n" not in mailoutbox[-1].body.replace("Second GM internship", "")

    one_click = Client().post(f"/careers/alerts/{mine.token}/", "List-Unsubscribe=One-Click",
                              content_type="application/x-www-form-urlencoded")
    assert one_click.status_code == 200 and Client().get(f"/careers/alerts/{mine.token}.json").json()["state"] == \
        "stopped"
    _post("Third GM internship", "internship", "nw_greater_manchester")
    assert alerts.send_alerts() == 0
    assert AuditEvent.objects.filter(action="use_contact_details").count() == len(mailoutbox)


def test_a_bad_address_or_filter_saves_nothing():
    page = Client().post("/careers/alerts/new/?kind=internship", {"email": "not an address"})
    assert page.status_code == 400 and "Enter an e-mail address" in page.content.decode()
    assert Client().post("/careers/alerts/new/?kind=nonsense", {"email": "a@b.example"}).status_code == 400
    assert not OpportunityAlert.objects.exists()
    assert Client().get("/careers/alerts/nope.json").status_code == 404
