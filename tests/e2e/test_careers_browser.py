"""The careers navigator in Chromium: the eligibility checker answered as a user would, the scheme
filters, the glossary links and every navigator page checked with axe-core. Screenshots go to docs/."""

import re

import pytest

from nmahp.web.careers.demo import load_careers_demo

from .conftest import SCREENSHOTS

pytestmark = [pytest.mark.db, pytest.mark.e2e]


@pytest.fixture
def careers_demo(transactional_db):
    load_careers_demo()


def test_checker_band5_nurse_sees_open_one_step_and_closed(live_server, careers_demo, page, axe_checked):
    page.goto(f"{live_server.url}/careers/")
    axe_checked("careers home")
    page.screenshot(path=str(SCREENSHOTS / "careers-home.png"), full_page=False)
    page.get_by_role("link", name="What can I apply for?").first.click()
    page.wait_for_load_state()
    axe_checked("checker questions")
    # submitting with nothing answered gives an error summary naming each question
    page.get_by_role("button", name="Show what I can apply for").click()
    page.wait_for_load_state()
    assert page.locator(".nhsuk-error-summary").is_visible()
    assert page.locator(".nhsuk-error-summary li").count() == 7
    axe_checked("checker errors")
    page.select_option("#profession", "adult_nurse")
    for name, value in [("registration", "registered"), ("qualification", "degree"),
                        ("research_experience", "none"), ("employer", "nhs"),
                        ("region", "nw_greater_manchester"), ("time", "half_or_more")]:
        page.locator(f"input[name='{name}'][value='{value}']").check()
    page.get_by_role("button", name="Show what I can apply for").click()
    page.wait_for_load_state()
    axe_checked("checker results")
    assert page.locator("h1").inner_text() == "What you can apply for"
    open_now = page.locator(".nmahp-verdict--open")
    assert open_now.filter(has_text="Pre-doctoral Clinical and Practitioner Academic Fellowship").count() == 1
    step = page.locator(".nmahp-verdict--step[data-scheme='dcaf']")
    assert "Complete a master's" in step.inner_text()
    closed = page.locator(".nmahp-closed li[data-scheme='acaf']")
    assert "You need a doctorate." in closed.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "careers-checker-results.png"), full_page=True)
    # the results address holds the answers: change one and look again
    page.goto(page.url.replace("qualification=degree", "qualification=doctorate"))
    assert page.locator(".nmahp-verdict--open[data-scheme='acaf']").count() == 1


def test_scheme_filters_narrow_the_list(live_server, careers_demo, page, axe_checked):
    page.goto(f"{live_server.url}/careers/schemes/")
    axe_checked("all schemes")
    everything = page.locator(".nmahp-scheme").count()
    assert everything >= 25
    page.select_option("#profession", "physiotherapist")
    page.select_option("#stage", "pre-doctoral")
    page.select_option("#funded", "yes")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    axe_checked("filtered schemes")
    shown = page.locator(".nmahp-scheme").evaluate_all("els => els.map(e => e.dataset.scheme)")
    assert shown and set(shown) <= {"pcaf", "pcaf-bridge", "ica-predoctoral-bridging", "nihr-in-practice-fellowship"}
    assert "pcaf" in shown
    assert re.search(rf"Showing {len(shown)} of \d+ schemes that match", page.locator("#result-count").inner_text())
    page.screenshot(path=str(SCREENSHOTS / "careers-schemes-filtered.png"), full_page=True)
    page.select_option("#time", "hours_month")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    assert page.locator(".nmahp-scheme").count() == 0
    assert "No scheme matches all of these filters" in page.locator("main").inner_text()


def test_acronyms_link_to_the_glossary(live_server, careers_demo, page, axe_checked):
    page.goto(f"{live_server.url}/careers/schemes/dcaf/")
    axe_checked("scheme page")
    page.screenshot(path=str(SCREENSHOTS / "careers-scheme-page.png"), full_page=True)
    link = page.locator("main a.nmahp-term", has_text="NIHR").first
    link.click()
    page.wait_for_load_state()
    assert page.url.endswith("/careers/glossary/#nihr")
    assert page.locator("#nihr").is_visible()
    axe_checked("glossary")
    page.screenshot(path=str(SCREENSHOTS / "careers-glossary.png"), full_page=False)


@pytest.mark.parametrize("path, shot", [
    ("/careers/pathway/", "careers-pathway.png"), ("/careers/start-small/", "careers-start-small.png"),
    ("/careers/employment/", "careers-employment.png"), ("/careers/stories/?setting=joint", "careers-stories.png"),
    ("/careers/opportunities/", "careers-opportunities.png"), ("/careers/schemes/nihr-70at70/", None),
])
def test_navigator_pages_are_accessible(live_server, careers_demo, page, axe_checked, path, shot):
    page.goto(f"{live_server.url}{path}")
    axe_checked(path)
    assert page.locator("h1").count() == 1
    if shot:
        page.screenshot(path=str(SCREENSHOTS / shot), full_page=True)
