"""An analyst's override of a coding frame in the coding pages changes the wave's coded table: the CLI's,
the dashboard's (page and twin, whose cached results are of the wave's data version) and the report's."""

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nmahp.cli import app

pytestmark = [pytest.mark.db, pytest.mark.django_db]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_an_override_in_the_coding_pages_changes_the_table(signed_in, tmp_path):
    from nmahp.analysis import compute_table
    from nmahp.analysis.disclosure import EXACT
    from nmahp.analysis.tables import TableKey
    from nmahp.app.analysis import overrides_for
    from nmahp.app.waves import responses_of
    from nmahp.web.coding.models import CodingProject

    runner = CliRunner()
    result = runner.invoke(app, ["import", "surveymonkey", str(FIXTURES / "report_nmahp_surveymonkey.csv"),
                                 "--instrument", "nmahp", "--wave", "2023"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(app, ["qual", "build", "--wave", "2023"]).exit_code == 0
    project = CodingProject.objects.get()

    def research_titles():
        responses = responses_of("2023", "nmahp")
        table = compute_table(responses.frame, responses.instrument, TableKey("job_title_category"),
                              disclosure=EXACT, overrides=overrides_for(responses))
        return table.cell("research").count

    def dashboard(client, wave):
        twin = client.get(f"/dashboard/wave/{wave.pk}/tables/job_title_category.json").json()
        page = client.get(f"/dashboard/wave/{wave.pk}/tables/job_title_category/").content.decode()
        row = re.search(r'<table class="nhsuk-table" id="overall">.*?Research-related</th>\s*<td[^>]*>(.*?)</td>',
                        page, re.S)
        return next(c["count"] for c in twin["table"]["cells"] if c["option"] == "research"), row.group(1)

    def report():
        from nmahp.analysis.disclosure import EXACT
        from nmahp.app.reports import wave_surveys
        from nmahp.report import build_report

        figure = next(f for f in build_report(wave_surveys("2023"), disclosure=EXACT).figures()
                      if "Job titles" in f.title)
        return next(r[1] for r in figure.data.rows if r[0] == "Research-related"), figure.base_note

    before = research_titles()
    client = signed_in("analyst")
    wave = project.wave
    twin_before, cell_before = dashboard(client, wave)
    report_before, note_before = report()
    assert twin_before == before and "changed by analysts" not in note_before
    page = client.get(f"/coding/{project.pk}/frames/job_title_category.json").json()
    assert page["question"] == "job_title" and len(page["segments"]) == 169
    lecturer = next(s for s in page["segments"] if s["text"] == "Lecturer Practitioner")
    assert lecturer["rules"] == ["education_development"]
    same = [s for s in page["segments"] if s["text"] == "Lecturer Practitioner"]
    response = client.post(f"/coding/{project.pk}/frames/job_title_category/",
                           {"segment": lecturer["index"], "codes": ["research", "education_development"]})
    assert response.status_code == 302
    assert research_titles() == before + len(same)
    # the dashboard's page and twin, read before the override and cached, are of the new version at once
    twin_after, cell_after = dashboard(client, wave)
    assert twin_after == before + len(same) and cell_after != cell_before and str(twin_after) in cell_after
    report_after, note_after = report()
    assert report_after != report_before and "with the codes of 1 answer changed by analysts" in note_after
    again = client.get(f"/coding/{project.pk}/frames/job_title_category.json").json()
    assert again["segments"][lecturer["index"]]["override"] == ["research", "education_development"]
    # the override is a highlight in the project's one codebook, under the frame's parent code
    assert project.codes.get(name="Job titles by focus").children.filter(name="Research-related").exists()
    # the CLI analysis of the stored wave counts it too
    out = tmp_path / "out"
    result = runner.invoke(app, ["analyse", "--wave", "2023", "--out", str(out), "--by", "region"])
    assert result.exit_code == 0, result.output
    import json

    tables = {t["id"]: t for t in json.loads((out / "tables.json").read_text())["tables"]}
    assert next(c for c in tables["job_title_category"]["cells"] if c["option"] == "research")["count"] == \
        before + len(same)
    # an unknown code changes nothing and says why
    refused = client.post(f"/coding/{project.pk}/frames/job_title_category/",
                          {"segment": lecturer["index"], "codes": ["astrology"]})
    assert refused.status_code == 400 and research_titles() == before + len(same)
