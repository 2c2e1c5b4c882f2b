"""Passages of a document's plain text: checked, trimmed, found and cut at highlight boundaries."""

from nmahp.qualitative.passages import check, find, pieces, trim

TEXT = "Protected time matters.\n\nNo protected TIME, no backfill."


def test_pieces_give_the_text_back_with_overlaps_marked():
    spans = [(0, 14, "a"), (10, 23, "b"), (38, 42, "c")]
    cut = pieces(TEXT, spans)
    assert "".join(p for p, _ in cut) == TEXT
    assert [(p, ids) for p, ids in cut if ids] == [("Protected ", ("a",)), ("time", ("a", "b")),
                                                   (" matters.", ("b",)), ("TIME", ("c",))]


def test_find_ignores_case_and_keeps_offsets():
    hits = find(TEXT, "protected time")
    assert [TEXT[h.start:h.end] for h in hits] == ["Protected time", "protected TIME"]
    assert find(TEXT, "   ") == [] and find(TEXT, "grant") == []
    # a character whose lower case is longer (the Turkish dotted I) does not shift the positions
    text = "\u0130stanbul protected time"
    assert [text[h.start:h.end] for h in find(text, "time")] == ["time"]


def test_check_and_trim():
    assert check(TEXT, 5, 3) == "The end must come after the start"
    assert "between 0 and" in check(TEXT, 0, len(TEXT) + 1)
    assert check(TEXT, 23, 25) is not None  # only line breaks
    assert trim(TEXT, 23, 28) == (25, 27) and check(TEXT, 0, 9) is None  # "\n\nNo " -> "No"
