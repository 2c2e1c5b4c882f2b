"""End to end in Chromium: the survey down two branches, leave and resume, validation errors,
a lead seeing hidden and rounded cells, an analyst's download in the audit log. axe-core on every page."""

import re

import pyotp
import pytest
from typer.testing import CliRunner

from nmahp.cli import app
from nmahp.study import STUDY as _STUDY
from nmahp.web.accounts.models import AuditEvent
from nmahp.web.surveys.models import CollectorLink, ContactDetails, Response

from .conftest import SCREENSHOTS

ROUND = _STUDY.disclosure.round_to  # the policy's rounding (vocabulary.yaml)

pytestmark = [pytest.mark.db, pytest.mark.e2e]


@pytest.fixture
def demo(transactional_db):
    result = CliRunner().invoke(app, ["demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    CliRunner().invoke(app, ["synth", "--instrument", "nmahp", "--n", "300", "--seed", "5", "--db", "--wave",
                             "2023-demo"])
    return CollectorLink.objects.get(channel="web", wave__instrument="nmahp_survey")


def next_section(page, check, label):
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_load_state()
    check(label)


def answer_and_continue(page, check, choices=(), texts=None):
    for name in choices:
        page.locator(f"input[value='{name[1]}'][name='{name[0]}']").check()
    for name, text in (texts or {}).items():
        page.fill(f"#q-{name}", text)
    title = page.locator("h1").inner_text()
    next_section(page, check, title)


def begin(page, live_server, link, check):
    page.goto(f"{live_server.url}/")
    check("landing")
    page.locator("tr", has_text="nmahp_survey").get_by_role("link", name="take the survey").click()
    assert page.url == f"{live_server.url}/survey/{link.token}/"
    check("start")
    page.get_by_label("Yes, I agree to take part").check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/respond/.+/about_you/"))
    check("about you")
    return page.url.split("/")[-3]


def finish(page, check):
    assert page.locator("h1").inner_text() == "Check your answers before sending"
    check("check your answers")
    page.get_by_role("button", name="Send answers").click()
    page.wait_for_url(re.compile(r"/done/$"))
    check("done")
    assert "Answers sent" in page.locator("h1").inner_text()


def walk_to_check(page, check, plan):
    """Follow the pages the server chooses, answering from `plan` by section title."""
    for _ in range(20):
        title = page.locator("h1").inner_text()
        if title.startswith("Check your answers"):
            return
        step = plan.get(title, {})
        answer_and_continue(page, check, step.get("choices", ()), step.get("texts"))
    raise AssertionError("did not reach check your answers")


COMMON = {
    "Where you work": {"choices": [("region", "greater_manchester"), ("organisation_type", "acute_trust")]},
    "Career pathways and careers advice": {"choices": [("careers_advice_received", "no"),
                                                       ("careers_advice_future", "yes")]},
}


def test_survey_branch_physiotherapist_without_follow_up(live_server, demo, page, axe_checked):
    key = begin(page, live_server, demo, axe_checked)
    page.screenshot(path=str(SCREENSHOTS / "survey-page.png"), full_page=False)
    plan = {**COMMON,
            "About you and your work": {"choices": [("profession", "physiotherapist"), ("pay_band", "band_7")],
                                        "texts": {"job_title": "Advanced Physiotherapist"}},
            "Your experience of research and teaching and learning": {
                "choices": [("job_description", "teaching"), ("time_last_12_months", "neither")]},
            "Taking part in an interview": {"choices": [("contact_consent", "no")]}}
    walk_to_check(page, axe_checked, plan)
    assert "Your contact details" not in page.content()  # skipped: no follow-up consent
    page.screenshot(path=str(SCREENSHOTS / "check-your-answers.png"), full_page=False)
    finish(page, axe_checked)
    response = Response.objects.get(respondent_key=key)
    assert response.status == Response.COMPLETE and response.answers["professional_group"] == "ahp"
    assert response.answers["job_title"] == "Advanced Physiotherapist"


def test_survey_branch_nurse_with_roles_and_contact_details(live_server, demo, page, axe_checked):
    key = begin(page, live_server, demo, axe_checked)
    plan = {**COMMON,
            "About you and your work": {"choices": [("profession", "adult_nurse"),
                                                    ("profession", "mental_health_nurse")]},
            "Your experience of research and teaching and learning": {
                "choices": [("job_description", "research"), ("time_last_12_months", "research"),
                            ("time_proportion_research", "over_75")]},
            "Roles and contracts": {"choices": [("roles_of_interest", "research_only"),
                                                ("contract_research_only", "part_time")]},
            "Taking part in an interview": {"choices": [("contact_consent", "yes")]},
            "Your contact details": {"texts": {"contact_name": "Jo Bloggs", "contact_email": "jo@example.nhs.uk"}}}
    walk_to_check(page, axe_checked, plan)
    assert "Given (not shown)" in page.content()
    finish(page, axe_checked)
    response = Response.objects.get(respondent_key=key)
    assert response.answers["contract_research_only"] == "part_time"
    assert response.answers["time_proportion_research"] == "over_75"
    assert ContactDetails.objects.get(respondent_key=key).details["contact_name"] == "Jo Bloggs"


def test_leave_and_resume(live_server, demo, browser, page, axe_checked):
    begin(page, live_server, demo, axe_checked)
    page.locator("input[name='profession'][value='midwife']").check()
    page.get_by_role("button", name="Save and come back later").click()
    axe_checked("saved")
    link = page.locator("#resume-link").get_attribute("href")
    other = browser.new_context(bypass_csp=True).new_page()
    other.goto(f"{live_server.url}{link}")
    assert other.locator("h1").inner_text() == "Equality and diversity"  # picks up where they left off
    other.goto(f"{live_server.url}{link}about_you/")
    assert other.locator("input[name='profession'][value='midwife']").is_checked()
    other.context.close()


def test_validation_errors_then_fixed(live_server, demo, page, axe_checked):
    key = begin(page, live_server, demo, axe_checked)
    page.get_by_role("button", name="Save and continue").click()  # profession is required
    axe_checked("required error")
    summary = page.locator(".nhsuk-error-summary")
    assert summary.is_visible() and "Select at least one option" in summary.inner_text()
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "q-profession"  # the link takes you to the field
    page.goto(f"{live_server.url}/respond/{key}/enablers_barriers/")
    for value in ("lack_of_contracts", "financial_penalties", "not_change_employer", "patient_contact"):
        page.locator(f"input[name='top_barriers'][value='{value}']").check()
    page.get_by_role("button", name="Save and continue").click()
    axe_checked("too many barriers")
    assert "Select no more than three barriers." in page.locator(".nhsuk-error-summary").inner_text()
    page.locator("input[name='top_barriers'][value='patient_contact']").uncheck()
    page.get_by_role("button", name="Save and continue").click()
    assert page.locator(".nhsuk-error-summary").count() == 0
    assert Response.objects.get(respondent_key=key).answers["top_barriers"] == \
        "lack_of_contracts financial_penalties not_change_employer"


def sign_in(page, live_server, username, password, check, secret=None):
    page.goto(f"{live_server.url}/sign-in/?next=/dashboard/")
    check("sign in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    if secret:
        page.wait_for_url(re.compile(r"/sign-in/code/"))
        check("security code")
        page.get_by_label("Security code").fill(pyotp.TOTP(secret).now())
        page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/dashboard/$"))
    check("dashboard")


def test_lead_sees_suppressed_cells(live_server, demo, page, axe_checked):
    sign_in(page, live_server, "lead", "demo-lead-password", axe_checked)
    page.get_by_role("link", name=re.compile("nmahp_survey, wave 2023-demo")).click()
    axe_checked("wave tables")
    page.locator("#overview").click()
    axe_checked("wave overview")
    assert page.locator(".nmahp-summary").count() > 10 and page.locator(".nmahp-suppressed").count() > 0
    page.go_back()
    page.get_by_role("link", name=re.compile("How interested are you in a research career")).click()
    page.get_by_label("Break down by").select_option("ethnicity")
    page.get_by_role("button", name="Show").click()
    axe_checked("table by ethnicity")
    breakdown = page.locator("#breakdown")
    assert breakdown.locator(".nmahp-suppressed").count() > 0
    assert breakdown.locator(".nmahp-suppressed").first.inner_text() == "fewer than 8"
    text = breakdown.inner_text()
    shown = [int(n) for pair in re.findall(r"n=(\d+)|\b(\d+)/\d+\b|N=(\d+)", text) for n in pair if n]
    assert shown and all(n % ROUND == 0 and n >= 8 for n in shown)  # nothing under 8; the rest rounded
    assert f"rounded to the nearest {ROUND}" in page.locator("#disclosure-note").inner_text()
    assert "(N=fewer than 8)" in text  # a small group is hidden whole
    page.screenshot(path=str(SCREENSHOTS / "dashboard-lead.png"), full_page=True)


def test_analyst_download_is_in_the_audit_log(live_server, demo, page, axe_checked):
    sign_in(page, live_server, "analyst", "demo-analyst-password", axe_checked, secret="JBSWY3DPEHPK3PXPJBSWY3DP")
    page.get_by_role("link", name=re.compile("nmahp_survey, wave 2023-demo")).click()
    axe_checked("analyst wave")
    with page.expect_download() as download:
        page.locator("#download-csv").click()
    assert download.value.suggested_filename == "nmahp_survey-2023-demo-tables.csv"
    event = AuditEvent.objects.get(action="download_csv")
    assert event.actor == "analyst"
    # the coding pages, as the analyst sees them
    page.goto(f"{live_server.url}/coding/")
    axe_checked("coding index")
    page.get_by_role("button", name="Start coding nmahp_survey 2023-demo").click()
    axe_checked("coding project")
    page.get_by_label("Name").fill("Protected time")
    page.get_by_role("button", name="Add code").click()
    page.get_by_role("link", name="enablers_barriers_comments", exact=True).click()
    axe_checked("coding document")
    page.locator("input[type=checkbox]").first.check()
    page.get_by_role("button", name="Save coding").click()
    assert "Protected time" in page.locator("#themes").inner_text()
    page.get_by_role("link", name="Suggested themes").click()
    axe_checked("suggestions")


def test_opt_in_see_a_match_with_reasons_and_accept(live_server, demo, browser, page, axe_checked):
    from nmahp.web.mentoring.models import Match

    page.goto(f"{live_server.url}/mentoring/join/")
    axe_checked("join")
    page.get_by_role("button", name="Join").click()  # nothing filled in: errors, nothing stored
    axe_checked("join errors")
    assert "Agree to your profile being used for matching" in page.locator(".nhsuk-error-summary").inner_text()
    page.get_by_label("Your name").fill("Sam Patel")
    page.get_by_label("Your email address").fill("sam@example.nhs.uk")
    page.get_by_label("Your profession").select_option("physiotherapist")
    page.get_by_label("Where you work").select_option("greater_manchester")
    page.get_by_label("First steps into research").check()
    page.get_by_label("Your area of interest, in your own words").fill("musculoskeletal pain rehabilitation")
    page.get_by_label("Mentoring").check()
    page.get_by_label("I agree that my profile can be used for matching").check()
    page.get_by_role("button", name="Join").click()
    page.wait_for_url(re.compile(r"/mentoring/me/"))
    axe_checked("my profile")
    my_page = page.url

    analyst = browser.new_context(bypass_csp=True).new_page()
    sign_in(analyst, live_server, "analyst", "demo-analyst-password", lambda label: None,
            secret="JBSWY3DPEHPK3PXPJBSWY3DP")
    analyst.goto(f"{live_server.url}/mentoring/rounds/")
    analyst.get_by_role("button", name="Run a new round").click()
    analyst.get_by_role("button", name="Publish these matches").click()
    analyst.context.close()

    page.goto(my_page)
    axe_checked("match")
    reasons = page.locator("#reasons").inner_text()
    assert "they offer what you asked for: mentoring" in reasons and "musculoskeletal" in reasons
    page.screenshot(path=str(SCREENSHOTS / "mentoring-match.png"), full_page=True)
    page.get_by_role("button", name="Accept this match").click()
    assert page.locator("#accepted").is_visible()
    assert Match.objects.get().status == Match.ACCEPTED
