"""Theme counts after blind double coding: a passage coded by two coders and then agreed in adjudication is one
passage of one participant, not three highlights; and where the agreed coding drops a code a coder gave, that
code does not count the passage (the project page, its twin and the report's theme table alike)."""

import pytest

from nmahp.app import coding
from nmahp.web.coding.models import HighlightItem

from .test_coding_rounds import code, coder, project  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.db, pytest.mark.django_db]


def test_each_passage_counts_once_and_the_agreed_coding_stands(project, coder):  # noqa: F811
    anna, ben, cara = coder("anna"), coder("ben"), coder("cara")
    document = project.documents.get()
    opened = anna.post(f"/coding/{project.pk}/rounds/", {"name": "Round 1", "documents": [document.pk],
                                                          "coders": ["anna", "ben"]})
    round_url = opened["Location"]
    code(anna, project, document, {0: "Protected time", 1: "Host support"})
    code(ben, project, document, {0: "Protected time", 2: "Host support"})
    assert anna.post(round_url).status_code == 302  # closed: everyone's coding is seen
    guids = {c.name: c.guid for c in project.codes.all()}
    for segment, codes in ((0, ["Protected time"]), (1, ["Host support"]), (2, [])):
        settled = anna.post(round_url + "adjudicate/", {"document": document.guid, "segment": str(segment),
                                                        "codes": [guids[c] for c in codes]})
        assert settled.status_code == 302
    assert HighlightItem.objects.filter(coder="(agreed)").count() == 3

    expected = {"Protected time": (1, 1, 1),  # answer 1: anna's, ben's and the agreed highlight are one passage
                "Host support": (1, 1, 1),  # answer 2 (anna, agreed); ben's answer 3 was agreed to have none
                "Funding": (0, 0, 0)}
    themes = cara.get(f"/coding/{project.pk}.json").json()["themes"]
    assert {t["code"]: (t["highlights"], t["documents"], t["participants"]) for t in themes} == expected
    assert {t["code"]: t["by_group"] for t in themes}["Host support"] == {"ahp": 1}
    quoted = {t["code"]: t["quotes"] for t in themes}
    assert quoted["Protected time"] == ["\u201cProtected time is what I need most.\u201d (1)"]
    assert quoted["Host support"] == ["\u201cMy manager supports my research.\u201d (2)"]
    rows, _ = coding.themes(project)  # the report's and `nmahp qual themes`' table
    assert {r.code: (r.highlights, r.documents, r.participants) for r in rows} == expected
    # agreement is still between the coders' own codings, which are kept
    assert [p["coders"] for p in cara.get(f"/coding/{project.pk}.json").json()["agreement"][0]["pairs"]] == \
        [["anna", "ben"]]


def test_two_coders_alike_outside_a_round_count_the_passage_once(project, coder):  # noqa: F811
    anna, ben = coder("anna"), coder("ben")
    document = project.documents.get()
    code(anna, project, document, {0: "Protected time", 3: "Funding"})
    code(ben, project, document, {0: "Protected time"})
    themes = {t["code"]: (t["highlights"], t["participants"])
              for t in anna.get(f"/coding/{project.pk}.json").json()["themes"]}
    assert themes == {"Protected time": (1, 1), "Funding": (1, 1), "Host support": (0, 0)}
