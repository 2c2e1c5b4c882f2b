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


def compare_groups(counts: list[int], bases: list[int]) -> tuple[str, float, float]:
    """Test whether the share choosing an option differs between groups.

    Two groups: Fisher's exact test on the 2x2 table (exact at the study's small cells).
    More: Pearson's chi-square on the 2 x k table.
    Returns (test name, statistic, p).
    """
    table = np.array([counts, [b - c for c, b in zip(counts, bases, strict=True)]])
    if (table.sum(axis=1) == 0).any() or (table.sum(axis=0) == 0).any():
        return ("none", math.nan, 1.0)  # nobody (or everybody) chose it: nothing to compare
    if len(counts) == 2:
        odds, p = stats.fisher_exact(table)
        return ("fisher_exact", float(odds), float(p))
    chi2, p, _, _ = stats.chi2_contingency(table, correction=False)
    return ("chi_square", float(chi2), float(p))


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
