"""Read an XLSForm workbook into an Instrument, or say exactly which cell is wrong.

Checks the workbook cell by cell first (so every problem names sheet, row and column, and every feature these
instruments cannot run is refused by name rather than ignored), then hands it to pyxform, the reference XLSForm
converter: the Instrument is built from pyxform's own JSON form of the workbook, so what the standard allows
(optional settings, language columns, `list name`, `or_other`, names) is what pyxform reads.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

from openpyxl import load_workbook
from pyxform import aliases
from pyxform.errors import PyXFormError
from pyxform.parsing.expression import is_xml_tag
from pyxform.parsing.sheet_headers import to_snake_case
from pyxform.question_type_dictionary import QUESTION_TYPE_DICT
from pyxform.xls2xform import convert

from .. import limits
from ..errors import InstrumentError, NmahpError, Problem
from .expressions import NAME_PATTERN, Expression, ExpressionError
from .model import Choice, Group, Instrument, Question

GROUP_BEGIN = {"begin_group", "begin group"}
GROUP_END = {"end_group", "end group"}
REPEAT_MARKERS = {"begin_repeat", "begin repeat", "end_repeat", "end repeat", "begin loop", "end loop",
                  "begin_loop", "end_loop"}
SUPPORTED_BINDS = {"string": "text", "int": "integer", "decimal": "decimal", "date": "date"}
# what pyxform knows but these instruments cannot run, by the XForm type pyxform gives it
UNSUPPORTED_BINDS = {
    "geopoint": "geographic questions (geopoint, geotrace, geoshape)",
    "geotrace": "geographic questions (geopoint, geotrace, geoshape)",
    "geoshape": "geographic questions (geopoint, geotrace, geoshape)",
    "binary": "media and file questions (image, audio, video, file, signature)",
    "barcode": "barcode questions", "dateTime": "date-time questions", "time": "time questions",
    "odk:rank": "rank questions", "boolean": "boolean (acknowledge) questions",
}
UNSUPPORTED_TAGS = {"trigger": "acknowledge (trigger) questions", "range": "range questions",
                    "upload": "media and file questions (image, audio, video, file, signature)"}
UNSUPPORTED_TYPES = {
    "xml-external": "external data files (xml-external, csv-external)",
    "csv-external": "external data files (xml-external, csv-external)",
    "audit": "audit logs", "background-audio": "background recording", "background-geopoint": "background recording",
    "hidden": "hidden questions", "start-geopoint": "geographic questions (geopoint, geotrace, geoshape)",
}
UNSUPPORTED_SHEETS = {"entities": "entities (an entities sheet)",
                      "external_choices": "select_one_external (an external_choices sheet)",
                      "osm": "OpenStreetMap questions (an osm sheet)"}
# columns whose feature these instruments do not run; a value in any of them is refused, never ignored
UNSUPPORTED_COLUMNS = {
    "repeat_count": "repeat groups", "default": "default values", "read_only": "read-only questions",
    "readonly": "read-only questions", "trigger": "triggers", "media": "media in labels (image, audio, video)",
    "image": "media in labels (image, audio, video)", "audio": "media in labels (image, audio, video)",
    "video": "media in labels (image, audio, video)", "big-image": "media in labels (image, audio, video)",
    "parameters": "question parameters (randomize, value, label, start, end, ...)",
    "body": "custom XForm attributes (body::, bind::, instance::)",
    "bind": "custom XForm attributes (body::, bind::, instance::)",
    "instance": "custom XForm attributes (body::, bind::, instance::)",
}
# pyxform's aliases of the columns checked here (pyxform.aliases.survey_header and list_header)
HEADER_ALIASES = {"value": "name", "tag": "name", "command": "type", "caption": "label", "relevance": "relevant",
                  "calculate": "calculation", "count": "repeat_count", "jr:count": "repeat_count",
                  "requiredmsg": "required_message", "constraining_message": "constraint_message"}
EXPRESSION_COLUMNS = ("relevant", "constraint", "calculation", "choice_filter")
TRUE_WORDS = {"yes", "true", "true()", "1"}
FALSE_WORDS = {"", "no", "false", "false()", "0"}
OTHER = re.compile(r"\s+(or_other|or specify other)$")
PARENT_REFERENCE = re.compile(r"(?<![\w.])\.\./(" + NAME_PATTERN + ")")


def _column(header: str) -> str:
    """A header as pyxform reads it: snake_case and case-insensitive (`list name`, `List_Name`), its aliases
    (`value` for `name`, `calculate` for `calculation`...), `label:English` kept as `label::English`; the
    language part keeps its case."""
    header = header.strip()
    base, sep, language = re.split(r"(::?)", header, maxsplit=1) if ":" in header and not header.startswith(
        "jr:") else (header, "", "")
    base = to_snake_case(base)
    base = HEADER_ALIASES.get(base, base)
    return f"{base}::{language.strip()}" if sep else base


def _rows(sheet) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    rows = sheet.iter_rows(values_only=True)
    try:
        header = [_column(str(h)) if h is not None else "" for h in next(rows)]
    except StopIteration:
        return [], []
    out = []
    for number, values in enumerate(rows, start=2):
        record = {h: ("" if v is None else str(v).strip()) for h, v in zip(header, values, strict=False) if h}
        if any(record.values()):
            out.append((number, record))
    return header, out


def _has(row: dict[str, str], base: str) -> str:
    """The value of a column in any language (`label`, `label::English (en)`, ...), the first found."""
    for column, value in row.items():
        if value and (column == base or column.startswith(base + "::")):
            return value
    return ""


def _select(kind: str) -> tuple[str, str, bool] | None:
    """(alias, list name or file, or_other) when the type is a select in any spelling pyxform accepts."""
    for alias in sorted(aliases.select, key=len, reverse=True):
        if kind.startswith(alias + " ") or kind == alias:
            rest = kind[len(alias):].strip()
            other = bool(OTHER.search(" " + rest))
            return alias, OTHER.sub("", " " + rest).strip(), other
    return None


def _question_problem(kind: str) -> str | None:
    """None for a question type these instruments run; otherwise what is wrong, naming the feature."""
    if kind in UNSUPPORTED_TYPES:
        return f"'{kind}' is not supported: {UNSUPPORTED_TYPES[kind]}"
    if kind not in QUESTION_TYPE_DICT:
        return (f"'{kind}' is not a question type XLSForm knows (select_one LIST, select_multiple LIST, text, integer, "
                "decimal, date, note, calculate, begin_group, end_group, ...)")
    spec = QUESTION_TYPE_DICT[kind]
    bind, tag = spec.get("bind", {}), spec.get("control", {}).get("tag")
    if bind.get("jr:preload"):  # start, end, today, deviceid...: metadata the client records
        return None
    if tag in UNSUPPORTED_TAGS:
        return f"'{kind}' is not supported: {UNSUPPORTED_TAGS[tag]}"
    if bind.get("type") in UNSUPPORTED_BINDS:
        return f"'{kind}' is not supported: {UNSUPPORTED_BINDS[bind['type']]}"
    return None


def _sheets(wb) -> dict[str, str]:
    return {name.strip().lower(): name for name in wb.sheetnames}


def check_workbook(path: Path) -> list[Problem]:
    """Every problem we can locate to a cell, before pyxform sees the file."""
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        return [Problem(f"cannot be opened as an Excel workbook (.xlsx): {exc}")]
    sheets = _sheets(wb)
    if "survey" not in sheets:
        return [Problem("the workbook has no 'survey' sheet; an XLSForm needs one", sheet="survey")]
    problems = [Problem(f"is not supported: {feature}", sheet=sheet)
                for sheet, feature in UNSUPPORTED_SHEETS.items()
                if sheet in sheets and _rows(wb[sheets[sheet]])[1]]

    survey_header, survey = _rows(wb[sheets["survey"]])
    choices_header, choices = _rows(wb[sheets["choices"]]) if "choices" in sheets else ([], [])
    settings = _rows(wb[sheets["settings"]])[1] if "settings" in sheets else []
    values = settings[0][1] if settings else {}
    duplicates_allowed = values.get("allow_choice_duplicates", "").lower() in TRUE_WORDS
    needed = [("survey", survey_header, ("type", "name"))]
    if choices:
        needed.append(("choices", choices_header, ("list_name", "name")))
    for sheet, header, columns in needed:
        for column in columns:
            if column not in header:
                problems.append(Problem(f"the header row has no '{column}' column", sheet=sheet, row=1,
                                        column=column))
    if choices and not any(h == "label" or h.startswith("label::") for h in choices_header):
        problems.append(Problem("the header row has no 'label' column (or 'label::language')", sheet="choices",
                                row=1, column="label"))
    if problems:
        return problems

    for sheet, rows in (("survey", survey), ("choices", choices)):
        for number, row in rows:
            for column, value in row.items():
                base = column.split("::")[0]
                if value and base in UNSUPPORTED_COLUMNS:
                    problems.append(Problem(f"is not supported: {UNSUPPORTED_COLUMNS[base]}", sheet=sheet,
                                            row=number, column=column))

    lists: dict[str, set[str]] = {}
    for number, row in choices:
        for column in ("list_name", "name"):
            if not row.get(column):
                problems.append(Problem(f"'{column}' is empty", sheet="choices", row=number, column=column))
        if not _has(row, "label"):
            problems.append(Problem("the choice has no label", sheet="choices", row=number, column="label"))
        if row.get("list_name") and row.get("name"):
            names = lists.setdefault(row["list_name"], set())
            if row["name"] in names and not duplicates_allowed:
                problems.append(Problem(f"choice '{row['name']}' appears twice in list '{row['list_name']}' "
                                        "(allow_choice_duplicates on the settings sheet permits it)",
                                        sheet="choices", row=number, column="name"))
            names.add(row["name"])

    known: set[str] = set()
    depth = 0
    for number, row in survey:
        kind, name = " ".join(row.get("type", "").split()), row.get("name", "")
        select = _select(kind) if kind else None
        if kind in GROUP_BEGIN | GROUP_END:
            depth += 1 if kind in GROUP_BEGIN else -1
            if depth < 0:
                problems.append(Problem("'end_group' without a matching 'begin_group'", sheet="survey",
                                        row=number, column="type"))
                depth = 0
        elif kind in REPEAT_MARKERS or re.match(r"^(begin|end)[ _](repeat|loop)\b", kind):
            problems.append(Problem(f"'{kind}' is not supported: repeat groups", sheet="survey", row=number,
                                    column="type"))
            continue
        elif select is not None:
            alias, source, other = select
            target = aliases.select[alias]
            if target not in ("select one", "select all that apply"):
                feature = ("select_one_external (choices from an external_choices sheet)"
                           if "external" in target else "rank questions")
                problems.append(Problem(f"'{kind}' is not supported: {feature}", sheet="survey", row=number,
                                        column="type"))
            elif not source or " " in source:
                problems.append(Problem(f"'{kind}' needs exactly one choice list, like 'select_one pay_band'",
                                        sheet="survey", row=number, column="type"))
            elif alias in aliases.select_from_file:
                if not source.lower().endswith(".csv"):
                    problems.append(Problem(f"'{kind}' is not supported: choices from a {Path(source).suffix or ''} "
                                            "file (only .csv)", sheet="survey", row=number, column="type"))
                elif not (path.parent / source).is_file():
                    problems.append(Problem(f"the choices file '{source}' is not beside the workbook",
                                            sheet="survey", row=number, column="type"))
            elif source not in lists:
                problems.append(Problem(f"choice list '{source}' is not on the choices sheet",
                                        sheet="survey", row=number, column="type"))
            if other:
                known.add(f"{name}_other")
        elif kind:
            problem = _question_problem(kind)
            if problem:
                problems.append(Problem(problem, sheet="survey", row=number, column="type"))
        else:
            problems.append(Problem("'type' is empty", sheet="survey", row=number, column="type"))
        if kind not in GROUP_END:
            if not is_xml_tag(name):
                problems.append(Problem(f"'{name}' is not a valid name (an XML name: letters, digits, _, - and ., "
                                        "not starting with a digit, - or .)", sheet="survey", row=number,
                                        column="name"))
            elif name in known:
                problems.append(Problem(f"the name '{name}' is used twice", sheet="survey", row=number,
                                        column="name"))
            known.add(name)
        if kind == "calculate" and not row.get("calculation"):
            problems.append(Problem("a calculate needs a calculation", sheet="survey", row=number,
                                    column="calculation"))
        elif kind != "calculate" and row.get("calculation") and kind not in GROUP_BEGIN:
            problems.append(Problem("is not supported: a calculation on a question that is asked (a dynamic "
                                    "default)", sheet="survey", row=number, column="calculation"))
        required = row.get("required", "").lower()
        if required not in TRUE_WORDS | FALSE_WORDS:
            problems.append(Problem(f"is not supported: a required condition ('{row['required']}'); use yes or no",
                                    sheet="survey", row=number, column="required"))
    if depth > 0:
        problems.append(Problem("a 'begin_group' is never closed with 'end_group'", sheet="survey"))

    for number, row in survey:
        for column in EXPRESSION_COLUMNS:
            if row.get(column):
                try:
                    Expression(row[column], known)
                except ExpressionError as exc:
                    problems.append(Problem(f"'{row[column]}' {exc}", sheet="survey", row=number, column=column))
    return problems


def _languages(form: dict) -> tuple[str, ...]:
    """The languages of the label, hint and message columns, in the order pyxform met them, default first."""
    seen: dict[str, None] = {}

    def visit(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("label", "hint", "jr:constraintMsg", "jr:requiredMsg") and isinstance(value, dict):
                    seen.update(dict.fromkeys(value))
                else:
                    visit(value)
        elif isinstance(node, list):
            for item in node:
                visit(item)

    visit(form.get("children", []))
    visit(form.get("choices", {}))
    languages = list(seen)
    default = form.get("default_language") or "default"
    if default in languages:
        languages.remove(default)
        languages.insert(0, default)
    return tuple(languages)


def _texts(value, languages: tuple[str, ...]) -> dict[str, str]:
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items() if v not in (None, "")}
    if value in (None, ""):
        return {}
    return {languages[0] if languages else "": str(value)}


def _text(value, languages: tuple[str, ...]) -> str:
    texts = _texts(value, languages)
    for language in languages:
        if texts.get(language):
            return texts[language]
    return next(iter(texts.values()), "")


def _file_choices(path: Path, source: str, languages: tuple[str, ...]) -> list[dict]:
    """The choices of `select_one_from_file X.csv`: the file shipped beside the workbook, read as ODK does
    (a header row; `name` and `label` columns, `label::language` for translations, any other column for a
    choice_filter)."""
    data = limits.read_file(path.parent / source, "workbook_bytes")
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
    if not reader.fieldnames or "name" not in reader.fieldnames:
        raise InstrumentError(str(path), [Problem(f"the choices file '{source}' has no 'name' column")])
    out = []
    for row in reader:
        row = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
        labels = {k.split("::", 1)[1]: v for k, v in row.items() if k.startswith("label::") and v}
        if row.get("label"):
            labels = {languages[0] if languages else "": row["label"], **labels}
        if row.get("name"):
            out.append({"name": row["name"], "label": labels or row["name"],
                        **{k: v for k, v in row.items() if k not in ("name", "label") and not k.startswith("label")}})
    return out


def _refuse_json(child: dict, where: str) -> list[Problem]:
    """What pyxform's form holds that the cell checks did not already refuse (belt and braces)."""
    found = []
    if child.get("media"):
        found.append(Problem(f"{where}: is not supported: media in labels (image, audio, video)"))
    if child.get("parameters"):
        found.append(Problem(f"{where}: is not supported: question parameters ({', '.join(child['parameters'])})"))
    for choice in child.get("choices") or []:
        if choice.get("media"):
            found.append(Problem(f"{where}: choice '{choice.get('name')}': is not supported: media in labels "
                                 "(image, audio, video)"))
    return found


def _expression(source, known: set[str] | None = None) -> Expression | None:
    if not source:
        return None
    # pyxform writes or_other's relevant relative to the question (`selected(../q, 'other')`)
    return Expression(PARENT_REFERENCE.sub(lambda m: "${" + m.group(1) + "}", str(source)), known)


def _build(path: Path, form: dict) -> Instrument:
    questions: dict[str, Question] = {}
    groups: dict[str, Group] = {}
    group_labels: dict[str, dict[str, str]] = {}
    languages = _languages(form)
    problems: list[Problem] = []
    texts = lambda value: _texts(value, languages)  # noqa: E731
    text = lambda value: _text(value, languages)  # noqa: E731

    def walk(children, group: str | None, inherited: tuple[Expression, ...]):
        for child in children:
            kind, bind = child.get("type", ""), child.get("bind", {})
            where = f"'{child.get('name')}'"
            if kind == "group":
                if child["name"] == "meta":
                    continue
                relevant = _expression(bind.get("relevant"))
                groups[child["name"]] = Group(child["name"], text(child.get("label")), relevant, group)
                group_labels[child["name"]] = texts(child.get("label"))
                walk(child.get("children", []), child["name"],
                     inherited + ((relevant,) if relevant else ()))
                continue
            if kind in ("repeat", "loop"):
                problems.append(Problem(f"{where}: is not supported: repeat groups"))
                continue
            problems.extend(_refuse_json(child, where))
            qtype = {"select one": "select_one", "select all that apply": "select_multiple"}.get(kind)
            preload = bind.get("jr:preload")
            if qtype is None:
                spec = QUESTION_TYPE_DICT.get(kind, {})
                bind_type = spec.get("bind", {}).get("type", "string")
                if kind in ("note", "calculate"):
                    qtype = kind
                elif preload or spec.get("bind", {}).get("jr:preload"):
                    qtype = "metadata"  # start, end, today, deviceid...: the client's, never asked
                elif bind_type in SUPPORTED_BINDS and spec.get("control", {}).get("tag") == "input":
                    qtype = SUPPORTED_BINDS[bind_type]
                else:
                    problems.append(Problem(f"{where}: is not supported: '{kind}' questions"))
                    continue
            raw_choices = child.get("choices")
            itemset = child.get("itemset") or ""
            if qtype in ("select_one", "select_multiple") and raw_choices is None and itemset.lower().endswith(".csv"):
                raw_choices = _file_choices(path, itemset, languages)
            choices = tuple(
                Choice(c["name"], text(c.get("label")) or c["name"], c.get("notes", ""), labels=texts(c.get("label")),
                       columns={k: str(v) for k, v in c.items() if k not in ("name", "label", "media")
                                and isinstance(v, str | int | float)})
                for c in raw_choices or [])
            required = str(bind.get("required", "")).strip().lower()
            question = Question(
                name=child["name"], type=qtype, label=text(child.get("label")), group=group,
                hint=text(child.get("hint")), required=required in TRUE_WORDS,
                list_name=child.get("list_name") or itemset or None, choices=choices,
                appearance=(child.get("control") or {}).get("appearance", ""), notes=child.get("notes", ""),
                relevant=_expression(bind.get("relevant")), constraint=_expression(bind.get("constraint")),
                constraint_message=text(bind.get("jr:constraintMsg")),
                calculation=_expression(bind.get("calculate")), group_relevant=inherited,
                choice_filter=_expression(child.get("choice_filter")),
                required_message=text(bind.get("jr:requiredMsg")), labels=texts(child.get("label")),
                hints=texts(child.get("hint")), constraint_messages=texts(bind.get("jr:constraintMsg")),
                required_messages=texts(bind.get("jr:requiredMsg")),
            )
            questions[question.name] = question
            if group:
                groups[group].questions.append(question.name)

    walk(form.get("children", []), None, ())
    if problems:
        raise InstrumentError(str(path), problems)
    return Instrument(name=path.stem, form_id=str(form.get("id_string") or path.stem),
                      version=str(form.get("version") or ""), title=str(form.get("title") or path.stem),
                      questions=questions, groups=groups, path=str(path), languages=languages,
                      group_labels=group_labels)


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
        form = convert(xlsform=str(path), validate=False, pretty_print=False)._pyxform
    except PyXFormError as exc:
        raise InstrumentError(str(path), [_locate(str(exc))]) from None
    except Exception as exc:  # noqa: BLE001 - pyxform and openpyxl raise many kinds for a damaged workbook
        raise InstrumentError(str(path), [Problem(f"cannot be read as an XLSForm: {limits.one_line(exc)}")]) \
            from None
    try:
        return _build(path, form)
    except ExpressionError as exc:  # an expression pyxform rewrote (or_other) that the cell checks did not see
        raise InstrumentError(str(path), [Problem(str(exc))]) from None
    except NmahpError as exc:
        if isinstance(exc, InstrumentError):
            raise
        raise InstrumentError(str(path), [Problem(str(exc))]) from None


def _locate(message: str) -> Problem:
    # pyxform writes "[row : 12] ..." and sometimes names the sheet; keep both when present
    row = re.search(r"\[row\s*:\s*(\d+)\]", message)
    sheet = re.search(r"\b(survey|choices|settings)\b", message)
    return Problem(message.strip(), sheet=sheet.group(1) if sheet else None,
                   row=int(row.group(1)) if row else None)
