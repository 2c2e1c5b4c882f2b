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


META_NAMES = ("respondent_id", "end_date", "start_date", "collector_id", "personal")


@dataclass(frozen=True)
class Target:
    kind: str  # value | tick | other_text | join | meta | ignore
    question: str | None = None
    choice: str | None = None
    meta: str | None = None

    def describe(self) -> str:
        if self.kind == "tick":
            return f"{self.question} = {self.choice} when ticked"
        if self.kind == "other_text":
            return f"{self.question}_other (and {self.question} = other)"
        if self.kind == "join":
            return f"{self.question} (joined with the other columns mapped to it)"
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
    """What a person wrote about an export (docs/importing.md): `columns` (column -> target), `values`
    (question -> the export's label -> choice) and `constants` (question -> the answer every row gets)."""

    def __init__(self, columns: dict[str, object] | None = None, values: dict[str, dict[str, str]] | None = None,
                 constants: dict[str, str] | None = None, source: str = "the mapping"):
        self.source = source
        self.written = {norm(k): k for k in (columns or {})}  # as the person wrote it, for messages
        self.columns = {norm(k): v for k, v in (columns or {}).items()}
        self.values = {q: {norm(k): v for k, v in labels.items()} for q, labels in (values or {}).items()}
        self.constants = dict(constants or {})

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
        return cls.from_data(data, instrument, label)

    @classmethod
    def from_data(cls, data: object, instrument: Instrument, label: str = "the mapping") -> Mapping:
        """Check every entry against the instrument; an unknown question or choice names the entry."""
        if not isinstance(data, dict) or not set(data) <= {"columns", "values", "constants"}:
            raise NmahpError(f"{label}: expected top-level keys 'columns', 'values' and/or 'constants'")
        columns = data.get("columns") or {}
        values = data.get("values") or {}
        constants = data.get("constants") or {}
        if not isinstance(columns, dict) or not all(isinstance(v, str | dict) for v in columns.values()):
            raise NmahpError(f"{label}: 'columns' must map each column to a question, one 'column: question' "
                             "per line")
        if not isinstance(values, dict) or not all(
                isinstance(labels, dict) and all(isinstance(v, str) for v in labels.values())
                for labels in values.values()):
            raise NmahpError(f"{label}: 'values' must map each question to its labels, 'label: choice' under "
                             "the question's name")
        if not isinstance(constants, dict) or not all(isinstance(v, str) for v in constants.values()):
            raise NmahpError(f"{label}: 'constants' must give each question one answer, 'question: answer' per line")
        mapping = cls(columns, values, constants, source=label)
        for key, target in mapping.columns.items():
            mapping.parse_target(target, instrument, f"{label}, column '{mapping.written[key]}'")
        for question in mapping.values:
            q = _question(instrument, question, f"{label}, values: '{question}'")
            if not q.is_select:
                raise NmahpError(f"{label}, values: '{question}' is a {q.type} question; only a select question's "
                                 "labels can be mapped to choices")
            for written, choice in values[question].items():
                for name in choice.split():
                    if name not in q.choice_names():
                        raise NmahpError(f"{label}, values: {question}: the export's '{written}' is mapped to "
                                         f"'{name}', which is not an option of {question} "
                                         f"({', '.join(q.choice_names())})")
        for question, answer in list(mapping.constants.items()):
            q = _question(instrument, question, f"{label}, constants: '{question}'")
            mapping.constants[question] = _constant(q, answer, f"{label}, constants: '{question}: {answer}'")
        return mapping

    def parse_target(self, target: object, instrument: Instrument, where: str) -> Target:
        if isinstance(target, dict):
            if len(target) != 1 or next(iter(target)) not in ("other", "join"):
                raise NmahpError(f"{where}: write one of 'question', 'question = choice', 'ignore', "
                                 "'{other: question}' or '{join: question}'")
            kind, question = next(iter(target.items()))
            q = _question(instrument, str(question).strip(), where)
            if kind == "join":
                if q.type != "text":
                    raise NmahpError(f"{where}: '{q.name}' is a {q.type} question; only text questions can join "
                                     "several columns")
                return Target("join", q.name)
            if "other" not in q.choice_names() or f"{q.name}_other" not in instrument.questions:
                raise NmahpError(f"{where}: '{q.name}' has no 'other' option with a text question "
                                 f"'{q.name}_other' for what was specified")
            return Target("other_text", q.name)
        text = str(target).strip()
        if text in ("ignore", "skip"):
            return Target("ignore")
        if text in META_NAMES:
            return Target("meta", meta=text)
        question, _, choice = text.partition("=")
        question, choice = question.strip(), choice.strip()
        q = _question(instrument, question, where)
        if choice:
            if choice not in q.choice_names():
                raise NmahpError(f"{where}: '{choice}' is not an option of {question} ({', '.join(q.choice_names())})")
            return Target("tick", question, choice)
        return Target("value", question)

    def entries(self) -> list[str]:
        return list(self.written.values())

    def unused(self, columns: list[Column]) -> list[str]:
        """Column entries that match no column of the export: a typo would otherwise do nothing at all."""
        seen = {norm(c.display) for c in columns} | {norm(c.header) for c in columns}
        return [self.written[key] for key in self.columns if key not in seen]

    def lookup(self, column: Column, instrument: Instrument) -> Target | None:
        where = f"{self.source}, column '{column.display}'"
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


def _question(instrument: Instrument, name: str, where: str) -> Question:
    if name not in instrument.questions or not (instrument.questions[name].holds_answer):
        raise NmahpError(f"{where}: '{name}' is not a question of {instrument.form_id}")
    return instrument.questions[name]


def _constant(question: Question, answer: str, where: str) -> str:
    """A constant as choice names: written as names or as the workbook's labels."""
    if not question.is_select:
        return answer
    by_label = {norm(c.label): c.name for c in question.choices}
    if answer in question.choice_names() or norm(answer) in by_label:
        return answer if answer in question.choice_names() else by_label[norm(answer)]
    names = answer.split()
    if question.type == SELECT_MULTIPLE and names and all(n in question.choice_names() for n in names):
        return answer
    raise NmahpError(f"{where}: '{answer}' is not an option of {question.name} ({', '.join(question.choice_names())})")


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
