"""Coding in Chromium, axe-core on every page: a passage highlighted with the mouse and another from the
keyboard, both coded, memos written on a passage and a code, the project exported as .qdpx and the passage and memo found in it;
a blind round coded by two analysts who cannot see each other's coding, closed, compared and adjudicated."""

import re
import zipfile

import pyotp
import pytest
from lxml import etree

from nmahp.web.coding.models import CodeItem, CodingDocument, CodingProject, HighlightItem
from nmahp.web.surveys import store

from .conftest import PASSWORD, SECRET, make_user

pytestmark = [pytest.mark.db, pytest.mark.e2e]
TEXT = ("Interviewer: What got you started in research?\n\n"
        "Participant 43: Pure luck, really. A research nurse asked me to help with recruitment, and I never "
        "looked back.\n\nInterviewer: And what held you back?\n\n"
        "Participant 43: No protected time. My manager was kind but there was no backfill.")


@pytest.fixture
def project(transactional_db):
    for name in ("anna", "ben"):
        make_user(name, "analyst")
    wave = store.get_or_create_wave("nmahp", "2026")
    project = CodingProject.objects.create(wave=wave, name="Interviews 2026")
    turns, at = [], 0
    for part in TEXT.split("\n\n"):
        start = TEXT.index(part, at)
        speaker = part.split(":")[0]
        turns.append({"start": start, "end": start + len(part), "participant": "43", "speaker": speaker})
        at = start + len(part)
    CodingDocument.objects.create(project=project, name="interview-43", kind="transcript", text=TEXT, segments=turns)
    CodeItem.objects.create(project=project, name="Protected time")
    return project


def sign_in(page, live_server, check, who, then):
    page.goto(f"{live_server.url}/sign-in/?next={then}")
    page.get_by_label("Username").fill(who)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/sign-in/code/"))
    page.get_by_label("Security code").fill(pyotp.TOTP(SECRET).now())
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(re.escape(then) + "$"))
    check(then)


def select_with_mouse(page, start, end):
    """Drag the mouse over characters start..end of the document's text, as a person would."""
    box = page.evaluate("""([start, end]) => {
        const root = document.getElementById("document-text");
        const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        let seen = 0, node, range = document.createRange();
        while ((node = walker.nextNode())) {
            const length = node.textContent.length;
            if (start >= seen && start <= seen + length) range.setStart(node, start - seen);
            if (end >= seen && end <= seen + length) { range.setEnd(node, end - seen); break; }
            seen += length;
        }
        node.parentElement.scrollIntoView({block: "center"});
        const rects = range.getClientRects(), first = rects[0], last = rects[rects.length - 1];
        return [first.left, first.top + first.height / 2, last.right, last.top + last.height / 2];
    }""", [start, end])
    page.mouse.move(box[0] + 1, box[1])
    page.mouse.down()
    page.mouse.move(box[2] - 1, box[3], steps=8)
    page.mouse.up()


def test_highlight_by_mouse_and_by_keyboard_memo_and_export(live_server, project, page, axe_checked):
    sign_in(page, live_server, axe_checked, "anna", f"/coding/{project.pk}/")
    page.get_by_label("Name").fill("Research role models")
    page.get_by_role("button", name="Add code").click()
    page.get_by_role("link", name="code passages of interview-43").click()
    page.wait_for_url(re.compile(r"/passages/$"))
    axe_checked("passage page")

    # by mouse: the script fills in the positions and the preview
    start = TEXT.index("A research nurse")
    end = start + len("A research nurse asked me to help")
    select_with_mouse(page, start, end)
    assert page.get_by_label("Start (character position)").input_value() == str(start)
    assert page.get_by_label("End (character position, not included)").input_value() == str(end)
    assert page.locator("#passage-preview").inner_text() == "A research nurse asked me to help"
    page.get_by_label("Research role models").check()
    page.get_by_label("Memo on this passage (optional)").fill("A role model, not luck")
    page.get_by_role("button", name="Code the passage").click()
    page.wait_for_url(re.compile(r"#my-highlights$"))
    axe_checked("after coding by mouse")
    assert page.locator("#document-text mark").inner_text() == "A research nurse asked me to help"

    # by keyboard: find the words, follow the hit's link, tick the code and send the form, never the mouse
    page.get_by_label("Words to find").focus()
    page.keyboard.type("no protected time")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=no\+protected\+time"))
    axe_checked("search hits")
    page.get_by_role("link", name=re.compile("Code this hit")).focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"start=\d+&end=\d+#code-passage$"))
    assert page.locator("#passage-preview").inner_text() == "No protected time"
    page.get_by_label("Protected time").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Code the passage").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"#my-highlights$"))
    axe_checked("after coding by keyboard")
    marks = page.locator("#document-text mark").all_inner_texts()
    assert marks == ["A research nurse asked me to help", "No protected time"]
    assert HighlightItem.objects.count() == 2

    page.get_by_role("link", name="Interviews 2026").click()
    page.get_by_role("link", name="The codebook", exact=True).click()
    axe_checked("codebook")
    page.get_by_role("link", name="Protected time", exact=True).click()
    axe_checked("a code's page")
    page.get_by_label("Your memo on Protected time").fill("Raised by every lead")
    page.get_by_role("button", name="Save the memo").click()
    page.wait_for_url(re.compile(r"/codebook/#code-\d+$"))
    page.get_by_role("link", name="Interviews 2026").click()
    page.get_by_label("Find words in every document").fill("backfill")
    page.get_by_role("button", name="Find").click()
    page.wait_for_url(re.compile(r"/search/\?q=backfill$"))
    axe_checked("search in every document")
    assert page.locator("#hit-count").inner_text() == "1 found in 1 document."
    page.get_by_role("link", name="Interviews 2026").click()
    page.get_by_role("link", name="Themes by participants' answers").click()
    axe_checked("themes by participants' answers")
    page.get_by_role("link", name="Interviews 2026").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the project (REFI-QDA .qdpx)").click()
    with zipfile.ZipFile(download.value.path()) as archive:
        root = etree.fromstring(archive.read("project.qde"))
    ns = {"q": root.nsmap[None]}
    notes = {n.get("guid"): n.findtext("q:PlainTextContent", namespaces=ns) for n in root.iterfind(".//q:Note", ns)}
    found = {}
    for selection in root.iterfind(".//q:PlainTextSelection", ns):
        first, last = int(selection.get("startPosition")), int(selection.get("endPosition"))
        found[TEXT[first:last]] = [notes[r.get("targetGUID")] for r in selection.findall("q:NoteRef", ns)]
    assert found == {"A research nurse asked me to help": ["A role model, not luck"], "No protected time": []}
    code = root.find(".//q:Code[@name='Protected time']", ns)
    assert [notes[r.get("targetGUID")] for r in code.findall("q:NoteRef", ns)] == ["Raised by every lead"]


def test_blind_round_and_its_adjudication(live_server, project, browser, page, axe_checked):
    base = f"/coding/{project.pk}/"
    sign_in(page, live_server, axe_checked, "anna", base)
    page.get_by_role("link", name="Blind coding rounds").click()
    axe_checked("rounds")
    page.get_by_label("Name of the round").fill("Interviews, round 1")
    page.get_by_label("interview-43").check()
    page.get_by_label("anna").check()
    page.get_by_label("ben").check()
    page.get_by_role("button", name="Open the round").click()
    page.wait_for_url(re.compile(r"/rounds/\d+/$"))
    axe_checked("an open round")
    round_url = page.url
    page.get_by_role("link", name="interview-43").click()
    page.get_by_label("Protected time").nth(3).check()  # the fourth turn: "No protected time..."
    page.get_by_role("button", name="Save coding").click()

    other = browser.new_context(bypass_csp=True, viewport={"width": 1100, "height": 900}).new_page()
    sign_in(other, live_server, lambda label: None, "ben", base)
    other.goto(round_url)
    assert "anna" not in other.locator("main").inner_text()
    other.goto(f"{live_server.url}{base}doc/{project.documents.get().pk}/")
    assert other.get_by_label("Protected time").nth(3).is_checked() is False  # anna's coding is not shown
    other.get_by_label("Protected time").nth(1).check()  # ben codes the second turn instead
    other.get_by_role("button", name="Save coding").click()
    other.goto(round_url + "adjudicate/")
    assert "still open" in other.locator("main").inner_text() or "once the round has closed" in \
        other.locator("main").inner_text()
    other.context.close()

    page.goto(round_url)
    page.get_by_role("button", name="Close the round and compare the coding").click()
    page.wait_for_url(re.compile(r"/rounds/\d+/$"))
    axe_checked("a closed round")
    assert page.locator("#kappa").inner_text().count("anna and ben") == 1
    page.get_by_role("link", name="Settle the disagreements").click()
    axe_checked("adjudication")
    cards = page.locator("#disagreements .nhsuk-card")
    assert cards.count() == 2
    assert "Pure luck" in cards.nth(0).inner_text() and "No protected time" in cards.nth(1).inner_text()
    cards.nth(1).get_by_label("Protected time").check()
    cards.nth(1).get_by_role("button", name=re.compile("Record the agreed coding")).click()
    page.wait_for_load_state()
    axe_checked("agreed")
    assert "Agreed" in page.locator("#disagreements .nhsuk-card").nth(1).inner_text()
    agreed = HighlightItem.objects.get(coder="(agreed)")
    assert TEXT[agreed.start:agreed.end].startswith("Participant 43: No protected time")
