"""The plain-English standard for the navigator's own words: a Flesch reading ease of at least 60 and
no acronym the glossary does not explain. The test suite and `nmahp careers check` both use it."""

from __future__ import annotations

from dataclasses import dataclass

import textstat

from .glossary import unexplained_acronyms
from .model import Content

MIN_READING_EASE = 60.0


@dataclass(frozen=True)
class PlainProblem:
    where: str
    text: str
    reading_ease: float
    unexplained: tuple[str, ...]

    def __str__(self) -> str:
        parts = []
        if self.reading_ease < MIN_READING_EASE:
            parts.append(f"reading ease {self.reading_ease:.0f} (needs {MIN_READING_EASE:.0f}+): use shorter "
                         "sentences and shorter words")
        if self.unexplained:
            parts.append(f"acronyms not in the glossary: {', '.join(self.unexplained)}")
        return f"{self.where}: {'; '.join(parts)}"


def reading_ease(text: str) -> float:
    return float(textstat.flesch_reading_ease(text))


def plain_texts(content: Content) -> list[tuple[str, str]]:
    """The texts held to the standard: every scheme summary and glossary definition."""
    return ([(f"schemes.yaml, entry '{s.id}', field 'summary'", s.summary) for s in content.schemes.values()]
            + [(f"glossary.yaml, entry '{t.id}', field 'means'", t.means) for t in content.glossary.values()])


def plain_english_problems(content: Content) -> list[PlainProblem]:
    out = []
    for where, text in plain_texts(content):
        ease = reading_ease(text)
        unexplained = tuple(unexplained_acronyms(text, content.glossary))
        if ease < MIN_READING_EASE or unexplained:
            out.append(PlainProblem(where, text, ease, unexplained))
    return out
