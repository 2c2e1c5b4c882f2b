"""The pages added last (cross-tabulation, wave comparison, jobs, outreach, opportunity alerts and the table page
leaving rule breaks out) in Chromium, axe-core on every page: an analyst walks them in one session, a lead
reads the cross-tabulation and the comparison of their region, a member of the public follows their own links."""

import re

import pyotp
import pytest

from nmahp.app import alerts, interviews, jobs, outreach, programme
from nmahp.app.waves import store_synthetic
from nmahp.web.outreach.models import Invitee
from nmahp.web.surveys.models import Wave

from .conftest import PASSWORD, SCREENSHOTS, SECRET, make_user

pytestmark = [pytest.mark.db, pytest.mark.e2e]


@pytest.fixture
def waves(transactional_db):
    """Two small waves of the NMAHP survey, the later one with an e-mail link, and an analyst."""
    analyst = make_user("analyst", "analyst")
    kept = programme.versions("nmahp")[0]
    store_synthetic("nmahp", "2025", 30, seed=2)
    wave = programme.create_wave(kept.pk, "2026", channels=[("email", None)], actor="analyst")
    store_synthetic("nmahp", "2026", 40, seed=3)
    return Wave.objects.get(name="2025"), wave, analyst


def sign_in(page, live_server, username, then, code=True):
    page.goto(f"{live_server.url}/sign-in/?next={then}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if code:
        page.wait_for_url(re.compile(r"/sign-in/code/"))
        page.get_by_label("Security code").fill(pyotp.TOTP(SECRET).now())
        page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(re.escape(then) + "$"))


def visit(page, check, url, name):
    """Open a page, expect it to be served, screenshot it and let axe-core check it."""
    answer = page.goto(url)
    assert answer.status == 200, (url, answer.status)
    # the comparison runs to dozens of tables: its first screen is enough to look at, and far quicker to save
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page="compare" not in name)
    check(name)


def choose_two_questions(page, question="pay_band", by="professional_group"):
    page.locator("#question").select_option(question)
    page.locator("#by").select_option(by)
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    assert page.locator("#crosstab").count() == 1


def test_an_analyst_walks_the_new_pages(live_server, waves, page, axe_checked):
    earlier, wave, analyst = waves
    link = wave.collectors.get(channel="email")
    outreach.add_invitees(link, b"email,name\nsam@example.org,Sam\nalex@example.org,Alex\n", actor="analyst")
    job = jobs.submit("synthetic_respondents", {"instrument": "nmahp", "wave": "2025", "n": 5, "seed": 9},
                      user=analyst)
    base = live_server.url
    sign_in(page, live_server, "analyst", f"/dashboard/wave/{wave.pk}/crosstab/")
    axe_checked("crosstab, nothing chosen")
    choose_two_questions(page)
    assert "question=" in page.url and "by=" in page.url
    page.screenshot(path=str(SCREENSHOTS / "new-crosstab-analyst.png"), full_page=True)
    axe_checked("crosstab")

    visit(page, axe_checked, f"{base}/dashboard/wave/{wave.pk}/compare/", "new-compare-analyst")
    assert "2025" in page.locator("main").inner_text()
    visit(page, axe_checked, f"{base}/jobs/", "new-jobs")
    visit(page, axe_checked, f"{base}/jobs/{job.pk}/", "new-job")
    visit(page, axe_checked, f"{base}/programme/links/{link.pk}/invitees/", "new-invitees")
    assert "2" in page.locator("main").inner_text() and "sam@example.org" not in page.content()
    interviews.draw_sample(wave, seed=1, actor="analyst")
    visit(page, axe_checked, f"{base}/programme/waves/{wave.pk}/interviews/", "new-interviews")
    grid = page.locator("#grid").inner_text()
    assert "Nurses and midwives" in grid and "nursing_midwifery" not in grid  # cells named in words

    # no as-recorded import here, so no rule-break note: the parameter is accepted and the table shown
    # (tests/web/test_rule_breaks_page.py counts the breaks themselves)
    page.goto(f"{base}/dashboard/wave/{wave.pk}/")
    table = page.locator("a[href*='/tables/']").first.get_attribute("href").split("?")[0]
    visit(page, axe_checked, f"{base}{table}?rule_breaks=exclude", "new-table-rule-breaks-excluded")
    assert page.locator("table").count() >= 1


def test_a_lead_reads_the_crosstab_and_comparison_of_their_region(live_server, waves, page, axe_checked):
    _, wave, _ = waves
    make_user("lead", "lead", region="greater_manchester")
    sign_in(page, live_server, "lead", f"/dashboard/wave/{wave.pk}/crosstab/", code=False)
    axe_checked("crosstab (lead), nothing chosen")
    choose_two_questions(page)
    assert page.locator("#disclosure-note").count() == 1
    page.screenshot(path=str(SCREENSHOTS / "new-crosstab-lead.png"), full_page=True)
    axe_checked("crosstab (lead)")
    visit(page, axe_checked, f"{live_server.url}/dashboard/wave/{wave.pk}/compare/", "new-compare-lead")


def test_a_member_of_the_public_follows_their_own_links(live_server, waves, page, axe_checked):
    _, wave, _ = waves
    outreach.add_invitees(wave.collectors.get(channel="email"), b"email\nsam@example.org\n", actor="analyst")
    invitee = Invitee.objects.get(email="sam@example.org")
    alert = alerts.subscribe("sam@example.org", {"kind": ""})
    base = live_server.url
    visit(page, axe_checked, f"{base}/invite/{invitee.token}/", "new-invite")
    assert page.get_by_label("Yes, I agree to take part").count() == 1
    visit(page, axe_checked, f"{base}/unsubscribe/{invitee.token}/", "new-unsubscribe")
    page.get_by_role("button").last.click()
    page.wait_for_load_state()
    axe_checked("unsubscribed")
    invitee.refresh_from_db()
    assert invitee.unsubscribed is not None
    visit(page, axe_checked, f"{base}/careers/alerts/new/", "new-alert-new")
    visit(page, axe_checked, f"{base}/careers/alerts/{alert.token}/", "new-alert")
