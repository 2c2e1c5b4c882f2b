"""Matching through the pages: opt in, a round run and published by an analyst, a match with its
reasons, accept or decline (declines feed the next round). No profile is used or seen without opt-in."""

import pytest
from django.test import Client
from typer.testing import CliRunner

from nmahp.cli import app
from nmahp.web.mentoring.models import ClinicianProfile, Match, MatchingRound

pytestmark = [pytest.mark.db, pytest.mark.django_db]

JOIN = {"name": "Sam Patel", "email": "sam@example.nhs.uk", "profession": "physiotherapist",
        "region": "greater_manchester", "career_stage": "first-steps", "interests": "musculoskeletal pain rehabilitation",
        "wants": ["mentoring"], "opted_in": "on"}


@pytest.fixture
def demo():
    CliRunner().invoke(app, ["demo", "--no-serve"])


def join(client, **changes):
    return client.post("/mentoring/join/", {**JOIN, **changes})


def joined_and_published(signed_in):
    """A clinician joins, an analyst runs a round and publishes it: (clinician, their page, analyst, round)."""
    client = Client()
    me = join(client)["Location"]
    analyst = signed_in("analyst")
    analyst.post("/mentoring/rounds/", {})
    first = MatchingRound.objects.get()
    analyst.post(f"/mentoring/rounds/{first.pk}/")
    return client, me, analyst, first


def test_joining_needs_opt_in_and_stores_nothing_without_it(demo):
    response = join(Client(), opted_in="")
    assert response.status_code == 400
    assert "Agree to your profile being used for matching" in response.content.decode()
    assert ClinicianProfile.objects.count() == 0


@pytest.mark.parametrize("field,value", [("profession", "<script>x</script>"), ("career_stage", "9"), ("career_stage", "post_doc"),
                                         ("wants", ["world_domination"]), ("email", "not-an-email"),
                                         ("interests", "x" * 5000), ("region", "'; DROP TABLE x; --")])
def test_bad_profiles_are_refused(demo, field, value):
    response = join(Client(), **{field: value})
    html = response.content.decode()
    assert response.status_code == 400 and "There is a problem" in html and "<script>x" not in html
    assert ClinicianProfile.objects.count() == 0


def test_round_match_reasons_accept(demo, signed_in):
    client = Client()
    me = join(client)["Location"]
    analyst = signed_in("analyst")
    round_page = analyst.post("/mentoring/rounds/", {"fairness": "yes"})
    matching_round = MatchingRound.objects.get()
    assert analyst.get(round_page["Location"])["Location"] == f"/mentoring/rounds/{matching_round.pk}/"  # via its job
    assert matching_round.blocking_pairs == 0
    assert "No match yet" in client.get(me).content.decode()  # drafts are not shown
    analyst.post(f"/mentoring/rounds/{matching_round.pk}/")
    page = client.get(me).content.decode()
    assert "You have been matched" in page and "they offer what you asked for: mentoring" in page
    assert "musculoskeletal" in page  # the shared interest is named
    client.post(me, {"action": "accept"})
    assert Match.objects.get().status == Match.ACCEPTED
    mentor = Client()
    from django.contrib.auth import get_user_model

    mentor.force_login(get_user_model().objects.get(username=Match.objects.get().mentor.user.username))
    session = mentor.session
    session["second_factor"] = True
    session.save()
    assert "sam@example.nhs.uk" in mentor.get("/mentoring/mentor/").content.decode()


def test_round_by_sentence_embeddings(demo, signed_in):
    join(Client(), interests="helping people recover from back and joint pain")
    analyst = signed_in("analyst")
    analyst.post("/mentoring/rounds/", {"topic": "embeddings"})
    match = Match.objects.get()
    assert match.mentor.user.username == "mentor"  # the musculoskeletal pain specialist, found by meaning


def test_declined_pair_is_not_proposed_again(demo, signed_in):
    client, me, analyst, first = joined_and_published(signed_in)
    declined_mentor = Match.objects.get().mentor_id
    client.post(me, {"action": "decline"})
    analyst.post("/mentoring/rounds/", {})
    second = MatchingRound.objects.exclude(pk=first.pk).get()
    assert second.matches.get().mentor_id != declined_mentor


def test_withdrawn_or_unconsented_profiles_are_never_matched_or_shown(demo, signed_in):
    client = Client()
    me = join(client)["Location"]
    client.post(me, {"action": "withdraw"})
    ClinicianProfile.objects.create(opted_in=False, name="Hidden", email="h@example.nhs.uk",
                                    profession="midwife", professional_group="nursing_midwifery",
                                    region="greater_manchester", career_stage="first-steps", interests="perinatal",
                                    wants=["mentoring"])
    analyst = signed_in("analyst")
    analyst.post("/mentoring/rounds/", {})
    assert Match.objects.count() == 0
    rounds = analyst.get("/mentoring/rounds/").content.decode()
    assert "0 clinicians" in rounds and "Hidden" not in rounds


def test_start_from_survey_answers_only_with_contact_consent(demo):
    from nmahp.web.surveys import store
    from nmahp.web.surveys.models import Wave

    wave = Wave.objects.get(instrument="nmahp_survey", name="2023-demo")
    yes = store.save_response(wave, {"consent": "yes", "profession": "dietitian", "region": "cheshire_merseyside",
                                     "area_of_interest": "malnutrition", "contact_consent": "yes",
                                     "contact_name": "Kim", "contact_email": "kim@example.nhs.uk"}, complete=False)
    yes.status = "complete"
    yes.save()
    page = Client().get(f"/mentoring/join/?from={yes.respondent_key}").content.decode()
    assert "malnutrition" in page and 'value="dietitian" selected' in page.replace("selected=\"selected\"", "selected")
    # the key alone never reveals who answered: name and email are typed by the clinician, not prefilled
    assert "kim@example.nhs.uk" not in page and "Kim" not in page
    no = store.save_response(wave, {"consent": "yes", "profession": "dietitian", "area_of_interest": "secret topic",
                                    "contact_consent": "no"}, complete=False)
    no.status = "complete"
    no.save()
    assert "secret topic" not in Client().get(f"/mentoring/join/?from={no.respondent_key}").content.decode()


def test_a_mentor_can_decline_and_the_clinician_goes_into_the_next_round(demo, signed_in):
    from django.contrib.auth import get_user_model

    client, me, analyst, first = joined_and_published(signed_in)
    match = Match.objects.get()
    mentor = Client()
    mentor.force_login(get_user_model().objects.get(username=match.mentor.user.username))
    page = mentor.get("/mentoring/mentor/").content.decode()
    assert "musculoskeletal pain rehabilitation" in page and "sam@example.nhs.uk" not in page  # no name yet
    other = signed_in("mentor")  # another mentor cannot decline someone else's match
    assert other.post(f"/mentoring/mentor/decline/{match.pk}/").status_code == 404
    mentor.post(f"/mentoring/mentor/decline/{match.pk}/")
    assert Match.objects.get(pk=match.pk).status == Match.DECLINED
    assert "No match yet" in client.get(me).content.decode()
    analyst.post("/mentoring/rounds/", {})
    assert MatchingRound.objects.exclude(pk=first.pk).get().matches.get().mentor_id != match.mentor_id
