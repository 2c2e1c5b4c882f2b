"""Qualitative coding through the CLI and the pages: a wave's open text as documents, transcripts,
segment coding, themes and quotes, REFI-QDA export and import, and the themes in the report."""

import io
import re
import tempfile
import zipfile
from pathlib import Path

import pytest
from django.test import Client
from typer.testing import CliRunner

from nmahp.cli import app
from nmahp.web.accounts.models import AuditEvent
from nmahp.web.coding.models import CodeItem, CodingDocument, CodingProject, HighlightItem

pytestmark = [pytest.mark.db, pytest.mark.django_db]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
runner = CliRunner()
VTT = """WEBVTT

00:00:01.000 --> 00:00:03.000
<v Interviewer>What got you started?</v>

00:00:03.500 --> 00:00:07.000
<v Participant 43>Pure luck. A research nurse asked me to help with recruitment.</v>
"""


@pytest.fixture
def wave():
    result = runner.invoke(app, ["import", "surveymonkey", str(FIXTURES / "report_nmahp_surveymonkey.csv"),
                                 "--instrument", "nmahp", "--wave", "2023"])
    assert result.exit_code == 0, result.output
    build = runner.invoke(app, ["qual", "build", "--wave", "2023"])
    assert build.exit_code == 0, build.output
    return CodingProject.objects.get()


def test_open_text_becomes_documents_with_a_segment_per_respondent(wave):
    comments = CodingDocument.objects.get(name="enablers_barriers_comments")
    assert len(comments.segments) == 92  # 5.1.9.1: "a total of 92 additional comments"
    assert {s["professional_group"] for s in comments.segments} <= {"nursing_midwifery", "ahp", "other"}
    numbers = [int(s["participant"]) for s in comments.segments]
    assert numbers == sorted(numbers) and max(numbers) <= 174  # participant numbers, never respondent keys
    assert len(CodingDocument.objects.get(name="area_of_interest").segments) == 102  # 5.1.7.4


def test_transcript_with_speakers(wave, tmp_path):
    path = tmp_path / "interview-43.vtt"
    path.write_text(VTT)
    result = runner.invoke(app, ["qual", "import-transcript", str(path), "--wave", "2023", "--participant", "43"])
    assert result.exit_code == 0 and "2 turns, 2 speakers" in result.output
    document = CodingDocument.objects.get(name="interview-43")
    assert [s["speaker"] for s in document.segments] == ["Interviewer", "Participant 43"]


def test_code_segments_see_themes_export_and_import(wave, signed_in, tmp_path):
    analyst = signed_in("analyst")
    page = analyst.post(f"/coding/{wave.pk}/", {"name": "Protected time", "description": "Time released"})
    assert page.status_code == 302
    code = CodeItem.objects.get(name="Protected time")
    comments = CodingDocument.objects.get(name="enablers_barriers_comments")
    matching = [i for i, s in enumerate(comments.segments) if "Protected time" in comments.text[s["start"]:s["end"]]]
    assert matching
    analyst.post(f"/coding/{wave.pk}/doc/{comments.pk}/", {f"segment-{i}": [str(code.pk)] for i in matching})
    assert HighlightItem.objects.filter(codes=code).count() == len(matching)
    themes = analyst.get(f"/coding/{wave.pk}/themes.json").json()["themes"]
    assert themes[0]["code"] == "Protected time" and themes[0]["participants"] == len(matching)
    assert re.fullmatch(r"\u201c.+\u201d \(\d+\)", themes[0]["quotes"][0])
    download = analyst.get(f"/coding/{wave.pk}/export.qdpx")
    assert download.status_code == 200 and AuditEvent.objects.filter(action="download_qdpx").exists()
    out = tmp_path / "project.qdpx"
    out.write_bytes(b"".join(download.streaming_content))
    # the same project back into a fresh copy of the wave: codes and offsets survive
    HighlightItem.objects.all().delete()
    result = runner.invoke(app, ["qual", "import", str(out), "--wave", "2023"])
    assert result.exit_code == 0 and f"{len(matching)} highlights" in result.output
    assert sorted(HighlightItem.objects.values_list("start", flat=True)) == \
        sorted(comments.segments[i]["start"] for i in matching)


def test_exports_leave_nothing_in_the_temporary_folder(wave, signed_in, tmp_path, monkeypatch):
    # every tempfile call in this process now lands here: an export that wrote to disk would leave it behind
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    analyst = signed_in("analyst")
    CodeItem.objects.create(project=wave, name="Protected time")
    qdpx = analyst.get(f"/coding/{wave.pk}/export.qdpx")
    qdc = analyst.get(f"/coding/{wave.pk}/export.qdc")
    assert qdpx.status_code == qdc.status_code == 200
    assert qdpx["Content-Disposition"].startswith("attachment")
    with zipfile.ZipFile(io.BytesIO(b"".join(qdpx.streaming_content))) as archive:
        assert "project.qde" in archive.namelist()
    assert b"Protected time" in b"".join(qdc.streaming_content)
    assert list(temporary.iterdir()) == []


def test_report_includes_themes_when_the_wave_is_coded(wave, tmp_path):
    project = wave
    code = CodeItem.objects.create(project=project, name="Host organisation support")
    comments = CodingDocument.objects.get(name="enablers_barriers_comments")
    for segment in comments.segments[:10]:
        item = HighlightItem.objects.create(document=comments, start=segment["start"], end=segment["end"],
                                            coder="anna")
        item.codes.set([code])
    out = tmp_path / "report.html"
    result = runner.invoke(app, ["report", "--wave", "2023", "--out", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text()
    assert "Open-text themes" in html and "Host organisation support" in html


def test_bad_qdpx_upload_is_refused(wave, signed_in, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    analyst = signed_in("analyst")
    response = analyst.post(f"/coding/{wave.pk}/import/", {"file": SimpleUploadedFile("x.qdpx", b"not a zip")})
    assert response.status_code == 400 and "not a .qdpx file" in response.content.decode()


def test_suggestions_by_words_and_by_meaning(wave, signed_in):
    analyst = signed_in("analyst")
    by_words = analyst.get(f"/coding/{wave.pk}/suggestions/").content.decode()
    assert "found by their words" in by_words and "Accept as a code" in by_words
    by_meaning = analyst.get(f"/coding/{wave.pk}/suggestions/?method=embeddings").content.decode()
    assert "found by their meaning" in by_meaning
    analyst.post(f"/coding/{wave.pk}/suggestions/", {"name": "Protected time", "terms": "time, protected"})
    assert CodeItem.objects.get(name="Protected time").description == "time, protected"


def test_coding_pages_are_for_analysts_only(wave, signed_in):
    assert signed_in("lead").get("/coding/").status_code == 403
    assert Client().get(f"/coding/{wave.pk}/").status_code == 302
    assert signed_in("analyst").get(f"/coding/{wave.pk}/suggestions/").status_code == 200


def test_taguette_and_qdc_imports_through_the_cli(wave, tmp_path):
    comments = CodingDocument.objects.get(name="enablers_barriers_comments")
    sample = comments.text[comments.segments[0]["start"]:comments.segments[0]["end"]][:40]
    (tmp_path / "codebook.csv").write_text("tag,description,number\nSupport,Host organisation support,1\n")
    (tmp_path / "highlights.csv").write_text(f'id,document,tag,content\n1,enablers_barriers_comments,Support,"{sample}"\n')
    result = runner.invoke(app, ["qual", "import-taguette", "--wave", "2023", "--codebook",
                                 str(tmp_path / "codebook.csv"), "--highlights", str(tmp_path / "highlights.csv")])
    assert result.exit_code == 0, result.output
    item = HighlightItem.objects.get(codes__name="Support")
    assert comments.text[item.start:item.end] == sample
    qdc = tmp_path / "codes.qdc"
    assert runner.invoke(app, ["qual", "export", "--wave", "2023", "--out", str(qdc)]).exit_code == 0
    CodeItem.objects.all().delete()
    again = runner.invoke(app, ["qual", "import", str(qdc), "--wave", "2023"])
    assert again.exit_code == 0 and CodeItem.objects.filter(name="Support").exists()
