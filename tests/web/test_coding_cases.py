"""Participants as cases: themes counted by their survey answers, exact for analysts and under the
disclosure policy for admins, on the page and its twin."""

import pytest

from nmahp.app import coding
from nmahp.instruments import get_instrument
from nmahp.study import STUDY
from nmahp.web.coding.models import CodeItem, CodingDocument, CodingProject, HighlightItem
from nmahp.web.surveys import store
from nmahp.web.surveys.models import Response

pytestmark = [pytest.mark.db, pytest.mark.django_db]


@pytest.fixture
def project(db):
    wave = store.get_or_create_wave("nmahp", "cases-wave")
    people = [("ahp", "greater_manchester")] * 9 + [("nursing_midwifery", "cheshire_merseyside")] * 3
    for group, region in people:
        Response.objects.create(wave=wave, status=Response.COMPLETE,
                                answers={"professional_group": group, "region": region})
    numbers = coding.participant_numbers(wave)
    project = CodingProject.objects.create(wave=wave, name="Cases")
    text, segments = "", []
    for number in sorted(numbers.values()):
        answer = f"Answer of participant {number}."
        segments.append({"start": len(text), "end": len(text) + len(answer), "participant": str(number)})
        text += answer + "\n\n"
    segments.append({"start": len(text), "end": len(text) + 20, "participant": "999"})  # not a respondent
    text += "An unknown speaker.."
    document = CodingDocument.objects.create(project=project, name="comments", kind="open_text", text=text,
                                             segments=segments)
    time = CodeItem.objects.create(project=project, name="Protected time")
    support = CodeItem.objects.create(project=project, name="Support")
    for index, segment in enumerate(segments):
        item = HighlightItem.objects.create(document=document, start=segment["start"], end=segment["end"],
                                            coder="anna")
        item.codes.set([time] if index > 1 else [time, support])
    return project


def test_themes_by_an_attribute_exact_for_analysts_disclosed_for_admins(project, signed_in):
    url = f"/coding/{project.pk}/cases"
    analyst = signed_in("analyst")
    exact = analyst.get(url + ".json?by=professional_group").json()
    assert [v["value"] for v in exact["values"]] == ["ahp", "nursing_midwifery", ""]
    assert exact["values"][0]["label"] == STUDY.group("ahp").label
    rows = {r["code"]: r for r in exact["rows"]}
    assert rows["Protected time"]["participants"] == 13 and rows["Protected time"]["by_value"] == [9, 3, 1]
    assert rows["Support"]["by_value"] == [2, 0, 0]
    by_region = analyst.get(url + ".json?by=region").json()
    labels = {c.name: c.label for c in get_instrument("nmahp").questions["region"].choices}
    assert [v["label"] for v in by_region["values"]] == [labels["cheshire_merseyside"], labels["greater_manchester"],
                                                          "No answer"]
    assert [v["participants"] for v in by_region["values"]] == [3, 9, 1]
    admin = signed_in("admin")
    published = admin.get(url + ".json?by=professional_group").json()
    rows = {r["code"]: r for r in published["rows"]}
    # 9 -> rounded to 10; 3, 1 and 2 are fewer than the threshold: hidden; the "other" group nobody is in listed too
    assert rows["Protected time"]["by_value"] == [10, None, None, None] and rows["Support"]["by_value"] == [None] * 4
    page = admin.get(url + "/?by=professional_group").content.decode()
    assert published["hidden_label"] in page and ">3<" not in page
    assert analyst.get(url + "/?by=no_such_question").status_code == 404


def test_erasing_a_respondent_takes_the_memo_on_their_answer(project):
    from nmahp.app.coding_passages import set_memo
    from nmahp.app.people import erase_respondent
    from nmahp.web.coding.models import CodingNote, ParticipantNumber

    first = ParticipantNumber.objects.get(wave=project.wave, number=1)
    document = project.documents.get()
    theirs = HighlightItem.objects.get(document=document, start=document.segments[0]["start"])
    other = HighlightItem.objects.get(document=document, start=document.segments[5]["start"])
    set_memo(project, theirs.guid, "They said their manager blocks it", coder="anna", about="answer 1")
    shared = CodingNote.objects.create(project=project, text="Both answers", attached_to=[theirs.guid, other.guid])
    erase_respondent(first.respondent_key, actor="admin")
    assert not HighlightItem.objects.filter(pk=theirs.pk).exists()
    assert list(CodingNote.objects.values_list("text", flat=True)) == ["Both answers"]
    shared.refresh_from_db()
    assert shared.attached_to == [other.guid]


def test_too_few_participants_show_only_that_outside_the_analyst_role(project, signed_in):
    HighlightItem.objects.exclude(start=0).delete()  # one participant coded
    url = f"/coding/{project.pk}/cases"
    client = signed_in("admin")
    assert "Fewer than 8 participants are coded" in client.get(url + "/?by=region").content.decode()
    admin = client.get(url + ".json?by=region").json()
    assert admin["too_few"] and admin["rows"] == [] and admin["participants"] is None
    assert signed_in("analyst").get(url + ".json?by=region").json()["participants"] == 1


def test_erasing_a_respondent_takes_every_memo_that_quotes_them(project):
    from nmahp.app.people import erase_respondent
    from nmahp.web.coding.models import CodingNote, ParticipantNumber

    first = ParticipantNumber.objects.get(wave=project.wave, number=1)
    document = project.documents.get()
    other = HighlightItem.objects.get(document=document, start=document.segments[5]["start"])
    other.memo = "Compare  ANSWER of participant 1. with this one"
    other.save()
    # free-standing, as another QDA tool exports a project memo, and on a code: both quote participant 1
    CodingNote.objects.create(project=project, text='P1 wrote "Answer of participant 1." Follow up.',
                              attached_to=["project"])
    code = CodeItem.objects.get(project=project, name="Support")
    CodingNote.objects.create(project=project, text="answer of\nparticipant 1.", attached_to=[code.guid])
    CodingNote.objects.create(project=project, text="Answer of participant 2. stays", attached_to=["project"])
    removed = erase_respondent(first.respondent_key, actor="admin")
    assert removed["memos quoting them"] == 2 and removed["highlight memos quoting them"] == 1
    assert list(CodingNote.objects.values_list("text", flat=True)) == ["Answer of participant 2. stays"]
    other.refresh_from_db()
    assert other.memo == ""
