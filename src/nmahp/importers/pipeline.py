"""One import, start to finish: read, map columns, build answers, keep completed submissions,
remove evident duplicates, validate every row. Writes nothing; the caller stores the result."""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..instruments import Instrument, validate
from ..instruments.model import SELECT_MULTIPLE, SELECT_ONE
from . import surveymonkey, xlsform_csv
from .labels import norm
from .mapping import Column, Labels, Mapping, Target, auto_target, to_choice_names
from .reading import ReadError, read_table

DUPLICATE_RULE = ("a respondent ID seen twice keeps its latest submission; two submissions with identical "
                  "answers to every question are one person submitting twice, and the first is kept")
SIMPLE_GATE = re.compile(r"^\s*selected\(\s*\$\{(\w+)\}\s*,\s*'(\w+)'\s*\)\s*$")


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    value: str
    expected: str

    def __str__(self) -> str:
        value = self.value if len(self.value) <= 60 else self.value[:57] + "..."
        return f"row {self.row}, column '{self.column}': '{value}' - {self.expected}"


@dataclass
class Respondent:
    row: int
    external_id: str
    answers: dict[str, str]


@dataclass
class ImportResult:
    path: str
    layout: str  # surveymonkey | xlsform
    encoding: str
    mapping: list[tuple[str, str]] = field(default_factory=list)
    respondents: list[Respondent] = field(default_factory=list)
    excluded: list[tuple[int, str]] = field(default_factory=list)  # incomplete or declined
    duplicates: list[tuple[int, str]] = field(default_factory=list)
    inferred: dict[str, int] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    rows_read: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    def report(self, limit: int = 50) -> str:
        lines = [f"{len(self.errors)} problem(s) in {self.path}; nothing was imported:"]
        lines += [f"  - {e}" for e in self.errors[:limit]]
        if len(self.errors) > limit:
            lines.append(f"  ... and {len(self.errors) - limit} more")
        return "\n".join(lines)


def read_any(path: str | Path):
    table = read_table(path)
    layout = "surveymonkey" if surveymonkey.looks_like(table.rows) else "xlsform"
    return table, layout


def _expected_options(question) -> str:
    labels = [c.label for c in question.choices]
    shown = ", ".join(labels[:12]) + (", ..." if len(labels) > 12 else "")
    return f"expected one of: {shown}"


def _plan(columns: list[Column], resolve: Callable[[Column], Target | None], instrument: Instrument,
          header_row: int) -> tuple[list[tuple[Column, Target]], list[RowError]]:
    plan, errors = [], []
    labels = [q.label for q in instrument.questions.values() if q.holds_answer]
    for column in columns:
        if not column.header and not column.sub:
            continue
        target = resolve(column)
        if target is None:
            hint = difflib.get_close_matches(column.sub or column.header, labels, n=1, cutoff=0.6)
            suggestion = f"; closest question: '{hint[0]}'" if hint else ""
            errors.append(RowError(header_row, column.display, column.sub or column.header,
                                   "no question of the instrument matches this column; map it in a --mapping "
                                   f"file (or map it to 'ignore'){suggestion}"))
            continue
        plan.append((column, target))
    return plan, errors


def _answers(row: list[str], plan, labels: Labels, mapping: Mapping, number: int, errors: list[RowError],
             zero_one: bool):
    answers: dict[str, list[str] | str] = {}
    meta: dict[str, str] = {}
    instrument = labels.instrument
    for column, target in plan:
        cell = row[column.index].strip() if column.index < len(row) else ""
        if target.kind == "meta":
            if target.meta != "personal" and cell:
                meta[target.meta] = cell
            continue
        if target.kind == "ignore" or not cell:
            continue
        question = instrument.questions[target.question]
        if target.kind == "tick":
            if zero_one and cell.casefold() in ("0", "false"):
                continue  # ODK/Kobo one column per choice: 0 is unticked (SurveyMonkey leaves it empty)
            picked = answers.setdefault(question.name, [])
            if isinstance(picked, list) and target.choice not in picked:
                picked.append(target.choice)
            continue
        if target.kind == "other_text":
            if labels.option(question, cell) != "other":  # the cell may hold just the label: no text given
                answers[f"{question.name}_other"] = cell
            if question.type == SELECT_MULTIPLE:
                picked = answers.setdefault(question.name, [])
                if isinstance(picked, list) and "other" not in picked:
                    picked.append("other")
            elif not answers.get(question.name):
                answers[question.name] = "other"
            continue
        if question.type in (SELECT_ONE, SELECT_MULTIPLE):
            names = to_choice_names(question, cell, labels, mapping)
            if names is None:
                errors.append(RowError(number, column.display, cell, _expected_options(question)))
                continue
            if question.type == SELECT_ONE:
                answers[question.name] = names[0]
            else:
                picked = answers.setdefault(question.name, [])
                picked.extend(n for n in names if n not in picked)
        else:
            answers[question.name] = cell
    flat = {k: " ".join(v) if isinstance(v, list) else v for k, v in answers.items()}
    return flat, meta


def _infer_gates(instrument: Instrument, answers: dict[str, str], mapped: set[str], inferred: dict[str, int]):
    # An export with no column for a gate question (SurveyMonkey's role x contract matrix has no
    # separate 'roles of interest' question) still says the gate was passed: a contract ticked for a
    # role means the role interests them.
    for question in instrument.questions.values():
        if question.name not in answers or question.relevant is None:
            continue
        match = SIMPLE_GATE.match(question.relevant.source)
        if not match:
            continue
        gate, value = match.groups()
        if gate in mapped or instrument.questions[gate].type != SELECT_MULTIPLE:
            continue
        picked = answers.get(gate, "").split()
        if value not in picked:
            answers[gate] = " ".join([*picked, value])
            inferred[gate] = inferred.get(gate, 0) + 1


def _completion_marker(instrument: Instrument) -> str | None:
    """The last required question every consenting respondent sees: answered means they finished."""
    marker = None
    for q in instrument.questions.values():
        if q.required and q.holds_answer and q.relevant is None and q.name != "consent":
            if all(e.references == ("consent",) for e in q.group_relevant):
                marker = q.name
    return marker


def _external_id(meta: dict[str, str], answers: dict[str, str]) -> str:
    if meta.get("respondent_id"):
        return meta["respondent_id"]
    digest = hashlib.sha256(json.dumps(answers, sort_keys=True).encode()).hexdigest()[:24]
    return f"answers:{digest}"


def import_file(path: str | Path, instrument: Instrument, *, layout: str = "auto",
                mapping: Mapping | None = None) -> ImportResult:
    """Read, map and validate an export. Raises ReadError for unreadable files; row problems are
    collected in `errors`, and a result with errors must not be stored."""
    mapping = mapping or Mapping()
    table, detected = read_any(path)
    layout = detected if layout == "auto" else layout
    if layout == "surveymonkey" and not surveymonkey.looks_like(table.rows):
        raise ReadError(f"{path}: does not have SurveyMonkey's two header rows (row 2 should hold 'Response', "
                        "'Open-Ended Response' or option labels)")
    result = ImportResult(str(path), layout, table.encoding)
    labels = Labels(instrument)
    if layout == "surveymonkey":
        columns, start = surveymonkey.columns(table.rows)

        def resolve(column):
            return mapping.lookup(column, instrument) or auto_target(column, labels)
    else:
        columns, start = xlsform_csv.columns(table.rows)

        def resolve(column):
            return mapping.lookup(column, instrument) or xlsform_csv.auto_target(column, instrument)
    plan, result.errors = _plan(columns, resolve, instrument, header_row=start)
    result.mapping = [(c.display, t.describe()) for c, t in plan]
    if result.errors:
        return result
    # Kobo exports a select_multiple both whole and as 0/1 columns: the whole column wins
    whole = {t.question for _, t in plan if t.kind == "value"}
    plan = [(c, t) for c, t in plan if not (t.kind == "tick" and t.question in whole and layout == "xlsform")]
    mapped = {t.question for _, t in plan if t.question}
    has_end = any(t.kind == "meta" and t.meta == "end_date" for _, t in plan)
    marker = _completion_marker(instrument)
    marker = marker if marker in mapped else None

    candidates: list[tuple[Respondent, dict[str, str]]] = []
    for offset, row in enumerate(table.rows[start:]):
        number = start + offset + 1
        result.rows_read += 1
        answers, meta = _answers(row, plan, labels, mapping, number, result.errors, layout == "xlsform")
        if meta.get("review_state", "").casefold() in ("rejected", "validation_status_not_approved"):
            result.excluded.append((number, "rejected in review"))
            continue
        if has_end and not meta.get("end_date"):
            result.excluded.append((number, "incomplete: no end date"))
            continue
        if "consent" in mapped and answers.get("consent") != "yes":
            result.excluded.append((number, "did not consent" if answers.get("consent") else "incomplete: no consent"))
            continue
        if marker and not answers.get(marker):
            result.excluded.append((number, f"incomplete: stopped before '{marker}'"))
            continue
        _infer_gates(instrument, answers, mapped, result.inferred)
        candidates.append((Respondent(number, _external_id(meta, answers), answers), meta))

    unreadable = {e.row for e in result.errors}  # already reported; validating them would only repeat it
    kept = _deduplicate(candidates, result)
    column_of = {}
    for column, target in plan:
        if target.question:
            column_of.setdefault(target.question, column.display)
            if target.kind == "other_text":
                column_of.setdefault(f"{target.question}_other", column.display)
    for respondent in kept:
        if respondent.row in unreadable:
            continue
        check = validate(instrument, respondent.answers)
        for problem in check.errors:
            result.errors.append(RowError(respondent.row, column_of.get(problem.question, problem.question),
                                          problem.value or respondent.answers.get(problem.question, ""),
                                          f"{problem.message} ({problem.question})"))
        respondent.answers = check.answers
    result.respondents = kept if not result.errors else []
    result.errors.sort(key=lambda e: (e.row, e.column))
    return result


def _deduplicate(candidates, result: ImportResult) -> list[Respondent]:
    by_id: dict[str, tuple[Respondent, dict]] = {}
    for respondent, meta in candidates:
        earlier = by_id.get(respondent.external_id)
        if earlier is None:
            by_id[respondent.external_id] = (respondent, meta)
            continue
        # keep the latest submission of a respondent ID (text dates in export order sort as written)
        if meta.get("end_date", "") >= earlier[1].get("end_date", ""):
            result.duplicates.append((earlier[0].row, f"respondent ID {respondent.external_id} again in row "
                                                      f"{respondent.row}"))
            by_id[respondent.external_id] = (respondent, meta)
        else:
            result.duplicates.append((respondent.row, f"respondent ID {respondent.external_id} again in row "
                                                      f"{earlier[0].row}"))
    seen: dict[str, int] = {}
    kept = []
    for respondent, _ in sorted(by_id.values(), key=lambda pair: pair[0].row):
        fingerprint = json.dumps(respondent.answers, sort_keys=True)
        if fingerprint in seen:
            result.duplicates.append((respondent.row, f"identical answers to row {seen[fingerprint]}"))
            continue
        seen[fingerprint] = respondent.row
        kept.append(respondent)
    return kept


__all__ = ["DUPLICATE_RULE", "ImportResult", "Respondent", "RowError", "import_file", "norm", "read_any"]
