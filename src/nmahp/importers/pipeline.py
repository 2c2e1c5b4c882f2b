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
from .answers import ROW, build_batches
from .checks import AS_RECORDED, FLAGS, POLICIES, STRICT, check
from .labels import norm
from .mapping import Column, Labels, Mapping, Target, auto_target
from .problems import RULE_WORDS, Problem
from .reading import RawTable, ReadError, read_table

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
        return 0 if self.frame is None or not self.ok else self.frame.height

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


def import_file(path: str | Path, instrument: Instrument, *, layout: str = "auto",
                mapping: Mapping | None = None, policy: str = STRICT) -> ImportResult:
    """Read, map and check an export. Raises ReadError for unreadable files; problems are collected in
    `problems`, and a result with errors (`ok` false) must not be stored."""
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
    if result.problems:
        return result
    # Kobo exports a select_multiple both whole and as 0/1 columns: the whole column wins
    whole = {t.question for _, t in plan if t.kind == "value"}
    plan = [(c, t) for c, t in plan if not (t.kind == "tick" and t.question in whole and layout == "xlsform")]
    built = build_batches(table.batches(), start, plan, labels, mapping, zero_one=layout == "xlsform",
                          gate_pattern=SIMPLE_GATE)
    result.rows_read = built.frame.height
    if result.rows_read + start > limits.limit("import_rows"):
        raise ReadError(str(limits.too_big(str(path), result.rows_read + start, "import_rows", "the number of rows")))
    result.problems += built.problems
    frame = _completed(built.frame, built.mapped, instrument, result)
    for gate, expr in built.inferred.items():
        count = int(frame.select(expr.sum())[0, 0]) if frame.height else 0
        if count:
            result.inferred[gate] = count
    frame = frame.drop([c for c in frame.columns if c.startswith("_inferred_")])
    frame = _deduplicate(frame, result)
    unreadable = {r for p in built.problems for r in p.rows}  # already reported; checking them would repeat it
    if unreadable:
        frame = frame.filter(~pl.col(ROW).is_in(list(unreadable)))
    external = frame[EXTERNAL_ID]
    # handed over in a list the callee empties, so the checks hold the only reference to the answers and
    # can let go of each question's column as they pass it
    handed = [frame.drop([c for c in frame.columns if c.startswith("_meta_") or c == EXTERNAL_ID])]
    del frame, built.frame
    checked = check(handed.pop(), instrument, mapped=built.mapped, column_of=built.column_of, policy=policy)
    result.problems += checked.problems
    result.breaks = checked.breaks
    result.problems.sort(key=lambda p: (p.row, p.column, p.question, p.value))
    result.frame = checked.frame.with_columns(external)  # the checks keep the rows and their order
    return result


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


def _deduplicate(frame: pl.DataFrame, result: ImportResult) -> pl.DataFrame:
    """Adds _external_id; leaves out, and lists, a respondent ID's earlier submissions and identical twins.
    Worked out on a narrow frame (row, ID, end date, a hash of the answers); the wide one is filtered once."""
    answers = [c for c in frame.columns if not c.startswith("_")]
    ids = pl.col("_meta_respondent_id") if "_meta_respondent_id" in frame.columns else pl.lit(None, pl.String)
    end = pl.col("_meta_end_date") if "_meta_end_date" in frame.columns else pl.lit("")
    # a 64-bit hash of every answer finds the candidate twins; each is then compared answer by answer below
    # (each column hashed with its own seed and the hashes xor-ed: no row-wise copy of the answers is made)
    fingerprint = functools.reduce(lambda a, b: a.xor(b), [pl.col(c).hash(seed=i) for i, c in enumerate(answers)]) \
        if answers else pl.lit(0, pl.UInt64)
    narrow = frame.select(ROW, ids.alias(EXTERNAL_ID), end.fill_null("").alias("_end"), fingerprint.alias("_print"))
    missing = narrow[EXTERNAL_ID].is_null()
    if missing.any():  # no respondent ID: the answers themselves are the identity (a digest, as before)
        digests = iter([f"answers:{_digest(record, answers)}"
                        for record in frame.filter(missing).select(answers).iter_rows(named=True)])
        given = narrow[EXTERNAL_ID].to_list()
        narrow = narrow.with_columns(pl.Series(EXTERNAL_ID, [v if v is not None else next(digests) for v in given],
                                               dtype=pl.String))
    # a respondent ID seen twice keeps its latest submission (text dates in export order sort as written)
    latest = narrow.sort(["_end", ROW]).group_by(EXTERNAL_ID, maintain_order=True).agg(
        pl.col(ROW).last().alias("_keep"))
    narrow = narrow.join(latest, on=EXTERNAL_ID, how="left", maintain_order="left")
    again = narrow.filter(pl.col(ROW) != pl.col("_keep"))
    result.duplicates = [(row, f"respondent ID {external} again in row {keep}")
                         for row, external, keep in again.select(ROW, EXTERNAL_ID, "_keep").iter_rows()]
    narrow = narrow.with_columns((pl.col(ROW) == pl.col("_keep")).alias("_kept"))
    first = narrow.filter("_kept").group_by("_print", maintain_order=True).agg(pl.col(ROW).first().alias("_first"))
    narrow = narrow.join(first, on="_print", how="left", maintain_order="left")
    twins = narrow.filter(pl.col("_kept") & (pl.col(ROW) != pl.col("_first"))).select(ROW, "_first")
    if twins.height:
        wanted = pl.concat([twins[ROW], twins["_first"]]).unique().implode()
        rows = frame.filter(pl.col(ROW).is_in(wanted)).select(ROW, *answers)
        pairs = twins.join(rows, on=ROW).join(rows.rename({a: f"{a}\x1f" for a in answers} | {ROW: "_first"}),
                                                on="_first")
        same = pairs.filter(pl.all_horizontal([pl.col(a).eq_missing(pl.col(f"{a}\x1f")) for a in answers]
                                              or [pl.lit(True)]))
        result.duplicates += [(row, f"identical answers to row {first_row}")
                              for row, first_row in same.select(ROW, "_first").iter_rows()]
        narrow = narrow.with_columns(pl.col("_kept") & ~pl.col(ROW).is_in(same[ROW].implode()))
    result.duplicates.sort()
    keep = narrow["_kept"]
    out = frame.filter(keep) if not keep.all() else frame
    return out.with_columns(narrow.filter(keep)[EXTERNAL_ID])


def _digest(record: dict, names: list[str]) -> str:
    answers = {n: record[n] for n in names if record[n] is not None}
    return hashlib.sha256(json.dumps(answers, sort_keys=True).encode()).hexdigest()[:24]


__all__ = ["AS_RECORDED", "DUPLICATE_RULE", "POLICIES", "STRICT", "ImportResult", "Problem", "Respondent",
           "RowError", "import_file", "norm", "read_any"]
