"""An export's columns turned into one answer column per question, over the whole file at once: each
distinct cell text is matched to the instrument once, then every row takes its answer by lookup."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from ..instruments.model import SELECT_MULTIPLE, SELECT_ONE, Question
from .labels import norm
from .mapping import Column, Labels, Mapping, Target, to_choice_names
from .problems import Problem
from .reading import LINE

ROW = "_row"


@dataclass
class Built:
    frame: pl.DataFrame  # _row, _meta_* and one text column per question the export (or a constant) answers
    mapped: set[str]  # questions the export or the mapping's constants feed
    column_of: dict[str, str]  # question -> the first column feeding it, for messages
    problems: list[Problem] = field(default_factory=list)
    inferred: dict[str, pl.Expr] = field(default_factory=dict)  # gate -> rows whose gate was filled in


def _expected_options(question: Question) -> str:
    labels = [c.label for c in question.choices]
    shown = ", ".join(labels[:12]) + (", ..." if len(labels) > 12 else "")
    return f"expected one of: {shown}"


def _blank_to_null(expr: pl.Expr) -> pl.Expr:
    return pl.when(expr.str.len_bytes() > 0).then(expr)


def rows_by_value(data: pl.LazyFrame, collect, name: str, values: list[str]) -> dict[str, list[int]]:
    found = collect(data.filter(pl.col(name).is_in(values)).group_by(name, maintain_order=True).agg(pl.col(ROW)))
    return dict(zip(found[name].to_list(), found[ROW].to_list(), strict=True))


class _Builder:
    def __init__(self, data: pl.LazyFrame, collect, labels: Labels, mapping: Mapping, zero_one: bool):
        self.data, self.collect, self.labels, self.mapping, self.zero_one = data, collect, labels, mapping, zero_one
        self.uniques: dict[str, list[str]] = {}
        self.instrument = labels.instrument
        self.picked: dict[str, dict[str, pl.Expr]] = {}
        self.single: dict[str, list[pl.Expr]] = {}
        self.single_other: dict[str, list[pl.Expr]] = {}
        self.text: dict[str, list[pl.Expr]] = {}
        self.joined: set[str] = set()
        self.meta: dict[str, pl.Expr] = {}
        self.problems: list[Problem] = []
        self.column_of: dict[str, str] = {}
        self._blank: dict[str, list[str]] = {}

    def pick(self, question: str, choice: str, condition: pl.Expr):
        choices = self.picked.setdefault(question, {})
        choices[choice] = choices[choice] | condition if choice in choices else condition

    def blanks(self, name: str) -> list[str]:
        """Cells that hold only spaces: empty, as a person reads them."""
        if name not in self._blank:
            self._blank[name] = [v for v in self.uniques[name] if not v.strip()]
        return self._blank[name]

    def cell(self, name: str) -> pl.Expr:
        """A column's text stripped, null when empty (the reader leaves cells as the file has them)."""
        stripped = pl.col(name).str.strip_chars()
        return pl.when(stripped.str.len_bytes() > 0).then(stripped)

    def add(self, column: Column, target: Target):
        name = f"c{column.index}"
        col = self.cell(name)
        if target.kind == "meta":
            if target.meta != "personal":
                self.meta.setdefault(f"_meta_{target.meta}", col)
            return
        if target.kind == "ignore":
            return
        q = self.instrument.questions[target.question]
        self.column_of.setdefault(q.name, column.display)
        if target.kind == "tick":
            ticked = pl.col(name).is_not_null()
            if self.blanks(name):
                ticked = ticked & ~pl.col(name).is_in(self.blanks(name))
            if self.zero_one:
                ticked = ticked & ~col.str.to_lowercase().is_in(["0", "false"]).fill_null(False)
            self.pick(q.name, target.choice, ticked)
        elif target.kind == "other_text":
            self.column_of.setdefault(f"{q.name}_other", column.display)
            # a cell holding just the option's label says 'other' and gives no text
            bare = [norm(c.label) for c in q.choices if c.name == "other"] + ["other"]
            said = col.str.to_lowercase().str.strip_chars_end(" ?:.*").is_in(bare)
            self.text.setdefault(f"{q.name}_other", []).append(pl.when(~said).then(col))
            if q.type == SELECT_MULTIPLE:
                self.pick(q.name, "other", col.is_not_null())
            else:
                self.single_other.setdefault(q.name, []).append(col.is_not_null())
        elif target.kind == "join":
            self.joined.add(q.name)
            self.text.setdefault(q.name, []).append(col)
        elif q.type in (SELECT_ONE, SELECT_MULTIPLE):
            self.add_labels(column, name, q)
        else:
            self.text.setdefault(q.name, []).append(col)

    def add_labels(self, column: Column, name: str, q: Question):
        cells = [c for c in self.uniques[name] if c.strip()]
        found = {cell: to_choice_names(q, cell, self.labels, self.mapping) for cell in cells}
        unknown = [cell for cell, names in found.items() if names is None]
        if unknown:
            hint = ""
            if q.name in self.mapping.values:
                hint = f" (nor one of the labels {self.mapping.source} gives for {q.name})"
            for cell, rows in rows_by_value(self.data, self.collect, name, unknown).items():
                self.problems.append(Problem("value", _expected_options(q) + hint, column.display, q.name, cell,
                                             sorted(rows)))
        known = {cell: " ".join(names) for cell, names in found.items() if names}
        mapped = pl.col(name).replace_strict(known, default=None, return_dtype=pl.String)
        if q.type == SELECT_ONE:
            self.single.setdefault(q.name, []).append(mapped)
            return
        present = {n for names in known.values() for n in names.split()}
        padded = pl.lit(" ") + mapped + pl.lit(" ")
        for choice in q.choice_names():
            if choice in present:
                self.pick(q.name, choice, padded.str.contains(f" {choice} ", literal=True).fill_null(False))

    def answer(self, q: Question) -> pl.Expr | None:
        constant = self.mapping.constants.get(q.name)
        expr = None
        if q.type == SELECT_MULTIPLE and q.name in self.picked:
            choices = self.picked[q.name]
            parts = [pl.when(choices[c]).then(pl.lit(c)) for c in q.choice_names() if c in choices]
            expr = _blank_to_null(pl.concat_str(parts, separator=" ", ignore_nulls=True))
        elif q.type == SELECT_ONE and (q.name in self.single or q.name in self.single_other):
            expr = pl.coalesce(self.single.get(q.name, [pl.lit(None, pl.String)]))
            if q.name in self.single_other:
                expr = pl.when(expr.is_null() & pl.any_horizontal(self.single_other[q.name])) \
                    .then(pl.lit("other")).otherwise(expr)
        elif q.name in self.text:
            columns = self.text[q.name]
            if q.name in self.joined:
                expr = _blank_to_null(pl.concat_str(columns, separator="\n", ignore_nulls=True))
            else:
                expr = pl.coalesce(columns)
        if constant is not None:
            expr = pl.lit(constant) if expr is None else pl.coalesce([expr, pl.lit(constant)])
        return expr


def build(data: pl.LazyFrame, collect, plan: list[tuple[Column, Target]], labels: Labels, mapping: Mapping, *,
          zero_one: bool, gate_pattern) -> Built:
    """`data` holds the export's rows (columns c0.., and _row), lazily; `plan` says what each column feeds.
    The file is read twice, a batch at a time: once for the distinct texts of the columns whose labels are
    matched, once for the answers."""
    builder = _Builder(data, collect, labels, mapping, zero_one)
    instrument = labels.instrument
    wanted = [f"c{c.index}" for c, t in plan
              if t.kind == "tick" or (t.kind == "value" and instrument.questions[t.question].is_select)]
    wanted = list(dict.fromkeys(wanted))
    if wanted:
        found = collect(data.select([pl.col(n).drop_nulls().unique().implode() for n in wanted]))
        builder.uniques = {n: found[n][0].to_list() for n in wanted}
    for column, target in plan:
        builder.add(column, target)
    answers = {}
    for q in instrument.questions.values():
        if q.holds_answer:
            expr = builder.answer(q)
            if expr is not None:
                answers[q.name] = expr
    mapped = set(answers)
    inferred = _infer_gates(instrument, builder, answers, mapped, gate_pattern)
    exprs = [pl.col(ROW)] + [e.alias(k) for k, e in builder.meta.items()]
    exprs += [e.cast(pl.String).alias(k) for k, e in answers.items()]
    exprs += [e.alias(f"_inferred_{gate}") for gate, e in inferred.items()]
    frame = collect(data.select(exprs))
    return Built(frame, mapped, builder.column_of, builder.problems,
                 {gate: pl.col(f"_inferred_{gate}") for gate in inferred})


def build_batches(batches, start: int, plan: list[tuple[Column, Target]], labels: Labels, mapping: Mapping, *,
                  zero_one: bool, gate_pattern) -> Built:
    """`build` over the export a batch at a time (see RawTable.batches): the raw text of only one batch is
    in memory at once; the answers of all of them are put together, and a problem found in several
    batches is one problem with all its rows."""
    built: Built | None = None
    frames = []
    for batch in batches:
        data = batch.filter(pl.col(LINE) > start).rename({LINE: ROW})
        if data.height == 0 and built is not None:
            continue
        part = build(data.lazy(), lambda query: query.collect(), plan, labels, mapping, zero_one=zero_one,
                     gate_pattern=gate_pattern)
        frames.append(part.frame)
        if built is None:
            built = part
            continue
        known = {(p.rule, p.column, p.question, p.value, p.message): p for p in built.problems}
        for problem in part.problems:
            same = known.get((problem.rule, problem.column, problem.question, problem.value, problem.message))
            if same is None:
                built.problems.append(problem)
            else:
                same.rows.extend(problem.rows)
    built.frame = pl.concat(frames, how="vertical_relaxed", rechunk=False) if len(frames) > 1 else frames[0]
    return built


def _infer_gates(instrument, builder: _Builder, answers: dict[str, pl.Expr], mapped: set[str], pattern):
    """An export with no column for a gate question (SurveyMonkey's role x contract matrix has no separate
    'roles of interest' question) still says the gate was passed: a contract ticked for a role means the
    role interests them."""
    added: dict[str, list[pl.Expr]] = {}
    for q in instrument.questions.values():
        if q.name not in answers or q.relevant is None:
            continue
        match = pattern.match(q.relevant.source)
        if not match:
            continue
        gate, value = match.groups()
        if gate in mapped or instrument.questions[gate].type != SELECT_MULTIPLE:
            continue
        answered = answers[q.name].is_not_null()
        builder.pick(gate, value, answered)
        added.setdefault(gate, []).append(answered)
    for gate in added:
        answers[gate] = builder.answer(instrument.questions[gate])
    return {gate: pl.any_horizontal(conditions) for gate, conditions in added.items()}
