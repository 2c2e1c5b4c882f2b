"""Variables derived from answers, as data beside the workbook: coding frames for text questions
(`<workbook>.coding_frames.yaml`), a tally of every 'Other (please specify)' text, and derived measures
(`<workbook>.measures.yaml`). `derive` adds them to a response frame as select questions, so every
analysis (counts, breakdowns, tests, disclosure, cross-tabulations, dashboards, the report) treats them as
it treats a question of the workbook."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import yaml

from ..errors import NmahpError
from ..instruments import Instrument, Question
from ..instruments.model import SELECT_MULTIPLE, SELECT_ONE
from .coding_frames import CodingFrame, FrameCode, Tally, code_answers, normalise
from .groups import PROFESSIONAL_GROUP, as_question
from .measures import Measure, check_condition

FRAMES_SUFFIX = ".coding_frames.yaml"
MEASURES_SUFFIX = ".measures.yaml"
TALLY_SUFFIX = "_answers"

# {coded variable: {normalised answer wording: codes}}: what analysts decided in the coding pages
Overrides = dict[str, dict[str, tuple[str, ...]]]


@dataclass
class DerivedInstrument(Instrument):
    """A workbook's instrument with its derived variables added as questions; `derived` says how each was
    made (shown as a table's `source`)."""

    derived: dict[str, dict] = field(default_factory=dict)


@dataclass(frozen=True)
class Spec:
    frames: tuple[CodingFrame, ...] = ()
    tallies: tuple[Tally, ...] = ()
    measures: tuple[Measure, ...] = ()


def spec_for(instrument: Instrument) -> Spec:
    """The coding frames, tallies and measures of the instrument's workbook (none when it has no files)."""
    if not instrument.path:
        return Spec()
    frames_path = Path(instrument.path).with_suffix(FRAMES_SUFFIX)
    measures_path = Path(instrument.path).with_suffix(MEASURES_SUFFIX)
    key = (instrument.path, instrument.version, _mtime(frames_path), _mtime(measures_path))
    if key not in _SPECS:
        _SPECS[key] = _spec(instrument, str(frames_path), str(measures_path))
    return _SPECS[key]


_SPECS: dict[tuple, Spec] = {}


def _mtime(path: Path) -> int:
    return path.stat().st_mtime_ns if path.exists() else 0


def _read(path: str) -> dict:
    if not Path(path).exists():
        return {}
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise NmahpError(f"{path}: not valid YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(data, dict):
        raise NmahpError(f"{path}: expected a mapping at the top")
    return data


def _spec(instrument: Instrument, frames_path: str, measures_path: str) -> Spec:
    frames_data, measures_data = _read(frames_path), _read(measures_path)
    questions = instrument.questions
    frames = tuple(_frame(entry, n, frames_path, questions) for n, entry in
                   enumerate(frames_data.get("frames") or [], start=1))
    merges = (frames_data.get("other_answers") or {}).get("merges") or {}
    others = other_fields(instrument)
    for question in merges:
        if question not in others:
            raise NmahpError(f"{frames_path}: other_answers, merges: '{question}' is not an 'Other (please "
                             f"specify)' text of the workbook ({', '.join(others)})")
    tallies = tuple(Tally(q, q + TALLY_SUFFIX, f"{questions[q].label} (answers given)",
                          {normalise(k): str(v) for k, v in (merges.get(q) or {}).items()}) for q in others)
    selects = {q.name: q for q in questions.values() if q.is_select}
    if PROFESSIONAL_GROUP in questions:
        selects[PROFESSIONAL_GROUP] = as_question(instrument, PROFESSIONAL_GROUP)
    for frame in frames:
        selects[frame.name] = Question(frame.name, SELECT_MULTIPLE if frame.multiple else SELECT_ONE, frame.label,
                                       None, choices=frame.choices())
    measures = []
    for n, entry in enumerate(measures_data.get("measures") or [], start=1):
        measure = _measure(entry, n, measures_path, selects)
        selects[measure.name] = measure.question()  # a later measure may use an earlier one
        measures.append(measure)
    names = [f.name for f in frames] + [t.name for t in tallies] + [m.name for m in measures]
    clash = sorted({n for n in names if names.count(n) > 1 or n in questions})
    if clash:
        raise NmahpError(f"{frames_path} / {measures_path}: '{clash[0]}' names two things (a question of the "
                         "workbook, a frame or a measure)")
    return Spec(frames, tallies, tuple(measures))


def derived_names(instrument: Instrument) -> set[str]:
    """The names of the instrument's derived variables (without computing them)."""
    if isinstance(instrument, DerivedInstrument):
        return set(instrument.derived)
    spec = spec_for(instrument)
    return {f.name for f in spec.frames} | {t.name for t in spec.tallies} | {m.name for m in spec.measures}


def other_fields(instrument: Instrument) -> list[str]:
    """Every 'Other (please specify)' text of the workbook: a text question asked only of those who chose
    an 'other' option (or the 'Other' row of a grid)."""
    out = []
    for question in instrument.questions.values():
        if question.type != "text" or question.relevant is None:
            continue
        if "'other'" in question.relevant.source or any(r.endswith("_other") for r in question.relevant.references):
            out.append(question.name)
    return out


def _frame(entry, n: int, path: str, questions: dict[str, Question]) -> CodingFrame:
    where = f"{path}: frames #{n}"
    if not isinstance(entry, dict):
        raise NmahpError(f"{where}: expected a mapping with name, question, label and codes")
    for key in ("name", "question", "label", "codes"):
        if not entry.get(key):
            raise NmahpError(f"{where}: '{key}' is missing")
    where = f"{path}: frame '{entry['name']}'"
    question = questions.get(entry["question"])
    if question is None or question.type != "text":
        raise NmahpError(f"{where}: question '{entry['question']}' is not a text question of the workbook")
    assign = entry.get("assign", "first")
    if assign not in ("first", "all"):
        raise NmahpError(f"{where}: assign must be 'first' or 'all', not '{assign}'")
    codes = []
    for m, code in enumerate(entry["codes"], start=1):
        if not isinstance(code, dict) or not code.get("name") or not re.fullmatch(r"[a-z0-9_]+", str(code["name"])):
            raise NmahpError(f"{where}, code #{m}: needs a 'name' of lower-case letters, digits and _")
        try:
            patterns = tuple(re.compile(p, re.IGNORECASE) for p in code.get("patterns") or [])
        except re.error as exc:
            raise NmahpError(f"{where}, code '{code['name']}': pattern does not compile ({exc})") from None
        if not patterns and not code.get("otherwise"):
            raise NmahpError(f"{where}, code '{code['name']}': give patterns, or otherwise: true")
        codes.append(FrameCode(code["name"], code.get("label", code["name"]), code.get("description", ""), patterns,
                               bool(code.get("otherwise")), code.get("parent")))
    names = [c.name for c in codes]
    for code in codes:
        if code.parent is not None and code.parent not in names:
            raise NmahpError(f"{where}, code '{code.name}': parent '{code.parent}' is not a code of the frame")
    if len(set(names)) != len(names):
        raise NmahpError(f"{where}: two codes share a name")
    try:
        split = re.compile(entry["split"], re.IGNORECASE) if entry.get("split") else None
    except re.error as exc:
        raise NmahpError(f"{where}: split does not compile ({exc})") from None
    return CodingFrame(entry["name"], entry["question"], entry["label"], tuple(codes), assign, split,
                       entry.get("description", ""))


def _measure(entry, n: int, path: str, selects: dict[str, Question]) -> Measure:
    where = f"{path}: measures #{n}"
    if not isinstance(entry, dict) or not entry.get("name") or not entry.get("label"):
        raise NmahpError(f"{where}: needs a name and a label")
    where = f"{path}: measure '{entry['name']}'"
    base = entry.get("base", "all")
    if base not in ("all", "any"):
        raise NmahpError(f"{where}: base must be 'all' or 'any', not '{base}'")
    if ("when" in entry) == ("categories" in entry):
        raise NmahpError(f"{where}: give either 'when' (yes/no) or 'categories'")
    categories = tuple(entry.get("categories") or ())
    if "when" in entry:
        check_condition(entry["when"], where, selects)
    for m, category in enumerate(categories, start=1):
        if not isinstance(category, dict) or not category.get("name"):
            raise NmahpError(f"{where}, category #{m}: needs a name")
        if category.get("otherwise"):
            if m != len(categories):
                raise NmahpError(f"{where}, category '{category['name']}': 'otherwise' must come last")
        else:
            check_condition(category.get("when"), f"{where}, category '{category['name']}'", selects)
    return Measure(entry["name"], entry["label"], entry.get("when"), categories, base, entry.get("yes_label", ""),
                   entry.get("no_label", ""), entry.get("description", ""))


def derive(frame: pl.DataFrame, instrument: Instrument, overrides: Overrides | None = None
           ) -> tuple[pl.DataFrame, DerivedInstrument]:
    """`frame` with a column per coded variable, tally and measure, and the instrument with each as a
    select question. Idempotent: a frame and instrument already derived come back as they are."""
    if isinstance(instrument, DerivedInstrument):
        missing = [n for n in instrument.derived if n not in frame.columns]
        if not missing:
            return frame, instrument
        base = instrument
    else:
        base = None
    source = instrument if base is None else _plain(base)
    spec = spec_for(source)
    overrides = overrides or {}
    questions = dict(source.questions)
    derived: dict[str, dict] = {}
    columns = []
    for coding in spec.frames:
        if coding.question not in frame.columns:
            continue
        answers = frame.get_column(coding.question).drop_nulls().unique().to_list()
        mapping = code_answers(coding, answers, overrides.get(coding.name))
        columns.append(pl.col(coding.question).replace_strict(mapping, default=None, return_dtype=pl.Utf8)
                       .alias(coding.name))
        questions[coding.name] = Question(coding.name, SELECT_MULTIPLE if coding.multiple else SELECT_ONE,
                                          coding.label, source.questions[coding.question].group,
                                          choices=coding.choices())
        overridden = len(overrides.get(coding.name) or {})
        derived[coding.name] = {
            "kind": "coding_frame", "from": [coding.question],
            "definition": f"'{coding.question}' coded by the frame '{coding.name}' ("
                          + "; ".join(f"{c.label}: {c.description}" if c.description else c.label
                                      for c in coding.codes) + ")",
            "base": f"respondents who answered {coding.question}",
            "overrides": overridden,
            "codes": [{"name": c.name, "label": c.label, "description": c.description, "parent": c.parent}
                      for c in coding.codes]}
    for tally in spec.tallies:
        if tally.question not in frame.columns:
            continue
        answers = frame.get_column(tally.question).drop_nulls().to_list()
        choices, mapping = tally.tally(answers)
        columns.append(pl.col(tally.question).replace_strict(mapping, default=None, return_dtype=pl.Utf8)
                       .alias(tally.name))
        questions[tally.name] = Question(tally.name, SELECT_ONE, tally.label, source.questions[tally.question].group,
                                         choices=choices)
        derived[tally.name] = {
            "kind": "tally", "from": [tally.question],
            "definition": f"the distinct answers to '{tally.question}', compared without case, spacing or end "
                          f"punctuation, with {len(tally.merges)} analysts' merges",
            "base": f"respondents who answered {tally.question}"}
    frame = frame.with_columns(columns) if columns else frame
    extended = DerivedInstrument(**{f: getattr(source, f) for f in _fields(source)}, derived=derived)
    extended.questions = questions
    measured = []
    for measure in spec.measures:
        if not all(q in frame.columns or q in questions for q in measure.questions()):
            continue
        measured.append(measure)
    for measure in measured:  # one at a time: a measure may use an earlier one
        frame = frame.with_columns(measure.expression(extended))
        questions[measure.name] = measure.question()
        derived[measure.name] = {"kind": "measure", "from": measure.questions(), "definition": measure.definition(),
                                 "base": ("respondents who answered every one of " if measure.base == "all" else
                                          "respondents who answered any of ") + ", ".join(measure.questions())}
    return frame, extended


def _fields(instrument: Instrument) -> list[str]:
    import dataclasses

    return [f.name for f in dataclasses.fields(Instrument)]


def _plain(instrument: DerivedInstrument) -> Instrument:
    data = {f: getattr(instrument, f) for f in _fields(instrument)}
    data["questions"] = {n: q for n, q in instrument.questions.items() if n not in instrument.derived}
    return Instrument(**data)


def is_tally(instrument: Instrument, name: str) -> bool:
    """A tally's options are respondents' own words: only analysts see it (it is never published)."""
    return isinstance(instrument, DerivedInstrument) and instrument.derived.get(name, {}).get("kind") == "tally"
