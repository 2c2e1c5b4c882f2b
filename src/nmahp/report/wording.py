"""Numbers and methods in words, by the rules kept as data in wording.yaml: a quantifier ('most',
'over half') is chosen from n and N by one rule; a test is named from the result that ran it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import yaml

WORDING = files("nmahp.report") / "wording.yaml"


@dataclass(frozen=True)
class Band:
    at_least: int
    phrase: str


@dataclass(frozen=True)
class Wording:
    all: str
    none: str
    bands: tuple[Band, ...]  # highest first
    corrections: dict[str, str]


def _parse(data: dict) -> Wording:
    quantifiers = data["quantifiers"]
    bands = tuple(sorted((Band(int(b["at_least"]), str(b["phrase"])) for b in quantifiers["bands"]),
                         key=lambda b: -b.at_least))
    if not bands or bands[-1].at_least != 0:
        raise ValueError("wording.yaml: the quantifier bands must start at 0")
    if len({b.at_least for b in bands}) != len(bands):
        raise ValueError("wording.yaml: two quantifier bands start at the same percentage")
    return Wording(str(quantifiers["all"]), str(quantifiers["none"]), bands, dict(data["corrections"]))


@cache
def wording() -> Wording:
    with WORDING.open(encoding="utf-8") as handle:
        return _parse(yaml.safe_load(handle))


def shown_percent(count: int, base: int) -> int:
    """The whole percentage a reader sees for count/base: printed as share() prints it."""
    return int(f"{100 * count / base:.0f}")


def quantifier(count: int | None, base: int | None, rules: Wording | None = None, *,
               rounded: bool = False) -> str | None:
    """'all', 'nearly all', 'most', 'over half of' ... for count of base; None when either is hidden or
    rounded (disclosure control: rounding moves a share across any band, 8 of 13 is shown as 10/10) or
    there is no base. Words precede the noun: f'{q} respondents'."""
    if count is None or not base or rounded:
        return None
    rules = rules or wording()
    if count == base:
        return rules.all
    if count == 0:
        return rules.none
    percent = shown_percent(count, base)
    return next(b.phrase for b in rules.bands if percent >= b.at_least)


def test_name(test) -> str:
    """The test a result ran, in the words the result carries (`Test.method`, set by the analysis that
    chose the test); a result without them is named by its test's own name, never by another test's."""
    words = getattr(test, "method", "") or ""
    return words or test.test.replace("_", " ")


def correction_named(notes: list[str]) -> str | None:
    """The correction a table's notes say was applied across its options, in words."""
    text = " ".join(notes).lower()
    return next((words for key, words in wording().corrections.items() if key in text), None)

