"""The one rule that turns a number into a quantifier (src/nmahp/report/wording.yaml): each band at its
edges, 'all' and 'no' only from exact counts, the percentage as the reader sees it, and the sentences
that use it."""

import pytest

from nmahp.analysis import Cell, Table, TableKey
from nmahp.report import sentences
from nmahp.report.wording import _parse, quantifier, shown_percent


@pytest.mark.parametrize(("count", "base", "words"), [
    (174, 174, "all"),
    (0, 174, "no"),
    (173, 174, "nearly all"),  # 99.4%: nearly all, never all
    (199, 200, "nearly all"),  # printed as 100%, still not all
    (90, 100, "nearly all"),  # the band's lower edge is in the band
    (89, 100, "most"),
    (67, 100, "most"),
    (2, 3, "most"),  # 66.7% is printed 67%, and the word follows the printed number
    (66, 100, "over half of"),
    (55, 100, "over half of"),
    (54, 100, "about half of"),
    (45, 100, "about half of"),
    (44, 100, "under half of"),
    (37, 100, "under half of"),
    (36, 100, "about a third of"),
    (28, 100, "about a third of"),
    (27, 100, "a minority of"),
    (10, 100, "a minority of"),
    (9, 100, "few"),
    (1, 174, "few"),  # 0.6% is printed 1%
    (1, 200, "few"),  # 0.5% is printed 0%, but one is not none
])
def test_each_band_of_the_quantifier_rule_at_its_edges(count, base, words):
    assert quantifier(count, base) == words


def test_the_word_follows_the_percentage_as_printed_beside_it():
    for base in (7, 16, 152, 174):
        for count in range(1, base):
            assert shown_percent(count, base) == int(sentences.share(count, base, False).split("%")[0])


def test_no_quantifier_for_a_hidden_count_or_an_empty_base():
    assert quantifier(None, 174) is None and quantifier(10, None) is None and quantifier(0, 0) is None
    assert sentences.quantified(None, 100) is None


def test_no_quantifier_for_figures_rounded_under_disclosure_control():
    # 8 of 13 rounded to 10 of 10 is not 'all'; no band survives rounding, so no word is used
    assert quantifier(10, 10, rounded=True) is None and quantifier(60, 100, rounded=True) is None
    rounded = sentences.top_options(_table({"first": 10, "second": 0}, 10), 2, rounded=True)
    assert rounded.startswith("The highest proportion of respondents selected \u201cFirst\u201d: 10/10")
    assert sentences.open_text(90, 170, False, "answered", rounded=True) == "Respondents answered: 53% (n=90)."


def test_the_rule_refuses_bands_that_leave_a_gap_or_overlap():
    base = {"all": "all", "none": "no"}
    with pytest.raises(ValueError, match="start at 0"):
        _parse({"quantifiers": {**base, "bands": [{"at_least": 50, "phrase": "most"}]}, "corrections": {}})
    with pytest.raises(ValueError, match="same percentage"):
        _parse({"quantifiers": {**base, "bands": [{"at_least": 0, "phrase": "few"}, {"at_least": 0, "phrase": "x"}]},
                "corrections": {}})


def _table(counts: dict[str, int], base: int, kind: str = "multi") -> Table:
    cells = [Cell(name, name.title(), n, 100 * n / base) for name, n in counts.items()]
    return Table(TableKey("q"), "q", "Question", kind, base, cells, counts_only=base < 50)


@pytest.mark.parametrize(("top", "lead"), [
    (200, "All respondents selected"),
    (190, "Nearly all respondents selected"),
    (122, "Over half of respondents selected"),
    (80, "Under half of respondents selected"),
    (4, "Few respondents selected"),
])
def test_the_top_option_sentence_takes_its_word_from_the_number(top, lead):
    text = sentences.top_options(_table({"first": top, "second": 2}, 200), 3)
    assert text.startswith(f"{lead} \u201cFirst\u201d: ") and "(see Fig. 3)" in text


def test_a_tie_at_the_top_is_said_as_a_tie():
    text = sentences.top_options(_table({"a": 7, "b": 7, "c": 1}, 16), 1)
    assert text.startswith("Under half of respondents selected \u201cA\u201d: 7/16, jointly the highest proportion")


def test_open_text_counts_take_their_word_from_the_number():
    assert sentences.open_text(92, 174, False, "left a comment") == "About half of respondents left a comment: 53% (n=92)."
    assert sentences.open_text(12, 16, True, "left a comment") == "12/16 respondents left a comment."
