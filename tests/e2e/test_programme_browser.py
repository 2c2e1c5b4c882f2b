"""The programme pages in Chromium, axe-core on every page: an analyst uploads a new version of the NMAHP
workbook and reads what changed, makes a wave pinned to it and hands out its links; a respondent part way
through is refused once the wave is closed; the report of a wave is written in the background and downloaded."""

import io
import re

import pyotp
import pytest
from openpyxl import load_workbook

from nmahp.app import programme
from nmahp.app.waves import store_synthetic
from nmahp.instruments import resolve
from nmahp.web.accounts.models import AuditEvent
from nmahp.web.surveys.models import CollectorLink, Response, Wave

from .conftest import PASSWORD, SCREENSHOTS, SECRET, make_user

pytestmark = [pytest.mark.db, pytest.mark.e2e]


@pytest.fixture
def analyst(transactional_db):
    return make_user("analyst", "analyst")


def sign_in(page, live_server, check, then="/programme/"):
    page.goto(f"{live_server.url}/sign-in/?next={then}")
    page.get_by_label("Username").fill("analyst")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/sign-in/code/"))
    page.get_by_label("Security code").fill(pyotp.TOTP(SECRET).now())
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(re.escape(then) + "$"))
    check(then)


def new_version(tmp_path, broken=False):
    """The NMAHP workbook as the programme team edits it for its next wave: a new version, one question
    renamed with its wording kept, and a pay band added (and, `broken`, a question given a list that is not
    there)."""
    book = load_workbook(resolve("nmahp"))
    settings, survey, choices = book["settings"], book["survey"], book["choices"]
    head = {c.value: c.column for c in settings[1]}
    settings.cell(row=2, column=head["version"], value="2026.1")
    columns = {c.value: c.column for c in survey[1]}
    for row in range(2, survey.max_row + 1):
        if survey.cell(row=row, column=columns["name"]).value == "job_title":
            survey.cell(row=row, column=columns["name"], value="role_title")
        if broken and survey.cell(row=row, column=columns["name"]).value == "age":
            survey.cell(row=row, column=columns["type"], value="select_one no_such_list")
    names = {c.value: c.column for c in choices[1]}
    row = choices.max_row + 1
    for column, value in (("list_name", "pay_band"), ("name", "band_9_plus"), ("label", "Above band 9")):
        choices.cell(row=row, column=names[column], value=value)
    path = tmp_path / ("nmahp_survey_broken.xlsx" if broken else "nmahp_survey_2026.xlsx")
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(buffer.getvalue())
    return path


def test_upload_a_version_read_its_changes_and_create_a_wave_on_it(live_server, analyst, page, axe_checked,
                                                                  tmp_path):
    sign_in(page, live_server, axe_checked)
    page.get_by_role("link", name="Instrument versions").first.click()
    axe_checked("versions")
    page.get_by_label("Workbook (.xlsx)").set_input_files(str(new_version(tmp_path, broken=True)))
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_load_state()
    axe_checked("a broken workbook refused")
    summary = page.locator(".nhsuk-error-summary").inner_text()
    assert re.search(r"nmahp_survey_broken.xlsx: sheet 'survey', row \d+, column 'type'", summary)
    page.get_by_label("Workbook (.xlsx)").set_input_files(str(new_version(tmp_path)))
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_url(re.compile(r"/programme/versions/\d+/$"))
    axe_checked("version and its changes")
    changes = page.locator("#diff").inner_text()
    assert "job_title is now role_title (found by its wording)" in changes
    assert "band_9_plus" in changes and "Above band 9" in changes
    page.screenshot(path=str(SCREENSHOTS / "programme-version-diff.png"), full_page=True)

    page.get_by_role("link", name="Create a wave on this version").click()
    axe_checked("new wave")
    assert page.get_by_label("Instrument and version").input_value() != ""
    page.get_by_label("Instrument and version").select_option(label="nmahp_survey version 2026.1")
    page.get_by_label("Wave name").fill("2026")
    page.get_by_label("Channels (optional)").fill("email, newsletter")
    page.get_by_role("button", name="Create the wave").click()
    page.wait_for_url(re.compile(r"/programme/waves/\d+/$"))
    axe_checked("wave")
    wave = Wave.objects.get(name="2026")
    assert wave.form_version == "2026.1"
    email = CollectorLink.objects.get(wave=wave, channel="email")
    assert page.get_by_label("Link for email").input_value() == f"{live_server.url}/survey/{email.token}/"
    assert page.get_by_role("img", name="QR code of the link for email").is_visible()
    page.get_by_label("People invited through email").fill("1500")
    page.locator("#link-email").get_by_role("button", name="Save the number invited").click()
    page.wait_for_load_state()
    axe_checked("invited saved")
    email.refresh_from_db()
    assert email.invited == 1500
    page.screenshot(path=str(SCREENSHOTS / "programme-wave.png"), full_page=True)
    # a respondent answers the version the wave is pinned to: the renamed question under its new name
    page.goto(f"{live_server.url}/survey/{email.token}/")
    page.get_by_label("Yes, I agree to take part").check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/respond/.+/about_you/"))
    axe_checked("the new version's first page")
    assert page.locator("#q-role_title").count() == 1 and page.locator("#q-job_title").count() == 0
    assert {e.action for e in AuditEvent.objects.all()} >= {"register_instrument_version", "create_wave",
                                                             "set_invited"}


def test_a_closed_survey_refuses_a_half_finished_response(live_server, analyst, browser, page, axe_checked):
    kept = programme.versions("nmahp")[0]
    wave = programme.create_wave(kept.pk, "2026", channels=[("web", None)], actor="analyst")
    link = wave.collectors.get()
    page.goto(f"{live_server.url}/survey/{link.token}/")
    page.get_by_label("Yes, I agree to take part").check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/respond/.+/about_you/"))
    key = page.url.split("/")[-3]
    page.locator("input[name='profession'][value='midwife']").check()

    staff = browser.new_context(bypass_csp=True).new_page()
    sign_in(staff, live_server, lambda label: None, then=f"/programme/waves/{wave.pk}/")
    staff.get_by_role("button", name="Close wave 2026 now").click()
    staff.wait_for_load_state()
    assert staff.locator("#state").inner_text().startswith("No: closed")
    staff.context.close()

    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_load_state()
    axe_checked("refused after closing")
    assert page.locator("h1").inner_text() == "This survey has closed"
    assert "your last answers were not saved" in page.locator("main").inner_text()
    response = Response.objects.get(respondent_key=key)
    assert response.status == Response.PARTIAL and "profession" not in response.answers


def test_the_report_is_written_in_the_background_and_downloaded(live_server, analyst, page, axe_checked):
    kept = programme.versions("leads")[0]
    wave = programme.create_wave(kept.pk, "2026-leads", actor="analyst")
    store_synthetic("leads", "2026-leads", 12, seed=4)
    sign_in(page, live_server, axe_checked, then=f"/programme/waves/{wave.pk}/")
    page.get_by_label("Format").select_option("html")
    page.get_by_role("button", name="Write the report").click()
    page.wait_for_url(re.compile(r"/jobs/\d+/$"), timeout=120_000)
    axe_checked("report job")
    assert "The report of wave 2026-leads (HTML)" in page.locator("#result").inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download report-2026-leads.html").click()
    assert download.value.suggested_filename == "report-2026-leads.html"
    text = open(download.value.path(), encoding="utf-8").read()
    assert "<h2" in text and "leads" in text.lower()
    assert AuditEvent.objects.filter(action="download_job_file").exists()


def test_a_lead_reads_their_organisations_overview(live_server, analyst, page, axe_checked):
    from nmahp.instruments.synth import Synthesiser
    from nmahp.web.programme.models import Organisation, OrganisationLead, OrganisationLink
    from nmahp.web.surveys import store

    kept = programme.versions("nmahp")[0]
    wave = programme.create_wave(kept.pk, "2026", channels=[("trust email", None), ("web", None)], actor="analyst")
    trust = Organisation.objects.create(name="Northshire NHS Trust", region="greater_manchester")
    own = wave.collectors.get(channel="trust email")
    OrganisationLink.objects.create(collector=own, organisation=trust)
    lead = make_user("lead", "lead", region="greater_manchester")
    OrganisationLead.objects.create(user=lead, organisation=trust)
    form = store.instrument_for(wave)
    rows = [r for r in Synthesiser(form, 11).stream(200) if r.get("consent") == "yes"][:80]
    for i, answers in enumerate(rows):
        answers = {**answers, "region": "greater_manchester"}
        answers.pop("region_other", None)
        store.save_response(wave, answers, complete=True, source="synth",
                            collector=own if i < 30 else wave.collectors.get(channel="web"))

    page.goto(f"{live_server.url}/sign-in/?next=/organisation/")
    page.get_by_label("Username").fill("lead")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/organisation/$"))
    axe_checked("organisation overview")
    assert page.locator("h1").inner_text() == "Northshire NHS Trust"
    barriers = page.locator("#table-top_barriers").inner_text()
    assert "Northshire NHS Trust" in barriers and "The region" in barriers
    assert page.locator(".nmahp-suppressed").count() > 0  # 30 people: some answers are too few to show
    page.screenshot(path=str(SCREENSHOTS / "organisation-overview.png"), full_page=True)
