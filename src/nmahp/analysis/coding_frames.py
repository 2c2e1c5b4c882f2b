"""Short-text coding inside analysis: a coding frame (codes, descriptions and matching rules, kept as data
beside the workbook) turns a text question into a coded variable, and every 'Other (please specify)' text
into a tally of its distinct answers. Pure functions: what an analyst overrides in the coding pages comes
in as `overrides` (answer wording -> codes)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..instruments import Choice

OTHERWISE = "otherwise"


def normalise(text: str) -> str:
    """The wording an answer is tallied and overridden by: case, spacing and end punctuation ignored."""
    return re.sub(r"\s+", " ", (text or "").strip()).casefold().strip(" .;,")


def slug(text: str) -> str:
    """A choice name for a tallied answer (names are space-separated in a select_multiple answer)."""
    return re.sub(r"[^0-9a-z]+", "_", normalise(text)).strip("_") or "blank"


@dataclass(frozen=True)
class FrameCode:
    name: str
    label: str
    description: str = ""
    patterns: tuple[re.Pattern, ...] = ()
    otherwise: bool = False  # given to an answer (or a mention) no rule matches
    parent: str | None = None  # a topic within another code (e.g. oncology within nursing)


@dataclass(frozen=True)
class CodingFrame:
    """`question`'s answers coded as the variable `name`."""

    name: str
    question: str
    label: str
    codes: tuple[FrameCode, ...]
    assign: str = "first"  # first: each mention gets the first code that matches; all: every code that matches
    split: re.Pattern | None = None  # where one answer names several things (job titles)
    description: str = ""

    @property
    def multiple(self) -> bool:
        return self.assign == "all" or self.split is not None

    def choices(self) -> tuple[Choice, ...]:
        return tuple(Choice(c.name, c.label) for c in self.codes)

    def mentions(self, text: str) -> list[str]:
        parts = self.split.split(text) if self.split is not None else [text]
        return [p.strip() for p in parts if p and p.strip()]

    def code_mention(self, mention: str) -> list[str]:
        matched = [c.name for c in self.codes if any(p.search(mention) for p in c.patterns)]
        if self.assign == "first":
            matched = matched[:1]
        if not matched:
            matched = [c.name for c in self.codes if c.otherwise][:1]
        return matched

    def code(self, text: str) -> tuple[str, ...]:
        """The codes of one answer, in the frame's order."""
        found = {name for mention in self.mentions(text) for name in self.code_mention(mention)}
        return tuple(c.name for c in self.codes if c.name in found)


@dataclass
class Tally:
    """The distinct answers to an 'Other (please specify)' text, normalised and with the analysts' merges
    (`merges`: normalised variant -> the wording it counts as)."""

    question: str
    name: str
    label: str
    merges: dict[str, str] = field(default_factory=dict)

    def key(self, text: str) -> str:
        wording = normalise(text)
        return normalise(self.merges.get(wording, wording))

    def tally(self, answers: Iterable[str]) -> tuple[tuple[Choice, ...], dict[str, str]]:
        """(one choice per distinct merged answer, most frequent first, labelled with the merge target or the
        wording most respondents used; answer text -> its choice name)."""
        # each distinct answer is normalised once, weighted by how often it came (a wave repeats a few
        # wordings many times); first-come order is kept, so a tie for the label goes as answer by answer
        seen = Counter(answers)
        spellings: dict[str, Counter] = {}
        keys: dict[str, str] = {}
        for text, times in seen.items():
            wording = normalise(text)
            if not wording:
                continue
            target = self.merges.get(wording)
            keys[text] = normalise(target if target is not None else wording)
            spellings.setdefault(keys[text], Counter())[(target or text).strip()] += times
        ordered = sorted(spellings.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
        names: dict[str, str] = {}
        used: set[str] = set()  # the names given so far (looking through names.values() is quadratic)
        choices = []
        for key, counter in ordered:
            name = slug(key)
            while name in used:
                name += "_"
            names[key] = name
            used.add(name)
            choices.append(Choice(name, counter.most_common(1)[0][0]))
        return tuple(choices), {t: names[k] for t, k in keys.items()}


def code_answers(frame: CodingFrame, answers: list[str],
                 overrides: dict[str, tuple[str, ...]] | None = None) -> dict[str, str | None]:
    """answer text -> the coded value as a column holds it (space-separated code names, in the frame's
    order), for each distinct answer. An override (by the answer's normalised wording) replaces what the
    rules found; an override to no code at all leaves the answer uncoded."""
    overrides = overrides or {}
    order = [c.name for c in frame.codes]
    out: dict[str, str | None] = {}
    for text in answers:
        codes = overrides.get(normalise(text))
        if codes is None:
            codes = frame.code(text)
        chosen = set(codes)
        out[text] = " ".join(c for c in order if c in chosen) or None
    return out
