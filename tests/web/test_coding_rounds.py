"""Blind double coding: a round's coders cannot see each other's coding (pages, JSON twins, export) until it
closes; then agreement on the answers coded, the disagreements side by side, and the agreed coding kept."""

import io
import zipfile

import html5lib
import pytest
from django.test import Client
from typer.testing import CliRunner

from nmahp.cli import app
from nmahp.web.coding.models import CodeItem, CodingDocument, CodingProject, HighlightItem
from nmahp.web.surveys import store

pytestmark = [pytest.mark.db, pytest.mark.django_db]
ANSWERS = ["Protected time is what I need most.", "My manager supports my research.", "No backfill at all.",
           "I would like a clinical academic role."]


@pytest.fixture
def project(db):
    wave = store.get_or_create_wave("nmahp", "round-wave")
    project = CodingProject.objects.create(wave=wave, name="Round project")
    text, segments = "", []
    for number, answer in enumerate(ANSWERS, 1):
        segments.append({"start": len(text), "end": len(text) + len(answer), "participant": str(number),
                         "speaker": "", "professional_group": "ahp", "region": ""})
        text += answer + "\n\n"
    CodingDocument.objects.create(project=project, name="comments", kind="open_text", text=text, segments=segments)
    for name in ("Protected time", "Host support", "Funding"):
        CodeItem.objects.create(project=project, name=name)
    return project


@pytest.fixture
def coder(make_user):
    def sign_in(name, role="analyst"):
        client = Client()
        client.force_login(make_user(name, role))
        session = client.session
        session["second_factor"] = True
        session.save()
        return client
    return sign_in


def code(client, project, document, segments: dict[int, str]):
    ids = {c.name: str(c.pk) for c in project.codes.all()}
    response = client.post(f"/coding/{project.pk}/doc/{document.pk}/",
                           {f"segment-{i}": [ids[name]] for i, name in segments.items()})
    assert response.status_code == 302


def test_blind_round_agreement_and_adjudication(project, coder):
    anna, ben, cara = coder("anna"), coder("ben"), coder("cara")
    document = project.documents.get()
    base = f"/coding/{project.pk}/rounds/"
    assert anna.post(base, {"name": "Round 1", "documents": [document.pk], "coders": ["anna"]}).status_code == 400
    opened = anna.post(base, {"name": "Round 1", "documents": [document.pk], "coders": ["anna", "ben"]})
    assert opened.status_code == 302
    round_url = opened["Location"]
    twice = anna.post(base, {"name": "Round 2", "documents": [document.pk], "coders": ["anna", "cara"]})
    assert twice.status_code == 400 and "Already in an open round: anna codes comments" in twice.content.decode()
    code(anna, project, document, {0: "Protected time", 1: "Host support"})
    code(ben, project, document, {0: "Protected time", 2: "Host support"})
    assert HighlightItem.objects.filter(round__isnull=False).count() == 4

    # while open: each coder sees their own coding only, on the pages, their twins and the export
    mine = ben.get(f"/coding/{project.pk}/doc/{document.pk}.json").json()["segments"]
    support = project.codes.get(name="Host support").pk
    assert [s["applied"] for s in mine][1:3] == [[], [support]]
    themes = {t["code"]: t["participants"] for t in ben.get(f"/coding/{project.pk}.json").json()["themes"]}
    assert themes == {"Protected time": 1, "Host support": 1, "Funding": 0}
    assert ben.get(f"/coding/{project.pk}.json").json()["agreement"] == []
    # not in the round: sees nothing of it yet
    assert {t["highlights"] for t in cara.get(f"/coding/{project.pk}.json").json()["themes"]} == {0}
    export = ben.get(f"/coding/{project.pk}/export.qdpx")
    with zipfile.ZipFile(io.BytesIO(b"".join(export.streaming_content))) as archive:
        xml = archive.read("project.qde").decode()
    assert 'name="ben"' in xml and 'name="anna"' not in xml
    twin = ben.get(round_url.rstrip("/") + ".json").json()
    assert twin["open"] and {a["coder"] for a in twin["assignments"]} == {"ben"} and "agreement" not in twin
    for who in (anna, ben):
        assert who.get(round_url + "adjudicate/").status_code == 403
        assert who.get(round_url + "adjudicate.json").status_code == 403
    assert ben.post(round_url).status_code == 400  # only the round's opener (or an admin) closes it

    assert anna.post(round_url).status_code == 302
    closed = ben.get(round_url.rstrip("/") + ".json").json()
    assert not closed["open"] and {a["coder"] for a in closed["assignments"]} == {"anna", "ben"}
    agreement = closed["agreement"]
    assert agreement["unit"] == "answers" and agreement["units"] == 4
    kappa = agreement["pairs"][0]["kappa"]
    # support: anna [0, 1, 0, 0], ben [0, 0, 1, 0]: p_o 1/2, p_e 5/8 -> -1/3; nobody used Funding
    assert kappa["Protected time"] == pytest.approx(1.0)
    assert kappa["Host support"] == pytest.approx(-1 / 3)
    assert kappa["Funding"] is None
    page = ben.get(round_url).content.decode()
    assert "not defined" in page and "-0.33" in page

    disagreements = anna.get(round_url + "adjudicate.json").json()["disagreements"]
    assert [d["segment"] for d in disagreements] == [1, 2]
    assert disagreements[0]["coders"] == [{"coder": "anna", "codes": ["Host support"]},
                                          {"coder": "ben", "codes": []}]
    guid = project.codes.get(name="Host support").guid
    bad = anna.post(round_url + "adjudicate/", {"document": document.guid, "segment": "1", "codes": ["nope"]})
    assert bad.status_code == 400 and not HighlightItem.objects.filter(coder="(agreed)").exists()
    settled = anna.post(round_url + "adjudicate/", {"document": document.guid, "segment": "1", "codes": [guid]})
    assert settled.status_code == 302
    after = anna.get(round_url + "adjudicate.json").json()["disagreements"]
    assert after[0]["agreed"] == ["Host support"] and after[1]["agreed"] is None
    agreed = HighlightItem.objects.get(coder="(agreed)")
    assert document.text[agreed.start:agreed.end] == ANSWERS[1]
    # the agreed coding is nobody's: agreement on the project page stays between anna and ben
    rows = cara.get(f"/coding/{project.pk}.json").json()["agreement"]
    assert [p["coders"] for p in rows[0]["pairs"]] == [["anna", "ben"]]

    # the command line says the same
    said = CliRunner().invoke(app, ["qual", "agreement", "--wave", "round-wave", "--round", "Round 1"])
    assert said.exit_code == 0, said.output
    lines = [" ".join(line.replace("\u2502", " ").split()) for line in said.output.splitlines()]
    assert "2 coders, 4 answers" in lines
    assert "anna and ben 4 Host support -0.33" in lines and "anna and ben 4 Funding not defined" in lines

    # every coding page parses as strict HTML, with unique ids and every table captioned
    first_code = project.codes.first()
    highlight = HighlightItem.objects.filter(coder="anna").first()
    for url in (round_url, round_url + "adjudicate/", base, f"/coding/{project.pk}/",
                f"/coding/{project.pk}/doc/{document.pk}/passages/?q=time&start=0&end=9",
                f"/coding/{project.pk}/search/?q=time", f"/coding/{project.pk}/codebook/",
                f"/coding/{project.pk}/codebook/{first_code.pk}/", f"/coding/{project.pk}/cases/",
                f"/coding/{project.pk}/doc/{document.pk}/passages/{highlight.pk}/"):
        page = anna.get(url)
        assert page.status_code == 200, url
        tree = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(page.content.decode())
        ids = [e.get("id") for e in tree.iter() if e.get("id")]
        assert len(ids) == len(set(ids)), url
        assert all(t.find("caption") is not None for t in tree.iter("table")), url


def test_rounds_are_for_analysts(project, signed_in):
    lead = signed_in("lead")
    assert lead.get(f"/coding/{project.pk}/rounds/").status_code == 403
    assert lead.get(f"/coding/{project.pk}/rounds.json").status_code == 403
