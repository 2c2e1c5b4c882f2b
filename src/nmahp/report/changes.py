"""The report's section on what moved since an earlier wave of the same survey, and what did not: per survey,
the tables whose answers moved (each change with the test that ran, its size and its interval) and those
that did not, read from the wave-on-wave comparison (nmahp.analysis.compare). Outside the analyst view the
comparison carries no test, so the section shows each wave's figures under disclosure control and says why
it names no change (docs/disclosure.md)."""

from __future__ import annotations

from ..analysis.compare import WITHHELD, Comparison, shown
from ..analysis.stats import ALPHA
from . import sentences
from .model import DataTable, Heading, Paragraph

TITLE = "What moved since the earlier wave, and what did not"


def _p(value: float | None) -> str:
    if value is None:
        return ""
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


def _points(value: float | None) -> str:
    return "" if value is None else f"{value:+.0f}"


def _interval(low: float | None, high: float | None, digits: int = 0) -> str:
    return "" if low is None or high is None else f"{low:+.{digits}f} to {high:+.{digits}f}"


def _methods(comparisons: list[Comparison]) -> str:
    """The tests that ran, as the results name them (never a method that did not run)."""
    used = sorted({o.method for c in comparisons for o in c.options if o.test != "none" and o.method})
    means = sorted({c.mean.method for c in comparisons if c.mean is not None and c.mean.p is not None})
    parts = [f"each answer's share by {' or '.join(used)}"] if used else []
    if means:
        parts.append(f"the mean of each rating scale by {' or '.join(means)}, with its 95% interval")
    return "; ".join(parts)


def _moved(comparison: Comparison) -> bool:
    return bool(comparison.moved) or bool(comparison.mean and comparison.mean.moved)


def section(builder, number: str, parts: list[tuple[str, object]]) -> None:
    """Add the section numbered `number` (after the surveys' findings): one subsection per (survey title,
    WaveComparison of an earlier wave with this one) in `parts`."""
    disclosure = builder.disclosure
    builder.add(Heading(number.count(".") + 1, number, TITLE))
    everything = [c for _, result in parts for c in result.comparisons]
    if disclosure.exact:
        methods = _methods(everything)
        builder.add(Paragraph(
            "Each table of this wave is set beside the same table of an earlier wave of the same survey (questions "
            "linked by name, or through the version diff where the questionnaire changed). "
            + (f"Compared between the waves: {methods}; " if methods else "No test could be run; ")
            + f"with Holm's correction across the tests of each table. A figure is said to have moved where its "
              f"adjusted p is under {ALPHA}; the change is in percentage points, with its 95% interval "
              "(Newcombe's hybrid score interval for a share)."))
    else:
        builder.add(Paragraph(
            "Each table of this wave is set beside the same table of an earlier wave of the same survey, each "
            "wave's figures under the disclosure control described above. No change is named here: "
            f"{WITHHELD}, because tests, differences and intervals are functions of the exact counts."))
    for index, (title, result) in enumerate(parts, start=1):
        _survey(builder, f"{number}.{index}", title, result)


def _survey(builder, number: str, title: str, result) -> None:
    disclosure = builder.disclosure
    builder.add(Heading(number.count(".") + 1, number,
                        f"{title}: wave {result.second} against wave {result.first}"))
    if result.scope_note:
        builder.add(Paragraph(result.scope_note))
        return
    first_n = sentences.base_text(result.first_n, disclosure)
    second_n = sentences.base_text(result.second_n, disclosure)
    builder.add(Paragraph(f"Wave {result.first} had {first_n} respondents and wave {result.second} {second_n}; "
                          f"{len(result.comparisons)} tables were asked in both."))
    if disclosure.exact:
        _tested(builder, number, result)
    else:
        _figures_only(builder, number, result)


def _tested(builder, number: str, result) -> None:
    moved = [c for c in result.comparisons if c.tested and _moved(c)]
    steady = [c for c in result.comparisons if c.tested and not _moved(c)]
    untested = [c for c in result.comparisons if not c.tested]
    builder.add(Heading(number.count(".") + 2, f"{number}.1", "What moved"))
    if not moved:
        builder.add(Paragraph(f"No table moved between wave {result.first} and wave {result.second}: in every table "
                              f"compared, every Holm-adjusted p was {ALPHA} or more."))
    else:
        table_number = builder.next_table()
        rows = []
        for comparison in moved:
            for option in comparison.moved:
                rows.append([comparison.label, option.label, shown(option.before), shown(option.after),
                             _points(option.difference), _interval(option.ci_low, option.ci_high),
                             sentences.capital(option.method), _p(option.p_adjusted)])
            mean = comparison.mean
            if mean is not None and mean.moved:
                rows.append([comparison.label, "Mean rating (1 to 5)", f"{mean.before:.2f}", f"{mean.after:.2f}",
                             f"{mean.difference:+.2f}", _interval(mean.ci_low, mean.ci_high, 2),
                             sentences.capital(mean.method), _p(mean.p_adjusted)])
        named = sentences.listing([sentences.quoted(c.label) for c in moved])
        builder.add(Paragraph(f"{len(moved)} table{'s' if len(moved) != 1 else ''} moved between wave "
                              f"{result.first} and wave {result.second} ({named}; see Table {table_number}). "
                              + " ".join(c.sentence() for c in moved)),
                    DataTable(table_number, f"What moved between wave {result.first} and wave {result.second}",
                              ["Question", "Answer", f"Wave {result.first}", f"Wave {result.second}",
                               "Change (points)", "95% interval", "Test", "Holm-adjusted p"], rows,
                              note=f"Only answers whose change has a Holm-adjusted p under {ALPHA} are listed; a "
                                   "share is of those who answered the question in that wave."))
    builder.add(Heading(number.count(".") + 2, f"{number}.2", "What did not move"))
    if steady:
        builder.add(Paragraph(
            f"No change was found in {len(steady)} table{'s' if len(steady) != 1 else ''} (every Holm-adjusted p "
            f"{ALPHA} or more): " + sentences.listing([sentences.quoted(c.label) for c in steady]) + "."))
        others = sum(len(c.steady) for c in moved)
        if others:
            builder.add(Paragraph(f"In the tables that moved, {others} other answer{'s' if others != 1 else ''} did "
                                  "not."))
    else:
        builder.add(Paragraph("Every table compared moved in at least one answer."))
    if untested:
        builder.add(Paragraph("Not tested: " + "; ".join(
            f"{sentences.quoted(c.label)} ({c.notes[-1] if c.notes else 'no test'})" for c in untested) + "."))


def _figures_only(builder, number: str, result) -> None:
    builder.add(Heading(number.count(".") + 2, f"{number}.1", "Each wave's figures"))
    rows = [[c.label, o.label, shown(o.before), shown(o.after)] for c in result.comparisons for o in c.options]
    if not rows:
        builder.add(Paragraph("No table of both waves can be shown."))
        return
    table_number = builder.next_table()
    builder.add(Paragraph(f"Table {table_number} sets each wave's figures side by side; whether any of them moved "
                          "is tested for analysts only."),
                DataTable(table_number, f"Wave {result.first} and wave {result.second}, side by side",
                          ["Question", "Answer", f"Wave {result.first}", f"Wave {result.second}"], rows,
                          note=f"Counts of {disclosure_rule(builder)} are shown as "
                               f"\u2018{builder.disclosure.hidden_label}\u2019; every other count and base is "
                               "rounded as described above. No test, difference or interval is shown."))


def disclosure_rule(builder) -> str:
    return f"{builder.disclosure.rule.suppress_at_most} or fewer"
