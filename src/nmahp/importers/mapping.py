"""Which export column feeds which question: found by label, overridden by a YAML mapping file."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .. import limits
from ..errors import NmahpError
from ..instruments import Instrument, Question
from ..instruments.model import SELECT_MULTIPLE
from .labels import norm

# SurveyMonkey's respondent metadata columns; personal ones are read past, never kept
SURVEYMONKEY_META = {
    "respondent id": "respondent_id", "collector id": "collector_id", "start date": "start_date",
    "end date": "end_date", "ip address": "personal", "email address": "personal", "first name": "personal",
    "last name": "personal", "custom data 1": "personal", "custom data": "personal",
}
OTHER_SUBHEADERS = {"other (please specify)", "other (please specify):", "other", "please specify"}


@dataclass(frozen=True)
class Target:
    kind: str  # value | tick | other_text | meta | ignore
    question: str | None = None
    choice: str | None = None
    meta: str | None = None

    def describe(self) -> str:
        if self.kind == "tick":
            return f"{self.question} = {self.choice} when ticked"
        if self.kind == "other_text":
            return f"{self.question}_other (and {self.question} = other)"
        if self.kind == "meta":
            return "(not stored: personal data)" if self.meta == "personal" else f"({self.meta})"
        if self.kind == "ignore":
            return "(ignored by mapping)"
        return self.question or ""


@dataclass
class Column:
    index: int
    header: str
    sub: str = ""

    @property
    def display(self) -> str:
        return f"{self.header} | {self.sub}" if self.sub else self.header


class Mapping:
    """User overrides: `columns` (column -> target) and `values` (question -> label -> choice)."""

    def __init__(self, columns: dict[str, str] | None = None, values: dict[str, dict[str, str]] | None = None):
        self.columns = {norm(k): v for k, v in (columns or {}).items()}
        self.values = {q: {norm(k): v for k, v in labels.items()} for q, labels in (values or {}).items()}

    @classmethod
    def load(cls, path: str | Path | None, instrument: Instrument) -> Mapping:
        if path is None:
            return cls()
        label = f"mapping file {path}"
        raw = limits.read_file(path, "mapping_bytes", label)
        try:
            data = yaml.load(raw.decode("utf-8-sig"), Loader=yaml.BaseLoader) or {}
        except UnicodeDecodeError:
            raise NmahpError(f"{label}: is not UTF-8 text") from None
        except yaml.YAMLError as exc:
            raise NmahpError(f"{label}: is not valid YAML: {limits.one_line(exc)}") from None
        if not isinstance(data, dict) or not set(data) <= {"columns", "values"}:
            raise NmahpError(f"{label}: expected top-level keys 'columns' and/or 'values'")
        columns, values = data.get("columns") or {}, data.get("values") or {}
        if not isinstance(columns, dict) or not all(isinstance(v, str) for v in columns.values()):
            raise NmahpError(f"{label}: 'columns' must map each column to a question, one 'column: question' "
                             "per line")
        if not isinstance(values, dict) or not all(
                isinstance(labels, dict) and all(isinstance(v, str) for v in labels.values())
                for labels in values.values()):
            raise NmahpError(f"{label}: 'values' must map each question to its labels, 'label: choice' under "
                             "the question's name")
        mapping = cls(columns, values)
        for column, target in mapping.columns.items():
            mapping.parse_target(target, instrument, f"mapping file {path}, column '{column}'")
        for question in mapping.values:
            if question not in instrument.questions:
                raise NmahpError(f"mapping file {path}: values for '{question}', which is not a question")
        return mapping

    def parse_target(self, text: str, instrument: Instrument, where: str) -> Target:
        text = text.strip()
        if text in ("ignore", "skip"):
            return Target("ignore")
        if text in ("respondent_id", "end_date", "start_date", "collector_id", "personal"):
            return Target("meta", meta=text)
        question, _, choice = text.partition("=")
        question, choice = question.strip(), choice.strip()
        if question not in instrument.questions:
            raise NmahpError(f"{where}: '{question}' is not a question of {instrument.form_id}")
        if choice:
            if choice not in instrument.questions[question].choice_names():
                raise NmahpError(f"{where}: '{choice}' is not an option of {question}")
            return Target("tick", question, choice)
        return Target("value", question)

    def lookup(self, column: Column, instrument: Instrument) -> Target | None:
        where = f"column '{column.display}'"
        key = norm(column.display)
        if key in self.columns:
            return self.parse_target(self.columns[key], instrument, where)
        header = norm(column.header)
        if header not in self.columns:
            return None
        # a whole question mapped by its header: its sub-columns follow
        target = self.parse_target(self.columns[header], instrument, where)
        sub = norm(column.sub)
        if target.kind != "value" or sub in ("", "response", "open-ended response"):
            return target
        question = instrument.questions[target.question]
        if (sub in OTHER_SUBHEADERS or sub.startswith("other (please specify")) \
                and f"{question.name}_other" in instrument.questions:
            return Target("other_text", question.name)
        for choice in question.choices:
            if sub in (norm(choice.label), norm(choice.name)):
                return Target("tick", question.name, choice.name)
        return None


class Labels:
    """The instrument's question and option labels, normalised for matching."""

    def __init__(self, instrument: Instrument):
        self.instrument = instrument
        self.questions: dict[str, Question] = {}
        self._options: dict[str, dict[str, str]] = {}
        self.cell_cache: dict[tuple[str, str], list[str] | None] = {}
        for q in instrument.questions.values():
            if q.holds_answer and q.label:
                self.questions.setdefault(norm(q.label), q)
            if q.choices:
                options: dict[str, str] = {}
                for choice in q.choices:
                    options.setdefault(norm(choice.name), choice.name)
                for choice in q.choices:
                    options[norm(choice.label)] = choice.name  # a label wins over a name that reads the same
                self._options[q.name] = options

    def option(self, question: Question, text: str) -> str | None:
        return self._options.get(question.name, {}).get(norm(text))

    def other_text_question(self, question: Question) -> str | None:
        name = f"{question.name}_other"
        return name if name in self.instrument.questions else None


def auto_target(column: Column, labels: Labels) -> Target | None:
    """SurveyMonkey's two header rows read against the instrument's labels."""
    header, sub = norm(column.header), norm(column.sub)
    if header in SURVEYMONKEY_META and not sub:
        return Target("meta", meta=SURVEYMONKEY_META[header])
    question = labels.questions.get(header)
    if question is not None:
        if sub in ("", "response"):
            return Target("value", question.name)
        if sub == "open-ended response":
            if question.type in ("text", "integer", "decimal", "date"):
                return Target("value", question.name)
            other = labels.other_text_question(question)
            return Target("other_text", question.name) if other else None
        if sub in OTHER_SUBHEADERS or sub.startswith("other (please specify"):
            if labels.other_text_question(question):
                return Target("other_text", question.name)
        choice = labels.option(question, column.sub)
        if choice:
            return Target("tick", question.name, choice)
    # a matrix: the row label is a question of its own (cell holds the column label) ...
    row_question = labels.questions.get(sub) if sub not in OTHER_SUBHEADERS else None
    if row_question is not None:
        return Target("value", row_question.name)
    # ... or one column per row and column ("Row label - Column label"), ticked when it holds the label
    for match in re.finditer(r"\s[-\u2013\u2014]\s", column.sub):
        row_part, col_part = column.sub[:match.start()], column.sub[match.end():]
        row_question = labels.questions.get(norm(row_part))
        if row_question is not None:
            choice = labels.option(row_question, col_part)
            if choice:
                return Target("tick", row_question.name, choice)
    return None


def to_choice_names(question: Question, cell: str, labels: Labels, mapping: Mapping) -> list[str] | None:
    """A cell's text as option names, or None when some part is not an option."""
    key = (question.name, cell)
    if key not in labels.cell_cache:  # exports repeat the same few cells thousands of times
        if len(labels.cell_cache) > 200_000:
            labels.cell_cache.clear()
        labels.cell_cache[key] = _to_choice_names(question, cell, labels, mapping)
    found = labels.cell_cache[key]
    return list(found) if found is not None else None


def _to_choice_names(question: Question, cell: str, labels: Labels, mapping: Mapping) -> list[str] | None:
    overrides = mapping.values.get(question.name, {})
    whole = overrides.get(norm(cell)) or labels.option(question, cell)
    if whole:
        return [whole]
    if question.type == SELECT_MULTIPLE:
        tokens = cell.split()
        if all(t in question.choice_names() for t in tokens):
            return tokens  # XLSForm style: space-separated names
        parts = [p for p in re.split(r"\s*[;|]\s*", cell) if p]
        names = [overrides.get(norm(p)) or labels.option(question, p) for p in parts]
        if len(parts) > 1 and all(names):
            return names
    return None
