"""Interview transcripts as Teams writes them: .vtt (voices, entities, one speaker's cues made one turn with
its times, every unreadable cue named by its line, a file that is not WebVTT refused) and .docx in both
layouts (older: a paragraph each for the timing, the speaker and the words; current: the speaker and
start time, then the words, packed in one paragraph with line breaks). No Teams transcript could be kept
from elsewhere (tests/fixtures/external/SOURCES.md), so these are written here in Teams' layouts."""

import io

import pytest

from nmahp.errors import NmahpError
from nmahp.qualitative import Project
from nmahp.qualitative.documents import docx_turns, from_docx, from_vtt, vtt_turns
from nmahp.qualitative.refi import import_qdpx, qdpx_bytes

# Teams' .vtt: a GUID/number cue identifier, <v Name> voices closed with </v>, entities for & < >
TEAMS_VTT = """\ufeffWEBVTT

5e2cd3a4-6f47-4b56-9c8b-0d1e2f3a4b5c/12-0
00:00:03.251 --> 00:00:06.118
<v Interviewer One>Thanks for joining. How did you find your mentor?</v>

5e2cd3a4-6f47-4b56-9c8b-0d1e2f3a4b5c/13-0
00:00:06.900 --> 00:00:10.400
<v Participant 43>Pure luck, really. My manager knew someone at the university</v>

5e2cd3a4-6f47-4b56-9c8b-0d1e2f3a4b5c/13-1
00:00:10.400 --> 00:00:13.020
<v Participant 43>&amp; they put us in touch &lt;via email&gt;.</v>

NOTE Teams writes no notes; WebVTT allows them anywhere between cues

5e2cd3a4-6f47-4b56-9c8b-0d1e2f3a4b5c/14-0
00:00:14.000 --> 00:00:16.500
<v Interviewer One>And protected time?</v>

5e2cd3a4-6f47-4b56-9c8b-0d1e2f3a4b5c/15-0
00:01:02.000 --> 00:01:09.750
<v Participant 43>None at all. Évenings and weekends.</v>
"""


def test_a_teams_vtt_becomes_speakers_and_turns_with_their_times():
    document = from_vtt(TEAMS_VTT, "Interview 43", "43", professional_group="ahp")
    turns = [(s.speaker, document.text[s.start:s.end], s.begin_ms, s.end_ms) for s in document.segments]
    assert turns == [
        ("Interviewer One", "Thanks for joining. How did you find your mentor?", 3251, 6118),
        ("Participant 43", "Pure luck, really. My manager knew someone at the university & they put us in touch "
                           "<via email>.", 6900, 13020),
        ("Interviewer One", "And protected time?", 14000, 16500),
        ("Participant 43", "None at all. Évenings and weekends.", 62000, 69750)]
    assert document.text.splitlines()[1].startswith("Participant 43: Pure luck")
    assert {s.participant for s in document.segments} == {"43"} and document.kind == "transcript"


def test_every_cue_that_cannot_be_read_is_named_by_its_line_and_nothing_is_kept():
    broken = ("WEBVTT\n\n"
              "1\n00:00:01,000 --> 00:00:02,000\n<v A>comma decimals</v>\n\n"       # line 4
              "2\n00:00:03.000 -> 00:00:04.000\n<v A>one dash</v>\n\n"               # line 8
              "3\n00:00:05.000 --> 00:00:06.000\n<v B></v>\n\n"                       # line 12: no text
              "4\n00:00:09.000 --> 00:00:07.000\n<v B>ends before it starts</v>\n\n"  # line 16
              "5\n00:00:10.000 --> 00:00:11.000\n<v B>this one is fine</v>\n")
    with pytest.raises(NmahpError) as raised:
        vtt_turns(broken, "broken.vtt")
    message = str(raised.value)
    assert message.startswith("broken.vtt: 4 cues cannot be read, so nothing was imported")
    assert "line 4: the timing '00:00:01,000 --> 00:00:02,000' uses a comma for the decimal point" in message
    assert "line 8: the timing '00:00:03.000 -> 00:00:04.000' is not hh:mm:ss.ttt" in message
    assert "line 12: the cue has no text" in message and "line 16: the cue ends (00:00:07.000) before" in message
    assert "\n" not in message


def test_a_file_that_is_not_webvtt_is_refused_by_name():
    with pytest.raises(NmahpError, match=r"notes.vtt: is not a WebVTT transcript: its first line is '1', not "):
        vtt_turns("1\n00:00:01,000 --> 00:00:02,000\nan SRT file\n", "notes.vtt")


def word(paragraphs: list[list[str]]) -> io.BytesIO:
    """A .docx with a paragraph per list, its lines joined by line breaks (Word's Shift+Enter)."""
    from docx import Document as Word

    made = Word()
    for lines in paragraphs:
        paragraph = made.add_paragraph(lines[0])
        for line in lines[1:]:
            paragraph.add_run().add_break()
            paragraph.add_run(line)
    data = io.BytesIO()
    made.save(data)
    data.seek(0)
    return data


# the older Teams layout: a paragraph each for the cue's timing, the speaker and the words
OLDER = [["Interview 43"], ["0:0:3.251 --> 0:0:6.118"], ["Interviewer One"], ["How did you find your mentor?"],
         ["0:0:6.900 --> 0:0:10.400"], ["Participant 43"], ["Pure luck, really."],
         ["0:0:10.400 --> 0:0:13.20"], ["Participant 43"], ["My manager knew someone."],
         ["0:1:2.0 --> 0:1:9.750"], ["Interviewer One"], ["And protected time?"]]
# the current layout: title and date, who started transcribing, then a paragraph per turn
CURRENT = [["Interview 43"], ["4 March 2026, 10:02am"], ["Interviewer One started transcription"],
           ["Interviewer One   0:03", "How did you find your mentor?"],
           ["Participant 43   0:07", "Pure luck, really.", "My manager knew someone."],
           ["Participant 43   0:12", "And they put us in touch."],
           ["Interviewer One   1:02", "And protected time?"]]


@pytest.mark.parametrize("layout, expected", [
    (OLDER, [("Interviewer One", "How did you find your mentor?", 3251, 6118),
             ("Participant 43", "Pure luck, really. My manager knew someone.", 6900, 13200),
             ("Interviewer One", "And protected time?", 62000, 69750)]),
    (CURRENT, [("Interviewer One", "How did you find your mentor?", 3000, 7000),
               ("Participant 43", "Pure luck, really. My manager knew someone. And they put us in touch.", 7000,
                62000),
               ("Interviewer One", "And protected time?", 62000, None)]),
], ids=["older", "current"])
def test_a_teams_docx_becomes_speakers_and_turns_in_either_layout(layout, expected):
    document = from_docx(word(layout), "43", name="Interview 43")
    assert [(s.speaker, document.text[s.start:s.end], s.begin_ms, s.end_ms) for s in document.segments] == expected
    assert "started transcription" not in document.text and "4 March" not in document.text


def test_a_word_document_that_is_not_a_teams_transcript_stays_one_segment():
    document = from_docx(word([["Notes from the interview"], ["She found her mentor by luck."]]), "43", name="n")
    assert len(document.segments) == 1 and document.segments[0].speaker == ""
    assert docx_turns(["Notes from the interview", "She found her mentor by luck."]) == []


def test_the_times_go_into_the_refi_export_and_come_back(tmp_path):
    project = Project("interviews")
    document = project.add_document(from_vtt(TEAMS_VTT, "Interview 43", "43"))
    path = tmp_path / "p.qdpx"
    path.write_bytes(qdpx_bytes(project))
    again = import_qdpx(path).documents[document.id]
    assert [(s.speaker, s.begin_ms, s.end_ms, again.text[s.start:s.end]) for s in again.segments] == \
        [(s.speaker, s.begin_ms, s.end_ms, document.text[s.start:s.end]) for s in document.segments]


@pytest.mark.django_db
def test_a_transcript_added_to_a_project_keeps_its_turns_and_times(tmp_path):
    from nmahp.app import coding

    from .hostile import coding_project_with_history

    project = coding_project_with_history("transcripts")
    path = tmp_path / "Interview 43.vtt"
    path.write_text(TEAMS_VTT, encoding="utf-8")
    coding.add_transcript(project, path, "43", group="ahp")
    stored = next(d for d in coding.load(project).documents.values() if d.name == "Interview 43")
    assert [(s.speaker, s.begin_ms, s.end_ms) for s in stored.segments] == [
        ("Interviewer One", 3251, 6118), ("Participant 43", 6900, 13020), ("Interviewer One", 14000, 16500),
        ("Participant 43", 62000, 69750)]
    bad = tmp_path / "bad.vtt"
    bad.write_text("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n\n", encoding="utf-8")
    before = project.documents.count()
    with pytest.raises(NmahpError, match=r"bad.vtt: 1 cue cannot be read, so nothing was imported: line 3: "):
        coding.add_transcript(project, bad, "44")
    assert project.documents.count() == before
