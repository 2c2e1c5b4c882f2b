"""The plain-English standard: every scheme summary and glossary definition reads at Flesch 60+ and
uses no acronym the glossary does not explain."""

import pytest

from nmahp.navigator.content import load_content
from nmahp.navigator.glossary import unexplained_acronyms
from nmahp.navigator.plain import MIN_READING_EASE, plain_english_problems, plain_texts, reading_ease

CONTENT = load_content()


@pytest.mark.parametrize("where, text", plain_texts(CONTENT), ids=[w for w, _ in plain_texts(CONTENT)])
def test_reads_at_sixty_or_more_with_every_acronym_explained(where, text):
    assert reading_ease(text) >= MIN_READING_EASE, f"{where}: {reading_ease(text):.0f}: {text}"
    assert unexplained_acronyms(text, CONTENT.glossary) == [], where


def test_the_standard_covers_every_summary_and_definition():
    assert len(plain_texts(CONTENT)) == len(CONTENT.schemes) + len(CONTENT.glossary)


def test_the_check_fails_hard_prose_and_unknown_acronyms(tmp_path):
    import dataclasses

    pcaf = CONTENT.schemes["pcaf"]
    hard = dataclasses.replace(pcaf, summary=(
        "Multidisciplinary postgraduate practitioners demonstrating exceptional organisational commitment "
        "institutionally consolidate methodological capabilities preparatory to doctoral candidature."))
    acronym = dataclasses.replace(CONTENT.schemes["dcaf"], summary="You can do a PhD. Ask your NHS trust and the QZX.")
    broken = dataclasses.replace(CONTENT, schemes={**CONTENT.schemes, "pcaf": hard, "dcaf": acronym})
    problems = {p.where: p for p in plain_english_problems(broken)}
    assert problems["schemes.yaml, entry 'pcaf', field 'summary'"].reading_ease < 30
    assert problems["schemes.yaml, entry 'dcaf', field 'summary'"].unexplained == ("QZX",)
    assert "acronyms not in the glossary: QZX" in str(problems["schemes.yaml, entry 'dcaf', field 'summary'"])


@pytest.mark.parametrize("text, found", [
    ("Ask HR about T&S and T&R posts.", []),
    ("A PhD, an MRes or a PGCert.", []),
    ("The NIHR ARC NWC and ARC2NWC.", []),
    ("A DClinPrac is a doctorate.", ["DClinPrac"]),
    ("See the 70@70 programme.", []),
])
def test_acronyms_are_found_however_they_are_written(text, found):
    assert unexplained_acronyms(text, CONTENT.glossary) == found
