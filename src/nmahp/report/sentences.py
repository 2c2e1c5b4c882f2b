"""Sentences written from the numbers, in the report's style ('75% (n=129) of respondents ...').
'Markedly' is said only where the analysis flags a difference that survives its test."""

from __future__ import annotations

from ..analysis import Cell, Table, share
from ..study import STUDY


def quoted(label: str) -> str:
    return f"\u201c{label}\u201d"


def _listing(cells: list[Cell], base: int, counts_only: bool) -> str:
    parts = [f"{quoted(c.label)}: {share(c.count, base, counts_only)}" for c in cells]
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def top_options(table: Table, figure: int, *, chosen_as: str = "selected") -> str:
    ranked = sorted((c for c in table.cells if c.count), key=lambda c: -c.count)
    if not ranked:
        return f"No respondent answered this question (see Fig. {figure})."
    first, rest = ranked[0], ranked[1:3]
    counts_only = table.counts_only
    lead = (f"The highest proportion of respondents {chosen_as} {quoted(first.label)}: "
            f"{share(first.count, table.base_n, counts_only)}")
    if rest:
        lead += f", followed by {_listing(rest, table.base_n, counts_only)}"
    return lead + f" (see Fig. {figure})."


def comparison(breakdown: Table, figure: int) -> str:
    groups = {g.name: g for g in breakdown.groups}
    first, second = STUDY.compared_groups
    if first not in groups or second not in groups:
        return ""
    nm, ahp = groups[first], groups[second]
    first_name, second_name = STUDY.group(first).in_sentence, STUDY.group(second).in_sentence
    marked = [t for t in breakdown.tests if t.marked]
    sentences = []
    for test in sorted(marked, key=lambda t: t.p_adjusted)[:3]:
        a, b = nm.cell(test.option), ahp.cell(test.option)
        pa, pb = 100 * a.count / nm.base_n, 100 * b.count / ahp.base_n
        (hi_name, hi), (lo_name, lo) = sorted([(first_name, pa), (second_name, pb)], key=lambda x: -x[1])
        p_text = "p < 0.001" if test.p_adjusted < 0.001 else f"p = {test.p_adjusted:.3f}"
        sentences.append(f"A markedly higher proportion of {hi_name} ({hi:.0f}%) than of "
                         f"{lo_name} ({lo:.0f}%) chose {quoted(a.label)} (Fisher's exact test, "
                         f"{p_text} after Holm correction)")
    if not sentences:
        gaps = []
        for cell in breakdown.cells:
            a, b = nm.cell(cell.option), ahp.cell(cell.option)
            if nm.base_n and ahp.base_n and a.count is not None and b.count is not None:
                gaps.append((abs(a.count / nm.base_n - b.count / ahp.base_n), cell.label, a.count / nm.base_n,
                             b.count / ahp.base_n))
        if gaps:
            _, label, pa, pb = max(gaps)
            sentences.append(f"The largest gap between {first_name} and {second_name} was for {quoted(label)} "
                             f"({100 * pa:.0f}% against {100 * pb:.0f}%), but no difference held up once tested "
                             f"(Fisher's exact test with Holm correction)")
    if not sentences:
        return ""
    sentences[-1] += f" (see Fig. {figure})"
    return ". ".join(sentences) + "."


def likert(rows: list[Table], table_number: int, figure: int, row_names: list[str]) -> str:
    """'50% (n=83) rated research as good/excellent, compared with 61% (n=102) for teaching and learning.'"""
    parts = []
    for table, name in zip(rows, row_names, strict=True):
        positive = [c for c in table.cells if c.score and c.score >= 4]
        n = sum(c.count or 0 for c in positive)
        labels = "/".join(c.label.lower() for c in positive)
        parts.append((share(n, table.base_n, table.counts_only), labels, name))
    first = parts[0]
    text = f"{first[0]} of respondents chose {first[1]} for {first[2]}"
    for part in parts[1:]:
        text += f", compared with {part[0]} for {part[2]}"
    averages = [f"{t.weighted_average:.2f}" for t in rows if t.weighted_average is not None]
    if averages:
        text += (f". The weighted average{'s were' if len(averages) > 1 else ' was'} "
                 f"{' and '.join(averages)} on a scale of 1 to 5")
    return text + f" (see Table {table_number} and Fig. {figure})."
