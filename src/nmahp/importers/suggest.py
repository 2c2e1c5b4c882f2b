"""A proposed mapping for an export whose wording someone else wrote: every column matched to the
instrument from the question text, the option labels, a matrix's 'row - column' sub-labels part by part,
SurveyMonkey's metadata columns and the instrument's structure (a column of ticks can only be a
select_multiple's choice, a matrix cell a row of a matrix, an open-ended column a text question).
Similarity is rapidfuzz's; each block of columns is then given a question by an optimal assignment
(scipy), so two blocks never take the same question. Every entry has a confidence (0-100); those
under REVIEW_BELOW are marked for a person to check."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl
from rapidfuzz import fuzz, process
from rapidfuzz.distance import JaroWinkler
from scipy.optimize import linear_sum_assignment

from ..instruments import Instrument, Question
from ..instruments.model import SELECT_MULTIPLE, SELECT_ONE
from . import surveymonkey, xlsform_csv
from .labels import norm
from .mapping import OTHER_SUBHEADERS, SURVEYMONKEY_META, Column
from .reading import read_table

REVIEW_BELOW = 75
FLOOR = 12  # a block whose best question scores below this shares no telling word with it: left to `ignore`
TEXT_TYPES = ("text", "integer", "decimal", "date")
_PAREN = re.compile(r"\s*\([^)]*\)\s*")
_DASH = re.compile(r"\s[-\u2013\u2014]\s")


@dataclass
class Entry:
    column: str
    target: str | dict
    confidence: int
    note: str = ""


@dataclass
class Suggestion:
    path: str
    form_id: str
    entries: list[Entry] = field(default_factory=list)
    values: dict[str, list[tuple[str, str, int]]] = field(default_factory=dict)
    constants: list[tuple[str, str, int, str]] = field(default_factory=list)

    def data(self) -> dict:
        """The mapping as `Mapping.from_data` reads it."""
        out: dict = {"columns": {e.column: e.target for e in self.entries}}
        if self.values:
            out["values"] = {q: {label: choice for label, choice, _ in labels} for q, labels in self.values.items()}
        if self.constants:
            out["constants"] = {q: value for q, value, _, _ in self.constants}
        return out

    def review(self) -> int:
        return sum(e.confidence < REVIEW_BELOW for e in self.entries) + \
            sum(c < REVIEW_BELOW for labels in self.values.values() for _, _, c in labels) + \
            sum(c < REVIEW_BELOW for _, _, c, _ in self.constants)

    def to_yaml(self) -> str:
        lines = [f"# nmahp import suggest-mapping: {Path(self.path).name} for {self.form_id}",
                 "# each entry ends with its confidence (0-100); entries marked REVIEW (under "
                 f"{REVIEW_BELOW}) need a person's look before importing. Format: docs/importing.md",
                 "columns:"]
        for e in self.entries:
            lines.append(f"  {_q(e.column)}: {_target(e.target)}  {_comment(e.confidence, e.note)}")
        if self.values:
            lines.append("values:")
            for question, labels in self.values.items():
                lines.append(f"  {question}:")
                for label, choice, confidence in labels:
                    lines.append(f"    {_q(label)}: {choice}  {_comment(confidence, '')}")
        if self.constants:
            lines.append("constants:")
            for question, value, confidence, note in self.constants:
                lines.append(f"  {question}: {_q(value)}  {_comment(confidence, note)}")
        return "\n".join(lines) + "\n"


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _target(target: str | dict) -> str:
    if isinstance(target, dict):
        (kind, question), = target.items()
        return f"{{{kind}: {question}}}"
    return _q(target) if "=" in target else target


def _comment(confidence: int, note: str) -> str:
    flag = "REVIEW " if confidence < REVIEW_BELOW else ""
    return f"# {flag}{confidence}" + (f": {note}" if note else "")


@dataclass
class _Block:
    kind: str  # single | multi | text | matrix
    header: str
    columns: list[Column]
    labels: list[str] = field(default_factory=list)  # option labels the export shows (subs or cell values)
    other: list[Column] = field(default_factory=list)  # 'Other (please specify)' columns
    position: float = 0.0


STOP = frozenset("a an the and or of in on to for you your do does did is are was were have has had what which how who "
                 "whom would could any with at by be been i my me it its this that these those e g eg etc please "
                 "specify about from into as all apply tick if there anything we us our can will up".split())
TOKEN = re.compile(r"[a-z0-9]+")
# Jaro-Winkler similarity from which two words count as one (nursing ~ nurse, qualified ~ qualification)
SAME_WORD = 0.85


def _tokens(text: str) -> list[str]:
    return [t for t in TOKEN.findall(norm(text)) if t not in STOP]


class _Words:
    """Soft TF-IDF (Cohen, Ravikumar and Fienberg 2003): words weighted by how rare they are among the
    instrument's own texts, two words counted as one when rapidfuzz's Jaro-Winkler says they are close."""

    def __init__(self, texts: list[str]):
        docs = [set(_tokens(t)) for t in texts if t]
        counts: dict[str, int] = {}
        for doc in docs:
            for word in doc:
                counts[word] = counts.get(word, 0) + 1
        self.n = max(1, len(docs))
        self.idf = {w: float(np.log((1 + self.n) / (1 + c))) + 1.0 for w, c in counts.items()}
        self.default = float(np.log(1 + self.n)) + 1.0

    def weight(self, word: str) -> float:
        return self.idf.get(word, self.default)

    def similarity(self, a: str, b: str) -> float:
        ta, tb = _tokens(a), _tokens(b)
        if not ta or not tb:
            return float(fuzz.ratio(a, b, processor=norm))
        close = process.cdist(ta, tb, scorer=JaroWinkler.similarity)
        close = np.where(close >= SAME_WORD, close, 0.0)
        wa = np.array([self.weight(t) for t in ta])
        wb = np.array([self.weight(t) for t in tb])
        found = (wa * close.max(axis=1)).sum() + (wb * close.max(axis=0)).sum()
        return float(100.0 * found / (wa.sum() + wb.sum()))


def _words(name: str) -> str:
    return name.replace("_", " ")


def _assign(rows: list[str], choices: list[str], words: _Words) -> tuple[list[int], list[float]]:
    """Each row label's choice (or -1) by an optimal one-to-one assignment on similarity."""
    if not rows or not choices:
        return [-1] * len(rows), [0.0] * len(rows)
    scores = np.array([[max(words.similarity(r, c), 0.8 * fuzz.ratio(r, c, processor=norm)) for c in choices]
                       for r in rows])
    picked, found = [-1] * len(rows), [0.0] * len(rows)
    r, c = linear_sum_assignment(scores, maximize=True)
    for i, j in zip(r, c, strict=True):
        picked[i], found[i] = int(j), float(scores[i, j])
    return picked, found


def _option_score(labels: list[str], q: Question, words: _Words) -> float:
    choices = [c.label for c in q.choices if c.name != "other"] or [c.label for c in q.choices]
    _, found = _assign(labels, choices, words)
    if not found:
        return 0.0
    cover = min(len(labels), len(choices)) / max(len(labels), len(choices))
    return float(np.mean(found)) * (0.6 + 0.4 * cover)


def _is_other(sub: str) -> bool:
    s = norm(sub)
    return s in OTHER_SUBHEADERS or s.startswith("other (please specify")


def _matrix_parts(subs: list[str]) -> list[tuple[str, str]] | None:
    """'row - column' pairs, when every sub-label splits so and the column parts repeat across rows."""
    for last in (True, False):
        pairs = []
        for sub in subs:
            found = list(_DASH.finditer(sub))
            if not found:
                return None
            m = found[-1] if last else found[0]
            pairs.append((sub[:m.start()].strip(), sub[m.end():].strip()))
        rows = {r for r, _ in pairs}
        cols = {c for _, c in pairs}
        if len(rows) >= 2 and len(cols) >= 2 and len(pairs) == len(rows) * len(cols):
            return pairs
    return None


def _blocks(columns: list[Column], table) -> tuple[list[_Block], list[Entry]]:
    blocks: list[_Block] = []
    meta: list[Entry] = []
    for column in columns:
        header, sub = norm(column.header), norm(column.sub)
        if not column.header and not column.sub:
            continue
        if header in SURVEYMONKEY_META and not sub:
            meta.append(Entry(column.display, SURVEYMONKEY_META[header], 100, "SurveyMonkey's metadata"))
            continue
        if blocks and blocks[-1].header == column.header and column.header:
            blocks[-1].columns.append(column)
        else:
            blocks.append(_Block("", column.header, [column]))
    for block in blocks:
        subs = [c.sub for c in block.columns]
        block.other = [c for c in block.columns if _is_other(c.sub)]
        plain = [c for c in block.columns if c not in block.other]
        kinds = {norm(c.sub) for c in plain}
        if kinds <= {"response", ""} and plain:
            block.kind = "single"
            name = f"c{plain[0].index}"
            values = table.collect(table.scan.slice(2).select(pl.col(name).drop_nulls().value_counts(sort=True)
                                                              .head(60)).unnest(name))
            block.labels = [v.strip() for v in values[name].to_list() if v.strip()]
        elif kinds == {"open-ended response"}:
            block.kind = "text"
        elif _matrix_parts([c.sub for c in plain]):
            block.kind = "matrix"
        else:
            block.kind = "multi"
            block.labels = [c.sub for c in plain]
        del subs
    for i, block in enumerate(blocks):
        block.position = i / max(1, len(blocks) - 1)
    return blocks, meta


def _compatible(block: _Block, q: Question, instrument: Instrument) -> bool:
    if not q.holds_answer:
        return False
    parent = q.name[:-6] if q.name.endswith("_other") else None
    if parent in instrument.questions and "other" in instrument.questions[parent].choice_names():
        return False  # reached through its question's 'Other (please specify)' column
    if block.kind == "single":
        return q.type == SELECT_ONE or (q.type in TEXT_TYPES and len(block.labels) >= 40)
    if block.kind == "multi":
        return q.type == SELECT_MULTIPLE
    return q.type in TEXT_TYPES


class _Context:
    def __init__(self, instrument: Instrument):
        self.instrument = instrument
        questions = [q for q in instrument.questions.values() if q.holds_answer]
        self.labels = _Words([q.label for q in questions] + [_words(q.name) for q in questions])
        self.options = _Words([c.label for q in questions for c in q.choices])
        self.order = {q.name: i / max(1, len(questions) - 1) for i, q in enumerate(questions)}

    def text_score(self, header: str, q: Question) -> float:
        return max(self.labels.similarity(header, q.label), 0.8 * self.labels.similarity(header, _words(q.name)))


ORDER_WEIGHT = 30  # exports list the questions in the form's order; a block far from its place needs more evidence


def suggest(path: str | Path, instrument: Instrument) -> Suggestion:
    table = read_table(path)
    heads = table.head_rows(2)
    suggestion = Suggestion(str(path), instrument.form_id)
    if not surveymonkey.looks_like(heads):
        return _suggest_xlsform(suggestion, heads, instrument)
    columns, _ = surveymonkey.columns(heads)
    blocks, meta = _blocks(columns, table)
    suggestion.entries += meta
    context = _Context(instrument)
    claimed: set[str] = set()
    for block in [b for b in blocks if b.kind == "matrix"]:
        claimed |= _matrix(block, context, suggestion)
    _join_split_text(blocks)
    plain = [b for b in blocks if b.kind != "matrix"]
    candidates = [q for q in instrument.questions.values() if q.holds_answer and q.name not in claimed]
    scores = np.full((len(plain), len(candidates)), -100.0)
    for i, block in enumerate(plain):
        for j, q in enumerate(candidates):
            if not _compatible(block, q, instrument):
                continue
            score = context.text_score(block.header, q)
            if block.labels and q.is_select:
                score = 0.4 * score + 0.6 * _option_score(block.labels, q, context.options)
            scores[i, j] = score - ORDER_WEIGHT * abs(block.position - context.order[q.name])
    rows, cols = linear_sum_assignment(scores, maximize=True) if plain and candidates else ([], [])
    chosen = {int(i): int(j) for i, j in zip(rows, cols, strict=True)}
    for i, block in enumerate(plain):
        j = chosen.get(i)
        raw = scores[i, j] + ORDER_WEIGHT * abs(block.position - context.order[candidates[j].name]) \
            if j is not None else -100.0
        if j is None or raw < FLOOR:
            for column in block.columns:
                suggestion.entries.append(Entry(column.display, "ignore", 0, "no question of the instrument fits"))
            continue
        # confidence: how well it fits, and by how much it beats the block's next best question
        runner_up = np.partition(scores[i], -2)[-2] if len(candidates) > 1 else -100.0
        margin = float(np.clip(scores[i, j] - runner_up, 0, 40))
        _entries(block, candidates[j], int(round(min(100.0, 1.2 * raw + margin))), context, suggestion)
    _constants(suggestion, instrument)
    position = {c.display: c.index for c in columns}
    suggestion.entries.sort(key=lambda e: position.get(e.column, 0))
    return suggestion


def _join_split_text(blocks: list[_Block]) -> None:
    """Adjacent open-ended columns whose texts differ only in a '(part 1)'/'(continued)' are one question."""
    i = 0
    while i < len(blocks) - 1:
        a, b = blocks[i], blocks[i + 1]
        if a.kind in ("text", "joined") and b.kind == "text" and fuzz.ratio(
                _PAREN.sub(" ", a.header), _PAREN.sub(" ", b.header), processor=norm) >= 90:
            a.columns += b.columns
            a.kind = "joined"
            del blocks[i + 1]
            continue
        i += 1
    for block in blocks:
        if block.kind == "joined":
            block.kind = "text"


def _entries(block: _Block, q: Question, confidence: int, context: _Context, suggestion: Suggestion):
    instrument = context.instrument
    if block.kind == "text":
        joined = len(block.columns) > 1
        for column in block.columns:
            suggestion.entries.append(Entry(column.display, {"join": q.name} if joined else q.name, confidence,
                                            "several columns joined into one answer" if joined else ""))
        return
    has_text = "other" in q.choice_names() and f"{q.name}_other" in instrument.questions
    for column in block.other:
        target = {"other": q.name} if has_text else (f"{q.name} = other" if "other" in q.choice_names() else "ignore")
        suggestion.entries.append(Entry(column.display, target, confidence if target != "ignore" else 0))
    plain = [c for c in block.columns if c not in block.other]
    if block.kind == "single":
        for column in plain:
            suggestion.entries.append(Entry(column.display, q.name, confidence))
        if q.is_select:
            _values(block.labels, q, context, suggestion)
        return
    choices = [c for c in q.choices if not (c.name == "other" and has_text)]
    picked, found = _assign([c.sub for c in plain], [c.label for c in choices], context.options)
    for column, j, score in zip(plain, picked, found, strict=True):
        if j < 0:
            suggestion.entries.append(Entry(column.display, "ignore", 0, f"no option of {q.name} fits"))
            continue
        suggestion.entries.append(Entry(column.display, f"{q.name} = {choices[j].name}",
                                        int(round(min(confidence, score)))))


def _values(labels: list[str], q: Question, context: _Context, suggestion: Suggestion):
    exact = {norm(c.label) for c in q.choices} | {norm(c.name) for c in q.choices}
    unknown = [label for label in labels if norm(label) not in exact]
    if not unknown:
        return
    free = [c for c in q.choices if norm(c.label) not in {norm(label) for label in labels}]
    picked, found = _assign(unknown, [c.label for c in free], context.options)
    out = []
    for label, j, score in zip(unknown, picked, found, strict=True):
        if j >= 0:
            out.append((label, free[j].name, int(round(score))))
    if out:
        suggestion.values[q.name] = out


def _matrix(block: _Block, context: _Context, suggestion: Suggestion) -> set[str]:
    """A matrix's rows are questions of one group of the form sharing the same choices; its columns
    are those choices."""
    instrument = context.instrument
    plain = [c for c in block.columns if not _is_other(c.sub)]
    pairs = _matrix_parts([c.sub for c in plain])
    rows = list(dict.fromkeys(r for r, _ in pairs))
    cols = list(dict.fromkeys(c for _, c in pairs))
    by_group: dict[str | None, list[Question]] = {}
    for q in instrument.questions.values():
        if q.type == SELECT_MULTIPLE and len(q.choices) == len(cols) and _option_score(cols, q, context.options) >= 70:
            by_group.setdefault(q.group, []).append(q)
    best, best_score, best_pick = None, -1.0, None
    for questions in by_group.values():
        scores = np.array([[context.text_score(row, q) for q in questions] for row in rows])
        r, c = linear_sum_assignment(scores, maximize=True)
        total = float(scores[r, c].sum()) / len(rows) * min(1.0, len(questions) / len(rows))
        if total > best_score:
            best, best_score, best_pick = questions, total, dict(zip(r.tolist(), c.tolist(), strict=True))
            best_scores = scores
    if best is None:
        for column in block.columns:
            suggestion.entries.append(Entry(column.display, "ignore", 0, "no matrix of the instrument fits"))
        return set()
    claimed = set()
    for column, (row, col) in zip(plain, pairs, strict=True):
        i = rows.index(row)
        if i not in best_pick:
            suggestion.entries.append(Entry(column.display, "ignore", 0, "no row of the instrument fits"))
            continue
        q = best[best_pick[i]]
        claimed.add(q.name)
        choice_index, choice_scores = _assign([col], [ch.label for ch in q.choices], context.options)
        if choice_index[0] < 0:
            suggestion.entries.append(Entry(column.display, "ignore", 0))
            continue
        confidence = int(round(min(100.0, best_scores[i, best_pick[i]] + 20, choice_scores[0])))
        suggestion.entries.append(Entry(column.display, f"{q.name} = {q.choices[choice_index[0]].name}", confidence,
                                        "matrix row and column"))
    for column in block.columns:
        if _is_other(column.sub):
            suggestion.entries.append(Entry(column.display, "ignore", 0, "matrix 'Other' text"))
    return claimed


def _constants(suggestion: Suggestion, instrument: Instrument):
    """A required question every respondent answers, with no column (consent taken before the survey)."""
    fed = set()
    for e in suggestion.entries:
        target = e.target
        if isinstance(target, dict):
            fed |= set(target.values())
        elif target not in ("ignore",):
            fed.add(target.split("=")[0].strip())
    for q in instrument.questions.values():
        if q.required and q.type == SELECT_ONE and q.relevant is None and not q.group_relevant \
                and q.name not in fed and "yes" in q.choice_names():
            suggestion.constants.append((q.name, "yes", 50, f"the export has no column for {q.name}; every row "
                                         "is taken to have answered 'yes' (true when it was asked before the survey)"))


def _suggest_xlsform(suggestion: Suggestion, heads: list[list[str]], instrument: Instrument) -> Suggestion:
    columns, _ = xlsform_csv.columns(heads)
    names = [q.name for q in instrument.questions.values() if q.holds_answer]
    for column in columns:
        target = xlsform_csv.auto_target(column, instrument)
        if target is not None:
            text = target.meta if target.kind == "meta" else ("ignore" if target.kind == "ignore" else
                                                              target.question + (f" = {target.choice}"
                                                                                 if target.choice else ""))
            suggestion.entries.append(Entry(column.display, text, 100))
            continue
        best = process.extractOne(column.header, names, scorer=fuzz.WRatio, processor=norm)
        if best and best[1] >= FLOOR:
            suggestion.entries.append(Entry(column.display, best[0], int(round(best[1]))))
        else:
            suggestion.entries.append(Entry(column.display, "ignore", 0, "no question of the instrument fits"))
    return suggestion
