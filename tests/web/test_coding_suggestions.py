"""Suggested themes in the pages: accepted under a new name, becoming a code with its example answers coded;
discarded, and not suggested again."""

import pytest

from nmahp.web.coding.models import CodeItem, CodingDocument, CodingProject, HighlightItem
from nmahp.web.surveys import store

pytestmark = [pytest.mark.db, pytest.mark.django_db]
TOPICS = [
    "protected time for research is never given by my manager",
    "no backfill for clinical shifts when I try to study",
    "funding for a masters degree would help my career",
    "a mentor who has done a clinical doctorate would guide me",
    "teaching students on placement is what I enjoy most",
    "travel to the university takes too long from my ward",
]


@pytest.fixture
def project(db):
    wave = store.get_or_create_wave("nmahp", "suggest-wave")
    project = CodingProject.objects.create(wave=wave, name="Suggestions")
    text, segments = "", []
    for number in range(36):
        answer = TOPICS[number % 6] + (" really" if number % 2 else " indeed") + f" ({number} years)"
        segments.append({"start": len(text), "end": len(text) + len(answer), "participant": str(number + 1)})
        text += answer + "\n\n"
    CodingDocument.objects.create(project=project, name="comments", kind="open_text", text=text, segments=segments)
    return project


def test_accept_renamed_with_examples_coded_and_discard(project, signed_in):
    analyst = signed_in("analyst")
    url = f"/coding/{project.pk}/suggestions/"
    found = analyst.get(url.rstrip("/") + ".json").json()["suggestions"]
    assert len(found) >= 2
    first, second = found[0], found[1]
    accepted = analyst.post(url, {"action": "accept", "name": "Time for research",
                                  "terms": ", ".join(first["terms"]), "example": first["examples"]})
    assert accepted.status_code == 302
    code = CodeItem.objects.get(name="Time for research")
    assert code.description == ", ".join(first["terms"])
    document = project.documents.get()
    coded = sorted(document.text[h.start:h.end] for h in HighlightItem.objects.filter(codes=code))
    assert coded == sorted(first["examples"]) and HighlightItem.objects.filter(coder="analyst-user").count() == 3
    # the same name again is refused, with nothing made
    again = analyst.post(url, {"action": "accept", "name": "Time for research", "terms": "x",
                               "example": first["examples"]})
    assert again.status_code == 400 and CodeItem.objects.count() == 1
    assert analyst.post(url, {"action": "discard", "terms": ", ".join(second["terms"])}).status_code == 302
    after = analyst.get(url.rstrip("/") + ".json").json()["suggestions"]
    assert second["terms"] not in [s["terms"] for s in after]
    # an accepted suggestion's answers are coded now, so they are not suggested again either
    assert not {e for s in after for e in s["examples"]} & set(first["examples"])
