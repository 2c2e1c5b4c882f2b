"""Browser tests: Playwright driving Debian's Chromium against the live Django server, with
axe-core run on every page."""

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make are plain
# synchronous ones and safe here
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# a background job runs inside the request that submits it (Huey's immediate mode), so a page that starts
# one (a matching round) goes straight on to its result; tests/web/test_jobs.py runs real workers
os.environ.setdefault("NMAHP_QUEUE", "immediate")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# screenshots go to a git-ignored folder, so a test run changes no tracked file; `make screenshots` sets
# NMAHP_SCREENSHOTS_DIR=docs/images to refresh the documentation's images on purpose
SCREENSHOTS = ROOT / os.environ.get("NMAHP_SCREENSHOTS_DIR", "var/screenshots")
SCREENSHOTS.mkdir(parents=True, exist_ok=True)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is not installed: .ci/run installs Debian's chromium (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    # bypass_csp lets the test inject axe-core; the app's own pages run no script at all
    context = browser.new_context(bypass_csp=True, viewport={"width": 1100, "height": 900},
                                  accept_downloads=True)
    page = context.new_page()
    yield page
    context.close()


def check_accessibility(page) -> list[dict]:
    """Run axe-core (WCAG 2.0-2.2 A/AA rules) on the page; return serious or critical violations."""
    from playwright.sync_api import Error as PlaywrightError

    # a click on a link returns once the navigation has started, not finished: axe run in the
    # old document while the new one commits loses its document, so wait for the load and run
    # again if a navigation still lands mid-run
    for attempt in range(3):
        page.wait_for_load_state("load")
        try:
            page.evaluate(AXE.read_text(encoding="utf-8"))
            result = page.evaluate("""async () => await axe.run(document, {runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})""")
            break
        except PlaywrightError as error:
            navigating = ("documentElement" in str(error) or "context was destroyed" in str(error)
                          or "axe is not defined" in str(error))
            if not navigating or attempt == 2:
                raise
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:3]}
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.fixture
def axe_checked(page):
    """Every page visited through `visit` or after a navigation is checked; failures are collected."""
    problems = []

    def check(label):
        found = check_accessibility(page)
        if found:
            problems.append((label, page.url, found))

    yield check
    assert not problems, problems


# every browser test signs in people it made itself, with one password and one authenticator secret
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DP"
PASSWORD = "a-long-test-password"


def make_user(username: str, role: str, **profile):
    """A user of `role` with PASSWORD; an analyst also with the authenticator SECRET, as analysts must."""
    from django.contrib.auth import get_user_model

    from nmahp.web.accounts.models import Profile

    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    if role == "analyst":
        profile.setdefault("totp_secret", SECRET)
    Profile.objects.create(user=user, role=role, **profile)
    return user
