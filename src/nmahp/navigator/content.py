"""Load the navigator's YAML content and check it, naming file, entry and field for every problem.

Programme staff edit these files by hand, so the loader collects every problem it finds rather than
stopping at the first, and says what would be accepted."""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

from nmahp.errors import NmahpError
from nmahp.study import STUDY

from .model import Content, Explainer, Option, Profession, Question, Rule, Scheme, Source, Stage, Start, Term

FILES = ("questions", "professions", "stages", "schemes", "glossary", "starts", "employment")
SCHEME_STATUSES = ("open", "varies", "ended")
TRACKS = ("research", "teaching", "both")
OPERATORS = ("in", "not_in", "at_least", "at_most")
# facts the checker derives rather than asks: the professional group comes from the profession
DERIVED_FIELDS = {"professional_group": STUDY.group_ids}
ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def content_dir() -> Path:
    configured = os.environ.get("NMAHP_CONTENT_DIR")
    if configured:
        return Path(configured)
    # the careers YAML shipped inside the package (nmahp/content); a Path from importlib.resources is a
    # real folder for a normal (non-zip) install
    return Path(files("nmahp") / "content")


@dataclass(frozen=True)
class ContentProblem:
    file: str
    entry: str
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}"
        if self.entry:
            where += f", entry '{self.entry}'"
        if self.field:
            where += f", field '{self.field}'"
        return f"{where}: {self.message}"


class ContentError(NmahpError):
    def __init__(self, problems: list[ContentProblem]):
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"The careers content has {len(problems)} problem(s):\n{lines}")


class _Reader:
    """Pulls typed fields out of one YAML entry, recording a problem instead of raising."""

    def __init__(self, problems: list[ContentProblem], file: str, entry: str, data: dict):
        self.problems, self.file, self.entry, self.data = problems, file, entry, data

    def problem(self, field: str, message: str) -> None:
        self.problems.append(ContentProblem(self.file, self.entry, field, message))

    def text(self, field: str, required: bool = True, default: str = "") -> str:
        value = self.data.get(field)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem(field, "is missing; write it as plain text")
            return default
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.problem(field, f"should be text, not {type(value).__name__}")
            return default
        return " ".join(str(value).split())

    def choice(self, field: str, allowed, required: bool = True, default: str = "") -> str:
        value = self.text(field, required=required, default=default)
        if value and value not in allowed:
            self.problem(field, f"'{value}' is not one of: {', '.join(sorted(allowed))}")
            return default
        return value

    def flag(self, field: str, default: bool | None = None) -> bool:
        value = self.data.get(field, default)
        if not isinstance(value, bool):
            self.problem(field, "should be true or false")
            return bool(default)
        return value

    def texts(self, field: str, required: bool = False) -> tuple[str, ...]:
        value = self.data.get(field)
        if value is None:
            if required:
                self.problem(field, "is missing; give a list")
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.problem(field, "should be a list of text items")
            return ()
        for i, item in enumerate(value, 1):
            if isinstance(item, dict):
                self.problem(f"{field}[{i}]", "was read as 'key: value' because the text has ': ' in it; "
                                              "put the text in double quotes")
                return ()
            if not isinstance(item, str) or not item.strip():
                self.problem(f"{field}[{i}]", "should be text")
                return ()
        if required and not value:
            self.problem(field, "should list at least one item")
        return tuple(" ".join(v.split()) for v in value)

    def date(self, field: str) -> dt.date:
        value = self.data.get(field)
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self.problem(field, f"'{value}' is not a date; write it as YYYY-MM-DD")
            return dt.date.min

    def sources(self, field: str = "sources") -> tuple[Source, ...]:
        raw = self.data.get(field)
        if not isinstance(raw, list) or not raw:
            self.problem(field, "every entry needs at least one source: a public page (url) or a report section")
            return ()
        out = []
        for i, item in enumerate(raw, 1):
            if not isinstance(item, dict):
                self.problem(f"{field}[{i}]", "should have 'title' and 'url', or 'report' (a section number)")
                continue
            title = " ".join(str(item.get("title", "")).split())
            url = str(item.get("url", "") or "")
            section = str(item.get("report", "") or "")
            if url and not re.match(r"^https?://[^\s]+$", url):
                self.problem(f"{field}[{i}]", f"url '{url}' should start with https:// or http://")
            elif not url and not section:
                self.problem(f"{field}[{i}]", "needs a url or a report section")
            elif url and not title:
                self.problem(f"{field}[{i}]", "a linked source needs a title")
            out.append(Source(title=title or f"Study report, section {section}", url=url, report_section=section))
        return tuple(out)


def _entries(problems, file: str, data: Any, key: str) -> list[tuple[str, dict]]:
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        problems.append(ContentProblem(f"{file}.yaml", "", key, f"the file should hold a list under '{key}:'"))
        return []
    out, seen = [], set()
    for i, item in enumerate(data[key], 1):
        if not isinstance(item, dict):
            problems.append(ContentProblem(f"{file}.yaml", f"#{i}", "", "should be a mapping of field: value"))
            continue
        ident = item.get("id")
        if not isinstance(ident, str) or not ID.match(ident):
            problems.append(ContentProblem(f"{file}.yaml", f"#{i}", "id",
                                           f"'{ident}' should be lower-case letters, digits, '-' or '_'"))
            continue
        if ident in seen:
            problems.append(ContentProblem(f"{file}.yaml", ident, "id", "is used twice"))
            continue
        seen.add(ident)
        out.append((ident, item))
    return out


def _questions(problems, data) -> dict[str, Question]:
    out = {}
    for ident, item in _entries(problems, "questions", data, "questions"):
        r = _Reader(problems, "questions.yaml", ident, item)
        options = []
        for i, opt in enumerate(item.get("options") or [], 1):
            if not isinstance(opt, dict) or not opt.get("value") or not opt.get("label"):
                r.problem(f"options[{i}]", "each option needs a value and a label")
                continue
            options.append(Option(str(opt["value"]), " ".join(str(opt["label"]).split()), str(opt.get("hint", ""))))
        if not options and ident != "profession":
            r.problem("options", "a question needs at least two options")
        out[ident] = Question(ident, r.text("label"), r.text("hint", required=False), tuple(options),
                              ordinal=r.flag("ordinal", False))
    return out


def _professions(problems, data) -> dict[str, Profession]:
    out = {}
    for ident, item in _entries(problems, "professions", data, "professions"):
        r = _Reader(problems, "professions.yaml", ident, item)
        if ident not in STUDY.group_of_profession:
            r.problem("id", "is not a profession of the study; add it to src/nmahp/study/vocabulary.yaml "
                            "under the professional group it counts in")
        out[ident] = Profession(ident, r.text("name"), STUDY.group_of(ident), r.text("regulator"))
    return out


def _stages(problems, data) -> dict[str, Stage]:
    ladder = {s.id: s for s in (*STUDY.career_stages, STUDY.alongside_stage)}
    out = {}
    for ident, item in _entries(problems, "stages", data, "stages"):
        r = _Reader(problems, "stages.yaml", ident, item)
        if ident not in ladder:
            r.problem("id", f"is not a career stage of the study; use one of: {', '.join(ladder)}")
            continue
        # names and order are the study's (vocabulary.yaml); order counts from 1 on the pathway map
        out[ident] = Stage(ident, ladder[ident].name, ladder[ident].rank + 1, r.text("summary"),
                           r.text("typical_qualification"))
    for missing in [s for s in ladder if s not in out]:
        problems.append(ContentProblem("stages.yaml", missing, "", "this career stage has no entry; describe it"))
    return out


def _rules(r: _Reader, item: dict, questions: dict[str, Question]) -> tuple[Rule, ...]:
    raw = item.get("rules")
    if raw is None:
        return ()
    if not isinstance(raw, list):
        r.problem("rules", "should be a list of conditions")
        return ()
    out = []
    for i, rule in enumerate(raw, 1):
        where = f"rules[{i}]"
        if not isinstance(rule, dict):
            r.problem(where, "should be a mapping such as {field: qualification, at_least: masters, why: ...}")
            continue
        field = rule.get("field")
        ops = [op for op in OPERATORS if op in rule]
        if field not in questions and field not in DERIVED_FIELDS:
            known = sorted([*questions, *DERIVED_FIELDS])
            r.problem(f"{where}.field", f"'{field}' is not a checker question; use one of: {', '.join(known)}")
            continue
        if len(ops) != 1:
            r.problem(where, f"needs exactly one of: {', '.join(OPERATORS)}")
            continue
        op = ops[0]
        values = rule[op] if isinstance(rule[op], list) else [rule[op]]
        allowed = DERIVED_FIELDS.get(field) or [o.value for o in questions[field].options]
        bad = [str(v) for v in values if str(v) not in allowed]
        if bad:
            r.problem(f"{where}.{op}", f"{', '.join(bad)} not among the answers to '{field}': {', '.join(allowed)}")
            continue
        if op in ("at_least", "at_most") and (field in DERIVED_FIELDS or not questions[field].ordinal
                                              or len(values) != 1):
            r.problem(f"{where}.{op}", f"'{op}' needs one answer of an ordered question, and '{field}' is not one")
            continue
        why = rule.get("why")
        if not isinstance(why, str) or not why.strip():
            r.problem(f"{where}.why", "say in plain words what this condition asks for")
            continue
        unconfirmed = rule.get("unconfirmed", False)
        if not isinstance(unconfirmed, bool):
            r.problem(f"{where}.unconfirmed", "should be true or false")
            unconfirmed = False
        out.append(Rule(field, op, tuple(str(v) for v in values), " ".join(why.split()),
                        " ".join(str(rule.get("step") or "").split()), unconfirmed))
    return tuple(out)


SCHEME_FIELDS = ("name", "kind", "provider", "stage", "status", "region", "summary", "who_can_apply", "pays_for",
                 "funded", "time_commitment", "duration", "how_to_apply", "sources", "last_checked", "rules",
                 "unconfirmed", "replaced_by", "acronym", "id")


def _schemes(problems, data, questions, stages) -> dict[str, Scheme]:
    out = {}
    times = [o.value for o in questions["time"].options] if "time" in questions else []
    for ident, item in _entries(problems, "schemes", data, "schemes"):
        r = _Reader(problems, "schemes.yaml", ident, item)
        for unknown in sorted(set(item) - set(SCHEME_FIELDS)):
            r.problem(unknown, f"is not a scheme field; fields are: {', '.join(SCHEME_FIELDS)}")
        unconfirmed = r.texts("unconfirmed")
        for name in unconfirmed:
            if name not in SCHEME_FIELDS:
                r.problem("unconfirmed", f"'{name}' is not a field of this scheme")
        out[ident] = Scheme(
            id=ident, name=r.text("name"), kind=r.text("kind"), provider=r.text("provider"),
            stage=r.choice("stage", stages), status=r.choice("status", SCHEME_STATUSES), region=r.text("region"),
            summary=r.text("summary"), who_can_apply=r.text("who_can_apply"), pays_for=r.text("pays_for"),
            funded=r.flag("funded"), time_commitment=r.choice("time_commitment", times),
            duration=r.text("duration"), how_to_apply=r.text("how_to_apply"), sources=r.sources(),
            last_checked=r.date("last_checked"), rules=_rules(r, item, questions), unconfirmed=unconfirmed,
            replaced_by=r.text("replaced_by", required=False), acronym=r.text("acronym", required=False))
    for scheme in out.values():
        if scheme.replaced_by and scheme.replaced_by not in out:
            problems.append(ContentProblem("schemes.yaml", scheme.id, "replaced_by",
                                           f"'{scheme.replaced_by}' is not the id of a scheme"))
    return out


def _glossary(problems, data, schemes) -> dict[str, Term]:
    out, spellings = {}, {}
    for ident, item in _entries(problems, "glossary", data, "terms"):
        r = _Reader(problems, "glossary.yaml", ident, item)
        term = Term(ident, r.text("term"), r.text("stands_for", required=False), r.text("means"),
                    r.texts("aliases"), r.text("scheme", required=False), r.text("source", required=False))
        if term.scheme and term.scheme not in schemes:
            r.problem("scheme", f"'{term.scheme}' is not the id of a scheme")
        for spelling in term.spellings:
            if spelling.lower() in spellings:
                r.problem("term", f"'{spelling}' is already explained in entry '{spellings[spelling.lower()]}'")
            spellings[spelling.lower()] = ident
        out[ident] = term
    return out


def _starts(problems, data, questions) -> dict[str, Start]:
    out = {}
    times = [o.value for o in questions["time"].options] if "time" in questions else []
    for ident, item in _entries(problems, "starts", data, "starts"):
        r = _Reader(problems, "starts.yaml", ident, item)
        out[ident] = Start(ident, r.text("title"), r.text("summary"), r.choice("time_commitment", times),
                           r.choice("track", TRACKS), r.text("how_to_find"), r.sources())
    return out


def _explainers(problems, data) -> dict[str, Explainer]:
    out = {}
    for ident, item in _entries(problems, "employment", data, "explainers"):
        r = _Reader(problems, "employment.yaml", ident, item)
        out[ident] = Explainer(ident, r.text("title"), r.text("summary"), r.texts("body", required=True),
                               r.texts("hr_questions", required=True), r.sources())
    return out


def _read(problems, directory: Path, name: str) -> Any:
    path = directory / f"{name}.yaml"
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.append(ContentProblem(f"{name}.yaml", "", "", f"file not found in {directory}"))
    except UnicodeDecodeError:
        problems.append(ContentProblem(f"{name}.yaml", "", "", "is not UTF-8 text"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        reason = getattr(exc, "problem", None) or exc
        problems.append(ContentProblem(f"{name}.yaml", "", "", f"is not valid YAML{at}: {reason}"))
    return None


def load_content(directory: Path | str | None = None) -> Content:
    """Read every content file; raise ContentError listing all problems, or return the content."""
    directory = Path(directory) if directory else content_dir()
    problems: list[ContentProblem] = []
    raw = {name: _read(problems, directory, name) for name in FILES}
    if problems:
        raise ContentError(problems)
    questions = _questions(problems, raw["questions"])
    professions = _professions(problems, raw["professions"])
    for required in ("profession", "time"):
        if required not in questions:
            problems.append(ContentProblem("questions.yaml", required, "", "the checker needs this question"))
    if "profession" in questions:
        options = tuple(Option(p.id, p.name) for p in professions.values())
        questions["profession"] = Question("profession", questions["profession"].label,
                                           questions["profession"].hint, options)
    stages = _stages(problems, raw["stages"])
    schemes = _schemes(problems, raw["schemes"], questions, stages)
    content = Content(questions=questions, professions=professions, stages=stages, schemes=schemes,
                      glossary=_glossary(problems, raw["glossary"], schemes),
                      starts=_starts(problems, raw["starts"], questions),
                      explainers=_explainers(problems, raw["employment"]))
    if problems:
        raise ContentError(problems)
    return content
