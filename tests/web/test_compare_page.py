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


def test_renames_declared_along_kept_versions_are_composed():
    from nmahp.app.compare import declared_renames
    from nmahp.web.programme.models import InstrumentVersion

    def keep(version, previous=None, renames=None):
        return InstrumentVersion.objects.create(instrument="nmahp_survey", version=version, title="t", file_name="f",
                                                workbook=b"", checksum=version, renames=renames or {},
                                                previous=previous)

    first = keep("1")
    second = keep("2", first, {"job_title": "role_title"})
    keep("3", second, {"role_title": "post_title", "age": "age_band"})
    keep("other")
    assert declared_renames("nmahp_survey", "1", "3") == {"job_title": "post_title", "age": "age_band"}
    assert declared_renames("nmahp_survey", "2", "3") == {"role_title": "post_title", "age": "age_band"}
    assert declared_renames("nmahp_survey", "other", "3") == {}  # not one chain of versions


def _renamed_workbook(old: str, new: str, version: str) -> bytes:
    """The NMAHP workbook as a programme team would save a new version: one question renamed."""
    import io

    from openpyxl import load_workbook

    from nmahp.instruments.registry import resolve

    book = load_workbook(resolve("nmahp"))
    survey, settings = book["survey"], book["settings"]
    columns = {cell.value: cell.column for cell in survey[1]}
    for row in range(2, survey.max_row + 1):
        if survey.cell(row=row, column=columns["name"]).value == old:
            survey.cell(row=row, column=columns["name"], value=new)
    head = {cell.value: cell.column for cell in settings[1]}
    settings.cell(row=2, column=head["version"], value=version)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_wave_of_a_newer_version_is_compared_through_the_declared_rename(tmp_path):
    """Wave w1 asks the installed version; w3 a kept version in which PLANTED is renamed (declared on upload) and
    everyone answers 'very_confident': the renamed question is compared with itself and its change found."""
    from nmahp.app import programme
    from nmahp.app.compare import compare_wave_records
    from nmahp.instruments.synth import Synthesiser

    store_synthetic("nmahp", "w1", 120, seed=21)
    kept = programme.register_version(_renamed_workbook(PLANTED, "research_confidence_now", "2026.1"),
                                      "nmahp_survey.xlsx", renames={PLANTED: "research_confidence_now"})
    newer = programme.create_wave(kept.version.pk, "w3")
    form = store.instrument_for(newer)
    assert "research_confidence_now" in form.questions and PLANTED not in form.questions
    rows = [{**row, "research_confidence_now": "very_confident"} if row.get("research_confidence_now") else row
            for row in Synthesiser(form, 22).stream(120)]
    store.bulk_load(newer, rows, source="test")
    result = compare_wave_records(Wave.objects.get(name="w1"), newer)
    found = next(c for c in result.comparisons if c.question == "research_confidence_now")
    assert found.before_question == PLANTED and "very_confident" in [o.option for o in found.moved]
    assert any("version diff" in note for note in result.notes)
