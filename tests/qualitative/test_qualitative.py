"""Qualitative coding: documents, agreement, themes and quotes, REFI-QDA round trips, Taguette."""

import zipfile

import pytest

from nmahp.errors import NmahpError
from nmahp.qualitative import Project
from nmahp.qualitative.agreement import cohen_kappa, kappa_by_code
from nmahp.qualitative.documents import from_open_text, from_text, from_vtt
from nmahp.qualitative.refi import (
    export_qdc,
    export_qdpx,
    import_qdc,
    import_qdpx,
    project_xml,
    validate_project_xml,
)
from nmahp.qualitative.suggest import suggest_themes
from nmahp.qualitative.taguette import import_codebook, import_highlights
from nmahp.qualitative.themes import quotes, theme_table

VTT = """WEBVTT

00:00:01.000 --> 00:00:04.000
<v Interviewer>How did you find your mentor?</v>

00:00:04.500 --> 00:00:09.000
<v Participant 43>It was pure luck, really. My manager knew someone at the university.</v>

00:00:09.500 --> 00:00:12.000
<v Interviewer>And protected time?</v>

00:00:12.500 --> 00:00:18.000
<v Participant 43>None at all. I did the fellowship application in my own time, évenings and weekends.</v>
"""


@pytest.fixture
def project():
    project = Project("NMAHP interviews")
    transcript = project.add_document(from_vtt(VTT, "Interview 43", "43", professional_group="ahp"))
    comments = project.add_document(from_open_text("enablers_barriers_comments", [
        ("12", "Protected time is what I need most.", "nursing_midwifery", "greater_manchester"),
        ("19", "My manager has been very supportive of my research.", "ahp", "cheshire_merseyside"),
        ("27", "", "ahp", ""),
        ("31", "No protected time and no backfill for secondments.", "nursing_midwifery", "greater_manchester"),
    ]))
    book = project.codebook
    support = book.add("Host organisation support", "Managers and trusts", "#005EB8")
    time = book.add("Protected time", "Time released from clinical work", "#FFB81C", parent=support.id)
    luck = book.add("Finding a mentor by luck", color="#AE2573")
    project.highlight(transcript, transcript.text.index("It was pure"), transcript.text.index("university.") + 11,
                      [luck], coder="anna", memo="classic 'pure luck'")
    project.highlight(transcript, transcript.text.index("None at all"), len(transcript.text), [time], coder="anna")
    project.highlight(comments, 0, comments.text.index("most.") + 5, [time], coder="anna")
    project.highlight(comments, comments.text.index("No protected"), len(comments.text), [time, support], coder="anna")
    project.highlight(comments, comments.text.index("My manager"), comments.text.index("research.") + 9, [support],
                      coder="ben")
    return project


def test_vtt_keeps_speakers(project):
    transcript = next(d for d in project.documents.values() if d.name == "Interview 43")
    assert [s.speaker for s in transcript.segments] == ["Interviewer", "Participant 43", "Interviewer",
                                                        "Participant 43"]
    assert transcript.text.splitlines()[1].startswith("Participant 43: It was pure luck")
    first = transcript.segments[1]
    assert transcript.text[first.start:first.end].startswith("It was pure luck")


def test_open_text_is_one_document_with_a_segment_per_respondent(project):
    comments = next(d for d in project.documents.values() if d.kind == "open_text")
    assert [s.participant for s in comments.segments] == ["12", "19", "31"]  # the blank answer is skipped
    assert comments.text[comments.segments[2].start:comments.segments[2].end].startswith("No protected time")


def test_cohen_kappa_against_a_hand_computed_example():
    # 10 units; A codes 1-5, B codes 1-4 and 6. Agreement on 8 of 10: p_o = 0.8;
    # p_e = 0.5*0.5 + 0.5*0.5 = 0.5; kappa = (0.8 - 0.5) / (1 - 0.5) = 0.6
    a = [True] * 5 + [False] * 5
    b = [True] * 4 + [False, True] + [False] * 4
    assert cohen_kappa(a, b) == pytest.approx(0.6)
    assert cohen_kappa([True, False], [True, False]) == 1.0
    # neither coder used the code: kappa is undefined (issue 19), not the 1.0 that counted uncoded text
    assert cohen_kappa([False, False], [False, False]) is None


def test_kappa_per_code_for_two_coders_on_one_document(project):
    comments = next(d for d in project.documents.values() if d.kind == "open_text")
    kappas = kappa_by_code(project, comments.id, "anna", "ben")
    # units: 3 answers. 'Host organisation support': anna [no, no, yes], ben [no, yes, no] -> p_o 1/3,
    # p_e = (1/3)(1/3) + (2/3)(2/3) = 5/9, kappa = (1/3 - 5/9) / (4/9) = -0.5
    assert kappas["Host organisation support"] == pytest.approx(-0.5)
    # 'Protected time': anna [yes, no, yes], ben [no, no, no] -> p_o 1/3, p_e = 1/3, kappa = 0
    assert kappas["Protected time"] == pytest.approx(0.0)


def test_theme_table_by_frequency_and_group(project):
    rows = {r.code: r for r in theme_table(project)}
    assert rows["Protected time"].participants == 3 and rows["Protected time"].parent == "Host organisation support"
    assert rows["Protected time"].by_group == {"ahp": 1, "nursing_midwifery": 2}
    # a parent counts its children's highlights too
    assert rows["Host organisation support"].highlights == 4 and rows["Host organisation support"].participants == 4
    ordered = [r.code for r in theme_table(project)]
    assert ordered[0] == "Host organisation support" and ordered[-1] == "Finding a mentor by luck"


def test_quotes_in_the_report_style(project):
    found = quotes(project, "Finding a mentor by luck")
    assert found == ["\u201cIt was pure luck, really. My manager knew someone at the university.\u201d (43)"]
    assert len(quotes(project, "Protected time", n=2)) == 2


def test_qdpx_round_trip_keeps_codes_and_offsets(project, tmp_path):
    path = export_qdpx(project, tmp_path / "project.qdpx")
    again = import_qdpx(path)
    assert {c.id: (c.name, c.description, c.color, c.parent) for c in again.codebook.codes.values()} == \
        {c.id: (c.name, c.description, c.color, c.parent) for c in project.codebook.codes.values()}
    key = lambda h: (h.document, h.start, h.end)  # noqa: E731
    assert sorted((h.document, h.start, h.end, h.codes, h.coder, h.memo) for h in again.highlights) == \
        sorted((h.document, h.start, h.end, h.codes, h.coder, h.memo) for h in project.highlights)
    for original in project.highlights:
        copy = next(h for h in again.highlights if key(h) == key(original))
        assert again.text_of(copy) == project.text_of(original)  # accented text survives: offsets are characters


def test_qdpx_validates_against_the_refi_schema(project, tmp_path):
    validate_project_xml(project_xml(project))
    with zipfile.ZipFile(export_qdpx(project, tmp_path / "p.qdpx")) as archive:
        names = archive.namelist()
    assert "project.qde" in names and sum(n.startswith("sources/") for n in names) == 2
    broken = project_xml(project).replace(b'startPosition="', b'startPosition="x')
    with pytest.raises(NmahpError, match="not a valid REFI-QDA project"):
        validate_project_xml(broken)


def test_qdc_codebook_round_trip(project, tmp_path):
    book = import_qdc(export_qdc(project.codebook, tmp_path / "codes.qdc"))
    assert {(c.name, c.parent) for c in book.codes.values()} == \
        {(c.name, c.parent) for c in project.codebook.codes.values()}


def test_bad_qdpx_files_are_explained(tmp_path):
    not_zip = tmp_path / "x.qdpx"
    not_zip.write_text("hello")
    with pytest.raises(NmahpError, match="not a .qdpx file"):
        import_qdpx(not_zip)
    empty = tmp_path / "empty.qdpx"
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("readme.txt", "x")
    with pytest.raises(NmahpError, match="no project.qde"):
        import_qdpx(empty)


def test_taguette_codebook_and_highlights(tmp_path):
    project = Project("from taguette")
    project.add_document(from_text("I had no protected time.\nMy mentor was found by luck.", "Interview 7", "7"))
    project.codebook = import_codebook("tag,description,number\nbarriers,,2\nbarriers.time,No time,1\nluck,,1\n")
    assert project.codebook.by_name("barriers.time").parent == project.codebook.by_name("barriers").id
    added = import_highlights("id,document,tag,content\n1,Interview 7,barriers.time,no protected time\n"
                              "2,Interview 7,luck,found by  luck\n", project)
    assert [project.text_of(h) for h in added] == ["no protected time", "found by luck"]
    with pytest.raises(NmahpError, match="could not be placed"):
        import_highlights("id,document,tag,content\n3,Interview 7,luck,not in the text\n", project)


def test_suggestions_group_uncoded_segments(tmp_path):
    project = Project("suggest")
    answers = []
    for i in range(40):
        answers.append((str(i), f"no protected time for research because of clinical workload {i % 3}", "ahp", ""))
        answers.append((str(100 + i), f"funding for masters fees and salary backfill support {i % 3}", "ahp", ""))
    project.add_document(from_open_text("comments", answers))
    suggestions = suggest_themes(project, themes=2)
    assert len(suggestions) == 2 and all(len(s.examples) == 3 for s in suggestions)
    terms = [set(s.terms) for s in suggestions]
    assert any({"protected", "time"} & t for t in terms) and any({"funding", "masters"} & t for t in terms)
