"""Cutting a participant out of a coded document keeps everyone else's text and highlights exact."""

from nmahp.qualitative.cut import cut_participants
from nmahp.qualitative.documents import from_open_text, from_vtt


def _open_text():
    return from_open_text("q", [("1", "first answer here", "", ""), ("2", "second answer, erased", "", ""),
                                ("3", "third answer stays", "", "")])


def test_a_middle_answer_leaves_with_its_separator_and_later_highlights_move():
    document = _open_text()
    text = document.text
    third = text.index("third answer")
    highlights = [("a", 0, 5), ("b", text.index("erased"), text.index("erased") + 6), ("c", third, third + 5)]
    cut = cut_participants(text, document.segments, {"2"}, highlights)
    assert cut.text == "first answer here\n\nthird answer stays" and cut.removed_segments == 1
    assert [s.participant for s in cut.segments] == ["1", "3"]
    assert all(cut.text[s.start:s.end] in ("first answer here", "third answer stays") for s in cut.segments)
    assert cut.highlights["b"] is None
    a, b = cut.highlights["c"]
    assert cut.text[a:b] == "third" and cut.text[slice(*cut.highlights["a"])] == "first"


def test_the_last_and_the_only_answer():
    document = _open_text()
    assert cut_participants(document.text, document.segments, {"3"}).text == \
        "first answer here\n\nsecond answer, erased"
    assert cut_participants(document.text, document.segments, {"1", "2", "3"}).text == ""


def test_a_highlight_across_two_answers_keeps_only_the_other_part():
    document = _open_text()
    text = document.text
    start, end = text.index("here"), text.index("second") + 6
    cut = cut_participants(text, document.segments, {"2"}, [("x", start, end)])
    assert cut.text[slice(*cut.highlights["x"])].strip() == "here"


def test_a_transcript_turn_leaves_with_the_speaker_label():
    vtt = ("WEBVTT\n\n00:00.000 --> 00:01.000\n<v Interviewer>Hello there\n\n"
           "00:01.000 --> 00:02.000\n<v Kim Smith>My own words\n\n00:02.000 --> 00:03.000\n<v Interviewer>Thanks\n")
    document = from_vtt(vtt, "t", "7")
    mixed = [s if s.speaker != "Kim Smith" else s.__class__(s.start, s.end, "8", s.speaker) for s in document.segments]
    cut = cut_participants(document.text, mixed, {"8"})
    assert cut.text == "Interviewer: Hello there\nInterviewer: Thanks"
    assert [cut.text[s.start:s.end] for s in cut.segments] == ["Hello there", "Thanks"]
    assert [(s.speaker, s.begin_ms, s.end_ms) for s in cut.segments] == [("Interviewer", 0, 1000),
                                                                          ("Interviewer", 2000, 3000)]
