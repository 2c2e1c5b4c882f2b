"""Read an XLSForm workbook into an Instrument, or say exactly which cell is wrong.

Checks the workbook cell by cell first (so every problem names sheet, row and column), then hands
it to pyxform, the reference XLSForm converter, for everything else the standard requires.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from openpyxl import load_workbook
from pyxform.errors import PyXFormError
from pyxform.xls2json import parse_file_to_json
from pyxform.xls2xform import convert

from .. import limits
from ..errors import InstrumentError, NmahpError, Problem
from .expressions import Expression, ExpressionError
from .model import Choice, Group, Instrument, Question

REQUIRED_SHEETS = ("survey", "choices", "settings")
SIMPLE_TYPES = {"text", "integer", "decimal", "date", "note", "calculate"}
GROUP_MARKERS = {"begin_group", "begin group", "end_group", "end group"}
EXPRESSION_COLUMNS = ("relevant", "constraint", "calculation")
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
TRUE_WORDS = {"yes", "true", "true()", "1"}


def _rows(sheet) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    rows = sheet.iter_rows(values_only=True)
    try:
        header = [str(h).strip() if h is not None else "" for h in next(rows)]
    except StopIteration:
        return [], []
    out = []
    for number, values in enumerate(rows, start=2):
        record = {h: ("" if v is None else str(v).strip()) for h, v in zip(header, values, strict=False) if h}
        if any(record.values()):
            out.append((number, record))
    return header, out


def check_workbook(path: Path) -> list[Problem]:
    """Every problem we can locate to a cell, before pyxform sees the file."""
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        return [Problem(f"cannot be opened as an Excel workbook (.xlsx): {exc}")]
    missing = [s for s in REQUIRED_SHEETS if s not in wb.sheetnames]
    problems = [Problem(f"the workbook has no '{s}' sheet; XLSForm needs survey, choices and settings",
                        sheet=s) for s in missing]
    if missing:
        return problems

    survey_header, survey = _rows(wb["survey"])
    choices_header, choices = _rows(wb["choices"])
    settings_header, settings = _rows(wb["settings"])
    for sheet, header, needed in (("survey", survey_header, ("type", "name", "label")),
                                  ("choices", choices_header, ("list_name", "name", "label")),
                                  ("settings", settings_header, ("form_id", "version"))):
        for column in needed:
            if column not in header:
                problems.append(Problem(f"the header row has no '{column}' column", sheet=sheet, row=1,
                                        column=column))
    if problems:
        return problems

    lists: dict[str, set[str]] = {}
    for number, row in choices:
        for column in ("list_name", "name", "label"):
            if not row.get(column):
                problems.append(Problem(f"'{column}' is empty", sheet="choices", row=number, column=column))
        if row.get("list_name") and row.get("name"):
            names = lists.setdefault(row["list_name"], set())
            if row["name"] in names:
                problems.append(Problem(f"choice '{row['name']}' appears twice in list '{row['list_name']}'",
                                        sheet="choices", row=number, column="name"))
            names.add(row["name"])

    known: set[str] = set()
    depth = 0
    for number, row in survey:
        kind, name = row.get("type", ""), row.get("name", "")
        base = kind.split()[0] if kind else ""
        if kind in GROUP_MARKERS:
            depth += 1 if kind.startswith("begin") else -1
            if depth < 0:
                problems.append(Problem("'end_group' without a matching 'begin_group'", sheet="survey",
                                        row=number, column="type"))
                depth = 0
        elif base in ("select_one", "select_multiple"):
            parts = kind.split()
            if len(parts) != 2:
                problems.append(Problem(f"'{kind}' needs exactly one choice list, like 'select_one pay_band'",
                                        sheet="survey", row=number, column="type"))
            elif parts[1] not in lists:
                problems.append(Problem(f"choice list '{parts[1]}' is not on the choices sheet",
                                        sheet="survey", row=number, column="type"))
        elif kind not in SIMPLE_TYPES:
            problems.append(Problem(
                f"'{kind}' is not a question type these instruments support (select_one LIST, "
                f"select_multiple LIST, text, integer, decimal, date, note, calculate, begin_group, end_group)",
                sheet="survey", row=number, column="type"))
        if kind not in ("end_group", "end group"):
            if not NAME.match(name):
                problems.append(Problem(f"'{name}' is not a valid name (letters, digits and _; not starting "
                                        "with a digit)", sheet="survey", row=number, column="name"))
            elif name in known:
                problems.append(Problem(f"the name '{name}' is used twice", sheet="survey", row=number,
                                        column="name"))
            known.add(name)
        if base == "calculate" and not row.get("calculation"):
            problems.append(Problem("a calculate needs a calculation", sheet="survey", row=number,
                                    column="calculation"))
    if depth > 0:
        problems.append(Problem("a 'begin_group' is never closed with 'end_group'", sheet="survey"))

    for number, row in survey:
        for column in EXPRESSION_COLUMNS:
            if row.get(column):
                try:
                    Expression(row[column], known)
                except ExpressionError as exc:
                    problems.append(Problem(f"'{row[column]}' {exc}", sheet="survey", row=number, column=column))

    values = settings[0][1] if settings else {}
    for column in ("form_id", "version"):
        if not values.get(column):
            problems.append(Problem(f"'{column}' is empty", sheet="settings", row=2, column=column))
    return problems


def _expression(source: str | None) -> Expression | None:
    return Expression(source) if source else None


def _build(path: Path, form: dict) -> Instrument:
    questions: dict[str, Question] = {}
    groups: dict[str, Group] = {}

    def walk(children, group: str | None, inherited: tuple[Expression, ...]):
        for child in children:
            kind, bind = child.get("type", ""), child.get("bind", {})
            if kind == "group":
                if child["name"] == "meta":
                    continue
                relevant = _expression(bind.get("relevant"))
                groups[child["name"]] = Group(child["name"], _text(child.get("label")), relevant, group)
                walk(child.get("children", []), child["name"],
                     inherited + ((relevant,) if relevant else ()))
                continue
            qtype = {"select one": "select_one", "select all that apply": "select_multiple"}.get(kind, kind)
            choices = tuple(Choice(c["name"], _text(c.get("label")), c.get("notes", ""))
                            for c in child.get("choices", []))
            question = Question(
                name=child["name"], type=qtype, label=_text(child.get("label")), group=group,
                hint=_text(child.get("hint")), required=str(bind.get("required", "")).lower() in TRUE_WORDS,
                list_name=child.get("list_name") or child.get("itemset"), choices=choices,
                appearance=(child.get("control") or {}).get("appearance", ""), notes=child.get("notes", ""),
                relevant=_expression(bind.get("relevant")), constraint=_expression(bind.get("constraint")),
                constraint_message=bind.get("jr:constraintMsg", ""),
                calculation=_expression(bind.get("calculate")), group_relevant=inherited,
            )
            questions[question.name] = question
            if group:
                groups[group].questions.append(question.name)

    walk(form.get("children", []), None, ())
    return Instrument(name=path.stem, form_id=form.get("id_string", path.stem), version=str(form.get("version", "")),
                      title=form.get("title", path.stem), questions=questions, groups=groups, path=str(path))


def _text(value) -> str:
    if isinstance(value, dict):  # multilingual labels: take the default language
        return str(next(iter(value.values()), ""))
    return "" if value is None else str(value)


def load_instrument(path: str | Path) -> Instrument:
    """Load and validate a workbook; raise InstrumentError listing every problem, loading nothing."""
    path = Path(path)
    if not path.is_file():
        raise InstrumentError(str(path), [Problem("no such file")])
    try:  # within NMAHP_MAX_WORKBOOK_MB, and a zip whose expansion is within the zip limits
        data = limits.read_file(path, "workbook_bytes")
        if not zipfile.is_zipfile(io.BytesIO(data)):
            raise InstrumentError(str(path), [Problem("cannot be opened as an Excel workbook (.xlsx): it is not "
                                                      "a zip archive")])
        limits.open_zip(data, str(path)).close()
    except InstrumentError:
        raise
    except NmahpError as exc:
        raise InstrumentError(str(path), [Problem(str(exc).removeprefix(f"{path}: "))]) from None
    try:
        problems = check_workbook(path)
    except Exception as exc:  # noqa: BLE001 - a zip that is not quite a workbook fails inside openpyxl
        problems = [Problem(f"cannot be opened as an Excel workbook (.xlsx): {limits.one_line(exc)}")]
    if problems:
        raise InstrumentError(str(path), problems)
    try:
        convert(xlsform=str(path), validate=False, pretty_print=False)
        form = parse_file_to_json(str(path))
    except PyXFormError as exc:
        raise InstrumentError(str(path), [_locate(str(exc))]) from None
    except Exception as exc:  # noqa: BLE001 - pyxform and openpyxl raise many kinds for a damaged workbook
        raise InstrumentError(str(path), [Problem(f"cannot be read as an XLSForm: {limits.one_line(exc)}")]) \
            from None
    return _build(path, form)


def _locate(message: str) -> Problem:
    # pyxform writes "[row : 12] ..." and sometimes names the sheet; keep both when present
    row = re.search(r"\[row\s*:\s*(\d+)\]", message)
    sheet = re.search(r"\b(survey|choices|settings)\b", message)
    return Problem(message.strip(), sheet=sheet.group(1) if sheet else None,
                   row=int(row.group(1)) if row else None)
