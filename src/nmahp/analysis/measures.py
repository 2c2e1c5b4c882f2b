"""Derived measures: named figures over answers, kept as data beside the workbook
(`<workbook>.measures.yaml`), each counted as a select question of its own with its base stated.

A condition is a mapping, one of:
  {question: Q, any_of: [options]}   chose at least one of them (also `all_of`, `none_of`)
  {question: Q, more_than: N}        chose more than N options
  {question: Q, answered: true}      answered Q at all
  {all: [conditions]}, {any: [conditions]}, {not: condition}
A question condition may combine keys: {question: Q, any_of: [A], none_of: [B]} is "A and not B".

A measure is either yes/no (`when: condition`) or a set of categories, the first that holds
(`categories: [{name, label, when}, ..., {name, label, otherwise: true}]`). Its base is the respondents
who answered every question it names (`base: all`, the default) or any of them (`base: any`, for
"and/or across questions"); everyone else is left out, as the study counts every question.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from ..errors import NmahpError
from ..instruments import Choice, Instrument, Question
from ..instruments.model import SELECT_MULTIPLE, SELECT_ONE

QUESTION_KEYS = {"any_of", "all_of", "none_of", "more_than", "answered"}


@dataclass(frozen=True)
class Measure:
    name: str
    label: str
    condition: dict | None  # yes/no measures
    categories: tuple[dict, ...] = ()  # categorical measures: [{name, label, when | otherwise}]
    base: str = "all"
    yes_label: str = ""
    no_label: str = ""
    description: str = ""

    def questions(self) -> list[str]:
        found: list[str] = []
        for condition in [self.condition] + [c.get("when") for c in self.categories]:
            if condition is not None:
                _names(condition, found)
        return list(dict.fromkeys(found))

    def choices(self) -> tuple[Choice, ...]:
        if self.categories:
            return tuple(Choice(c["name"], c.get("label", c["name"])) for c in self.categories)
        return (Choice("yes", self.yes_label or self.label),
                Choice("no", self.no_label or "Everyone else who answered"))

    def question(self) -> Question:
        return Question(name=self.name, type=SELECT_ONE, label=self.label, group=None, choices=self.choices())

    def expression(self, instrument: Instrument) -> pl.Expr:
        """The measure as a column: a choice name for everyone in its base, null for the rest."""
        names = self.questions()
        answered = [pl.col(n).is_not_null() for n in names]
        base = pl.all_horizontal(answered) if self.base == "all" else pl.any_horizontal(answered)
        if self.categories:
            value = None
            for category in self.categories:
                if category.get("otherwise"):
                    value = pl.lit(category["name"]) if value is None else value.otherwise(pl.lit(category["name"]))
                    break
                test = _compile(category["when"], instrument)
                value = (pl.when(test) if value is None else value.when(test)).then(pl.lit(category["name"]))
            if not any(c.get("otherwise") for c in self.categories):
                value = value.otherwise(pl.lit(None, dtype=pl.Utf8))
        else:
            value = pl.when(_compile(self.condition, instrument)).then(pl.lit("yes")).otherwise(pl.lit("no"))
        return pl.when(base).then(value).otherwise(pl.lit(None, dtype=pl.Utf8)).alias(self.name)

    def definition(self) -> str:
        """The measure in words, for the table's notes and the report's method text."""
        if self.categories:
            parts = [f"{c.get('label', c['name'])}: " + ("everyone else" if c.get("otherwise") else _words(c["when"]))
                     for c in self.categories]
            text = "the first that holds of " + "; ".join(parts)
        else:
            text = _words(self.condition)
        who = "every one" if self.base == "all" else "any"
        return f"{text} (base: respondents who answered {who} of {', '.join(self.questions())})" \
            if len(self.questions()) > 1 else f"{text} (base: respondents who answered {self.questions()[0]})"


def _names(condition: dict, out: list[str]) -> None:
    if "question" in condition:
        out.append(condition["question"])
    for key in ("all", "any"):
        for part in condition.get(key, []):
            _names(part, out)
    if "not" in condition:
        _names(condition["not"], out)


def _chosen(question: Question, option: str) -> pl.Expr:
    column = pl.col(question.name)
    if question.type == SELECT_MULTIPLE:
        return column.str.split(" ").list.contains(option).fill_null(False)
    return (column == option).fill_null(False)


def _compile(condition: dict, instrument: Instrument) -> pl.Expr:
    if "all" in condition:
        return pl.all_horizontal([_compile(c, instrument) for c in condition["all"]])
    if "any" in condition:
        return pl.any_horizontal([_compile(c, instrument) for c in condition["any"]])
    if "not" in condition:
        return ~_compile(condition["not"], instrument)
    question = instrument.questions[condition["question"]]
    parts = []
    if condition.get("any_of"):
        parts.append(pl.any_horizontal([_chosen(question, o) for o in condition["any_of"]]))
    if condition.get("all_of"):
        parts.append(pl.all_horizontal([_chosen(question, o) for o in condition["all_of"]]))
    if condition.get("none_of"):
        parts.append(~pl.any_horizontal([_chosen(question, o) for o in condition["none_of"]]))
    if "more_than" in condition:
        column = pl.col(question.name)
        count = column.str.split(" ").list.len() if question.type == SELECT_MULTIPLE else column.is_not_null().cast(
            pl.UInt32)
        parts.append((count > int(condition["more_than"])).fill_null(False))
    if condition.get("answered"):
        parts.append(pl.col(question.name).is_not_null())
    return pl.all_horizontal(parts)


def _words(condition: dict) -> str:
    if "all" in condition:
        return " and ".join(f"({_words(c)})" for c in condition["all"])
    if "any" in condition:
        return " or ".join(f"({_words(c)})" for c in condition["any"])
    if "not" in condition:
        return f"not ({_words(condition['not'])})"
    q = condition["question"]
    parts = []
    if condition.get("any_of"):
        parts.append(f"{q}: chose any of {', '.join(condition['any_of'])}")
    if condition.get("all_of"):
        parts.append(f"{q}: chose all of {', '.join(condition['all_of'])}")
    if condition.get("none_of"):
        parts.append(f"{q}: chose none of {', '.join(condition['none_of'])}")
    if "more_than" in condition:
        parts.append(f"{q}: chose more than {condition['more_than']}")
    if condition.get("answered"):
        parts.append(f"answered {q}")
    return " and ".join(parts)


def check_condition(condition, where: str, questions: dict[str, Question]) -> None:
    """Refuse a condition that names an unknown question or option, or has an unknown shape."""
    if not isinstance(condition, dict) or not condition:
        raise NmahpError(f"{where}: a condition must be a mapping (question/any_of/..., all, any or not)")
    if "all" in condition or "any" in condition:
        key = "all" if "all" in condition else "any"
        parts = condition[key]
        if not isinstance(parts, list) or not parts or len(condition) != 1:
            raise NmahpError(f"{where}: '{key}' takes a list of conditions and nothing beside it")
        for n, part in enumerate(parts, start=1):
            check_condition(part, f"{where}, {key} #{n}", questions)
        return
    if "not" in condition:
        if len(condition) != 1:
            raise NmahpError(f"{where}: 'not' takes one condition and nothing beside it")
        check_condition(condition["not"], f"{where}, not", questions)
        return
    name = condition.get("question")
    if name not in questions:
        raise NmahpError(f"{where}: question '{name}' is not a select question of the workbook or a coded variable")
    question = questions[name]
    unknown_keys = set(condition) - QUESTION_KEYS - {"question"}
    if unknown_keys or not set(condition) & QUESTION_KEYS:
        raise NmahpError(f"{where}: use any_of, all_of, none_of, more_than or answered with question '{name}'"
                         + (f" (not {', '.join(sorted(unknown_keys))})" if unknown_keys else ""))
    for key in ("any_of", "all_of", "none_of"):
        values = condition.get(key)
        if values is None:
            continue
        if not isinstance(values, list) or not values:
            raise NmahpError(f"{where}: '{key}' takes a list of options of '{name}'")
        unknown = [v for v in values if v not in question.choice_names()]
        if unknown:
            hint = " (quote an option that looks like a number: '6_10')" if not isinstance(unknown[0], str) else ""
            raise NmahpError(f"{where}: '{unknown[0]}' is not an option of '{name}' "
                             f"({', '.join(question.choice_names())}){hint}")
    if "more_than" in condition and not isinstance(condition["more_than"], int):
        raise NmahpError(f"{where}: 'more_than' takes a whole number")
