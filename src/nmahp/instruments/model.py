"""The Instrument: questions, groups, choices and rules of one XLSForm workbook, ready to run."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field

from .expressions import Expression, ExpressionError

SELECT_ONE = "select_one"
SELECT_MULTIPLE = "select_multiple"
# Question types that hold an answer; notes, groups and calculates are the form's own business.
ANSWER_TYPES = {SELECT_ONE, SELECT_MULTIPLE, "text", "integer", "decimal", "date"}


@dataclass(frozen=True)
class Choice:
    name: str
    label: str
    notes: str = ""
    # the label in every language of the workbook, and the choices sheet's other columns (what a choice_filter reads)
    labels: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)
    columns: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)

    def in_language(self, language: str) -> Choice:
        return dataclasses.replace(self, label=self.labels.get(language) or self.label)


@dataclass
class Question:
    name: str
    type: str  # select_one, select_multiple, text, integer, decimal, date, calculate, note
    label: str
    group: str | None
    hint: str = ""
    required: bool = False
    list_name: str | None = None
    choices: tuple[Choice, ...] = ()
    appearance: str = ""
    notes: str = ""
    relevant: Expression | None = None
    constraint: Expression | None = None
    constraint_message: str = ""
    calculation: Expression | None = None
    # the relevant expressions of the enclosing groups, outermost first
    group_relevant: tuple[Expression, ...] = ()
    choice_filter: Expression | None = None
    required_message: str = ""
    # label, hint and messages in every language of the workbook ({language: text})
    labels: Mapping[str, str] = field(default_factory=dict)
    hints: Mapping[str, str] = field(default_factory=dict)
    constraint_messages: Mapping[str, str] = field(default_factory=dict)
    required_messages: Mapping[str, str] = field(default_factory=dict)

    @property
    def is_select(self) -> bool:
        return self.type in (SELECT_ONE, SELECT_MULTIPLE)

    @property
    def is_likert(self) -> bool:
        # a 5-point scale whose position is its score, as in Tables 1A-11A
        return self.type == SELECT_ONE and "likert" in self.appearance

    @property
    def holds_answer(self) -> bool:
        return self.type in ANSWER_TYPES

    def choice_names(self) -> tuple[str, ...]:
        # called for every answer of every respondent: computed once
        cached = self.__dict__.get("_choice_names")
        if cached is None:
            cached = self.__dict__["_choice_names"] = tuple(c.name for c in self.choices)
        return cached

    def choice_label(self, name: str) -> str:
        for c in self.choices:
            if c.name == name:
                return c.label
        return name

    def available_choices(self, answers: Mapping[str, str]) -> tuple[Choice, ...]:
        """The choices a respondent is offered given their other answers: all of them, or those the
        choice_filter keeps (evaluated on the server, as ODK evaluates the itemset's predicate)."""
        if self.choice_filter is None:
            return self.choices
        try:
            return tuple(c for i, c in enumerate(self.choices)
                         if self.choice_filter.keeps_choice(answers, {"name": c.name, "label": c.label, **c.columns},
                                                            i))
        except ExpressionError:
            return ()

    def available_names(self, answers: Mapping[str, str]) -> tuple[str, ...]:
        if self.choice_filter is None:
            return self.choice_names()
        return tuple(dict.fromkeys(c.name for c in self.available_choices(answers)))

    def in_language(self, language: str) -> Question:
        def pick(texts: Mapping[str, str], fallback: str) -> str:
            return texts.get(language) or fallback

        copy = dataclasses.replace(
            self, label=pick(self.labels, self.label), hint=pick(self.hints, self.hint),
            constraint_message=pick(self.constraint_messages, self.constraint_message),
            required_message=pick(self.required_messages, self.required_message),
            choices=tuple(c.in_language(language) for c in self.choices))
        copy.__dict__.pop("_choice_names", None)
        return copy


@dataclass
class Group:
    name: str
    label: str
    relevant: Expression | None
    parent: str | None
    questions: list[str] = field(default_factory=list)


@dataclass
class Instrument:
    name: str  # the file stem, e.g. nmahp_survey
    form_id: str
    version: str
    title: str
    questions: dict[str, Question]
    groups: dict[str, Group]
    path: str = ""
    # the workbook's languages (`label::English (en)` columns), the default first; empty for a one-language form
    languages: tuple[str, ...] = ()
    group_labels: dict[str, Mapping[str, str]] = field(default_factory=dict)
    shown_language: str = ""  # set on the copy in_language returns

    @property
    def default_language(self) -> str:
        return self.languages[0] if self.languages else ""

    @property
    def current_language(self) -> str:
        return self.shown_language or self.default_language

    def language(self, wanted: str | None) -> str:
        """The workbook's language for a wave's or a respondent's choice ('' or unknown: the default)."""
        if wanted and wanted in self.languages:
            return wanted
        return self.default_language

    def in_language(self, language: str | None) -> Instrument:
        """This instrument with labels, hints and messages in `language` (the default where it has none)."""
        base = self.__dict__.get("_base")
        if base is not None:  # a translated copy: translate from the workbook as loaded
            return base.in_language(language)
        language = self.language(language)
        if not language or language == self.default_language:
            return self
        cache = self.__dict__.setdefault("_translations", {})
        if language not in cache:
            groups = {name: dataclasses.replace(g, label=(self.group_labels.get(name) or {}).get(language) or g.label)
                      for name, g in self.groups.items()}
            cache[language] = dataclasses.replace(
                self, questions={n: q.in_language(language) for n, q in self.questions.items()}, groups=groups,
                shown_language=language)
            cache[language].__dict__["_base"] = self
        return cache[language]

    def answer_questions(self) -> list[Question]:
        return [q for q in self.questions.values() if q.holds_answer]

    def question(self, name: str) -> Question:
        try:
            return self.questions[name]
        except KeyError:
            raise KeyError(f"'{name}' is not a question of {self.name}") from None

    def questions_in_group(self, group: str) -> list[Question]:
        """Every question inside a group, including nested groups, in form order."""
        wanted = {group} | {g.name for g in self.groups.values() if self._descends(g.name, group)}
        return [q for q in self.questions.values() if q.group in wanted]

    def _descends(self, name: str, ancestor: str) -> bool:
        parent = self.groups[name].parent
        while parent:
            if parent == ancestor:
                return True
            parent = self.groups[parent].parent
        return False

    def contact_questions(self) -> list[str]:
        # personal data lives in the 'contact_details' group and is stored apart from answers
        if "contact_details" not in self.groups:
            return []
        return [q.name for q in self.questions_in_group("contact_details")]

    def pages(self) -> list[Group]:
        """Top-level groups, one page each in the web form."""
        return [g for g in self.groups.values() if g.parent is None]

    def gates_every_page(self) -> set[str]:
        """The questions every page's relevance reads (consent, in the study's surveys): every complete
        response gives them the one answer that opens the survey, so they say nothing about anyone."""
        pages = [set(g.relevant.references) for g in self.pages() if g.relevant is not None]
        return set.intersection(*pages) if len(pages) > 1 else set()
