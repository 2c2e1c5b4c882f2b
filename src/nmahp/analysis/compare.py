"""Wave on wave: the same table in two waves of one instrument, linked by question name (through the version
diff's renames when the versions differ), with each option's change tested (two proportions), a Likert
table's mean compared with intervals, Holm's correction across each table, and sentences saying what moved
and what did not."""

from __future__ import annotations

import copy
import math
from dataclasses import asdict, dataclass, field

import polars as pl
from scipy import stats

from ..instruments import Instrument
from .derived import derive
from .disclosure import EXACT, Disclosure, apply
from .frame import response_frame
from .stats import ALPHA, MIN_EXPECTED, holm, method_label, wilson
from .tables import Cell, Table, TableKey, _clean, share

TWO_PROPORTION = "two_proportion_z"
WITHHELD = "changes are tested for analysts only"
WELCH = "welch_t"
METHODS = {
    TWO_PROPORTION: "two-proportion z-test (pooled)",
    WELCH: "Welch's t-test of the means",
}


def method_name(test: str) -> str:
    return METHODS.get(test) or method_label(test)


@dataclass
class Side:
    """One wave's figures for an option: count, base and percent as the disclosure allows them."""

    count: int | None
    base: int | None
    percent: float | None
    suppressed: bool = False


@dataclass
class OptionChange:
    option: str
    label: str
    before: Side | None  # None: the option was not offered in that wave
    after: Side | None
    difference: float | None = None  # after - before, percentage points (analysts only)
    ci_low: float | None = None  # Newcombe's interval for the difference, percentage points
    ci_high: float | None = None
    test: str = "none"
    statistic: float | None = None
    p: float | None = None
    p_adjusted: float | None = None
    moved: bool = False
    method: str = ""


@dataclass
class MeanChange:
    """A Likert table's mean on its 1..5 scale in each wave, with 95% t intervals, and Welch's test."""

    before: float | None
    before_ci: tuple[float, float] | None
    after: float | None
    after_ci: tuple[float, float] | None
    difference: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    statistic: float | None = None
    p: float | None = None
    p_adjusted: float | None = None
    moved: bool = False
    method: str = METHODS[WELCH]


@dataclass
class Comparison:
    """One table across two waves. `question` is its name in the second wave, `before_question` in the first."""

    key: TableKey
    question: str
    before_question: str
    label: str
    kind: str
    before_n: int | None
    after_n: int | None
    options: list[OptionChange] = field(default_factory=list)
    mean: MeanChange | None = None
    tested: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.key.slug

    @property
    def moved(self) -> list[OptionChange]:
        return [o for o in self.options if o.moved]

    @property
    def steady(self) -> list[OptionChange]:
        return [o for o in self.options if not o.moved and o.test != "none" and o.p is not None]

    def sentence(self) -> str:
        """What moved and what did not, in one sentence (analysts; others are told tests are withheld)."""
        if not self.tested:
            return f"{self.label}: not tested ({self.notes[-1] if self.notes else 'no test'})."
        parts = []
        for o in self.moved:
            direction = "up" if o.difference > 0 else "down"
            parts.append(f"'{o.label}' {direction} {abs(o.difference):.0f} points "
                         f"({shown(o.before)} to {shown(o.after)})")
        if self.mean is not None and self.mean.moved:
            parts.append(f"the mean {'rose' if self.mean.difference > 0 else 'fell'} from {self.mean.before:.2f} "
                         f"to {self.mean.after:.2f}")
        if not parts:
            return f"{self.label}: no change found (Holm-adjusted p >= {ALPHA} for every option)."
        still = len(self.steady)
        return (f"{self.label}: moved: {'; '.join(parts)}. "
                f"{still} other option{'s' if still != 1 else ''} did not move.")

    def to_dict(self) -> dict:
        data = _clean(asdict(self))
        data["key"] = self.key.as_dict()
        data["moved"] = [o.option for o in self.moved]
        data["steady"] = [o.option for o in self.steady]
        data["sentence"] = self.sentence()
        return {"id": self.id, **data}


def two_proportions(c1: int, n1: int, c2: int, n2: int) -> tuple[str, float, float]:
    """Is the share choosing an option different between two waves? The pooled two-proportion z-test, or
    Fisher's exact test when an expected count is under 5 (where z's normal approximation fails)."""
    if not n1 or not n2 or (c1 + c2) in (0, n1 + n2):
        return ("none", math.nan, 1.0)
    pooled = (c1 + c2) / (n1 + n2)
    expected = [n1 * pooled, n1 * (1 - pooled), n2 * pooled, n2 * (1 - pooled)]
    if min(expected) < MIN_EXPECTED:
        odds, p = stats.fisher_exact([[c1, n1 - c1], [c2, n2 - c2]])
        return ("fisher_exact", float(odds), float(p))
    z = (c2 / n2 - c1 / n1) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return (TWO_PROPORTION, float(z), float(2 * stats.norm.sf(abs(z))))


def newcombe(c1: int, n1: int, c2: int, n2: int) -> tuple[float, float]:
    """Newcombe's hybrid score interval (his method 10) for p2 - p1 from the two Wilson intervals, in
    percentage points: sound at small counts and at 0% or 100%, as Wilson's is."""
    p1, p2 = c1 / n1, c2 / n2
    l1, u1 = (x / 100 for x in wilson(c1, n1))
    l2, u2 = (x / 100 for x in wilson(c2, n2))
    d = p2 - p1
    low = d - math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2)
    high = d + math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)
    return 100 * low, 100 * high


def likert_moments(table: Table) -> tuple[float, float, int] | None:
    """(mean, standard deviation, n) of a Likert table's answers on its 1..k scale, from its counts."""
    n = sum(c.count for c in table.cells)
    if n < 2:
        return None
    mean = sum(c.score * c.count for c in table.cells) / n
    variance = sum(c.count * (c.score - mean) ** 2 for c in table.cells) / (n - 1)
    return mean, math.sqrt(variance), n


def _t_interval(mean: float, sd: float, n: int) -> tuple[float, float]:
    half = float(stats.t.ppf(0.975, n - 1)) * sd / math.sqrt(n)
    return mean - half, mean + half


def compare_means(before: Table, after: Table) -> MeanChange:
    a, b = likert_moments(before), likert_moments(after)
    change = MeanChange(a[0] if a else None, _t_interval(*a) if a else None,
                        b[0] if b else None, _t_interval(*b) if b else None)
    if a is None or b is None:
        return change
    (m1, s1, n1), (m2, s2, n2) = a, b
    v1, v2 = s1 * s1 / n1, s2 * s2 / n2
    change.difference = m2 - m1
    if v1 + v2 == 0:
        change.p = 1.0 if m1 == m2 else 0.0
        change.ci_low = change.ci_high = change.difference
        return change
    result = stats.ttest_ind_from_stats(m1, s1, n1, m2, s2, n2, equal_var=False)
    df = (v1 + v2) ** 2 / ((v1 * v1 / (n1 - 1) if v1 else 0) + (v2 * v2 / (n2 - 1) if v2 else 0))
    half = float(stats.t.ppf(0.975, df)) * math.sqrt(v1 + v2)
    change.ci_low, change.ci_high = change.difference - half, change.difference + half
    change.statistic, change.p = float(result.statistic), float(result.pvalue)
    return change


def compare_table(before_frame: pl.DataFrame, before_instrument: Instrument, after_frame: pl.DataFrame,
                  after_instrument: Instrument, question: str, *, before_question: str | None = None,
                  reoptioned: bool = False, disclosure: Disclosure = EXACT, derived: bool = False) -> Comparison:
    """The overall table of `question` (named `before_question` in the first wave) in both waves, compared.
    Tests run on the exact counts; outside the analyst view each wave's figures are shown under the disclosure
    policy and no test, difference or interval is shown (docs/disclosure.md). Raises KeyError when either
    wave's instrument has no such table."""
    from .wave import compute_table

    if not derived:
        before_frame, before_instrument = derive(before_frame, before_instrument)
        after_frame, after_instrument = derive(after_frame, after_instrument)
    before_question = before_question or question
    first = compute_table(before_frame, before_instrument, TableKey(before_question), disclosure=EXACT)
    second = compute_table(after_frame, after_instrument, TableKey(question), disclosure=EXACT)
    return compare_tables(first, second, reoptioned=reoptioned, disclosure=disclosure)


def compare_tables(first: Table, second: Table, *, reoptioned: bool = False,
                   disclosure: Disclosure = EXACT) -> Comparison:
    """Two waves' exact overall tables of one question (as `compute_table` or `analyse` give them), compared."""
    question, before_question = second.question, first.question
    shown_first = apply(copy.deepcopy(first), disclosure)
    shown_second = apply(copy.deepcopy(second), disclosure)
    comparison = Comparison(TableKey(question), question, before_question, second.label, second.kind,
                            shown_first.base_n, shown_second.base_n)
    if before_question != question:
        comparison.notes.append(f"'{before_question}' in the first wave is '{question}' in the second "
                                "(renamed between versions)")
    if reoptioned:
        comparison.notes.append("the question offers different options in the two versions: a change may be the "
                                "options' doing")
    if first.kind != second.kind:
        comparison.notes.append(f"not compared: a {first.kind} question in the first wave, {second.kind} in the "
                                "second")
        return comparison
    before_cells = {c.option: c for c in shown_first.cells}
    exact_before = {c.option: c for c in first.cells}
    exact_after = {c.option: c for c in second.cells}
    order = [c.option for c in shown_second.cells] + [o for o in exact_before if o not in exact_after]
    for option in order:
        after_cell = next((c for c in shown_second.cells if c.option == option), None)
        before_cell = before_cells.get(option)
        label = (after_cell or before_cell).label
        comparison.options.append(OptionChange(option, label, _side(before_cell, shown_first),
                                               _side(after_cell, shown_second)))
    only = [o.label for o in comparison.options if o.before is None or o.after is None]
    if only:
        comparison.notes.append(f"offered in one wave only, not tested: {', '.join(only)}")
    if not disclosure.exact:
        comparison.notes.append(f"{WITHHELD}: tests, differences and intervals are functions of the exact "
                                "counts (docs/disclosure.md)")
        return comparison
    if not first.base_n or not second.base_n:
        comparison.notes.append("not tested: nobody answered in one of the waves")
        return comparison
    family: list[tuple[object, float]] = []
    for change in comparison.options:
        if change.before is None or change.after is None:
            continue
        c1, n1 = exact_before[change.option].count, first.base_n
        c2, n2 = exact_after[change.option].count, second.base_n
        change.test, change.statistic, change.p = two_proportions(c1, n1, c2, n2)
        change.method = method_name(change.test)
        change.difference = 100 * (c2 / n2 - c1 / n1)
        change.ci_low, change.ci_high = newcombe(c1, n1, c2, n2)
        if change.test != "none":
            family.append((change, change.p))
    if second.kind == "likert":
        comparison.mean = compare_means(first, second)
        if comparison.mean.p is not None:
            family.append((comparison.mean, comparison.mean.p))
    for item, adjusted in zip([f[0] for f in family], holm([f[1] for f in family]), strict=True):
        item.p_adjusted = adjusted
        item.moved = adjusted < ALPHA
    comparison.tested = True
    used = sorted({o.method for o in comparison.options if o.test != "none"})
    comparison.notes.append(f"each option's share compared between the waves ({'; '.join(used) or 'no test ran'})"
                            + ("; the mean by Welch's t-test" if comparison.mean else "")
                            + f"; Holm correction across the {len(family)} tests of this table; 'moved' means "
                              f"adjusted p < {ALPHA}")
    return comparison


def _side(cell: Cell | None, table: Table) -> Side | None:
    if cell is None:
        return None
    return Side(cell.count, table.base_n, cell.percent, cell.suppressed)


def compared_questions(before_instrument: Instrument, after_instrument: Instrument,
                       names: dict[str, str] | None = None, disclosure: Disclosure = EXACT) -> list[tuple[str, str]]:
    """(first wave's name, second wave's name) of every overall answers table both waves have, in the second
    wave's order. `names` maps a first-wave question to its second-wave name (the version diff's `names()`);
    without it questions are linked by name alone."""
    from .wave import overall_keys

    def answer_keys(instrument):
        derived = derive(response_frame(instrument, []), instrument)[1]
        return [k.question for k in overall_keys(derived, disclosure) if k.measure == "answers"]

    before = answer_keys(before_instrument)
    after = answer_keys(after_instrument)
    mapping = {old: (names or {}).get(old, old) for old in before}
    back = {new: old for old, new in mapping.items()}
    return [(back[q], q) for q in after if q in back]


def compare_waves(before_frame: pl.DataFrame, before_instrument: Instrument, after_frame: pl.DataFrame,
                  after_instrument: Instrument, *, names: dict[str, str] | None = None,
                  reoptioned: frozenset[str] = frozenset(), questions: list[str] | None = None,
                  disclosure: Disclosure = EXACT) -> list[Comparison]:
    """Every overall table both waves have (or those of `questions`, by their second-wave names), compared.
    Each wave's tables are counted together in one pass (`analyse`), as the dashboards count a wave's."""
    from .wave import analyse

    pairs = compared_questions(before_instrument, after_instrument, names, disclosure)
    if questions is not None:
        wanted = set(questions)
        pairs = [p for p in pairs if p[1] in wanted]
    if not pairs:
        return []
    first = {t.question: t for t in analyse(before_frame, before_instrument, by=[], disclosure=EXACT)
             if t.key.measure == "answers"}
    second = {t.question: t for t in analyse(after_frame, after_instrument, by=[], disclosure=EXACT)
              if t.key.measure == "answers"}
    return [compare_tables(first[old], second[new], reoptioned=new in reoptioned, disclosure=disclosure)
            for old, new in pairs if old in first and new in second]


def summary_lines(comparisons: list[Comparison]) -> list[str]:
    """What moved first, then how many tables did not (the terminal's and the report's digest)."""
    moved = [c for c in comparisons if c.tested and (c.moved or (c.mean and c.mean.moved))]
    steady = [c for c in comparisons if c.tested and c not in moved]
    lines = [c.sentence() for c in moved]
    if steady:
        lines.append(f"No change found in {len(steady)} table{'s' if len(steady) != 1 else ''}: "
                     + ", ".join(c.question for c in steady) + ".")
    untested = [c for c in comparisons if not c.tested]
    withheld = [c for c in untested if any(n.startswith(WITHHELD) for n in c.notes)]
    if withheld:
        lines.append(f"{WITHHELD.capitalize()}: each wave's figures are shown, hidden or rounded, without a test.")
    others = [c for c in untested if c not in withheld]
    if others:
        lines.append(f"Not tested: {', '.join(c.question for c in others)}.")
    return lines


def shown(side: Side | None, counts_only: bool = False) -> str:
    """One wave's figure for an option, as every output writes a count."""
    if side is None:
        return "not asked"
    return share(None if side.suppressed else side.count, side.base, counts_only or side.percent is None)
