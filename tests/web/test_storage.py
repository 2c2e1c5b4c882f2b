"""Storage: answers under a random key, contact details apart, all-or-nothing batches.
Runs on SQLite and, with DATABASE_URL, on PostgreSQL."""

import pytest

from nmahp.instruments.synth import synthesise
from nmahp.web.surveys import store
from nmahp.web.surveys.models import CollectorLink, ContactDetails, Response, Wave

pytestmark = [pytest.mark.db, pytest.mark.django_db]


@pytest.fixture
def wave():
    return store.get_or_create_wave("nmahp", "2023")


def test_wave_pins_the_form_version(wave, nmahp):
    assert (wave.instrument, wave.form_version) == ("nmahp_survey", nmahp.version)


def test_contact_details_are_stored_apart_linked_only_by_key(wave):
    answers = {"consent": "yes", "contact_consent": "yes", "contact_name": "Jo Bloggs",
               "contact_email": "jo@example.nhs.uk"}
    response = store.save_response(wave, answers, complete=False)
    assert "contact_email" not in response.answers and "contact_name" not in response.answers
    contact = ContactDetails.objects.get(respondent_key=response.respondent_key)
    assert contact.details == {"contact_name": "Jo Bloggs", "contact_email": "jo@example.nhs.uk"}
    assert len(response.respondent_key) >= 20


def test_withdrawn_contact_consent_removes_details(wave):
    response = store.save_response(wave, {"consent": "yes", "contact_consent": "yes", "contact_name": "Jo",
                                          "contact_email": "jo@example.nhs.uk"}, complete=False)
    store.save_response(wave, {"consent": "yes", "contact_consent": "no", "contact_email": "jo@example.nhs.uk"},
                        complete=False, respondent_key=response.respondent_key)
    assert not ContactDetails.objects.filter(respondent_key=response.respondent_key).exists()


def test_invalid_submission_stores_nothing(wave):
    with pytest.raises(store.SubmissionRejected) as caught:
        store.save_response(wave, {"consent": "yes", "top_barriers": "a b c d"}, complete=True)
    assert "top_barriers" in str(caught.value)
    assert Response.objects.count() == 0


def test_complete_submission_from_synth_is_stored(wave, nmahp):
    (answers,) = synthesise(nmahp, 1, seed=9)
    response = store.save_response(wave, answers, complete=True)
    response.refresh_from_db()
    assert response.status == Response.COMPLETE and response.submitted is not None
    assert response.answers["professional_group"] == answers["professional_group"]


def test_bulk_load_is_all_or_nothing(wave, nmahp):
    rows = synthesise(nmahp, 30, seed=2)
    rows[17] = {**rows[17], "pay_band": "band_10"}
    with pytest.raises(store.SubmissionRejected) as caught:
        store.bulk_load(wave, rows, source="test")
    assert caught.value.errors == [(18, "pay_band: 'band_10' is not one of the options for this question")]
    assert Response.objects.count() == 0 and ContactDetails.objects.count() == 0
    del rows[17]
    assert store.bulk_load(wave, rows, source="test") == 29
    consented = sum(1 for r in rows if r["contact_consent"] == "yes")
    assert ContactDetails.objects.count() == consented
    assert not any("contact_email" in r.answers for r in Response.objects.all())


def test_wave_summaries_count_by_status(wave, nmahp):
    store.bulk_load(wave, synthesise(nmahp, 5, seed=1), source="test")
    store.save_response(wave, {"consent": "yes"}, complete=False)
    CollectorLink.objects.create(wave=wave, channel="email", invited=544)
    (summary,) = store.wave_summaries()
    assert (summary["complete"], summary["partial"]) == (5, 1)
    assert summary["collectors"] == [{"channel": "email", "invited": 544}]


def test_find_wave_needs_instrument_when_ambiguous(wave):
    store.get_or_create_wave("leads", "2023")
    with pytest.raises(store.NmahpError, match="several instruments"):
        store.find_wave("2023")
    assert store.find_wave("2023", "leads").instrument == "leads_survey"
    assert Wave.objects.count() == 2


def test_synth_into_the_database():
    from typer.testing import CliRunner

    from nmahp.cli import app

    result = CliRunner().invoke(app, ["synth", "--instrument", "leads", "--n", "25", "--seed", "3", "--db",
                                      "--wave", "2024"])
    assert result.exit_code == 0, result.output
    wave = store.find_wave("2024")
    assert wave.instrument == "leads_survey"
    assert Response.objects.filter(wave=wave, status=Response.COMPLETE).count() == 25
    assert not any(set(r.answers) & {"contact_name", "contact_email"} for r in Response.objects.all())
