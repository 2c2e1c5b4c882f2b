"""Attack the disclosure policy through derived measures (docs/disclosure.md, "The attack test").

A derived measure (src/nmahp/workbooks/*.measures.yaml) is counted like a question and can be crossed with a
special-category question on the cross-tabulation page, in both directions, beside each one's own table, under
every combination of the filters a lead can set. This plays that lead as tests/analysis/test_disclosure_attack.py
does for the default breakdowns: every shown number is a sum of cells of the contingency table of (the lead's
filter values, the measure, the protected answer), an integer program holds one constraint per shown number,
and no hidden number may be worked out exactly or pinned to a small non-zero count. A measure made from a filter
question (more than one organisation type) lets the filters and the measure cut the same people two ways.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_matrix

from nmahp.analysis import TableKey, compute_table, response_frame
from nmahp.analysis.derived import derive
from nmahp.analysis.disclosure import PUBLISHED
from nmahp.analysis.filters import apply_filters
from nmahp.analysis.groups import as_question
from nmahp.instruments import get_instrument
from nmahp.instruments.synth import synthesise

from .test_disclosure_attack import (
    HIDE_ONLY,
    LEAD_FILTERS,
    REGION,
    THRESHOLD,
    Microdata,
    _split,
    attack,
    pinned_small,
    worked_out,
)


@pytest.fixture(scope="module")
def nmahp():
    return get_instrument("nmahp")


def collect(frame, instrument, measure: str, question: str, disclosure, *, most_filters: int = len(LEAD_FILTERS)
            ) -> Microdata:
    """Every number a lead of REGION sees about `measure` crossed with `question`, under every filter combination:
    both plain tables, and the cross-tabulation both ways (the table page's breakdown of the measure by the
    protected question has the same counts as the first; a test asserts it once)."""
    frame = frame.filter(frame["region"] == REGION)
    columns = [*LEAD_FILTERS, measure, question]
    observed = frame.select(columns).rows()
    values = {i: sorted({r[i] for r in observed}, key=lambda v: (v is None, v or "")) for i in (-2, -1)}
    combos = sorted({r[:-2] for r in observed}, key=str)
    cells = [(*c, m, a) for c in combos for m in values[-2] for a in values[-1]]
    index = {c: i for i, c in enumerate(cells)}
    truth = np.zeros(len(cells))
    for r in observed:
        truth[index[r]] += 1
    data = Microdata(columns, cells, truth)
    col = {name: data.column(name) for name in columns}
    multi = {n for n in columns if as_question(instrument, n).type.startswith("select_multiple")}
    sets = {name: [_split(v) for v in col[name]] for name in multi}

    def has(name, value):
        return np.array([value in s for s in sets[name]]) if name in multi else np.array([v == value for v in col[name]])

    def present(name):
        return np.array([v is not None for v in col[name]])

    choices = {n: [c.name for c in as_question(instrument, n).choices] for n in columns}
    everyone = np.ones(len(cells), dtype=bool)
    for chosen in itertools.product(*([None, *choices[f]] for f in LEAD_FILTERS)):
        wanted = {f: v for f, v in zip(LEAD_FILTERS, chosen, strict=True) if v}
        if len(wanted) > most_filters:
            continue
        scope = everyone.copy()
        for f, v in wanted.items():
            scope &= has(f, v)
        name = ",".join(f"{f}={v}" for f, v in wanted.items()) or "no filter"
        scoped, _ = apply_filters(frame, instrument, wanted)
        assert scoped.height == int(truth @ scope)
        if not disclosure.scope_shown(scoped.height):
            data.add(f"{name}: respondents", scope, None, disclosure)
            continue
        data.add(f"{name}: respondents", scope, disclosure.respondents(scoped.height), disclosure)
        for x in (measure, question):
            t = compute_table(scoped, instrument, TableKey(x), disclosure=disclosure)
            data.add(f"{name}: {t.id} base", scope & present(x), t.base_n, disclosure)
            for c in t.cells:
                data.add(f"{name}: {t.id} {c.option}", scope & has(x, c.option), c.count, disclosure)
        for x, by in ((measure, question), (question, measure)):
            t = compute_table(scoped, instrument, TableKey(x, by, "crosstab"), disclosure=disclosure)
            both = scope & present(x) & present(by)
            data.add(f"{name}: {t.id} base", both, t.base_n, disclosure)
            for c in t.cells:
                data.add(f"{name}: {t.id} {c.option}", both & has(x, c.option), c.count, disclosure)
            for g in t.groups:
                data.add(f"{name}: {t.id} [{g.name}] base", scope & present(x) & has(by, g.name), g.base_n,
                         disclosure)
                for c in g.cells:
                    data.add(f"{name}: {t.id} [{g.name}] {c.option}", scope & has(x, c.option) & has(by, g.name),
                             c.count, disclosure)
                    # a row percentage is of shown numbers only: it says nothing the counts do not
                    total = t.cell(c.option)
                    expected = (None if c.suppressed or total.suppressed or not total.count
                                else pytest.approx(100 * c.count / total.count))
                    assert c.row_percent == expected, f"{name}: {t.id} [{g.name}] {c.option} row percent"
            assert t.association is None or disclosure.exact
    return data


def attack_fast(data: Microdata) -> dict[str, tuple[int, int, int]]:
    """test_disclosure_attack.attack, started from solutions that push every hidden number up at once and then
    down at once: each is a solution like any other, so what is left for attack's one-number-at-a-time solves
    (and its verdict) is the same, but most hidden numbers are settled by these few solves."""
    constraints = LinearConstraint(csr_matrix(np.array(data.rows)), np.array(data.low), np.array(data.high))
    n = len(data.cells)
    bounds = Bounds(np.zeros(n), np.full(n, data.truth.sum()))
    masks = np.array(list({m.tobytes(): m for _, m in data.hidden}.values()), dtype=float)
    low = high = masks @ data.truth
    settled = np.zeros(len(masks), dtype=bool)
    while True:  # until a round settles nothing more
        before = settled.sum()
        for sign in (-1, 1):
            if settled.all():
                break
            found = milp(sign * masks[~settled].sum(axis=0), constraints=constraints, bounds=bounds,
                         integrality=np.ones(n))
            assert found.status == 0, found.message
            values = masks @ np.round(found.x)
            low, high = np.minimum(low, values), np.maximum(high, values)
            settled = (low != high) & ((low == 0) | (high >= THRESHOLD))
        if settled.all() or settled.sum() == before:
            break
    left = [m for m, done in zip(masks, settled, strict=True) if not done]
    data.hidden = [(what, mask) for what, mask in data.hidden
                   if any(np.array_equal(mask, m) for m in left)]
    return attack(data) if data.hidden else {}


CASES = [  # (seed, measure, protected question): categories, yes/no over 'any' base, a measure of a filter question
    (1, "highest_qualification", "sexual_orientation"),
    (2, "interested_in_research_or_teaching", "disability"),
    (3, "more_than_one_organisation_type", "ethnicity"),
]


@pytest.mark.parametrize(("seed", "measure", "question"), CASES)
def test_a_derived_measure_crossed_with_a_protected_question_gives_nothing_hidden_away(nmahp, seed, measure,
                                                                                       question):
    frame, instrument = derive(response_frame(nmahp, synthesise(nmahp, 300, seed=seed)), nmahp)
    data = collect(frame, instrument, measure, question, PUBLISHED)
    assert len(data.hidden) > 300  # plenty is hidden, so the attack has something to work on
    results = attack_fast(data)
    assert worked_out(results) == {}
    assert pinned_small(results) == {}


def test_the_derived_attack_has_teeth(nmahp):
    """With exact counts shown and small ones hidden, the same requests give hidden counts away, even with no
    more than one filter set at a time."""
    seed, measure, question = CASES[0]
    frame, instrument = derive(response_frame(nmahp, synthesise(nmahp, 300, seed=seed)), nmahp)
    results = attack_fast(collect(frame, instrument, measure, question, HIDE_ONLY, most_filters=1))
    assert len(worked_out(results)) > 10
