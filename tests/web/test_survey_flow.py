"""The survey through the HTTP pages: consent first, skip logic on the server, save and resume,
check your answers, confirmation; and what hostile input gets."""

import re

import pytest
from django.test import Client
from typer.testing import CliRunner

from nmahp.cli import app
from nmahp.web.surveys import store
from nmahp.web.surveys.models import CollectorLink, ContactDetails, Response

pytestmark = [pytest.mark.db, pytest.mark.django_db]

MINIMAL = {"employer": {"region": "greater_manchester", "organisation_type": "acute_trust"},
           "experience": {"job_description": "research", "time_last_12_months": "neither"},
           "career_pathways": {"careers_advice_received": "no", "careers_advice_future": "yes"},
           "follow_up": {"contact_consent": "no"}}


@pytest.fixture
def link():
    CliRunner().invoke(app, ["demo", "--no-serve"])
    return CollectorLink.objects.get(channel="web", wave__instrument="nmahp_survey")


def start(client, link):
    response = client.post(f"/survey/{link.token}/", {"consent": "yes"})
    assert response.status_code == 302
    return response["Location"], response["Location"].split("/")[2]


def walk(client, location, answers):
    visited = []
    while "/check/" not in location:
        page = location.rstrip("/").split("/")[-1]
        visited.append(page)
        response = client.post(location, answers.get(page, {}))
        assert response.status_code == 302, (page, re.findall(r"error-summary__list\">(.*?)</ul>",
                                                               response.content.decode(), re.S))
        location = response["Location"]
    return location, visited


def test_no_consent_stores_nothing(link):
    client = Client()
    before = Response.objects.count()
    page = client.post(f"/survey/{link.token}/", {"consent": "no"})
    assert "Nothing has been stored" in page.content.decode()
    assert Response.objects.count() == before


def test_consent_question_must_be_answered(link):
    page = Client().post(f"/survey/{link.token}/", {})
    assert "There is a problem" in page.content.decode() and "Select whether you agree" in page.content.decode()


def test_branch_without_time_skips_proportion_and_advice_sources(link):
    client = Client()
    location, key = start(client, link)
    check, visited = walk(client, location, {"about_you": {"profession": "physiotherapist"}, **MINIMAL})
    assert "contact_details" not in visited  # a page the answers skip is never shown
    page = client.get(f"/respond/{key}/experience/").content.decode()
    # a question that depends on an answer on its own page is shown (no JavaScript) and ignored unless it applies
    assert "Only if it applies to you" in page
    assert client.post(check).status_code == 302
    response = Response.objects.get(respondent_key=key)
    assert response.status == Response.COMPLETE and response.collector == link
    assert "time_proportion_research" not in response.answers
    assert response.answers["professional_group"] == "ahp"
    assert not ContactDetails.objects.filter(respondent_key=key).exists()


def test_branch_with_contact_details_and_contracts(link):
    client = Client()
    location, key = start(client, link)
    answers = {**MINIMAL,
               "about_you": {"profession": ["adult_nurse", "mental_health_nurse"]},
               "experience": {"job_description": "research", "time_last_12_months": "research",
                              "time_proportion_research": "over_75"},
               "role_contract_interest": {"roles_of_interest": ["teaching_only"],
                                          "contract_teaching_only": ["part_time", "secondment"]},
               "follow_up": {"contact_consent": "yes"},
               "contact_details": {"contact_name": "Jo Bloggs", "contact_email": "jo@example.nhs.uk"}}
    check, visited = walk(client, location, answers)
    assert "contact_details" in visited
    summary = client.get(check).content.decode()
    assert "Given (not shown)" in summary and "jo@example.nhs.uk" not in summary
    client.post(check)
    response = Response.objects.get(respondent_key=key)
    assert response.answers["contract_teaching_only"] == "part_time secondment"
    assert response.answers["professional_group"] == "nursing_midwifery"
    assert "contact_email" not in response.answers
    assert ContactDetails.objects.get(respondent_key=key).details["contact_email"] == "jo@example.nhs.uk"


def test_a_change_after_the_answers_were_sent_is_refused_and_the_response_stays_complete(link):
    client = Client()
    location, key = start(client, link)
    check, _ = walk(client, location, {"about_you": {"profession": "physiotherapist"}, **MINIMAL})
    assert client.post(check)["Location"].endswith("/done/")
    sent = Response.objects.get(respondent_key=key)
    refused = client.post(f"/respond/{key}/about_you/", {"profession": "midwife"})
    assert refused.status_code == 409 and "Your last change was not saved" in refused.content.decode()
    assert client.post(check).status_code == 302  # sent twice: the first one counts
    with pytest.raises(store.AlreadySubmitted):  # the store refuses too, whoever calls it
        store.save_response(sent.wave, {"consent": "yes"}, complete=False, respondent_key=key)
    after = Response.objects.get(respondent_key=key)
    assert (after.status, after.answers, after.submitted) == (Response.COMPLETE, sent.answers, sent.submitted)


def test_leave_and_resume_with_the_private_link(link):
    first = Client()
    location, key = start(first, link)
    saved = first.post(location, {"profession": "midwife", "action": "save"})
    assert f"/respond/{key}/" in saved.content.decode()
    later = Client()  # another browser, same link
    resumed = later.get(f"/respond/{key}/")
    assert resumed.status_code == 302 and resumed["Location"].endswith("/equality_monitoring/")
    page = later.get(f"/respond/{key}/about_you/").content.decode()
    assert 'value="midwife" checked' in page


def test_validation_errors_use_the_error_summary_and_fix(link):
    client = Client()
    location, key = start(client, link)
    client.post(location, {"profession": "midwife"})
    top = f"/respond/{key}/enablers_barriers/"
    response = client.post(top, {"top_barriers": ["lack_of_contracts", "financial_penalties",
                                                  "not_change_employer", "patient_contact"]})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'class="nhsuk-error-summary"' in html and 'href="#q-top_barriers"' in html
    assert "Select no more than three barriers." in html
    assert "top_barriers" not in Response.objects.get(respondent_key=key).answers
    fixed = client.post(top, {"top_barriers": ["lack_of_contracts", "financial_penalties"]})
    assert fixed.status_code == 302
    assert Response.objects.get(respondent_key=key).answers["top_barriers"] == "lack_of_contracts financial_penalties"


def test_check_answers_sends_back_to_a_missing_required_answer(link):
    client = Client()
    location, key = start(client, link)
    client.post(location, {"profession": "midwife"})
    check = client.post(f"/respond/{key}/check/")
    assert check.status_code == 400 and "There is a problem" in check.content.decode()
    assert Response.objects.get(respondent_key=key).status == Response.PARTIAL


HOSTILE = ["<script>alert('x')</script>", "'; DROP TABLE surveys_response; --", "x" * 1_000_000,
           "\" onmouseover=\"alert(1)"]


@pytest.mark.parametrize("value", HOSTILE, ids=["script", "sql", "megabyte", "attribute"])
def test_hostile_input_in_every_field_of_a_page(link, value):
    client = Client()
    location, key = start(client, link)
    before = dict(Response.objects.get(respondent_key=key).answers)
    fields = {"profession": value, "profession_other": value, "job_title": value, "pay_band": value,
              "years_qualified": value, "age": [value, "40_49"]}
    response = client.post(location, fields)
    html = response.content.decode()
    assert response.status_code in (400, 413)
    assert "There is a problem" in html
    assert "<script>alert('x')</script>" not in html and "onmouseover=\"alert" not in html
    assert Response.objects.get(respondent_key=key).answers == before  # nothing stored
    assert len(html) < 200_000  # the megabyte is not echoed back


@pytest.mark.parametrize("value", ["<script>alert('x')</script>", "1; DELETE FROM surveys_response", "x" * 1_000_000])
def test_hostile_input_in_every_select_and_limited_field_of_every_page(link, value):
    from nmahp.instruments import get_instrument
    from nmahp.web.surveys import flow

    instrument = get_instrument("nmahp")
    client = Client()
    _, key = start(client, link)
    client.post(f"/respond/{key}/about_you/", {"profession": "midwife"})
    before = dict(Response.objects.get(respondent_key=key).answers)
    for page_name in flow.pages(instrument):
        for question in flow.page_questions(instrument, page_name):
            if not question.is_select and len(value) < 10_000:
                continue  # free text up to the limit is text: stored as written, shown escaped
            response = client.post(f"/respond/{key}/{page_name}/", {question.name: value})
            if response.status_code == 302:
                # the field was not relevant on this page's answers: dropped, so nothing was stored
                assert question.name not in Response.objects.get(respondent_key=key).answers, question.name
                continue
            html = response.content.decode()
            assert response.status_code in (400, 413), (page_name, question.name)
            assert "There is a problem" in html and "<script>alert" not in html
    assert Response.objects.get(respondent_key=key).answers == before


def test_hostile_text_in_a_free_text_field_is_stored_as_text_and_escaped(link):
    client = Client()
    location, key = start(client, link)
    client.post(location, {"profession": "midwife", "job_title": "<script>alert('x')</script>"})
    assert Response.objects.get(respondent_key=key).answers["job_title"] == "<script>alert('x')</script>"
    page = client.get(location).content.decode()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page and "<script>alert" not in page


def test_unknown_respondent_key_is_not_found(link):
    assert Client().get("/respond/not-a-key/").status_code == 404


def test_erase_removes_answers_and_contact_details(link):
    from nmahp.web.accounts.models import AuditEvent

    client = Client()
    location, key = start(client, link)
    client.post(location, {"profession": "midwife"})
    ContactDetails.objects.create(respondent_key=key, details={"contact_name": "X"})
    result = CliRunner().invoke(app, ["erase", "--respondent", key])
    assert result.exit_code == 0, result.output
    assert not Response.objects.filter(respondent_key=key).exists()
    assert not ContactDetails.objects.filter(respondent_key=key).exists()
    event = AuditEvent.objects.get(action="erase")
    assert key not in event.target  # the record links to nothing
    again = CliRunner().invoke(app, ["erase", "--respondent", key])
    assert again.exit_code == 2 and "no respondent" in again.output


def test_the_leads_survey_runs_through_the_same_flow(link):
    leads = CollectorLink.objects.get(channel="web", wave__instrument="leads_survey")
    client = Client()
    location, key = start(client, leads)
    answers = {"about_you": {"profession": "physiotherapy", "region": "greater_manchester",
                             "organisation_type": "acute_trust"},
               "experience": {"job_description": "research", "time_last_12_months": "research",
                              "time_proportion_research": "under_25"},
               "career_pathways": {"careers_advice_received": "no"},
               "organisation": {"org_awareness": "slightly_aware"},
               "enablers_barriers": {"top_barriers": ["no_allocated_time", "workload"]},
               "follow_up": {"contact_consent": "no"}}
    check, visited = walk(client, location, answers)
    assert "organisation" in visited and "contact_details" not in visited
    assert client.post(check).status_code == 302
    response = Response.objects.get(respondent_key=key)
    assert response.status == Response.COMPLETE and response.answers["professional_group"] == "ahp"
    assert response.answers["org_awareness"] == "slightly_aware"


def test_a_closed_survey_says_so_and_a_half_finished_response_cannot_be_sent_after_closing(link):
    import datetime as dt

    client = Client()
    location, key = start(client, link)
    check, _ = walk(client, location, {"about_you": {"profession": "physiotherapist"}, **MINIMAL})
    wave = link.wave
    wave.closes = dt.date.today() - dt.timedelta(days=1)
    wave.save()
    sent = client.post(check)
    assert sent.status_code == 410 and "This survey has closed" in sent.content.decode()
    assert Response.objects.get(respondent_key=key).status == Response.PARTIAL  # not submitted after closing
    saved = client.post(f"/respond/{key}/about_you/", {"profession": "midwife"})
    assert saved.status_code == 410 and "your last answers were not saved" in saved.content.decode()
    new = Client().get(f"/survey/{link.token}/")
    assert new.status_code == 410 and f"closed on {wave.closes.day}" in new.content.decode()
    twin = Client().get(f"/survey/{link.token}.json")
    assert twin.status_code == 410 and twin.json()["state"] == "closed"
    before = Response.objects.count()
    assert Client().post(f"/survey/{link.token}/", {"consent": "yes"}).status_code == 410
    assert Response.objects.count() == before  # nobody new is stored either
    with pytest.raises(store.SurveyClosed):
        store.save_response(wave, {"consent": "yes"}, complete=False)


def test_a_survey_not_open_yet_says_when_it_opens(link):
    import datetime as dt

    wave = link.wave
    wave.opens = dt.date.today() + dt.timedelta(days=3)
    wave.save()
    page = Client().get(f"/survey/{link.token}/")
    assert page.status_code == 403 and "This survey is not open yet" in page.content.decode()
    assert Client().post(f"/survey/{link.token}/", {"consent": "yes"}).status_code == 403
    wave.opens = dt.date.today()  # opens today: open all day
    wave.save()
    assert Client().get(f"/survey/{link.token}/").status_code == 200
