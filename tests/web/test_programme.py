"""The programme pages and their twins: workbook versions uploaded, checked and kept with what changed; a wave
made from a kept version and pinned to it; collector links with invited counts and QR codes; closing a wave
(a half-finished response is then refused); the report as a background job; every change audited. And a
lead's overview of their own organisation beside their region, under the disclosure policy."""

import functools
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from openpyxl import load_workbook

from nmahp.app import jobs, programme
from nmahp.instruments import resolve
from nmahp.study import STUDY
from nmahp.web.accounts.models import AuditEvent
from nmahp.web.jobs.models import Job
from nmahp.web.programme.models import InstrumentVersion, Organisation, OrganisationLead, OrganisationLink
from nmahp.web.surveys import store
from nmahp.web.surveys.models import CollectorLink, Response, Wave

pytestmark = [pytest.mark.db, pytest.mark.django_db]
ROUND = STUDY.disclosure.round_to


@functools.cache
def edited_workbook(version="2025.1", *, label=None, rename=None, add_band=False, break_type=False) -> bytes:
    """The NMAHP workbook as a programme team would edit it in Excel for a new wave (made once per edit)."""
    book = load_workbook(resolve("nmahp"))
    survey, choices, settings = book["survey"], book["choices"], book["settings"]
    head = {cell.value: cell.column for cell in settings[1]}
    settings.cell(row=2, column=head["version"], value=version)
    columns = {cell.value: cell.column for cell in survey[1]}
    for row in range(2, survey.max_row + 1):
        name = survey.cell(row=row, column=columns["name"]).value
        if name == "research_interest" and label:
            survey.cell(row=row, column=columns["label"], value=label)
        if name == "job_title" and rename:
            survey.cell(row=row, column=columns["name"], value=rename)
        if name == "age" and break_type:
            survey.cell(row=row, column=columns["type"], value="select_one no_such_list")
    if add_band:
        names = {cell.value: cell.column for cell in choices[1]}
        row = choices.max_row + 1
        choices.cell(row=row, column=names["list_name"], value="pay_band")
        choices.cell(row=row, column=names["name"], value="band_9_plus")
        choices.cell(row=row, column=names["label"], value="Above band 9")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client, data, name="nmahp_survey.xlsx", renames=""):
    handle = io.BytesIO(data)
    handle.name = name
    return client.post("/programme/versions/", {"workbook": handle, "renames": renames})


@pytest.fixture
def analyst(signed_in):
    return signed_in("analyst")


def test_a_new_version_is_checked_kept_and_its_changes_read(analyst):
    data = edited_workbook(label="How interested are you in a career in research?", rename="role_title",
                           add_band=True)
    response = upload(analyst, data, renames="job_title = role_title")
    assert response.status_code == 302
    kept = InstrumentVersion.objects.get(instrument="nmahp_survey", version="2025.1")
    assert bytes(kept.workbook) == data and kept.previous.version == "2023.1" and kept.previous.bundled
    page = analyst.get(response["Location"]).content.decode()
    assert "What changed since version 2023.1" in page
    assert "<code>job_title</code> is now <code>role_title</code> (declared on upload)" in page
    assert "How interested are you in a career in research?" in page and "Above band 9" in page
    twin = analyst.get(response["Location"].rstrip("/") + ".json").json()
    diff = twin["diff"]
    assert diff["names"]["job_title"] == "role_title"
    assert [o for o in diff["options"] if o["question"] == "pay_band"][0]["added"] == [
        {"name": "band_9_plus", "label": "Above band 9"}]
    assert [r["name"] for r in diff["relabelled"]] == ["research_interest"]
    event = AuditEvent.objects.get(action="register_instrument_version")
    assert event.actor == "analyst-user" and event.target == "nmahp_survey 2025.1"


def test_a_broken_workbook_is_refused_with_sheet_row_and_column_and_nothing_is_kept(analyst):
    response = upload(analyst, edited_workbook(break_type=True))
    assert response.status_code == 400
    page = response.content.decode()
    assert re.search(r"sheet &#x27;survey&#x27;, row \d+, column &#x27;type&#x27;: .*no_such_list", page)
    assert not InstrumentVersion.objects.filter(version="2025.1").exists()
    twin = analyst.get("/programme/versions.json").json()
    assert [v["version"] for v in twin["versions"]] == ["2023.1", "2023.1"]  # the two installed workbooks


@pytest.mark.parametrize("data,name,message", [
    (b"not a workbook", "nmahp_survey.xlsx", "not a zip archive"),
    (b"PK", "notes.txt", "a workbook is an Excel .xlsx file"),
])
def test_what_is_not_a_workbook_is_refused(analyst, data, name, message):
    response = upload(analyst, data, name=name)
    assert response.status_code == 400 and message in response.content.decode()
    assert InstrumentVersion.objects.filter(bundled=False).count() == 0


def test_a_workbook_over_the_size_limit_is_refused(analyst, monkeypatch):
    monkeypatch.setenv("NMAHP_MAX_WORKBOOK_MB", "0.01")
    response = upload(analyst, edited_workbook())
    assert response.status_code == 400 and "over the limit" in response.content.decode()


def test_a_version_already_kept_or_a_rename_of_nothing_is_refused(analyst):
    assert upload(analyst, edited_workbook()).status_code == 302
    again = upload(analyst, edited_workbook(label="Another wording"))
    assert again.status_code == 400 and "version &#x27;2025.1&#x27; of nmahp_survey is already kept" in \
        again.content.decode()
    wrong = upload(analyst, edited_workbook(version="2026.1"), renames="no_such_question = job_title")
    assert wrong.status_code == 400 and "no_such_question" in wrong.content.decode()
    assert not InstrumentVersion.objects.filter(version="2026.1").exists()


def test_a_wave_is_made_from_a_kept_version_and_stays_pinned_to_it(analyst):
    upload(analyst, edited_workbook(label="How keen are you on a research career?"))
    kept = InstrumentVersion.objects.get(version="2025.1")
    form = analyst.get("/programme/waves/new.json").json()["form"]
    offered = next(f for f in form["fields"] if f["name"] == "version")["choices"]
    assert [kept.pk, "nmahp_survey version 2025.1"] in offered
    made = analyst.post("/programme/waves/new/", {"version": kept.pk, "name": "2025", "opens": "",
                                                  "closes": "", "channels": "email, newsletter"})
    assert made.status_code == 302
    wave = Wave.objects.get(name="2025")
    assert (wave.instrument, wave.form_version) == ("nmahp_survey", "2025.1")
    assert sorted(wave.collectors.values_list("channel", flat=True)) == ["email", "newsletter"]
    # respondents answer the version the wave is pinned to, not the workbook installed with the service
    assert store.instrument_for(wave).question("research_interest").label == "How keen are you on a research career?"
    assert AuditEvent.objects.filter(action="create_wave", target="nmahp_survey 2025").exists()


@pytest.mark.parametrize("posted,field", [
    ({"version": "nmahp_survey", "name": "2025"}, "version"),  # a typed instrument is not a choice
    ({"version": "999999", "name": "2025"}, "version"),
    ({"version": "", "name": "not a slug!"}, "name"),
    ({"version": "", "name": "2025", "opens": "2025-05-01", "closes": "2025-04-01"}, "closes"),
])
def test_a_wave_form_with_a_mistake_makes_nothing(analyst, posted, field):
    kept = programme.versions("nmahp")[0]
    posted = {**posted, "version": posted["version"] or kept.pk}
    response = analyst.post("/programme/waves/new/", posted)
    assert response.status_code == 400 and field in response.content.decode()
    assert not Wave.objects.exists()


@pytest.fixture
def wave(analyst):
    kept = programme.versions("nmahp")[0]
    return programme.create_wave(kept.pk, "2025", channels=[("web", None)], actor="analyst-user")


def test_links_per_channel_with_invited_counts_a_copyable_address_and_a_qr_code(analyst, wave):
    page = analyst.post(f"/programme/waves/{wave.pk}/", {"action": "add_link", "channel": "email",
                                                         "invited": "1200", "organisation": ""})
    assert page.status_code == 302
    link = CollectorLink.objects.get(wave=wave, channel="email")
    assert link.invited == 1200
    html = analyst.get(f"/programme/waves/{wave.pk}/").content.decode()
    assert f'readonly value="http://testserver/survey/{link.token}/"' in html
    assert 'alt="QR code of the link for email"' in html and "data:image/svg+xml;base64," in html
    twin = analyst.get(f"/programme/waves/{wave.pk}.json").json()
    email = next(x for x in twin["links"] if x["channel"] == "email")
    assert email["url"] == f"http://testserver/survey/{link.token}/" and email["invited"] == 1200
    assert email["qr_svg"].startswith("<svg")
    web = CollectorLink.objects.get(wave=wave, channel="web")
    assert analyst.post(f"/programme/waves/{wave.pk}/", {"action": "invited", "link": web.pk,
                                                         "invited": "300"}).status_code == 302
    web.refresh_from_db()
    assert web.invited == 300
    refused = analyst.post(f"/programme/waves/{wave.pk}/", {"action": "invited", "link": web.pk, "invited": "-4"})
    assert refused.status_code == 400
    twice = analyst.post(f"/programme/waves/{wave.pk}/", {"action": "add_link", "channel": "email"})
    assert twice.status_code == 400 and "already has a link for" in twice.content.decode()
    assert {e.action for e in AuditEvent.objects.all()} >= {"add_collector", "set_invited"}


def test_the_qr_code_reads_back_as_the_link():
    svg = programme.qr_svg("http://example.org/survey/abc/")
    assert svg.startswith("<svg") and "path" in svg
    assert programme.qr_svg("http://example.org/survey/abd/") != svg


def test_closing_a_wave_refuses_a_half_finished_response(analyst, wave):
    link = wave.collectors.get()
    respondent = Client()
    started = respondent.post(f"/survey/{link.token}/", {"consent": "yes"})
    key = started["Location"].split("/")[2]
    assert respondent.post(started["Location"], {"profession": "physiotherapist"}).status_code == 302
    assert analyst.post(f"/programme/waves/{wave.pk}/", {"action": "close"}).status_code == 302
    wave.refresh_from_db()
    assert wave.collecting() == Wave.CLOSED and wave.closed is not None
    sent = respondent.post(f"/respond/{key}/check/")
    assert sent.status_code == 410 and "This survey has closed" in sent.content.decode()
    assert Response.objects.get(respondent_key=key).status == Response.PARTIAL
    assert Client().get(f"/survey/{link.token}/").status_code == 410
    assert analyst.get(f"/programme/waves/{wave.pk}.json").json()["wave"]["state"] == "closed"
    again = analyst.post(f"/programme/waves/{wave.pk}/", {"action": "close"})
    assert again.status_code == 400 and "was closed on" in again.content.decode()
    assert AuditEvent.objects.filter(action="close_wave").count() == 1


def test_the_report_is_asked_for_as_a_background_job(analyst, wave, django_capture_on_commit_callbacks,
                                                    monkeypatch, tmp_path):
    # left on a queue with no worker: tests/e2e/test_programme_browser.py runs one to the downloaded file
    monkeypatch.setenv("NMAHP_QUEUE", f"sqlite:///{tmp_path / 'queue.sqlite3'}")
    jobs.queue.cache_clear()
    try:
        with django_capture_on_commit_callbacks(execute=False):
            asked = analyst.post(f"/programme/waves/{wave.pk}/", {"action": "report", "format": "pdf"})
            wrong = analyst.post(f"/programme/waves/{wave.pk}/", {"action": "report", "format": "exe"})
    finally:
        jobs.queue.cache_clear()
    job = Job.objects.get()
    assert asked.status_code == 302 and asked["Location"] == f"/jobs/{job.pk}/"
    assert job.kind == "report" and job.params == {"wave": "2025", "format": "pdf"} and job.status == Job.QUEUED
    assert wrong.status_code == 400 and "not &#x27;exe&#x27;" in wrong.content.decode()
    assert AuditEvent.objects.filter(action="start_report", detail=f"pdf, job {job.pk}").exists()


@pytest.mark.parametrize("address", ["/programme/", "/programme/versions/", "/programme/waves/new/"])
def test_programme_pages_are_for_analysts_and_admins(signed_in, address):
    assert signed_in("lead").get(address).status_code == 403
    assert signed_in("admin").get(address).status_code == 200
    assert Client().get(address).status_code == 302  # to sign in


# --- the lead's overview ---------------------------------------------------------------------------------
@pytest.fixture
def organisation_wave(wave):
    """Wave 2025 with 40 respondents through the trust's own link and 120 through the open link, all in Greater
    Manchester, and a lead of the trust."""
    trust = Organisation.objects.create(name="Northshire NHS Trust", region="greater_manchester")
    own = CollectorLink.objects.create(wave=wave, channel="trust email")
    OrganisationLink.objects.create(collector=own, organisation=trust)
    from nmahp.instruments.synth import Synthesiser

    form = store.instrument_for(wave)
    rows = [r for r in Synthesiser(form, 11).stream(400) if r.get("consent") == "yes"][:160]
    for i, answers in enumerate(rows):
        answers = {**answers, "region": "greater_manchester"}
        answers.pop("region_other", None)
        store.save_response(wave, answers, complete=True, source="synth",
                            collector=own if i < 40 else wave.collectors.get(channel="web"))
    return wave, trust


def test_a_lead_sees_their_organisation_beside_their_region_rounded_and_hidden(signed_in, organisation_wave):
    wave, trust = organisation_wave
    lead = signed_in("lead")
    OrganisationLead.objects.create(user=get_user_model().objects.get(username="lead-user"), organisation=trust)
    twin = lead.get(f"/organisation.json?wave={wave.pk}").json()
    ours, region = twin["overview"]["organisation_scope"], twin["overview"]["region_scope"]
    assert twin["overview"]["disclosure"] == "published"
    assert ours["respondents"] == 40 and region["respondents"] == 160  # rounded to 10, as the policy says
    interest = ours["tables"]["research_interest"]
    counts = [c["count"] for c in interest["cells"] if not c["suppressed"]]
    assert all(n % ROUND == 0 and n >= 8 for n in counts)
    assert all(c["count"] is None for c in interest["cells"] if c["suppressed"])
    assert sum(1 for c in interest["cells"] if c["suppressed"]) >= 1  # 40 people over five points: some are few
    page = lead.get(f"/organisation/?wave={wave.pk}").content.decode()
    assert "Northshire NHS Trust" in page and "nmahp-suppressed" in page
    assert "Agreed to be contacted, Northshire NHS Trust" in page
    # a lead cannot ask for another organisation
    other = Organisation.objects.create(name="Elsewhere Trust", region="greater_manchester")
    assert lead.get(f"/organisation.json?wave={wave.pk}&organisation={other.pk}").json()["organisation"] == \
        "Northshire NHS Trust"


def test_the_analyst_sees_exact_figures_that_agree_with_the_respondents(analyst, organisation_wave):
    wave, trust = organisation_wave
    twin = analyst.get(f"/organisation.json?wave={wave.pk}&organisation={trust.pk}").json()
    ours = twin["overview"]["organisation_scope"]
    assert twin["overview"]["disclosure"] == "exact" and ours["respondents"] == 40
    mine = Response.objects.filter(wave=wave, collector__channel="trust email", status=Response.COMPLETE)
    agreed = sum(1 for r in mine if r.answers.get("contact_consent") == "yes")
    assert ours["agreed_to_contact"]["count"] == agreed
    keen = sum(1 for r in mine if r.answers.get("research_interest") == "very_interested")
    cells = {c["option"]: c["count"] for c in ours["tables"]["research_interest"]["cells"]}
    assert cells["very_interested"] == keen
    barriers = {c["option"]: c["count"] for c in ours["tables"]["top_barriers"]["cells"]}
    assert barriers["lack_of_contracts"] == sum(
        1 for r in mine if "lack_of_contracts" in r.answers.get("top_barriers", "").split())


def test_a_lead_without_an_organisation_is_told_so(signed_in, organisation_wave):
    lead = signed_in("lead")
    page = lead.get("/organisation/")
    assert page.status_code == 200 and "not linked to an organisation" in page.content.decode()
    assert lead.get("/organisation.json").json()["overview"] is None


def test_an_organisation_is_in_one_of_the_surveys_regions():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="greater_manchester"):
        Organisation(name="Far Away Trust", region="mars").full_clean()
    Organisation(name="Near Trust", region="cheshire_merseyside").full_clean()


def test_the_dashboard_leads_a_lead_to_their_organisation(signed_in):
    page = signed_in("lead").get("/dashboard/").content.decode()
    assert '<a href="/organisation/" id="organisation-link">Your organisation beside your region</a>' in page


def test_a_wave_keeps_its_version_when_the_workbooks_folder_moves_on(analyst, monkeypatch, tmp_path):
    folder = tmp_path / "workbooks"
    folder.mkdir()
    (folder / "nmahp_survey.xlsx").write_bytes(resolve("nmahp").read_bytes())
    monkeypatch.setenv("NMAHP_INSTRUMENTS_DIR", str(folder))
    kept = programme.versions("nmahp")[0]
    wave = programme.create_wave(kept.pk, "2025", actor="analyst-user")
    label = store.instrument_for(wave).question("research_interest").label
    # the folder's workbook is replaced in place, its version left as it was
    (folder / "nmahp_survey.xlsx").write_bytes(edited_workbook("2023.1", label="Changed under the wave's feet?"))
    assert store.instrument_for(wave).question("research_interest").label == label
    warnings = analyst.get("/programme/versions.json").json()["warnings"]
    assert len(warnings) == 1 and "says version 2023.1 but differs from the kept version 2023.1" in warnings[0]


def test_the_demo_lead_has_an_organisation_to_look_at():
    from nmahp.instruments.synth import Synthesiser
    from nmahp.web.demo import DEMO_ORGANISATION, DEMO_WAVE, load_demo_organisation, load_demo_users

    wave = store.get_or_create_wave("nmahp", DEMO_WAVE)
    rows = [{**r, "region": "greater_manchester"} for r in Synthesiser(store.instrument_for(wave), 5).stream(150)
            if r.get("consent") == "yes"][:70]
    store.bulk_load(wave, ({k: v for k, v in r.items() if k != "region_other"} for r in rows), source="synth:demo")
    load_demo_users()
    assert load_demo_organisation() and load_demo_organisation() == []  # a second load adds nothing
    lead = Client()
    lead.force_login(get_user_model().objects.get(username="lead"))
    overview = lead.get("/organisation.json").json()
    assert overview["organisation"] == DEMO_ORGANISATION["name"]
    assert overview["overview"]["organisation_scope"]["respondents"] == DEMO_ORGANISATION["respondents"]
    assert overview["overview"]["region_scope"]["respondents"] == 70
