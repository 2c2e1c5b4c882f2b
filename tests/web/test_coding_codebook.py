"""Codebook work through the pages: rename, describe, colour, move and merge codes, highlights following,
memos on codes, the history kept; bad changes refused with nothing changed."""

import pytest

from nmahp.web.coding.models import CodebookChange, CodeItem, CodingDocument, CodingNote, CodingProject, HighlightItem
from nmahp.web.surveys import store

pytestmark = [pytest.mark.db, pytest.mark.django_db]
TEXT = "Protected time matters.\n\nNo time for research.\n\nMy manager backs me."


@pytest.fixture
def project(db):
    wave = store.get_or_create_wave("nmahp", "codebook-wave")
    project = CodingProject.objects.create(wave=wave, name="Codebook")
    document = CodingDocument.objects.create(project=project, name="comments", kind="open_text", text=TEXT,
                                             segments=[{"start": 0, "end": 23, "participant": "1"}])
    codes = {name: CodeItem.objects.create(project=project, name=name)
             for name in ("Time", "No time", "Support", "Barriers")}
    for start, end, names in ((0, 14, ["Time"]), (25, 32, ["No time", "Time"]), (47, 57, ["Support"])):
        item = HighlightItem.objects.create(document=document, start=start, end=end, coder="anna")
        item.codes.set([codes[n] for n in names])
    return project, codes


def test_rename_colour_move_merge_and_history(project, signed_in):
    project, codes = project
    analyst = signed_in("analyst")
    page = f"/coding/{project.pk}/codebook/"
    edit = f"{page}{codes['No time'].pk}/"
    assert analyst.post(edit, {"name": "Lack of protected time", "description": "No time set aside",
                               "color": "#AA3300", "parent": codes["Barriers"].pk}).status_code == 302
    code = CodeItem.objects.get(pk=codes["No time"].pk)
    assert (code.name, code.color, code.parent_id) == ("Lack of protected time", "#AA3300", codes["Barriers"].pk)
    assert HighlightItem.objects.filter(codes__name="Lack of protected time").count() == 1  # followed the rename
    # refused, nothing changed: a taken name, a bad colour, a parent under the code itself
    for bad in ({"name": "Support"}, {"name": "Barriers", "color": "red"},
                {"name": "Barriers", "parent": codes["No time"].pk}):
        response = analyst.post(f"{page}{codes['Barriers'].pk}/", {"description": "", "color": "", **bad})
        assert response.status_code == 400 and "There is a problem" in response.content.decode()
    assert CodeItem.objects.get(pk=codes["Barriers"].pk).parent is None
    assert analyst.post(edit, {"action": "memo", "memo": "Mostly nurses"}).status_code == 302
    # merge: the highlight coded with both keeps one code, and the memo and sub-code go along
    assert analyst.post(f"{page}{codes['Barriers'].pk}/", {"action": "merge", "into": codes["Time"].pk}
                        ).status_code == 302
    assert analyst.post(edit, {"action": "merge", "into": codes["Time"].pk}).status_code == 302
    assert not CodeItem.objects.filter(name__in=["Lack of protected time", "Barriers"]).exists()
    time_highlights = HighlightItem.objects.filter(codes=codes["Time"])
    assert sorted(TEXT[h.start:h.end] for h in time_highlights) == ["No time", "Protected time"]
    assert CodingNote.objects.get().attached_to == [codes["Time"].guid]
    twin = analyst.get(page.rstrip("/") + ".json").json()
    assert {c["name"]: c["highlights"] for c in twin["codes"]} == {"Time": 2, "Support": 1}
    assert [h["action"] for h in twin["history"]] == ["merge", "merge", "move", "colour", "describe", "rename"]
    assert twin["history"][-1]["detail"] == "renamed to 'Lack of protected time'"
    assert CodebookChange.objects.count() == 6
    assert "Lack of protected time" in analyst.get(page).content.decode()  # the history keeps the old names


def test_a_coding_frames_codes_keep_their_names(project, signed_in):
    project, codes = project
    frame = CodeItem.objects.create(project=project, name="Job titles by focus")
    research = CodeItem.objects.create(project=project, name="Research-related", parent=frame)
    analyst = signed_in("analyst")
    page = f"/coding/{project.pk}/codebook/"
    renamed = analyst.post(f"{page}{research.pk}/", {"name": "Research", "description": "", "color": ""})
    assert renamed.status_code == 400 and "coding frame" in renamed.content.decode()
    merged = analyst.post(f"{page}{research.pk}/", {"action": "merge", "into": codes["Time"].pk})
    assert merged.status_code == 400 and CodeItem.objects.filter(pk=research.pk).exists()
    # its description and colour may still change
    assert analyst.post(f"{page}{research.pk}/", {"name": "Research-related", "description": "Research posts",
                                                  "color": "#112233", "parent": frame.pk}).status_code == 302
