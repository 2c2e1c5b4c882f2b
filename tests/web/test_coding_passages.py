"""Passage coding through the pages: any stretch of a document by character positions or a search hit,
edited, re-coded and deleted; memos on passages, codes' documents; the passage and its memo in the .qdpx."""

import io
import re
import zipfile

import pytest
from django.test import Client
from lxml import etree

from nmahp.web.coding.models import CodeItem, CodingDocument, CodingNote, CodingProject, HighlightItem
from nmahp.web.surveys import store

pytestmark = [pytest.mark.db, pytest.mark.django_db]
TEXT = "Interviewer: What got you started?\n\nParticipant 43: Pure luck. A research nurse asked me to help."


@pytest.fixture
def project(db):
    wave = store.get_or_create_wave("nmahp", "passage-wave")
    project = CodingProject.objects.create(wave=wave, name="Passages")
    CodingDocument.objects.create(project=project, name="interview-43", kind="transcript", text=TEXT, segments=[
        {"start": 0, "end": 34, "participant": "43", "speaker": "Interviewer"},
        {"start": 36, "end": len(TEXT), "participant": "43", "speaker": "Participant 43"}])
    CodeItem.objects.create(project=project, name="Luck")
    CodeItem.objects.create(project=project, name="Research role models")
    return project


@pytest.fixture
def coder(make_user):
    def sign_in(name):
        client = Client()
        client.force_login(make_user(name, "analyst"))
        session = client.session
        session["second_factor"] = True
        session.save()
        return client
    return sign_in


def test_code_a_passage_by_its_positions_and_find_it_with_its_memo_in_the_export(project, coder):
    anna = coder("anna")
    document = project.documents.get()
    luck, models = (str(c.pk) for c in project.codes.order_by("name"))
    url = f"/coding/{project.pk}/doc/{document.pk}/passages/"
    start = TEXT.index("A research nurse")
    end = start + len("A research nurse")
    preview = anna.post(url, {"action": "preview", "start": start, "end": end})
    assert preview.status_code == 200 and "<q id=\"passage-preview\" class=\"nmahp-passage-preview\" " \
        "aria-live=\"polite\">A research nurse</q>" in preview.content.decode()
    # positions are checked: nothing is stored for a bad one
    for bad in ({"start": end, "end": start}, {"start": 0, "end": len(TEXT) + 1}, {"start": "x", "end": 3}):
        refused = anna.post(url, {"action": "code", "codes": [models], **bad})
        assert refused.status_code == 400 and "There is a problem" in refused.content.decode()
    assert anna.post(url, {"action": "code", "start": start, "end": end}).status_code == 400  # no code chosen
    assert not HighlightItem.objects.exists()
    # a selection that drags in a space at either end is trimmed to the words
    done = anna.post(url, {"action": "code", "start": start - 1, "end": end, "codes": [models],
                           "memo": "Role model, not luck"})
    assert done.status_code == 302
    item = HighlightItem.objects.get()
    assert (item.start, item.end, item.coder) == (start, end, "anna")
    twin = anna.get(url.rstrip("/") + ".json").json()
    assert "".join(p["text"] for p in twin["pieces"]) == TEXT
    assert [p["text"] for p in twin["pieces"] if p["highlights"]] == ["A research nurse"]
    assert twin["highlights"][0]["memo"] == "Role model, not luck"
    assert anna.post(url, {"action": "document-memo", "document_memo": "Short, warm interview"}).status_code == 302

    export = anna.get(f"/coding/{project.pk}/export.qdpx")
    with zipfile.ZipFile(io.BytesIO(b"".join(export.streaming_content))) as archive:
        root = etree.fromstring(archive.read("project.qde"))
    ns = {"q": root.nsmap[None]}
    selection = root.find(".//q:PlainTextSelection", ns)
    assert (int(selection.get("startPosition")), int(selection.get("endPosition"))) == (start, end)
    note_ids = [ref.get("targetGUID") for ref in selection.findall("q:NoteRef", ns)]
    notes = {n.get("guid"): n.findtext("q:PlainTextContent", namespaces=ns) for n in root.iterfind(".//q:Note", ns)}
    assert [notes[i] for i in note_ids] == ["Role model, not luck"]
    assert "Short, warm interview" in notes.values()


def test_search_hits_edit_recode_and_delete(project, coder):
    anna, ben = coder("anna"), coder("ben")
    document = project.documents.get()
    luck, models = (str(c.pk) for c in project.codes.order_by("name"))
    url = f"/coding/{project.pk}/doc/{document.pk}/passages/"
    hits = anna.get(url.rstrip("/") + ".json?q=LUCK").json()["hits"]
    assert [(h["start"], h["end"], h["found"]) for h in hits] == [(TEXT.index("luck"), TEXT.index("luck") + 4,
                                                                  "luck")]
    page = anna.get(url + "?q=luck").content.decode()
    assert f"start={hits[0]['start']}&amp;end={hits[0]['end']}" in page
    assert anna.post(url, {"action": "code", "start": hits[0]["start"], "end": hits[0]["end"],
                           "codes": [luck], "memo": "first"}).status_code == 302
    item = HighlightItem.objects.get()
    edit = f"{url}{item.pk}/"
    assert ben.get(edit).status_code == 404 and ben.post(edit, {"action": "delete"}).status_code == 404
    wider = TEXT.index("Pure luck.")
    assert anna.post(edit, {"start": wider, "end": wider + 10, "codes": [luck, models], "memo": "both"}
                     ).status_code == 302
    item.refresh_from_db()
    assert TEXT[item.start:item.end] == "Pure luck." and item.codes.count() == 2
    assert CodingNote.objects.get(attached_to=[item.guid]).text == "both"
    assert anna.post(edit, {"start": 5, "end": 2, "codes": [luck]}).status_code == 400
    assert anna.post(edit, {"action": "delete"}).status_code == 302
    assert not HighlightItem.objects.exists() and not CodingNote.objects.exists()


def test_search_every_document_and_the_page_runs_no_inline_script(project, coder):
    anna = coder("anna")
    document = project.documents.get()
    found = anna.get(f"/coding/{project.pk}/search.json?q=research").json()
    assert found["hits"] == 1 and found["documents"][0]["hits"][0]["start"] == TEXT.index("research")
    page = anna.get(f"/coding/{project.pk}/search/?q=research").content.decode()
    assert f"/doc/{document.pk}/passages/?q=research&amp;start={TEXT.index('research')}" in page
    # the site's CSP forbids inline script: the passage page's script is a static file
    passages = anna.get(f"/coding/{project.pk}/doc/{document.pk}/passages/")
    assert "script-src 'self'" in passages["Content-Security-Policy"]
    scripts = re.findall(r"<script[^>]*>", passages.content.decode())
    assert scripts and all(re.search(r'src="/static/[^"]+\.js"', s) for s in scripts)
    assert "coding-passages.js" in " ".join(scripts)


def test_code_every_hit_at_once(project, coder):
    anna = coder("anna")
    luck = str(project.codes.get(name="Luck").pk)
    url = f"/coding/{project.pk}/search/"
    assert anna.post(url, {"q": "research nurse"}).status_code == 400  # no code chosen
    assert anna.post(url, {"q": "", "codes": [luck]}).status_code == 400  # nothing found
    assert not HighlightItem.objects.exists()
    done = anna.post(url, {"q": "u", "codes": [luck]})
    hits = [i for i, ch in enumerate(TEXT) if ch.lower() == "u"]
    assert done.status_code == 200 and f"{len(hits)} hits coded." in done.content.decode()
    assert sorted(HighlightItem.objects.values_list("start", flat=True)) == hits
    again = anna.post(url, {"q": "u", "codes": [luck]})  # already coded just so: nothing added
    assert "0 hits coded." in again.content.decode() and HighlightItem.objects.count() == len(hits)
