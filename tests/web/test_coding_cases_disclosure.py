"""Themes by a special-category attribute on the cases page, for an admin (under the disclosure policy): every
value of the question is listed whether or not a coded participant has it, every count is the policy of the
exact one, themes are ranked by the shown counts, and a code the adjudication dropped counts nobody."""

import pytest

from nmahp.web.coding.models import CodeItem, HighlightItem

from .test_coding_cases import project  # noqa: F401  (the fixture: 13 coded participants, 9 of them AHPs)

pytestmark = [pytest.mark.db, pytest.mark.django_db]


def test_every_value_is_listed_and_ranked_by_what_is_shown(project, signed_in):  # noqa: F811
    document = project.documents.get()
    segments = document.segments
    for name, coded in (("Beta", range(5)), ("Alpha", range(5, 8))):  # exactly, Beta (5) ranks above Alpha (3)
        code = CodeItem.objects.create(project=project, name=name)
        for i in coded:
            item = HighlightItem.objects.create(document=document, start=segments[i]["start"], end=segments[i]["end"],
                                                coder="ben")
            item.codes.set([code])
    url = f"/coding/{project.pk}/cases.json?by=sexual_orientation"
    exact = signed_in("analyst").get(url).json()
    assert [v["value"] for v in exact["values"]] == [""]  # nobody coded answered it: the analyst sees that
    assert [r["code"] for r in exact["rows"]][:3] == ["Protected time", "Beta", "Alpha"]
    published = signed_in("admin").get(url).json()
    assert [v["value"] for v in published["values"]] == ["bisexual", "gay_lesbian", "other", "prefer_not",
                                                          "straight", ""]
    assert [v["participants"] for v in published["values"]] == [None] * 5 + [10]  # 13 without an answer
    rows = {r["code"]: r["by_value"] for r in published["rows"]}
    assert rows["Protected time"] == [None] * 5 + [10] and rows["Beta"] == [None] * 6
    assert [r["code"] for r in published["rows"]] == ["Protected time", "Alpha", "Beta", "Support"]
    assert published["participants"] == 10


def test_a_code_dropped_in_adjudication_counts_nobody(project, signed_in):  # noqa: F811
    document = project.documents.get()
    first = document.segments[0]
    time = CodeItem.objects.get(project=project, name="Protected time")
    agreed = HighlightItem.objects.create(document=document, start=first["start"], end=first["end"], coder="(agreed)")
    agreed.codes.set([time])  # participant 1's answer: protected time, not support
    rows = {r["code"]: r for r in signed_in("analyst").get(f"/coding/{project.pk}/cases.json?by=region").json()["rows"]}
    assert rows["Support"]["participants"] == 1 and rows["Protected time"]["participants"] == 13
