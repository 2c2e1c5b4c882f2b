"""What the study lacked: intervals, tests and multiple-comparison correction (scipy underneath)."""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

Z95 = 1.959963984540054
ALPHA = 0.05


def wilson(count: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score 95% interval for a proportion, in percent; sound at small n and at 0% or 100%."""
    if n <= 0:
        return (math.nan, math.nan)
    p = count / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return (max(0.0, centre - half) * 100, min(1.0, centre + half) * 100)


# Chi-square's p-value is an approximation that fails when expected counts are small; below this the
# tests are exact (Fisher, 2x2) or Monte Carlo (larger tables).
MIN_EXPECTED = 5
MONTE_CARLO_RESAMPLES = 10_000
MONTE_CARLO_SEED = 20230601  # fixed, so the same data always give the same p-value

# What each test is called in words, for the report's method text and the tables' notes.
METHODS = {
    "fisher_exact": "Fisher's exact test",
    "chi_square": "Pearson's chi-square test",
    "monte_carlo_chi_square": f"Monte Carlo chi-square test ({MONTE_CARLO_RESAMPLES:,} resamples with the margins "
                              "fixed), because some expected counts were under 5",
    "none": "no test (nobody, or everybody, chose it)",
}


def method_label(test: str) -> str:
    return METHODS.get(test, test)


def compare_groups(counts: list[int], bases: list[int]) -> tuple[str, float, float]:
    """Test whether the share choosing an option differs between groups.

    Two groups: Fisher's exact test on the 2x2 table (exact at the study's small cells).
    More: Pearson's chi-square on the 2 x k table, or, when an expected count is under 5, the same
    statistic referred to its Monte Carlo distribution with the margins fixed.
    Returns (test name, statistic, p); `METHODS` names the test in words.
    """
    table = np.array([counts, [b - c for c, b in zip(counts, bases, strict=True)]])
    return contingency_test(table)


def contingency_test(table) -> tuple[str, float, float]:
    """Independence of rows and columns of a table of counts: Fisher's exact test for a 2x2 table, Pearson's
    chi-square when every expected count is 5 or more, otherwise a Monte Carlo chi-square test."""
    table = np.asarray(table, dtype=np.int64)
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0] if table.size else table
    if table.ndim != 2 or table.shape[0] < 2 or table.shape[1] < 2:
        return ("none", math.nan, 1.0)  # nobody (or everybody) chose it: nothing to compare
    if table.shape == (2, 2):
        odds, p = stats.fisher_exact(table)
        return ("fisher_exact", float(odds), float(p))
    chi2, p, _, expected = stats.chi2_contingency(table, correction=False)
    if (expected < MIN_EXPECTED).any():
        return ("monte_carlo_chi_square", float(chi2), monte_carlo_p(table, float(chi2)))
    return ("chi_square", float(chi2), float(p))


def _chi2_many(tables: np.ndarray, expected: np.ndarray) -> np.ndarray:
    return ((tables - expected) ** 2 / expected).sum(axis=(-2, -1))


def monte_carlo_p(table: np.ndarray, observed: float, resamples: int = MONTE_CARLO_RESAMPLES) -> float:
    """P(chi-square >= observed) over random tables with the same row and column totals (Hope's Monte
    Carlo test, as R's chisq.test(simulate.p.value=TRUE)); (1 + hits) / (1 + resamples), never 0."""
    rng = np.random.default_rng(MONTE_CARLO_SEED)
    rows, columns = table.sum(axis=1), table.sum(axis=0)
    expected = np.outer(rows, columns) / table.sum()
    if len(rows) == 2:
        # a 2 x k table is fixed by its first row, which is multivariate hypergeometric
        first = rng.multivariate_hypergeometric(columns, int(rows[0]), size=resamples)
        simulated = np.stack([first, columns - first], axis=1)
    else:
        # shuffle the column labels of the respondents against their row labels
        row_of = np.repeat(np.arange(len(rows)), rows)
        column_of = np.repeat(np.arange(len(columns)), columns)
        shuffled = rng.permuted(np.broadcast_to(column_of, (resamples, len(column_of))), axis=1)
        cells = row_of * len(columns) + shuffled
        offsets = np.arange(resamples)[:, None] * (len(rows) * len(columns))
        simulated = np.bincount((cells + offsets).ravel(), minlength=resamples * len(rows) * len(columns))
        simulated = simulated.reshape(resamples, len(rows), len(columns))
    hits = int((_chi2_many(simulated, expected) >= observed - 1e-9).sum())
    return (1 + hits) / (1 + resamples)


def holm(p_values: list[float]) -> list[float]:
    """Holm-Bonferroni adjusted p-values, in the input order."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [1.0] * m
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[index]))
        adjusted[index] = running
    return adjusted
