"""One import, start to finish: read, map columns, build answers, keep completed submissions,
remove evident duplicates, check every rule of the instrument over whole columns. Writes nothing;
the caller stores the result."""

from __future__ import annotations

import difflib
import functools
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from .. import limits
from ..instruments import Instrument
from . import surveymonkey, xlsform_csv
from .answers import ROW, build
from .checks import AS_RECORDED, FLAGS, POLICIES, STRICT, check
from .labels import norm
from .mapping import Column, Labels, Mapping, Target, auto_target
from .problems import INSTRUMENT_RULES, RULE_WORDS, Problem
from .reading import LINE, RawTable, ReadError, read_table

DUPLICATE_RULE = ("a respondent ID seen twice keeps its latest submission; two submissions with identical "
                  "answers to every question are one person submitting twice, and the first is kept")
SIMPLE_GATE = re.compile(r"^\s*selected\(\s*\$\{(\w+)\}\s*,\s*'(\w+)'\s*\)\s*$")
EXTERNAL_ID = "_external_id"
RowError = Problem  # the name earlier callers used


@dataclass
class Respondent:
    row: int
    external_id: str
    answers: dict[str, str]
    flags: list[dict] = field(default_factory=list)


@dataclass
class ImportResult:
    path: str
    layout: str  # surveymonkey | xlsform
    encoding: str
    policy: str = STRICT
    mapping: list[tuple[str, str]] = field(default_factory=list)
    frame: pl.DataFrame | None = None  # kept respondents: _row, _external_id, answers, _flags
    excluded: list[tuple[int, str]] = field(default_factory=list)  # incomplete or declined
    duplicates: list[tuple[int, str]] = field(default_factory=list)
    inferred: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)  # everything found, refusing or kept and flagged
    breaks: dict[tuple[str, str], int] = field(default_factory=dict)  # (question, rule) -> rows, either policy
    rows_read: int = 0
    kept_rows: int = 0  # the respondents the import keeps, counted once the whole file is read

    @property
    def errors(self) -> list[Problem]:
        """The problems that refuse the import under its policy."""
        return [p for p in self.problems if not p.kept]

    @property
    def flagged(self) -> list[Problem]:
        return [p for p in self.problems if p.kept]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def kept(self) -> int:
        return self.kept_rows if self.ok else 0

    @property
    def respondents(self) -> list[Respondent]:
        """The kept respondents as answer dicts (small files; the store reads `frame` directly)."""
        if self.frame is None or not self.ok:
            return []
        names = [c for c in self.frame.columns if not c.startswith("_")]
        out = []
        for record in self.frame.iter_rows(named=True):
            answers = {n: record[n] for n in names if record[n] is not None}
            out.append(Respondent(record[ROW], record[EXTERNAL_ID], answers, json.loads(record[FLAGS])))
        return out

    def report(self, limit: int = 50) -> str:
        errors = self.errors
        lines = [f"{len(errors)} problem(s) in {self.path} ({sum(p.count for p in errors)} row(s) in all); "
                 "nothing was imported:"]
        lines += [f"  - {e}" for e in errors[:limit]]
        if len(errors) > limit:
            lines.append(f"  ... and {len(errors) - limit} more (--report FILE.csv lists every one)")
        return "\n".join(lines)

    def break_lines(self) -> list[str]:
        """Each disagreement with the instrument, by question and rule, and what the policy did with it."""
        outcome = "kept and flagged" if self.policy == AS_RECORDED else "refused"
        return [f"{question}: {RULE_WORDS[rule]}: {n} row(s), {outcome}"
                for (question, rule), n in sorted(self.breaks.items())]


def read_any(path: str | Path) -> tuple[RawTable, str]:
    table = read_table(path)
    layout = "surveymonkey" if surveymonkey.looks_like(table.head_rows(2)) else "xlsform"
    return table, layout


def _plan(columns: list[Column], resolve: Callable[[Column], Target | None], instrument: Instrument,
          header_row: int) -> tuple[list[tuple[Column, Target]], list[Problem]]:
    plan, problems = [], []
    for column in columns:
        if not column.header and not column.sub:
            continue
        target = resolve(column)
        if target is None:
            problems.append(Problem("column", "no question of the instrument matches this column; map it in a "
                                    "--mapping file (or map it to 'ignore'); `nmahp import suggest-mapping` "
                                    "proposes one", column.display, "", "", [header_row]))
            continue
        plan.append((column, target))
    return plan, problems


def _unused_entries(mapping: Mapping, columns: list[Column], header_row: int) -> list[Problem]:
    displays = [c.display for c in columns]
    out = []
    for entry in mapping.unused(columns):
        close = difflib.get_close_matches(entry, displays, n=1, cutoff=0.6)
        hint = f"; the closest column is '{close[0]}'" if close else ""
        out.append(Problem("mapping", f"{mapping.source}: the entry '{entry}' matches no column of the export{hint}",
                           "", "", "", [header_row]))
    return out


def _completion_marker(instrument: Instrument) -> str | None:
    """The last required question every consenting respondent sees: answered means they finished."""
    marker = None
    for q in instrument.questions.values():
        if q.required and q.holds_answer and q.relevant is None and q.name != "consent":
            if all(e.references == ("consent",) for e in q.group_relevant):
                marker = q.name
    return marker


def open_import(path: str | Path, instrument: Instrument, *, layout: str = "auto", mapping: Mapping | None = None,
                policy: str = STRICT, batch_bytes: int = 0) -> StreamedImport:
    """Read an export's header rows and plan its columns; the rows are read, mapped and checked a batch at
    a time as `StreamedImport.parts()` is iterated. Raises ReadError for unreadable files; a column that
    maps to nothing is a problem in `result.problems` (and `parts()` yields nothing)."""
    if policy not in POLICIES:
        raise ReadError(f"unknown policy '{policy}'; choose {' or '.join(POLICIES)}")
    mapping = mapping or Mapping()
    table, detected = read_any(path)
    layout = detected if layout == "auto" else layout
    heads = table.head_rows(2)
    if layout == "surveymonkey" and not surveymonkey.looks_like(heads):
        raise ReadError(f"{path}: does not have SurveyMonkey's two header rows (row 2 should hold 'Response', "
                        "'Open-Ended Response' or option labels)")
    result = ImportResult(str(path), layout, table.encoding, policy)
    labels = Labels(instrument)
    if layout == "surveymonkey":
        columns, start = surveymonkey.columns(heads)

        def resolve(column):
            return mapping.lookup(column, instrument) or auto_target(column, labels)
    else:
        columns, start = xlsform_csv.columns(heads)

        def resolve(column):
            return mapping.lookup(column, instrument) or xlsform_csv.auto_target(column, instrument)
    plan, result.problems = _plan(columns, resolve, instrument, header_row=start)
    result.problems += _unused_entries(mapping, columns, start)
    result.mapping = [(c.display, t.describe()) for c, t in plan]
    # Kobo exports a select_multiple both whole and as 0/1 columns: the whole column wins
    whole = {t.question for _, t in plan if t.kind == "value"}
    plan = [(c, t) for c, t in plan if not (t.kind == "tick" and t.question in whole and layout == "xlsform")]
    return StreamedImport(result, table, plan, start, labels, mapping, batch_bytes)


def import_file(path: str | Path, instrument: Instrument, *, layout: str = "auto",
                mapping: Mapping | None = None, policy: str = STRICT, batch_bytes: int = 0) -> ImportResult:
    """Read, map and check a whole export, its kept respondents gathered in `result.frame`. Raises ReadError
    for unreadable files; problems are collected in `problems`, and a result with errors (`ok` false) must
    not be stored. (Storing a large export goes part by part instead: see nmahp.web.surveys.store.)"""
    streamed = open_import(path, instrument, layout=layout, mapping=mapping, policy=policy, batch_bytes=batch_bytes)
    frames: list[pl.DataFrame] = []

    def take(part: Part) -> None:
        # a respondent a later submission replaces goes from what came before; the part brings the new one
        if part.superseded:
            gone = pl.lit(part.superseded, dtype=pl.List(pl.String))
            frames[:] = [f.filter(~pl.col(EXTERNAL_ID).is_in(gone)) for f in frames]
        if part.frame.width:
            frames.append(part.frame)

    for part in streamed.parts():
        take(part)
    take(streamed.finish())
    if streamed.result.problems and not streamed.narrow:
        return streamed.result  # columns that map to nothing: no rows were read
    frame = pl.concat(frames, how="diagonal_relaxed") if frames else None
    streamed.result.frame = frame.sort(ROW) if frame is not None else _empty_frame()
    return streamed.result


def _empty_frame() -> pl.DataFrame:
    return pl.DataFrame(schema={ROW: pl.Int64, FLAGS: pl.String, EXTERNAL_ID: pl.String})


@dataclass
class Part:
    """Checked respondents to store (_row, _external_id, the answers, _flags), and the external IDs of
    respondents an earlier part gave that a later submission of the same respondent replaces: delete
    those first."""
    frame: pl.DataFrame
    superseded: list[str] = field(default_factory=list)


class StreamedImport:
    """An export read a batch of rows at a time, so the whole file's text and answers are never held at
    once and storing can begin before the file is read to its end. Each part is mapped, left without the
    incomplete and declined submissions, deduplicated against every row before it, and checked. The
    duplicate rule reads the whole file, so a part's choice can be overturned by a later row: a
    respondent ID submitted again later replaces what was stored (`Part.superseded`), and `finish()`
    settles the rest exactly as the rule says over the whole file (rows to delete, held-back rows to add)
    and completes `result` (duplicates, problems and counts of the rows finally kept)."""

    def __init__(self, result: ImportResult, table: RawTable, plan, start: int, labels: Labels, mapping: Mapping,
                 batch_bytes: int = 0):
        self.result, self.table, self.plan, self.start = result, table, plan, start
        self.labels, self.mapping, self.batch_bytes = labels, mapping, batch_bytes
        self.instrument = labels.instrument
        self.narrow: list[pl.DataFrame] = []  # _row, _external_id, _end, _p1, _p2 of every completed row
        self.best: dict[str, tuple[str, int, tuple[int, int]]] = {}  # external ID -> (end, row, print) kept
        self.first_print: dict[tuple[int, int], int] = {}  # print -> row of the stored respondent it first was
        self.written: set[int] = set()  # rows handed out in parts and not superseded since
        self.held: list[pl.DataFrame] = []  # checked twin candidates, stored only if the whole-file rule keeps them
        self.checked_problems: dict[tuple, Problem] = {}
        self.read_problems: dict[tuple, Problem] = {}
        self.mapped: set[str] = set()
        self.column_of: dict[str, str] = {}
        self.flagged_rows: set[int] = set()

    def parts(self):
        if self.result.problems:  # columns that map to nothing: the rows are not read
            return
        result = self.result
        for batch in self.table.batches(self.batch_bytes):
            data = batch.filter(pl.col(LINE) > self.start).rename({LINE: ROW})
            if data.height == 0:
                continue
            built = build(data.lazy(), lambda query: query.collect(), self.plan, self.labels, self.mapping,
                          zero_one=result.layout == "xlsform", gate_pattern=SIMPLE_GATE)
            self.mapped, self.column_of = built.mapped, built.column_of
            _merge(self.read_problems, built.problems)
            result.rows_read += data.height
            if result.rows_read + self.start > limits.limit("import_rows"):
                raise ReadError(str(limits.too_big(result.path, result.rows_read + self.start, "import_rows",
                                                   "the number of rows")))
            frame = _completed(built.frame, built.mapped, self.instrument, result)
            del built
            for gate in [c for c in frame.columns if c.startswith("_inferred_")]:
                count = int(frame[gate].sum()) if frame.height else 0
                if count:
                    name = gate.removeprefix("_inferred_")
                    result.inferred[name] = result.inferred.get(name, 0) + count
            frame = frame.drop([c for c in frame.columns if c.startswith("_inferred_")])
            if frame.height == 0:
                continue
            part = self._part(frame)
            if part is not None:
                yield part

    def _part(self, frame: pl.DataFrame) -> Part | None:
        narrow = _narrow(frame)
        self.narrow.append(narrow)
        here: dict[int, str] = {}  # this batch's rows: write | hold
        superseded = []
        for row, external, end, p1, p2 in narrow.iter_rows():
            fingerprint = (p1, p2)
            before = self.best.get(external)
            if before is not None:
                if (end, row) <= before[:2]:
                    continue  # an earlier-dated submission of a respondent already kept: never kept
                _, old_row, old_print = before
                if here.pop(old_row, None) is None and old_row in self.written:
                    self.written.discard(old_row)
                    superseded.append(external)
                if self.first_print.get(old_print) == old_row:
                    del self.first_print[old_print]
            self.best[external] = (end, row, fingerprint)
            if fingerprint in self.first_print:
                here[row] = "hold"  # the same answers as a respondent kept before: a twin, unless that one goes
            else:
                self.first_print[fingerprint] = row
                here[row] = "write"
        unreadable = {r for p in self.read_problems.values() for r in p.rows}
        chosen = [row for row in here if row not in unreadable]
        frame = frame.with_columns(narrow[EXTERNAL_ID]).filter(pl.col(ROW).is_in(chosen))
        external = frame.select(ROW, EXTERNAL_ID)
        answers = frame.drop([c for c in frame.columns if c.startswith("_meta_") or c == EXTERNAL_ID])
        del frame
        checked = check(answers, self.instrument, mapped=self.mapped, column_of=self.column_of,
                        policy=self.result.policy)
        _merge(self.checked_problems, checked.problems)
        for name, count in checked.breaks.items():
            self.result.breaks[name] = self.result.breaks.get(name, 0) + count
        out = checked.frame.join(external, on=ROW, how="left", maintain_order="left")
        holding = [row for row, what in here.items() if what == "hold"]
        if holding:
            self.held.append(out.filter(pl.col(ROW).is_in(holding)))
            out = out.filter(~pl.col(ROW).is_in(holding))
        self.written.update(out[ROW].to_list())
        self.flagged_rows.update(out.filter(pl.col(FLAGS) != "[]")[ROW].to_list())
        if out.height == 0 and not superseded:
            return None
        return Part(out, superseded)

    def finish(self) -> Part:
        """The duplicate rule over the whole file, against what the parts handed out: the rows it removes
        that were handed out (delete them), and the held-back twins it keeps (store them). Completes
        `result`: duplicates listed, problems and counts of only the rows kept."""
        result = self.result
        if result.problems and not self.narrow:
            return Part(pl.DataFrame())
        result.problems = list(self.read_problems.values())
        narrow = pl.concat(self.narrow) if self.narrow else _narrow(pl.DataFrame({ROW: []}, schema={ROW: pl.Int64}))
        kept, result.duplicates = _duplicate_rule(narrow)
        unreadable = {r for p in result.problems for r in p.rows}
        keep = set(kept[ROW].to_list()) - unreadable
        drop = self.written - keep
        gone = narrow.filter(pl.col(ROW).is_in(list(drop)))[EXTERNAL_ID].to_list() if drop else []
        add = keep - self.written
        held = pl.concat(self.held, how="diagonal_relaxed") if self.held else None
        frame = held.filter(pl.col(ROW).is_in(list(add))) if held is not None and add else pl.DataFrame()
        missing = add - (set(frame[ROW].to_list()) if frame.width else set())
        if missing:
            raise AssertionError(f"rows {sorted(missing)[:5]} are kept by the duplicate rule but were not held")
        self.flagged_rows.update(frame.filter(pl.col(FLAGS) != "[]")[ROW].to_list() if frame.width else [])
        self.flagged_rows &= keep
        self.written = keep
        result.kept_rows = len(keep)
        # rule problems of rows that turned out to be duplicates are not the import's problems
        for problem in self.checked_problems.values():
            problem.rows = [r for r in problem.rows if r in keep]
        checked = [p for p in self.checked_problems.values() if p.rows]
        result.breaks = {}
        for p in checked:
            if p.rule in INSTRUMENT_RULES:
                result.breaks[(p.question, p.rule)] = result.breaks.get((p.question, p.rule), 0) + p.count
        result.problems += checked
        result.problems.sort(key=lambda p: (p.row, p.column, p.question, p.value))
        result.excluded.sort()
        return Part(frame, sorted(set(gone)))


def _merge(into: dict[tuple, Problem], problems: list[Problem]) -> None:
    """A problem found in several batches is one problem with all its rows."""
    for problem in problems:
        key = (problem.rule, problem.column, problem.question, problem.value, problem.message, problem.kept)
        same = into.get(key)
        if same is None:
            into[key] = problem
        else:
            same.rows.extend(problem.rows)


def _completed(frame: pl.DataFrame, mapped: set[str], instrument: Instrument, result: ImportResult) -> pl.DataFrame:
    """Only completed submissions: each one left out is listed with the reason."""
    reasons = []
    if "_meta_review_state" in frame.columns:
        state = pl.col("_meta_review_state").str.to_lowercase()
        reasons.append((state.is_in(["rejected", "validation_status_not_approved"]).fill_null(False),
                        pl.lit("rejected in review")))
    if "_meta_end_date" in frame.columns:
        reasons.append((pl.col("_meta_end_date").is_null(), pl.lit("incomplete: no end date")))
    if "consent" in mapped:
        consent = pl.col("consent")
        reasons.append(((consent != "yes").fill_null(True),
                        pl.when(consent.is_null()).then(pl.lit("incomplete: no consent"))
                        .otherwise(pl.lit("did not consent"))))
    marker = _completion_marker(instrument)
    if marker and marker in mapped:
        reasons.append((pl.col(marker).is_null(), pl.lit(f"incomplete: stopped before '{marker}'")))
    if not reasons:
        return frame
    reason = pl.coalesce([pl.when(test).then(why) for test, why in reasons])
    # worked out beside the row numbers only, then the wide frame filtered once (a million rows: no copies)
    marked = frame.select(ROW, reason.alias("_excluded"))
    left_out = marked.filter(pl.col("_excluded").is_not_null())
    result.excluded = [(row, why) for row, why in left_out.iter_rows()]
    return frame.filter(marked["_excluded"].is_null()) if left_out.height else frame


def _narrow(frame: pl.DataFrame) -> pl.DataFrame:
    """Row, external ID, end date and a 128-bit print of every answer: all the duplicate rule reads. The
    print is two 64-bit hashes, each column hashed with its own seeds and the hashes xor-ed (no row-wise
    copy of the answers is made); two rows with the same print are taken to have the same answers (a
    chance collision among a million rows is about 1 in 10^26)."""
    answers = [c for c in frame.columns if not c.startswith("_")]
    ids = pl.col("_meta_respondent_id") if "_meta_respondent_id" in frame.columns else pl.lit(None, pl.String)
    end = pl.col("_meta_end_date") if "_meta_end_date" in frame.columns else pl.lit("")

    def fingerprint(offset: int) -> pl.Expr:
        if not answers:
            return pl.lit(0, pl.UInt64)
        return functools.reduce(lambda a, b: a.xor(b), [pl.col(c).hash(seed=offset + i) for i, c in enumerate(answers)])

    narrow = frame.select(ROW, ids.alias(EXTERNAL_ID), end.fill_null("").alias("_end"), fingerprint(0).alias("_p1"),
                          fingerprint(7919).alias("_p2"))
    missing = narrow[EXTERNAL_ID].is_null()
    if missing.any():  # no respondent ID: the answers themselves are the identity (a digest, as before)
        digests = iter([f"answers:{_digest(record, answers)}"
                        for record in frame.filter(missing).select(answers).iter_rows(named=True)])
        given = narrow[EXTERNAL_ID].to_list()
        narrow = narrow.with_columns(pl.Series(EXTERNAL_ID, [v if v is not None else next(digests) for v in given],
                                               dtype=pl.String))
    return narrow


def _duplicate_rule(narrow: pl.DataFrame) -> tuple[pl.DataFrame, list[tuple[int, str]]]:
    """The rows the duplicate rule keeps (_row, _external_id) and each row it removes, with why, over
    the whole file: a respondent ID seen twice keeps its latest submission (text dates in export order
    sort as written; the later row when dates are equal), and of rows with identical answers the first
    kept one stays."""
    latest = narrow.sort(["_end", ROW]).group_by(EXTERNAL_ID, maintain_order=True).agg(
        pl.col(ROW).last().alias("_keep"))
    narrow = narrow.join(latest, on=EXTERNAL_ID, how="left", maintain_order="left")
    again = narrow.filter(pl.col(ROW) != pl.col("_keep"))
    duplicates = [(row, f"respondent ID {external} again in row {keep}")
                  for row, external, keep in again.select(ROW, EXTERNAL_ID, "_keep").iter_rows()]
    kept = narrow.filter(pl.col(ROW) == pl.col("_keep"))
    first = kept.group_by("_p1", "_p2", maintain_order=True).agg(pl.col(ROW).min().alias("_first"))
    kept = kept.join(first, on=["_p1", "_p2"], how="left", maintain_order="left")
    twins = kept.filter(pl.col(ROW) != pl.col("_first"))
    duplicates += [(row, f"identical answers to row {first_row}")
                   for row, first_row in twins.select(ROW, "_first").iter_rows()]
    duplicates.sort()
    return kept.filter(pl.col(ROW) == pl.col("_first")).select(ROW, EXTERNAL_ID), duplicates


def _digest(record: dict, names: list[str]) -> str:
    answers = {n: record[n] for n in names if record[n] is not None}
    return hashlib.sha256(json.dumps(answers, sort_keys=True).encode()).hexdigest()[:24]


__all__ = ["AS_RECORDED", "DUPLICATE_RULE", "POLICIES", "STRICT", "ImportResult", "Problem", "Respondent",
           "RowError", "import_file", "norm", "read_any"]
