"""The comparison page and its twin: a wave against the one before it, table by table. Analysts read what moved
(a change planted in the second wave is found, an unchanged question is not flagged); a lead sees their region
only, every count hidden or rounded, and no test."""

import json

import html5lib
import pytest
from typer.testing import CliRunner

from nmahp.app.waves import store_synthetic
from nmahp.cli import app
from nmahp.study import STUDY
from nmahp.web.surveys import store
from nmahp.web.surveys.models import Response, Wave

ROUND = STUDY.disclosure.round_to

pytestmark = [pytest.mark.db, pytest.mark.django_db]

PLANTED = "research_confidence"


@pytest.fixture
def waves():
    """Two synthetic waves of 150; in the second, half of those who answered PLANTED now say 'very_confident'."""
    store_synthetic("nmahp", "w1", 150, seed=21)
    store_synthetic("nmahp", "w2", 150, seed=22)
    first, second = Wave.objects.get(name="w1"), Wave.objects.get(name="w2")
    answered = [r for r in second.responses.filter(status=Response.COMPLETE).order_by("pk")
                if r.answers.get(PLANTED)]
    for response in answered[::2]:
        response.answers[PLANTED] = "very_confident"
        response.save(update_fields=["answers"])
    store.changed(second)  # the wave's data version moves, so no reader keeps the answers of before
    return first, second


def test_an_analyst_reads_what_moved_and_what_did_not_on_the_page_and_from_the_cli(waves, signed_in, tmp_path):
    first, second = waves
    analyst = signed_in("analyst")
    body = analyst.get(f"/dashboard/wave/{second.pk}/compare.json").json()
    assert (body["first"], body["second"], body["with"]) == ("w1", "w2", "w1")  # the wave before, by default
    tables = {c["question"]: c for c in body["comparisons"]}
    planted = tables[PLANTED]
    assert "very_confident" in planted["moved"] and planted["mean"]["moved"]
    unchanged = tables["teaching_confidence"]
    assert unchanged["moved"] == [] and not unchanged["mean"]["moved"]
    assert any(line.startswith("How confident do you feel in research?: moved:") for line in body["summary"])
    page = analyst.get(f"/dashboard/wave/{second.pk}/compare/").content.decode()
    assert "Wave w2 against wave w1" in page and "<strong>Moved</strong>" in page
    assert "Adjusted p" in page and 'id="disclosure-note"' not in page
    tree = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(page)  # raises on a parse error
    ids = [e.get("id") for e in tree.iter() if e.get("id")]
    assert len(ids) == len(set(ids))
    assert all(t.find("caption") is not None for t in tree.iter("table"))
    # nmahp analyse --compare says the same
    done = CliRunner().invoke(app, ["analyse", "--compare", "w1", "w2", "--out", str(tmp_path)])
    assert done.exit_code == 0, done.output
    assert "How confident do you feel in research?: moved:" in done.output
    body = json.loads((tmp_path / "comparison.json").read_text(encoding="utf-8"))
    planted = next(c for c in body["comparisons"] if c["question"] == PLANTED)
    assert "very_confident" in planted["moved"]
    refused = CliRunner().invoke(app, ["analyse", "--compare", "w1", "w1", "--out", str(tmp_path)])
    assert refused.exit_code == 2 and "cannot be compared with itself" in refused.output


def test_a_lead_sees_their_region_rounded_and_untested(waves, signed_in):
    first, second = waves
    lead = signed_in("lead", region="greater_manchester")
    body = lead.get(f"/dashboard/wave/{second.pk}/compare.json?with={first.pk}&region=cheshire_merseyside").json()
    assert body["filters"] == {"region": "greater_manchester"}
    assert body["scope_note"] is None and body["comparisons"]
    assert body["first_respondents"] % ROUND == 0 and body["second_respondents"] % ROUND == 0
    options = [o for c in body["comparisons"] for o in c["options"]]
    assert all(o["p"] is None and o["difference"] is None and not o["moved"] for o in options)
    counts = [side["count"] for o in options for side in (o["before"], o["after"]) if side and not side["suppressed"]]
    assert counts and all(n % ROUND == 0 and n >= 8 for n in counts)
    assert any(side["suppressed"] for o in options for side in (o["before"], o["after"]) if side)
    page = lead.get(f"/dashboard/wave/{second.pk}/compare/").content.decode()
    assert 'id="disclosure-note"' in page and "Adjusted p" not in page
    # a scope too small in either wave shows nothing but that
    query = "pay_band=band_9&professional_group=ahp"
    body = lead.get(f"/dashboard/wave/{second.pk}/compare.json?{query}").json()
    assert body["scope_note"] == "Fewer than 8 people in scope: nothing is shown."
    assert (body["comparisons"], body["first_respondents"], body["second_respondents"]) == ([], None, None)
    page = lead.get(f"/dashboard/wave/{second.pk}/compare/?{query}").content.decode()
    assert "Fewer than 8 people in scope" in page and "<table" not in page


def test_a_wave_with_no_other_says_so_and_a_mentor_is_refused(signed_in):
    store_synthetic("nmahp", "only", 10, seed=1)
    wave = Wave.objects.get(name="only")
    analyst = signed_in("analyst")
    body = analyst.get(f"/dashboard/wave/{wave.pk}/compare.json").json()
    assert "nothing to compare it with" in body["message"]
    assert analyst.get("/dashboard/wave/999999/compare.json").status_code == 404
    assert signed_in("mentor").get(f"/dashboard/wave/{wave.pk}/compare.json").status_code == 403
