"""The instrument's rules run over whole columns: relevance, calculations, required answers, types and
constraints, in form order, as `instruments.validate` runs them for one respondent.

Each XLSForm expression is compiled once. The simple shapes the workbooks use for open text and
multi-selects (`string-length(.) <= N`, `regex(., 'pattern')`, `count-selected(.) <= N`) become polars
expressions; any other expression (and a choice_filter) is evaluated once per distinct combination of
the values it reads, and every row takes its result by a join. Nothing is dropped silently: an answer the
skip logic would not ask for, a broken constraint, an option the choice_filter does not offer and a
required answer that is missing are each counted by question and rule, and either refuse the import
(strict) or are kept and flagged on the response (as-recorded)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import polars as pl

from ..instruments import Instrument
from ..instruments.expressions import Expression, ExpressionError
from ..instruments.model import SELECT_MULTIPLE, SELECT_ONE, Question
from ..instruments.validation import MAX_TEXT
from .answers import ROW
from .problems import CHOICE_FILTER, CONSTRAINT, REQUIRED, SKIP_LOGIC, Problem

STRICT, AS_RECORDED = "strict", "as-recorded"
POLICIES = (STRICT, AS_RECORDED)
FLAGS = "_flags"

_LENGTH = re.compile(r"^\s*string-length\(\s*\.\s*\)\s*<=\s*(\d+)\s*$")
_REGEX = re.compile(r"^\s*regex\(\s*\.\s*,\s*'([^']*)'\s*\)\s*$")
_COUNT = re.compile(r"^\s*count-selected\(\s*\.\s*\)\s*<=\s*(\d+)\s*$")


@dataclass
class Checked:
    frame: pl.DataFrame  # _row, the answers to store (as the policy keeps them), _flags (JSON list)
    problems: list[Problem] = field(default_factory=list)
    breaks: dict[tuple[str, str], int] = field(default_factory=dict)  # (question, rule) -> rows


def _compiled(expression: Expression) -> pl.Expr | None:
    """A polars expression over the current answer (column `_dot`) for the shapes that have one."""
    source = expression.source
    if match := _LENGTH.match(source):
        return pl.col("_dot").str.len_chars() <= int(match.group(1))
    if match := _REGEX.match(source):
        try:
            pl.Series([""]).str.contains(match.group(1))
        except pl.exceptions.PolarsError:
            return None  # a pattern Rust's regex does not read: evaluated by elementpath instead
        return pl.col("_dot").str.contains(match.group(1))
    if match := _COUNT.match(source):
        return (pl.col("_dot").str.count_matches(" ", literal=True) + 1) <= int(match.group(1))
    return None


def evaluate(expression: Expression, columns: dict[str, pl.Series], height: int, *, current: pl.Series | None = None,
             text: bool = False) -> pl.Series:
    """The expression for every row: a boolean (or, with `text`, the calculation's text)."""
    data = {f"r{i}": _column(columns, name, height) for i, name in enumerate(expression.references)}
    if expression.uses_dot:
        data["_dot"] = current.fill_null("") if current is not None else _repeat("", height, pl.String)
    if not data:
        value = expression.as_text({}) if text else expression.is_true({})
        return pl.Series("v", [value] * height, dtype=pl.String if text else pl.Boolean)
    frame = pl.DataFrame(data)
    keys = frame.columns
    distinct = frame.unique(maintain_order=True)
    results = []
    for values in distinct.iter_rows():
        answers = dict(zip(expression.references, values, strict=False))
        dot = values[-1] if expression.uses_dot else None
        results.append(expression.as_text(answers) if text else expression.is_true(answers, dot))
    distinct = distinct.with_columns(pl.Series("v", results, dtype=pl.String if text else pl.Boolean))
    return frame.join(distinct, on=keys, how="left", maintain_order="left", nulls_equal=True)["v"]


def _column(columns: dict[str, pl.Series], name: str, height: int) -> pl.Series:
    found = columns.get(name)
    return found.fill_null("") if found is not None else _repeat("", height, pl.String)


def _repeat(value, height: int, dtype) -> pl.Series:
    # built by polars, not from a Python list of `height` items: a check runs this for every question
    return pl.repeat(value, height, dtype=dtype, eager=True)


class _Run:
    def __init__(self, frame: pl.DataFrame, instrument: Instrument, mapped: set[str], column_of: dict[str, str],
                 policy: str):
        # each question's column is let go of once it is checked (a million rows: one copy at a time)
        self.columns = dict(zip(frame.columns, frame.get_columns(), strict=True))
        self.instrument, self.mapped = instrument, mapped
        self.column_of, self.policy = column_of, policy
        self.height = frame.height
        self.rows = frame[ROW]
        self.clean: dict[str, pl.Series] = {}
        self.stored: dict[str, pl.Series] = {}
        self.flags: list[pl.Series] = []
        self.problems: list[Problem] = []
        self.breaks: dict[tuple[str, str], int] = {}
        self.relevance_cache: dict[int, pl.Series] = {}
        self.unreadable = _repeat(False, self.height, pl.Boolean)
        self.universal = instrument.gates_every_page()

    def raw(self, name: str) -> pl.Series:
        found = self.columns.pop(name, None)
        return found if found is not None else pl.Series(name, [None] * self.height, dtype=pl.String)

    def relevant(self, q: Question) -> pl.Series:
        mask = _repeat(True, self.height, pl.Boolean)
        for expression in (*q.group_relevant, q.relevant):
            if expression is None:
                continue
            key = id(expression)
            if key not in self.relevance_cache:
                result = evaluate(expression, self.clean, self.height)
                if all(r in self.clean for r in expression.references):
                    self.relevance_cache[key] = result  # every value it reads is final: reuse it
            else:
                result = self.relevance_cache[key]
            mask = mask & result
        return mask

    def record(self, q: Question, rule: str, mask: pl.Series, message: str, *, column: str | None = None,
               value: pl.Series | None = None):
        mask = mask & ~self.unreadable  # a row with an unreadable answer is refused for that already
        count = int(mask.sum())
        if not count:
            return
        self.breaks[(q.name, rule)] = self.breaks.get((q.name, rule), 0) + count
        kept = self.policy == AS_RECORDED
        if kept:
            self.flags.append(pl.select(pl.when(pl.lit(mask)).then(
                pl.lit(f'{{"question":"{q.name}","rule":"{rule}"}}')).alias("f"))["f"])
        column = self.column_of.get(q.name, "") if column is None else column
        if value is None:
            self.problems.append(Problem(rule, message, column, q.name, "", self.rows.filter(mask).to_list(), kept))
            return
        grouped = pl.DataFrame({"v": value, ROW: self.rows}).filter(mask).group_by("v", maintain_order=True).agg(ROW)
        for text, rows in grouped.iter_rows():
            self.problems.append(Problem(rule, message, column, q.name, text or "", rows, kept))

    def why_needed(self, q: Question, mask: pl.Series) -> list[tuple[str, pl.Series]]:
        """'because contact_consent is 'yes'': the answers its relevance reads, one message per combination."""
        # the innermost condition says why; the outer ones (consent, usually) hold for every row checked
        conditions = [e for e in (*q.group_relevant, q.relevant) if e is not None and e.references]
        references = list(dict.fromkeys(r for r in (conditions[-1].references if conditions else ()) if r != q.name))
        # a condition every page shares (consent) holds for every row checked, and says nothing
        references = [r for r in references if r not in self.universal]
        if not references:
            return [("", mask)]
        frame = pl.DataFrame({r: _column(self.clean, r, self.height) for r in references}).with_columns(
            pl.Series("_m", mask))
        out = []
        for combo in frame.filter(pl.col("_m")).select(references).unique(maintain_order=True).iter_rows():
            because = " and ".join(f"{r} is '{v}'" if v else f"{r} is empty" for r, v in zip(references, combo,
                                                                                             strict=True))
            same = pl.all_horizontal([pl.col(r) == v for r, v in zip(references, combo, strict=True)])
            which = frame.select((pl.col("_m") & same).alias("w"))["w"]
            out.append((f"{q.name} is needed because {because}", which))
        return out

    def question(self, q: Question):
        relevant = self.relevant(q)
        if q.type == "calculate":
            if q.calculation is not None:
                try:
                    value = evaluate(q.calculation, self.clean, self.height, text=True)
                except ExpressionError as exc:
                    self.problems.append(Problem("calculation", f"calculation failed: {exc}", "", q.name, "",
                                                 self.rows.filter(relevant).to_list()))
                    return
                value = pl.select(pl.when(pl.lit(relevant) & (pl.lit(value).str.len_bytes() > 0))
                                  .then(pl.lit(value)).alias("v"))["v"]
                self.clean[q.name] = self.stored[q.name] = value
            return
        raw = self.raw(q.name)
        skipped = raw.is_not_null() & ~relevant
        source = q.relevant.source if q.relevant is not None else " and ".join(e.source for e in q.group_relevant)
        self.record(q, SKIP_LOGIC, skipped, f"answered although the skip logic does not ask it ({source})",
                    value=raw if q.is_select else None)
        value = raw if relevant.all() else raw.zip_with(relevant, _repeat(None, self.height, pl.String))
        if q.required:
            self.required(q, relevant & value.is_null())
        value = self.types(q, value)
        if q.choice_filter is not None and q.is_select:
            offered = self.offered(q)
            ok = (pl.DataFrame({"v": value, "o": offered}).select(
                pl.col("o").list.contains(pl.col("v")) if q.type == SELECT_ONE else
                pl.col("v").str.split(" ").list.set_difference(pl.col("o")).list.len().eq(0))).to_series()
            self.record(q, CHOICE_FILTER, value.is_not_null() & ~ok.fill_null(False),
                        f"not among the options the choice filter leaves ({q.choice_filter.source})", value=value)
        if q.constraint is not None:
            passed = self.constraint_passes(q, value)
            broken = value.is_not_null() & ~passed
            message = q.constraint_message or f"this answer breaks the constraint {q.constraint.source}"
            self.record(q, CONSTRAINT, broken, message, value=value)
        self.clean[q.name] = value
        keep_skipped = self.policy == AS_RECORDED
        self.stored[q.name] = value.zip_with(~skipped, raw) if keep_skipped and skipped.any() else value

    def offered(self, q: Question) -> pl.Series:
        """The option names the choice_filter leaves each row: worked out once per distinct combination of
        the answers it reads, as `Question.available_names` does for one respondent."""
        references = list(dict.fromkeys(q.choice_filter.references))
        if not references:
            return pl.Series("o", [list(q.available_names({}))] * self.height, dtype=pl.List(pl.String))
        frame = pl.DataFrame({f"r{i}": _column(self.clean, r, self.height) for i, r in enumerate(references)})
        distinct = frame.unique(maintain_order=True)
        names = [list(q.available_names(dict(zip(references, values, strict=True)))) for values in distinct.iter_rows()]
        distinct = distinct.with_columns(pl.Series("o", names, dtype=pl.List(pl.String)))
        return frame.join(distinct, on=frame.columns, how="left", maintain_order="left", nulls_equal=True)["o"]

    def required(self, q: Question, missing: pl.Series):
        if not missing.any():
            return
        absent = q.name not in self.mapped
        for why, rows in self.why_needed(q, missing):
            if absent:
                message = f"the file has no column for {q.name}" + (f"; {why}" if why else " (a required question)")
                self.record(q, REQUIRED, rows, message, column="")
            else:
                message = f"left {q.name} empty" + (f"; {why}" if why else " (a required question)")
                self.record(q, REQUIRED, rows, message)

    def types(self, q: Question, value: pl.Series) -> pl.Series:
        v = pl.col("v")
        checks: list[tuple[pl.Expr, str]] = [(v.str.len_chars() > MAX_TEXT, f"the answer is longer than {MAX_TEXT:,} "
                                                                                "characters"),
                                               (v.str.contains("\x00", literal=True), "the answer contains a null "
                                                                                        "character")]
        if q.type == SELECT_ONE:
            checks.append((~v.is_in(list(q.choice_names())), "'{}' is not one of the options for this question"))
        elif q.type == SELECT_MULTIPLE:
            names = pl.lit(list(q.choice_names()), dtype=pl.List(pl.String))
            checks.append((~v.str.split(" ").list.set_difference(names).list.len().eq(0),
                           "'{}' holds something that is not one of the options for this question"))
        elif q.type == "integer":
            checks.append((v.str.strip_chars().cast(pl.Int64, strict=False).is_null(), "'{}' is not a whole number"))
        elif q.type == "decimal":
            checks.append((v.str.strip_chars().cast(pl.Float64, strict=False).is_null(), "'{}' is not a number"))
        elif q.type == "date":
            checks.append((v.str.to_date("%Y-%m-%d", strict=False).is_null(), "'{}' is not a date like 2023-02-28"))
        # the tests run over the column's distinct answers (a choice question has a handful), in one pass;
        # the rows are found only for an answer that fails
        distinct = pl.DataFrame({"v": value.drop_nulls().unique()})
        failed = distinct.select([pl.col("v").filter(test.fill_null(False)).implode().alias(f"m{i}")
                                  for i, (test, _) in enumerate(checks)])
        if not any(failed[f"m{i}"][0].len() for i in range(len(checks))):
            return value
        bad = _repeat(False, self.height, pl.Boolean)
        for i, (_, message) in enumerate(checks):
            answers = failed[f"m{i}"][0]
            if not answers.len():
                continue
            mask = value.is_in(answers.implode()).fill_null(False)
            grouped = pl.DataFrame({"v": value, ROW: self.rows}).filter(mask).group_by("v", maintain_order=True)
            for text, rows in grouped.agg(ROW).iter_rows():
                shown = (text or "")[:40]
                self.problems.append(Problem("type", message.replace("{}", shown), self.column_of.get(q.name, ""),
                                             q.name, (text or "")[:80], rows))
            bad = bad | mask
        self.unreadable = self.unreadable | bad
        return value.zip_with(~bad, _repeat(None, self.height, pl.String))

    def constraint_passes(self, q: Question, value: pl.Series) -> pl.Series:
        expression = q.constraint
        fast = _compiled(expression)
        if fast is not None and not expression.references:
            return pl.DataFrame({"_dot": value}).select(fast.fill_null(True).alias("p"))["p"]
        try:
            return evaluate(expression, self.clean, self.height, current=value) | value.is_null()
        except ExpressionError:
            return value.is_null()  # a constraint that cannot be evaluated lets no answer through

    def run(self) -> Checked:
        for q in self.instrument.questions.values():
            if q.type != "note":
                self.question(q)
        columns = {ROW: self.rows}
        columns |= {name: series for name, series in self.stored.items() if series.null_count() < self.height}
        frame = pl.DataFrame(columns)
        if self.flags:
            flags = pl.DataFrame({f"f{i}": f for i, f in enumerate(self.flags)}).select(
                pl.concat_str(pl.all(), separator=",", ignore_nulls=True).alias(FLAGS))[FLAGS]
            frame = frame.with_columns(("[" + flags + "]").alias(FLAGS))
        else:
            frame = frame.with_columns(pl.lit("[]").alias(FLAGS))
        return Checked(frame, self.problems, self.breaks)


def check(frame: pl.DataFrame, instrument: Instrument, *, mapped: set[str], column_of: dict[str, str],
          policy: str = STRICT) -> Checked:
    if policy not in POLICIES:
        raise ValueError(f"policy must be one of {', '.join(POLICIES)}")
    run = _Run(frame, instrument, mapped, column_of, policy)
    del frame  # the run holds the columns now, and lets each go once checked
    return run.run()


__all__ = ["AS_RECORDED", "POLICIES", "STRICT", "Checked", "check", "evaluate", "SELECT_MULTIPLE"]
