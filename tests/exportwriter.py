"""Write answers in SurveyMonkey's export layout (two header rows), as SurveyMonkey would.

Test support, not part of the service: builds the report fixtures (tests/fixtures/report_fixture.py) and the
exports the importer tests read."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from pathlib import Path

from nmahp.instruments import Instrument
from nmahp.instruments.model import SELECT_MULTIPLE, SELECT_ONE

META = ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address", "First Name",
        "Last Name", "Custom Data 1"]
OTHER = "Other (please specify)"


def _layout(instrument: Instrument, matrices: Mapping[str, list[str]], omit: set[str]):
    """(header, sub, getter) per column, in form order."""
    in_matrix = {name: header for header, names in matrices.items() for name in names}
    written_matrix: set[str] = set()
    columns = []
    for q in instrument.questions.values():
        if not q.holds_answer or q.name in omit or q.name.endswith("_other") and q.name[:-6] in instrument.questions:
            continue
        other_text = f"{q.name}_other" if f"{q.name}_other" in instrument.questions else None
        if q.name in in_matrix:
            header = in_matrix[q.name]
            if header in written_matrix:
                continue
            written_matrix.add(header)
            first = True
            for row_name in matrices[header]:
                row = instrument.questions[row_name]
                for choice in row.choices:
                    columns.append((header if first else "", f"{row.label} - {choice.label}",
                                    _tick(row_name, choice.name, choice.label)))
                    first = False
            continue
        if q.type == SELECT_ONE:
            columns.append((q.label, "Response", _single(q)))
            if other_text:
                columns.append(("", OTHER, _text(other_text)))
        elif q.type == SELECT_MULTIPLE:
            first = True
            for choice in q.choices:
                if choice.name == "other" and other_text:
                    columns.append((q.label if first else "", OTHER, _other_multi(q.name, other_text, choice.label)))
                else:
                    columns.append((q.label if first else "", choice.label, _tick(q.name, choice.name, choice.label)))
                first = False
        else:
            columns.append((q.label, "Open-Ended Response", _text(q.name)))
    return columns


def _single(q):
    labels = {c.name: c.label for c in q.choices}
    return lambda a: labels.get(a.get(q.name, ""), "")


def _tick(name, choice, label):
    return lambda a: label if choice in a.get(name, "").split() else ""


def _other_multi(name, other_text, label):
    return lambda a: (a.get(other_text) or label) if "other" in a.get(name, "").split() else ""


def _text(name):
    return lambda a: a.get(name, "")


def write_surveymonkey(instrument: Instrument, respondents: Iterable[Mapping[str, str]], path: str | Path, *,
                       matrices: Mapping[str, list[str]] | None = None, omit: Iterable[str] = (),
                       encoding: str = "utf-8") -> int:
    columns = _layout(instrument, matrices or {}, set(omit))
    count = 0
    with open(path, "w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle)
        writer.writerow(META + [c[0] for c in columns])
        writer.writerow([""] * len(META) + [c[1] for c in columns])
        for count, answers in enumerate(respondents, start=1):
            meta = [str(114_000_000_000 + count), "431234567", "02/14/2023 09:00:00 AM", "02/14/2023 09:20:00 AM",
                    "", "", "", "", ""]
            writer.writerow(meta + [get(answers) for _, _, get in columns])
    return count
