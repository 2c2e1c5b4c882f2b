"""Importing an export in Chromium, axe-core on every page: an analyst uploads the independently worded
SurveyMonkey export, reads the proposed mapping as a table, corrects it, checks it with a dry run, imports
it as a background job under the as-recorded policy, and downloads the mapping for next time."""

import json
import re
from pathlib import Path

import pytest
import yaml

from nmahp.web.accounts.models import AuditEvent
from nmahp.web.surveys.models import ImportRecord, Response

from .conftest import SCREENSHOTS
from .test_programme_browser import analyst, sign_in  # noqa: F401  (a fixture and the sign-in steps)

pytestmark = [pytest.mark.db, pytest.mark.e2e]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
EXPORT = FIXTURES / "surveymonkey_independent_wording.csv"
PLANTED = json.loads((FIXTURES / "surveymonkey_independent_wording.planted.json").read_text(encoding="utf-8"))


def reviewed_values() -> str:
    """The values box as a reviewer leaves it: the export author's label for each choice, and consent."""
    wording = yaml.load((FIXTURES / "surveymonkey_independent_wording.yaml").read_text(encoding="utf-8"),
                        Loader=yaml.BaseLoader)
    values = {e["question"]: {label: name for name, label in e["options"].items()}
              for e in wording["columns"] if e["kind"] == "single"}
    return yaml.safe_dump({"values": values, "constants": {"consent": "yes"}}, allow_unicode=True)


def test_upload_correct_check_and_import_in_the_background(live_server, analyst, page, axe_checked, tmp_path):  # noqa: F811
    sign_in(page, live_server, axe_checked, then="/imports/")
    page.get_by_label("Export file (.csv or .xlsx)").set_input_files(str(EXPORT))
    page.get_by_label("Questionnaire").select_option("nmahp_survey")
    page.get_by_label("Wave").fill("2024")
    page.get_by_label("As recorded: keep the answers and flag the responses").check()
    page.get_by_role("button", name="Upload and propose a mapping").click()
    page.wait_for_url(re.compile(r"/imports/[\w-]+/$"))
    axe_checked("the proposed mapping")
    table = page.get_by_role("table", name="Proposed mapping")
    assert table.get_by_role("row").count() == len(PLANTED["truth"]) + 1
    ip = page.get_by_role("textbox", name="IP Address", exact=True)
    assert ip.input_value() == "personal"
    ip.fill("ignore")  # a correction in the table
    page.get_by_label("The export's own labels (values) and constants").fill(reviewed_values())
    page.get_by_role("button", name="Check (dry run)").click()
    page.wait_for_selector("#check, #problem")
    assert not page.locator("#problem").count(), page.locator("#problem").inner_text()
    axe_checked("the dry run")
    breaks = page.locator("#breaks").inner_text()
    words = {"skip_logic": "answered although the skip logic does not ask it",
             "constraint": "breaks the question's constraint", "required": "required but not answered"}
    for rule, said in words.items():
        for question, rows in PLANTED[rule].items():
            assert f"{question}: {said}: {len(rows)} row(s), kept and flagged" in breaks
    assert page.locator("#ready").is_visible() and Response.objects.count() == 0
    page.screenshot(path=str(SCREENSHOTS / "import-dry-run.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the mapping (YAML)").click()
    saved = tmp_path / "mapping.yaml"
    download.value.save_as(saved)
    kept = yaml.load(saved.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    assert kept["columns"]["IP Address"] == "ignore" and kept["constants"] == {"consent": "yes"}
    page.get_by_role("button", name="Import", exact=True).click()
    page.wait_for_url(re.compile(r"/jobs/\d+/$"))
    axe_checked("the import job")
    assert page.locator("#status").inner_text() == "Done"
    imported = 160 - len(PLANTED["incomplete"])  # the fixture's 160 rows, less those never finished
    assert Response.objects.count() == imported
    (record,) = ImportRecord.objects.all()
    assert record.policy == "as-recorded" and record.actor == "analyst" and record.added == imported
    assert AuditEvent.objects.filter(action="import", actor="analyst").count() == 1
