"""Attack the disclosure policy the way a lead could (docs/disclosure.md, "The attack test").

For a generated wave, collect everything a lead of one region can request about one protected
characteristic: the plain table, its breakdown by each default breakdown, the transposed breakdowns, the
plain tables of the breakdown questions and the number of respondents in scope, under every combination
of the dashboard filters a lead can set (their region is fixed). Every shown number is a sum of cells
of the underlying contingency table (respondents per combination of filter values x answer). An integer
program holds one constraint per shown number (a rounded value r: the true sum lies in its rounding
interval; a hidden one: 0..suppress_at_most; an exact one: exactly), and for every hidden number it
looks for solutions until it has two different values, one of them 0 or at least the threshold. The test
asserts that every hidden number gets there: nothing hidden can be worked out, and no hidden number can
be pinned to a small non-zero count (1 to threshold - 1). An attacker can still sometimes tell that a
hidden count is not zero, but not that it is small; docs/disclosure.md gives the measured numbers.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_matrix

from nmahp.analysis import TableKey, compute_table, response_frame
from nmahp.analysis.disclosure import PUBLISHED, Disclosure
from nmahp.analysis.filters import apply_filters
from nmahp.analysis.groups import as_question
from nmahp.instruments import get_instrument
from nmahp.instruments.synth import synthesise
from nmahp.study import STUDY, DisclosureRule

REGION = "cheshire_merseyside"
THRESHOLD = STUDY.disclosure.threshold
LEAD_FILTERS = [f for f in STUDY.dashboard_filters if f != "region"]  # a lead's region is fixed
# the old rule's shape without its rounding: exact counts, counts under the threshold hidden
HIDE_ONLY = Disclosure(exact=False, rule=DisclosureRule(STUDY.disclosure.threshold,
                                                        STUDY.disclosure.suppress_at_most, 1))


@pytest.fixture(scope="module")
def nmahp():
    return get_instrument("nmahp")


def _split(value):
    return frozenset(value.split(" ")) if value else frozenset()


@dataclass
class Microdata:
    """The attacker's unknowns: one per combination of (the lead's filters' values, answer); the
    combinations are every observed filter combination with every answer seen in the wave."""

    columns: list[str]
    cells: list[tuple]
    truth: np.ndarray
    rows: list[np.ndarray] = field(default_factory=list)  # one coefficient vector per shown number
    low: list[float] = field(default_factory=list)
    high: list[float] = field(default_factory=list)
    hidden: list[tuple[str, np.ndarray]] = field(default_factory=list)

    def column(self, name):
        i = self.columns.index(name)
        return [c[i] for c in self.cells]

    def add(self, what: str, mask: np.ndarray, shown: int | None, disclosure: Disclosure) -> None:
        low, high = disclosure.interval(shown)
        true = int(self.truth @ mask)
        assert low <= true and (high is None or true <= high), f"{what}: {true} shown as {shown}"
        self.rows.append(mask.astype(float))
        self.low.append(low)
        self.high.append(np.inf if high is None else high)
        if shown is None and mask.any():  # a number no unknown enters (another region) is 0 by construction
            self.hidden.append((what, mask))


def microdata(frame, question: str) -> Microdata:
    columns = [*LEAD_FILTERS, *(b for b in STUDY.default_breakdowns if b not in LEAD_FILTERS), question]
    columns = list(dict.fromkeys(columns))
    observed = frame.select(columns).rows()
    answers = sorted({r[-1] for r in observed}, key=lambda v: (v is None, v or ""))
    combos = sorted({r[:-1] for r in observed}, key=str)
    cells = [(*c, a) for c in combos for a in answers]
    index = {c: i for i, c in enumerate(cells)}
    truth = np.zeros(len(cells))
    for r in observed:
        truth[index[r]] += 1
    return Microdata(columns, cells, truth)


def collect(frame, instrument, question: str, disclosure: Disclosure) -> Microdata:
    """Every number a lead of REGION sees about `question`, under every filter combination."""
    frame = frame.filter(frame["region"] == REGION)
    data = microdata(frame, question)
    col = {name: data.column(name) for name in data.columns}
    sets = {name: [_split(v) for v in col[name]] for name in data.columns}

    def equals(name, value):
        return np.array([v == value for v in col[name]])

    def contains(name, value):
        return np.array([value in s for s in sets[name]])

    def present(name):
        return np.array([v is not None for v in col[name]])

    multi = {n for n in data.columns if instrument.questions.get(n) and instrument.questions[n].type.startswith(
        "select_multiple")}
    choices = {n: [c.name for c in as_question(instrument, n).choices] for n in data.columns}
    everyone = np.ones(len(data.cells), dtype=bool)
    q = question
    for values in itertools.product(*([None, *choices[f]] for f in LEAD_FILTERS)):
        wanted = {f: v for f, v in zip(LEAD_FILTERS, values, strict=True) if v}
        scope = everyone.copy()
        for f, v in wanted.items():
            scope &= contains(f, v) if f in multi else equals(f, v)
        name = ",".join(f"{f}={v}" for f, v in wanted.items()) or "no filter"
        scoped, _ = apply_filters(frame, instrument, wanted)
        assert scoped.height == int(data.truth @ scope)
        if not disclosure.scope_shown(scoped.height):
            data.add(f"{name}: respondents", scope, None, disclosure)
            continue
        data.add(f"{name}: respondents", scope, disclosure.respondents(scoped.height), disclosure)

        def table(key, base, cell, group_base=None, group_cell=None, scoped=scoped, scope=scope, name=name):
            t = compute_table(scoped, instrument, key, disclosure=disclosure)
            data.add(f"{name}: {t.id} base", scope & base, t.base_n, disclosure)
            for c in t.cells:
                data.add(f"{name}: {t.id} {c.option}", scope & cell(c.option), c.count, disclosure)
            for g in t.groups:
                data.add(f"{name}: {t.id} [{g.name}] base", scope & group_base(g.name), g.base_n, disclosure)
                for c in g.cells:
                    data.add(f"{name}: {t.id} [{g.name}] {c.option}", scope & group_cell(g.name, c.option),
                             c.count, disclosure)

        table(TableKey(q), present(q), lambda a: contains(q, a))
        for by in STUDY.default_breakdowns:
            table(TableKey(by), present(by), lambda b, by=by: equals(by, b))
            table(TableKey(q, by), present(q) & present(by), lambda a, by=by: contains(q, a) & present(by),
                  lambda b, by=by: present(q) & equals(by, b),
                  lambda b, a, by=by: contains(q, a) & equals(by, b))
            # the transposed breakdown: groups are the answers as stored (one answer each)
            table(TableKey(by, q), present(q) & present(by), lambda b, by=by: equals(by, b) & present(q),
                  lambda a, by=by: present(by) & equals(q, a),
                  lambda a, b, by=by: equals(by, b) & equals(q, a))
    return data


def attack(data: Microdata, *, ranges: bool = False) -> dict[str, tuple[int, int, int]]:
    """For every distinct hidden number: the smallest and largest value seen among solutions consistent
    with all that is shown, and its true value. A number is solved (minimised, then maximised) only until
    two solutions give it different values (each solution is checked against every hidden number), unless
    `ranges` asks for its exact range; a number left with one value is worked out exactly."""
    constraints = LinearConstraint(csr_matrix(np.array(data.rows)), np.array(data.low), np.array(data.high))
    n = len(data.cells)
    bounds = Bounds(np.zeros(n), np.full(n, data.truth.sum()))
    masks = {}
    for _, mask in data.hidden:
        masks.setdefault(mask.tobytes(), mask)
    keys = list(masks)
    matrix = np.array([masks[k] for k in keys], dtype=float)
    low = high = matrix @ data.truth
    truth = dict(zip(keys, low.astype(int), strict=True))
    def settled(i):
        # two possible values, one of them 0 or at least the threshold: no small count pinned down
        return not ranges and low[i] != high[i] and (low[i] == 0 or high[i] >= THRESHOLD)

    for i in range(len(keys)):
        for sign in (1, -1):
            if settled(i):
                break
            found = milp(sign * matrix[i], constraints=constraints, bounds=bounds, integrality=np.ones(n))
            assert found.status == 0, found.message
            values = matrix @ np.round(found.x)
            low, high = np.minimum(low, values), np.maximum(high, values)
    seen = {k: (int(low[i]), int(high[i]), int(truth[k])) for i, k in enumerate(keys)}
    return {what: seen[mask.tobytes()] for what, mask in data.hidden}


def worked_out(results):
    return {what: r for what, r in results.items() if r[0] == r[1]}


def pinned_small(results):
    """Hidden counts the attack confines to 1..threshold-1: known to be a few identifiable people."""
    return {what: r for what, r in results.items() if r[0] > 0 and r[1] < THRESHOLD}


@pytest.mark.parametrize(("seed", "question"), [(1, "sexual_orientation"), (2, "disability")])
def test_nothing_hidden_can_be_worked_out(nmahp, seed, question):
    frame = response_frame(nmahp, synthesise(nmahp, 300, seed=seed))
    results = attack(collect(frame, nmahp, question, PUBLISHED))
    assert len(results) > 50  # plenty is hidden, so the attack has something to work on
    assert worked_out(results) == {}
    assert pinned_small(results) == {}


def test_hiding_small_counts_without_rounding_gives_them_away(nmahp):
    """The attack has teeth: with exact counts shown (the rule before this policy), hidden counts are
    worked out from totals and from the tables around them."""
    frame = response_frame(nmahp, synthesise(nmahp, 300, seed=1))
    results = attack(collect(frame, nmahp, "sexual_orientation", HIDE_ONLY))
    assert len(worked_out(results)) > 10
