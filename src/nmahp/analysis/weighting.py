"""Representativeness: weights that rake a wave to the workforce it was drawn from (profession group and
region, study/workforce_denominators.yaml), and every table's estimates weighted beside the unweighted ones,
with Kish's design effect and effective sample size. The study's sample was self-selected (report 4.4).

Raking (iterative proportional fitting) is weightipy's RIM engine. Disclosure is always judged on the
unweighted counts: a weight never lets a small cell be shown (docs/weighting.md)."""

from __future__ import annotations

import contextlib
import copy
import io
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import polars as pl
import yaml

from ..errors import NmahpError
from ..instruments import Instrument
from .counting import _long
from .derived import derive
from .disclosure import EXACT, Disclosure, apply
from .stats import Z95, wilson
from .tables import Table, TableKey, _clean

WEIGHT = "__weight__"
# how far a raked margin may end from its target (proportion) before the raking is called failed
MARGIN_TOLERANCE = 1e-4
MAX_ITERATIONS = 1000
DENOMINATORS_FILE = "workforce_denominators.yaml"


@dataclass(frozen=True)
class Denominators:
    """Population headcounts per option of each raking question, with where they come from."""

    margins: dict[str, dict[str, float]]
    status: str  # `published` or `illustrative`
    source: str
    table: str
    date: str
    origin: str = DENOMINATORS_FILE

    @property
    def illustrative(self) -> bool:
        return self.status != "published"

    def citation(self) -> str:
        label = "ILLUSTRATIVE denominators (not published figures)" if self.illustrative else "denominators"
        return f"{label}: {self.source} Table: {self.table}. Date: {self.date}."

    def check(self, instrument: Instrument) -> None:
        """Every margin is a question of the instrument with options, and every option it names is one of them."""
        for question, targets in self.margins.items():
            if question not in instrument.questions:
                raise NmahpError(f"{self.origin}: margins: '{question}' is not a question of {instrument.form_id}")
            from .groups import as_question

            names = set(as_question(instrument, question).choice_names())
            unknown = [o for o in targets if o not in names]
            if unknown:
                raise NmahpError(f"{self.origin}: margins: {question}: {', '.join(unknown)} "
                                 f"{'is not an option' if len(unknown) == 1 else 'are not options'} of {question}")


def load_denominators(path: Path | None = None) -> Denominators:
    """The denominators file (the package's own unless `path`); a mistake names file, entry and field."""
    origin = str(path) if path else DENOMINATORS_FILE
    try:
        text = (path.read_text(encoding="utf-8") if path
                else resources.files("nmahp.study").joinpath(DENOMINATORS_FILE).read_text(encoding="utf-8"))
        data = yaml.safe_load(text)
    except (OSError, yaml.YAMLError) as exc:
        raise NmahpError(f"{origin}: cannot be read: {exc}") from None
    if not isinstance(data, dict):
        raise NmahpError(f"{origin}: expected a mapping with status, source, table, date and margins")
    for key in ("status", "source", "table", "date", "margins"):
        if not data.get(key):
            raise NmahpError(f"{origin}: '{key}' is missing")
    if data["status"] not in ("published", "illustrative"):
        raise NmahpError(f"{origin}: status must be 'published' or 'illustrative', not '{data['status']}'")
    margins = data["margins"]
    if not isinstance(margins, dict) or not margins:
        raise NmahpError(f"{origin}: margins: give at least one question with a headcount per option")
    clean: dict[str, dict[str, float]] = {}
    for question, targets in margins.items():
        if not isinstance(targets, dict) or not targets:
            raise NmahpError(f"{origin}: margins: {question}: give a headcount per option")
        for option, count in targets.items():
            if isinstance(count, bool) or not isinstance(count, int | float) or count <= 0:
                raise NmahpError(f"{origin}: margins: {question}: {option}: a headcount must be a positive number, "
                                 f"not {count!r}")
        clean[str(question)] = {str(o): float(c) for o, c in targets.items()}
    return Denominators(clean, data["status"], " ".join(str(data["source"]).split()),
                        " ".join(str(data["table"]).split()), str(data["date"]), origin)


@dataclass
class Weights:
    """One weight per respondent of the frame they were made for (NaN for those the denominators do not
    describe, who are left out of weighted estimates), scaled to average 1 over those weighted."""

    values: np.ndarray
    margins: dict[str, dict[str, float]]  # the targets raked to, as proportions, after empty options went
    notes: list[str] = field(default_factory=list)
    iterations: int | None = None

    @property
    def weighted(self) -> np.ndarray:
        return ~np.isnan(self.values)

    @property
    def left_out(self) -> int:
        return int((~self.weighted).sum())


def kish_effective_n(weights) -> float:
    """Kish's effective sample size, (sum w)^2 / sum w^2: how many unweighted respondents the weighted ones are
    worth."""
    w = np.asarray(weights, dtype=float)
    w = w[~np.isnan(w)]
    total = (w * w).sum()
    return float(w.sum() ** 2 / total) if total else 0.0


def design_effect(weights) -> float:
    """Kish's design effect of unequal weights, n / n_eff = 1 + CV^2 of the weights (1 when all are equal)."""
    w = np.asarray(weights, dtype=float)
    w = w[~np.isnan(w)]
    effective = kish_effective_n(w)
    return float(len(w) / effective) if effective else math.nan


def rake(frame: pl.DataFrame, margins: Mapping[str, Mapping[str, float]]) -> Weights:
    """Weights that make the weighted share of each margin's options equal its targets (headcounts or
    shares), by raking (weightipy's RIM). Respondents with no answer, or an answer with no target, to any
    margin's question are left out (NaN). An option with a target but no respondent cannot be stood for:
    it is dropped and the other options' shares renormalised, and a note says so."""
    import pandas as pd
    import weightipy

    missing = [q for q in margins if q not in frame.columns]
    if missing:
        raise NmahpError(f"cannot weight: the responses have no {', '.join(missing)}")
    inside = pl.lit(True)
    for question, targets in margins.items():
        inside = inside & pl.col(question).is_in(list(targets))
    mask = frame.select(inside.fill_null(False).alias("in")).get_column("in").to_numpy()
    notes: list[str] = []
    if (~mask).sum():
        notes.append(f"{int((~mask).sum())} respondents are left out of the weighted estimates: their answer to "
                     f"{' or '.join(margins)} has no denominator (or they gave none)")
    data = frame.filter(pl.Series(mask)).select(list(margins))
    if data.height == 0:
        raise NmahpError("cannot weight: no respondent answered " + " and ".join(margins)
                         + " with an option that has a denominator")
    proportions: dict[str, dict[str, float]] = {}
    for question, targets in margins.items():
        present = set(data.get_column(question).unique().to_list())
        empty = [o for o in targets if o not in present]
        if empty:
            notes.append(f"no respondent in {question} = {', '.join(empty)}: the weights cannot stand for "
                         "them, so the other options' shares were scaled up to fill theirs")
        kept = {o: float(t) for o, t in targets.items() if o in present}
        total = sum(kept.values())
        proportions[question] = {o: t / total for o, t in kept.items()}
    scheme = weightipy.scheme_from_dict({q: {o: 100 * p for o, p in t.items()} for q, t in proportions.items()},
                                        rim_params={"max_iterations": MAX_ITERATIONS})
    table = pd.DataFrame({q: data.get_column(q).to_list() for q in margins})
    with contextlib.redirect_stdout(io.StringIO()):  # weightipy prints its progress; we check the result
        raked = weightipy.weight(table, scheme).to_numpy(dtype=float)
    raked = raked / raked.mean()
    _check_margins(data, raked, proportions)
    values = np.full(frame.height, np.nan)
    values[mask] = raked
    return Weights(values, proportions, notes)


def _check_margins(data: pl.DataFrame, weights: np.ndarray, proportions: dict[str, dict[str, float]]) -> None:
    total = weights.sum()
    for question, targets in proportions.items():
        column = data.get_column(question).to_numpy()
        for option, share in targets.items():
            got = weights[column == option].sum() / total
            if abs(got - share) > MARGIN_TOLERANCE:
                raise NmahpError(f"raking did not converge: {question} = {option} ends at {100 * got:.2f}% "
                                 f"against a target of {100 * share:.2f}%; the margins may contradict each other")


@dataclass
class WeightedCell:
    option: str
    label: str
    count: int | None  # unweighted, as the disclosure allows (None: hidden)
    percent: float | None  # unweighted
    weighted_percent: float | None
    weighted_ci_low: float | None = None
    weighted_ci_high: float | None = None
    suppressed: bool = False


@dataclass
class WeightedTable:
    """One table's unweighted figures (as `compute_table` gives them) beside its weighted estimates."""

    key: TableKey
    question: str
    label: str
    kind: str
    base_n: int | None  # unweighted respondents to the question, as the disclosure allows
    weighted_n: int | None  # of them, those the weights cover (the weighted estimates' base)
    effective_n: float | None  # Kish's effective sample size of the weighted estimates
    design_effect: float | None
    cells: list[WeightedCell]
    weighted_average: float | None = None
    weighted_weighted_average: float | None = None  # a Likert table's mean on 1..5, weighted
    counts_only: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.key.slug

    def to_dict(self) -> dict:
        data = _clean(asdict(self))
        data["key"] = self.key.as_dict()
        return {"id": self.id, **data}


def weighted_table(frame: pl.DataFrame, instrument: Instrument, key: TableKey, weights: Weights, *,
                   disclosure: Disclosure = EXACT) -> WeightedTable:
    """The table `key` names (an overall `answers` table), unweighted and weighted side by side. `frame` is the
    one `weights` were made for (derived variables are made here). Whatever the weights, what is shown is
    decided on the unweighted counts: a cell hidden unweighted has no weighted figure, and outside the analyst
    view a table with any hidden cell shows no weighted figure at all (its complement would give it away)."""
    from .wave import compute_table

    if key.measure != "answers" or key.by is not None:
        raise KeyError(key)
    frame, instrument = derive(frame, instrument)
    exact = compute_table(frame, instrument, key, disclosure=EXACT)
    return _weigh(exact, _weighted_frame(frame, weights), _question(instrument, key.question), disclosure)


def _weighted_frame(frame: pl.DataFrame, weights: Weights) -> pl.DataFrame:
    """The respondents the weights cover, each with their weight."""
    return frame.with_columns(pl.Series(WEIGHT, weights.values)).filter(pl.col(WEIGHT).is_not_nan())


def _weigh(exact: Table, weighted: pl.DataFrame, question, disclosure: Disclosure) -> WeightedTable:
    key = exact.key
    shown = apply(copy.deepcopy(exact), disclosure)
    answered = weighted.filter(pl.col(key.question).is_not_null())
    w = answered.get_column(WEIGHT).to_numpy()
    total = float(w.sum())
    sums = _weighted_sums(weighted, question)
    n_eff = kish_effective_n(w)
    deff = design_effect(w)
    hide_all = not disclosure.exact and (shown.base_suppressed or any(c.suppressed for c in shown.cells))
    cells = []
    for cell in shown.cells:
        share = sums.get(cell.option, 0.0) / total if total else None
        visible = share is not None and not cell.suppressed and not hide_all
        low = high = None
        if visible and disclosure.exact and n_eff:
            # Wilson's interval at Kish's effective sample size: the weights' loss of precision, approximately
            low, high = wilson(share * n_eff, n_eff, Z95)
        percent = None if not visible else (100 * share if disclosure.exact else round(100 * share))
        cells.append(WeightedCell(cell.option, cell.label, cell.count, cell.percent, percent, low, high,
                                  cell.suppressed))
    table = WeightedTable(key, exact.question, exact.label, exact.kind, shown.base_n,
                          _shown_count(len(w), disclosure), *_precision(n_eff, deff, disclosure, hide_all), cells,
                          weighted_average=shown.weighted_average, counts_only=shown.counts_only,
                          notes=list(shown.notes))
    if exact.kind == "likert" and total and not hide_all:
        scores = {c.option: c.score for c in exact.cells}
        mean = sum(scores[o] * s for o, s in sums.items() if o in scores) / total
        table.weighted_weighted_average = mean if disclosure.exact else round(mean, 1)
    if disclosure.exact:
        table.notes.append(f"weighted estimates: over the {table.weighted_n} respondents the weights cover, "
                           "with intervals at Kish's effective sample size")
    else:
        table.notes.append("weighted estimates are rounded to whole percentages; what is shown is decided on the "
                           "unweighted counts")
    if hide_all:
        table.notes.append("weighted figures withheld: a count in this table is hidden, and a weighted share "
                           "beside the others would give it away")
    return table


def _question(instrument: Instrument, name: str):
    from .groups import as_question

    return as_question(instrument, name)


def _weighted_sums(frame: pl.DataFrame, question) -> dict[str, float]:
    """Sum of the weights of the respondents choosing each option (each option once per respondent)."""
    long = _long(frame.lazy(), question, [question.name, WEIGHT])
    summed = long.group_by(question.name).agg(pl.col(WEIGHT).sum()).collect()
    return dict(zip(summed.get_column(question.name).to_list(), summed.get_column(WEIGHT).to_list(), strict=True))


def _shown_count(n: int, disclosure: Disclosure) -> int | None:
    return disclosure.shown(n)


def _precision(n_eff: float, deff: float, disclosure: Disclosure, hide_all: bool):
    """Effective n and design effect as a role may see them: exact for analysts; otherwise the effective n
    rounded like a count and the design effect to one decimal (together they would give the exact base)."""
    if disclosure.exact:
        return n_eff, deff
    if hide_all or not n_eff:
        return None, None
    return disclosure.shown(int(round(n_eff))), round(deff, 1)


def weighted_tables(frame: pl.DataFrame, instrument: Instrument, keys: list[TableKey], weights: Weights, *,
                    disclosure: Disclosure = EXACT) -> list[WeightedTable]:
    """Every overall `answers` table among `keys`, weighted beside unweighted (the unweighted tables counted
    together in one pass, as `analyse` counts a wave's)."""
    from .wave import analyse

    frame, instrument = derive(frame, instrument)
    wanted = [k for k in keys if k.measure == "answers" and k.by is None]
    exact = {t.key: t for t in analyse(frame, instrument, by=[], disclosure=EXACT)}
    weighted = _weighted_frame(frame, weights)
    return [_weigh(exact[key], weighted, _question(instrument, key.question), disclosure)
            for key in wanted if key in exact]


def weighting_summary(weights: Weights, denominators: Denominators, disclosure: Disclosure = EXACT) -> dict:
    """What the whole wave's weighting did, for every output that shows weighted figures (counts as
    `disclosure` allows them)."""
    w = weights.values[weights.weighted]
    n_eff, deff = _precision(kish_effective_n(w), design_effect(w), disclosure, False)
    exact = disclosure.exact
    return {"denominators": denominators.citation(), "status": denominators.status,
            "respondents_weighted": disclosure.shown(len(w)), "left_out": disclosure.shown(weights.left_out),
            "effective_n": round(n_eff, 1) if exact else n_eff, "design_effect": round(deff, 3) if exact else deff,
            "weight_min": round(float(w.min()), 4) if exact else None,
            "weight_max": round(float(w.max()), 4) if exact else None,
            "margins": {q: {o: round(p, 6) for o, p in t.items()} for q, t in weights.margins.items()},
            "notes": list(weights.notes) if exact else [n for n in weights.notes if not n[0].isdigit()]}
