"""Check one respondent's answers against an instrument, on the server, the way the form would.

Walks the questions in form order: calculates are (re)computed, answers to questions that are not
relevant are dropped (never stored), and what is left is checked for type, required and constraint.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from .expressions import ExpressionError
from .model import SELECT_MULTIPLE, SELECT_ONE, Instrument, Question

MAX_TEXT = 10_000  # characters; longer answers are refused, not truncated


@dataclass(frozen=True)
class FieldError:
    question: str
    message: str
    value: str = ""

    def __str__(self) -> str:
        return f"{self.question}: {self.message}"


@dataclass
class Validation:
    answers: dict[str, str]  # the cleaned answers that may be stored
    errors: list[FieldError] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # answered but not relevant

    @property
    def ok(self) -> bool:
        return not self.errors

    def errors_by_question(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for e in self.errors:
            out.setdefault(e.question, e.message)
        return out


def normalise(value) -> str:
    """Answers arrive as str, list (select_multiple) or numbers; store every one as XLSForm text."""
    if value is None:
        return ""
    if isinstance(value, list | tuple | set):
        return " ".join(str(v).strip() for v in value if str(v).strip())
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()


def is_relevant(question: Question, answers: Mapping[str, str]) -> bool:
    for expression in question.group_relevant:
        if not expression.is_true(answers):
            return False
    return question.relevant is None or question.relevant.is_true(answers)


def _type_error(question: Question, value: str, answers: Mapping[str, str]) -> str | None:
    if question.type == SELECT_ONE:
        if value not in question.available_names(answers):
            return f"'{value}' is not one of the options for this question"
    elif question.type == SELECT_MULTIPLE:
        picked = value.split()
        offered = question.available_names(answers)
        unknown = [p for p in picked if p not in offered]
        if unknown:
            return f"'{unknown[0]}' is not one of the options for this question"
        if len(set(picked)) != len(picked):
            return "the same option is selected twice"
    elif question.type == "integer":
        try:
            int(value)
        except ValueError:
            return f"'{value[:40]}' is not a whole number"
    elif question.type == "decimal":
        try:
            float(value)
        except ValueError:
            return f"'{value[:40]}' is not a number"
    elif question.type == "date":
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return f"'{value[:40]}' is not a date like 2023-02-28"
    if len(value) > MAX_TEXT:
        return f"the answer is {len(value):,} characters long; the limit is {MAX_TEXT:,}"
    if "\x00" in value:
        return "the answer contains a null character"
    return None


def _required_message(question: Question) -> str:
    if question.required_message:
        return question.required_message
    if question.type == SELECT_ONE:
        return "Select an answer"
    if question.type == SELECT_MULTIPLE:
        return "Select at least one option"
    return "Enter an answer"


def validate(instrument: Instrument, answers: Mapping[str, object], *, only: set[str] | None = None) -> Validation:
    """Validate a whole submission (or, with `only`, the questions of one page).

    Questions outside `only` still take part in relevance and calculation, but are not required.
    """
    raw = {k: normalise(v) for k, v in answers.items()}
    result = Validation(answers={})
    for name in raw:
        if name not in instrument.questions:
            result.errors.append(FieldError(name, "is not a question in this survey", raw[name][:80]))
    clean = result.answers
    for question in instrument.questions.values():
        if question.type == "note":
            continue
        if question.type == "metadata":  # start, end, deviceid...: what the client recorded, kept as text
            value = raw.get(question.name, "")
            if value and not _type_error(question, value, clean):
                clean[question.name] = value
            continue
        if not is_relevant(question, clean):
            if raw.get(question.name):
                result.dropped.append(question.name)
            continue
        if question.type == "calculate":
            try:
                value = question.calculation.as_text(clean) if question.calculation else ""
            except ExpressionError as exc:
                result.errors.append(FieldError(question.name, f"calculation failed: {exc}"))
                continue
            if value:
                clean[question.name] = value
            continue
        value = raw.get(question.name, "")
        checking = only is None or question.name in only
        if not value:
            if question.required and checking:
                result.errors.append(FieldError(question.name, _required_message(question)))
            continue
        problem = _type_error(question, value, clean)
        if problem:
            result.errors.append(FieldError(question.name, problem, value[:80]))
            continue
        if question.type == SELECT_MULTIPLE:
            # keep the form's option order so equal answers are stored identically
            order = question.choice_names()
            value = " ".join(sorted(value.split(), key=order.index))
        if question.constraint is not None:
            try:
                passed = question.constraint.is_true(clean, value)
            except ExpressionError as exc:
                passed, question_message = False, str(exc)
            else:
                question_message = ""
            if not passed:
                message = question.constraint_message or question_message or "This answer is not allowed"
                result.errors.append(FieldError(question.name, message, value[:80]))
                continue
        clean[question.name] = value
    return result
