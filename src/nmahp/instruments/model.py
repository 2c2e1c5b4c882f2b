"""The Instrument: questions, groups, choices and rules of one XLSForm workbook, ready to run."""

from __future__ import annotations

from dataclasses import dataclass, field

from .expressions import Expression

SELECT_ONE = "select_one"
SELECT_MULTIPLE = "select_multiple"
# Question types that hold an answer; notes, groups and calculates are the form's own business.
ANSWER_TYPES = {SELECT_ONE, SELECT_MULTIPLE, "text", "integer", "decimal", "date"}


@dataclass(frozen=True)
class Choice:
    name: str
    label: str
    notes: str = ""


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
