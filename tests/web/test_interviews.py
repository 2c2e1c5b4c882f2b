"""Phase 3 from the platform: a wave's consenting respondents drawn over the study's grid, invited by e-mail,
their progress recorded, a second round to everyone remaining; the grid and uptake on the page and its twin,
exact for analysts and under the disclosure policy for admins; participants known by number only."""

import datetime as dt

import pytest
from django.utils import timezone

from nmahp.app import interviews
from nmahp.instruments import get_instrument
from nmahp.instruments.synth import synthesise
from nmahp.study import STUDY
from nmahp.web.accounts.models import AuditEvent
from nmahp.web.coding.models import ParticipantNumber
from nmahp.web.outreach.models import Interviewee
from nmahp.web.surveys import store
from nmahp.web.surveys.models import ContactDetails, Response, Wave

pytestmark = [pytest.mark.db, pytest.mark.django_db]


@pytest.fixture
def wave(db):
    wave = Wave.objects.create(instrument="nmahp_survey", name="2031", form_version="1")
    for row in synthesise(get_instrument("nmahp_survey"), 45, seed=5):
        store.save_response(wave, row, complete=True)
    return wave


def _reachable(wave):
    keys = set(ContactDetails.objects.exclude(details__contact_email="").filter(
        details__has_key="contact_email").values_list("respondent_key", flat=True))
    return [r for r in Response.objects.filter(wave=wave, respondent_key__in=keys)
            if r.answers.get("contact_consent") == "yes"]


def test_a_drawn_round_fills_the_grid_where_it_can_and_invites_by_email(signed_in, wave, mailoutbox):
    analyst = signed_in("analyst")
    url = f"/programme/waves/{wave.pk}/interviews/"
    assert analyst.post(url, {"action": "draw", "seed": "3"}).status_code == 200
    sample = analyst.get(url.rstrip("/") + ".json").json()["sample"]
    people = _reachable(wave)
    for row in sample["grid"]:
        there = sum(1 for r in people if all(str(r.answers.get(d) or "") == row[d] for d in STUDY.interview_grid))
        assert row["chosen"] == min(row["target"], there) and row["short"] == row["target"] - row["chosen"]
    assert sum(r["target"] for r in sample["grid"]) == STUDY.interview_target
    assert any(r["short"] for r in sample["grid"])  # 45 respondents cannot fill 40 places over every cell
    drawn = Interviewee.objects.filter(round=1)
    assert drawn.count() == sum(r["chosen"] for r in sample["grid"])

    assert analyst.post(url, {"action": "invite"}).status_code == 200
    addresses = {ContactDetails.objects.get(respondent_key=p.respondent_key).details["contact_email"] for p in drawn}
    assert {m.to[0] for m in mailoutbox} == addresses and len(mailoutbox) == drawn.count()
    first = drawn.first()
    # the wave's participant number, which coding uses for a transcript's case and its survey answers
    assert first.number == ParticipantNumber.objects.get(wave=wave, respondent_key=first.respondent_key).number
    assert first.participant in next(m.body for m in mailoutbox
                                     if m.to[0] == ContactDetails.objects.get(
                                         respondent_key=first.respondent_key).details["contact_email"])
    assert AuditEvent.objects.filter(action="use_contact_details").count() == drawn.count()

    assert analyst.post(url, {"action": "record", "participant": str(first.pk), "status": "interviewed"}).status_code == 200
    assert interviews.send_reminders(first.sample) == 0  # not a week yet
    later = timezone.now() + dt.timedelta(days=8)
    assert interviews.send_reminders(first.sample, now=later) == drawn.count() - 1  # not who was interviewed
    reminded = mailoutbox[drawn.count():]
    first_address = ContactDetails.objects.get(respondent_key=first.respondent_key).details["contact_email"]
    assert all(m.subject.startswith("A reminder:") for m in reminded) and [first_address] not in [m.to for m in reminded]
    assert interviews.send_reminders(first.sample, now=later) == 0  # one reminder each
    assert analyst.post(url, {"action": "second_round"}).status_code == 200
    assert Interviewee.objects.count() == len(people)  # everyone remaining joined
    twin = analyst.get(url.rstrip("/") + ".json").json()["sample"]
    assert sum(r["interviewed"] for r in twin["uptake"]) == 1 and twin["exact"]
    page = analyst.get(url).content.decode()
    assert not any(p.respondent_key in page or p.respondent_key in str(twin) for p in Interviewee.objects.all())
    assert not any(a in page for a in addresses)


def test_admins_see_uptake_under_the_disclosure_policy_and_errors_change_nothing(signed_in, wave):
    analyst, admin = signed_in("analyst"), signed_in("admin")
    url = f"/programme/waves/{wave.pk}/interviews/"
    assert analyst.post(url, {"action": "invite"}).status_code == 400  # nothing drawn yet
    assert analyst.post(url, {"action": "draw", "seed": "x"}).status_code == 400 and not Interviewee.objects.exists()
    analyst.post(url, {"action": "draw", "seed": "1"})
    again = analyst.post(url, {"action": "draw", "seed": "2"})
    assert again.status_code == 400 and "already has its interview sample" in again.content.decode()
    exact = analyst.get(url.rstrip("/") + ".json").json()["sample"]["uptake"]
    published = admin.get(url.rstrip("/") + ".json").json()["sample"]["uptake"]
    for e, p in zip(exact, published, strict=True):
        if e["invited"] <= STUDY.disclosure.suppress_at_most:
            assert p["invited"] is None
    assert any(p["invited"] is None for p in published)
    assert signed_in("lead").get(url).status_code == 403
