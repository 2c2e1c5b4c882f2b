"""Sentences written from the numbers, in the report's style ('75% (n=129) of respondents ...').
They say only what was computed: 'markedly' only where the analysis flags a difference that survives
its test, a test by the name on the result that ran it, a quantifier ('most', 'over half') by the one
rule in wording.yaml, the disclosure control as it was applied."""

from __future__ import annotations

from ..analysis import Cell, Table, share
from ..analysis.breakdown import MIN_GROUP_FOR_TESTS
from ..analysis.disclosure import Disclosure
from ..study import STUDY
from .wording import correction_named, quantifier, test_name


def quoted(label: str) -> str:
    return f"\u201c{label}\u201d"


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def listing(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _listing(cells: list[Cell], base: int, counts_only: bool) -> str:
    return listing([f"{quoted(c.label)}: {share(c.count, base, counts_only)}" for c in cells])


def base_text(base: int | None, disclosure: Disclosure | None = None) -> str:
    """A base as a reader may see it: the number, or 'fewer than 8' where disclosure control hid it."""
    if base is None:
        return disclosure.hidden_label if disclosure else "a hidden number of"
    return str(base)


def quantified(count: int | None, base: int | None, noun: str = "respondents", *,
               rounded: bool = False) -> str | None:
    """'Over half of respondents', 'Most respondents' ... (wording.yaml's rule), or None when hidden or
    rounded under disclosure control."""
    word = quantifier(count, base, rounded=rounded)
    return None if word is None else capital(f"{word} {noun}")


def top_options(table: Table, figure: int, *, chosen_as: str = "selected", rounded: bool = False) -> str:
    """'Over half of respondents selected “Band 6/7”: 61% (n=105), the highest proportion, followed by ...'
    The quantifier is wording.yaml's for the top option's count over the question's base."""
    ranked = sorted((c for c in table.cells if c.count), key=lambda c: -c.count)
    if not ranked:
        return f"No respondent's answer can be shown for this question (see Fig. {figure})."
    first, rest = ranked[0], ranked[1:3]
    counts_only = table.counts_only
    among = " among their top three" if table.kind == "top3" else ""
    who = quantified(first.count, table.base_n, rounded=rounded) or "The highest proportion of respondents"
    lead = f"{who} {chosen_as} {quoted(first.label)}{among}: {share(first.count, table.base_n, counts_only)}"
    if rest and rest[0].count == first.count:
        lead += ", jointly the highest proportion"
    elif rest:
        lead += ", the highest proportion"
    if rest:
        lead += f", followed by {_listing(rest, table.base_n, counts_only)}"
    return lead + f" (see Fig. {figure})."


def tests_ran(breakdown: Table) -> str:
    """Which tests ran on a breakdown, in the words its results carry: 'Fisher's exact test', or
    'Pearson's chi-square test (5 options) and Fisher's exact test (2 options)'; options left untested
    are said apart, with the reason their result gives."""
    ran: dict[str, int] = {}
    for test in breakdown.tests:
        if test.test != "none":
            ran[test_name(test)] = ran.get(test_name(test), 0) + 1
    untested = [t for t in breakdown.tests if t.test == "none"]
    if len(ran) == 1:
        text = next(iter(ran))
    else:
        text = listing([f"{words} ({n} option{'s' if n > 1 else ''})"
                        for words, n in sorted(ran.items(), key=lambda kv: -kv[1])])
    if untested:
        n = len(untested)
        text = (text + "; " if text else "") + f"for {n} option{'s' if n > 1 else ''}, {test_name(untested[0])}"
    return text


def untested_reason(breakdown: Table, disclosure: Disclosure | None) -> str:
    """Why a breakdown carries no tests, as its result says."""
    for note in breakdown.notes:
        if "no test:" in note:  # 'no test: fewer than two groups of 20 or more', '...; no test: the groups overlap'
            return note.split("no test:", 1)[1].strip()
    if disclosure is not None and not disclosure.exact:
        return "no tests are run on figures rounded under disclosure control"
    return "no test was run"


def method_note(breakdown: Table, disclosure: Disclosure | None = None) -> str:
    """The base note of a comparison figure: what was tested, by which test, with which correction."""
    if not breakdown.tests:
        return f"Base: respondents in each group who answered. Not tested: {untested_reason(breakdown, disclosure)}."
    correction = correction_named(breakdown.notes)
    return (f"Base: respondents in each group who answered. Differences tested with {tests_ran(breakdown)}"
            + (f", {correction} across the {len(breakdown.tests)} options" if correction else "") + ".")


def _tested_groups(breakdown: Table) -> list[str]:
    """The groups the tests compared: those the analysis tests (MIN_GROUP_FOR_TESTS or more)."""
    return [g.name for g in breakdown.groups if (g.base_n or 0) >= MIN_GROUP_FOR_TESTS]


def comparison(breakdown: Table, figure: int, disclosure: Disclosure | None = None) -> str:
    groups = {g.name: g for g in breakdown.groups}
    first, second = STUDY.compared_groups
    if first not in groups or second not in groups:
        return ""
    nm, ahp = groups[first], groups[second]
    if not nm.base_n or not ahp.base_n:
        return ""
    first_name, second_name = STUDY.group(first).in_sentence, STUDY.group(second).in_sentence
    tested = _tested_groups(breakdown)
    pairwise = set(tested) == {first, second}
    correction = correction_named(breakdown.notes)
    after = f" after {correction}" if correction else ""
    marked = [t for t in breakdown.tests if t.marked]
    sentences = []
    for test in sorted(marked, key=lambda t: t.p_adjusted)[:3]:
        a, b = nm.cell(test.option), ahp.cell(test.option)
        if a.count is None or b.count is None:
            continue
        pa, pb = 100 * a.count / nm.base_n, 100 * b.count / ahp.base_n
        (hi_name, hi), (lo_name, lo) = sorted([(first_name, pa), (second_name, pb)], key=lambda x: -x[1])
        p_text = "p < 0.001" if test.p_adjusted < 0.001 else f"p = {test.p_adjusted:.3f}"
        if pairwise:
            sentences.append(f"A markedly higher proportion of {hi_name} ({hi:.0f}%) than of "
                             f"{lo_name} ({lo:.0f}%) chose {quoted(a.label)} ({test_name(test)}, "
                             f"{p_text}{after})")
        else:
            names = listing([STUDY.group(g).in_sentence if g in STUDY.group_ids else g for g in tested])
            across = f" across {names}" if names else ""
            sentences.append(f"The proportion choosing {quoted(a.label)} differed markedly between the groups "
                             f"({test_name(test)}{across}, {p_text}{after}): {hi:.0f}% of {hi_name} "
                             f"against {lo:.0f}% of {lo_name}")
    if not sentences:
        gaps = []
        for cell in breakdown.cells:
            a, b = nm.cell(cell.option), ahp.cell(cell.option)
            if a.count is not None and b.count is not None:
                gaps.append((abs(a.count / nm.base_n - b.count / ahp.base_n), cell.label, a.count / nm.base_n,
                             b.count / ahp.base_n))
        if gaps:
            _, label, pa, pb = max(gaps)
            gap = (f"The largest gap between {first_name} and {second_name} was for {quoted(label)} "
                   f"({100 * pa:.0f}% against {100 * pb:.0f}%)")
            if breakdown.tests:
                gap += (f", but no difference held up once tested ({tests_ran(breakdown)}"
                        + (f"; {correction}" if correction else "") + ")")
            else:
                gap += f"; the groups were not tested ({untested_reason(breakdown, disclosure)})"
            sentences.append(gap)
    if not sentences:
        return ""
    sentences[-1] += f" (see Fig. {figure})"
    return ". ".join(sentences) + "."


def likert(rows: list[Table], table_number: int, figure: int, row_names: list[str]) -> str:
    """'50% (n=83) of respondents chose good/excellent for research, compared with 61% (n=102) for teaching
    and learning.' Where disclosure control hid a positive point, its points are given one by one."""
    parts = []
    for table, name in zip(rows, row_names, strict=True):
        positive = [c for c in table.cells if c.score and c.score >= 4]
        labels = "/".join(c.label.lower() for c in positive)
        if any(c.count is None for c in positive):
            points = listing([f"{c.label.lower()}: {share(c.count, table.base_n, table.counts_only)}"
                              for c in positive])
            parts.append((None, f"{points} for {name}", name))
        else:
            parts.append((share(sum(c.count for c in positive), table.base_n, table.counts_only), labels, name))
    text = ""
    for i, (shown, labels, name) in enumerate(parts):
        if shown is None:
            text += ("Respondents chose " if i == 0 else "; respondents chose ") + labels
        elif i == 0 or parts[i - 1][0] is None:
            text += ("" if i == 0 else "; ") + f"{shown} of respondents chose {labels} for {name}"
        else:
            text += f", compared with {shown} for {name}"
    averages = [(f"{t.weighted_average:.2f}", n) for t, n in zip(rows, row_names, strict=True)
                if t.weighted_average is not None]
    if averages:
        named = listing([f"{a} for {n}" if len(rows) > 1 else a for a, n in averages])
        text += (f". The weighted average{'s were' if len(averages) > 1 else ' was'} {named} on a scale of 1 to 5")
        if len(averages) < len(rows):
            text += " (the other is withheld: a count in it is hidden)"
    return text + f" (see Table {table_number} and Fig. {figure})."


def disclosure_statement(disclosure: Disclosure) -> str:
    """What was done to the figures before anyone reads them, as it was done."""
    if disclosure.exact:
        return ("The figures in this chapter are exact (the analysts' copy): no count is suppressed or rounded, "
                "so it is not for circulation beyond the analysts.")
    rule = disclosure.rule
    return (f"So that no one who answered can be picked out, every count of {rule.suppress_at_most} or fewer is "
            f"shown as \u2018{disclosure.hidden_label}\u2019, every other count and total is rounded to the "
            f"nearest {rule.round_to}, percentages are of the rounded numbers, and no tests or intervals are shown.")


def open_text(answered: int, total: int, counts_only: bool, what: str, *, rounded: bool = False) -> str:
    """'About half of respondents answered “...”: 53% (n=92).' from the answers."""
    if counts_only:
        return f"{answered}/{total} respondents {what}."
    who = quantified(answered, total, rounded=rounded) or "Respondents"
    return f"{who} {what}: {share(answered, total, False)}."
