"""Answers an as-recorded import kept although they break the workbook's current rules, as analysis shows
them: how many a table's answers break (the CLI's tables and the dashboard's table page), and the tables
with those answers left out (`nmahp analyse --exclude-rule-breaks`, `?rule_breaks=exclude`)."""

from __future__ import annotations

from dataclasses import replace

from ..analysis import compute_table
from ..analysis.rule_breaks import describe, frame_rule_breaks, frame_without_rule_breaks, table_rule_breaks
from . import snapshots

EXCLUDE = "exclude"  # the dashboard's ?rule_breaks= value that leaves them out


def responses_rule_breaks(responses) -> dict[str, dict[str, int]]:
    """{question: {rule: answers}} among the responses (a wave's or an export's frame), checked now."""
    return frame_rule_breaks(responses.instrument, responses.frame)


def without_rule_breaks(responses):
    """The same responses with every answer that breaks a rule left out (the respondent stays)."""
    left = frame_without_rule_breaks(responses.instrument, responses.frame)
    note = "answers that break the workbook's current rules left out (--exclude-rule-breaks)"
    return replace(responses, frame=left, notes=[*responses.notes, note])


def table_lines(tables, breaks: dict[str, dict[str, int]]) -> list[str]:
    """One line per table (before any breakdown) with answers that break the rules."""
    lines = []
    for table in tables:
        found = None if table.by else table_rule_breaks(breaks, table.question)
        if found:
            lines.append(f"{table.label} ({table.id}): {describe(found)}")
    return lines


def dashboard_table(s, table, split, by: str, *, exclude: bool):
    """For a dashboard table page: what its answers break ({count, rule, excluded, text} or None, the count
    as the viewer's disclosure shows counts) and the table and breakdown, recomputed without those answers
    when `exclude`. Checked over the respondents in scope, once per wave version and filters."""
    if table is None or not _has_flags(s):
        return None, table, split
    breaks = s.cached("rule breaks", None, lambda: frame_rule_breaks(s.instrument, s.frame))
    found = table_rule_breaks(breaks, table.question)
    if found is None:
        return None, table, split
    shown = s.disclosure.shown(found["count"])
    said = {**found, "count": shown}
    info = {**said, "excluded": exclude,
            "text": describe(said) if shown is not None else
            f"{s.disclosure.hidden_label} of its answers break the current rules"}
    if not exclude:
        return info, table, split

    def compute():
        frame = frame_without_rule_breaks(s.instrument, s.frame)
        kept = compute_table(frame, s.instrument, table.key, disclosure=s.disclosure, overrides=s.overrides)
        try:
            kept_split = compute_table(frame, s.instrument, table.key.split_by(by), disclosure=s.disclosure,
                                       overrides=s.overrides)
        except KeyError:
            kept_split = None
        return kept, kept_split

    kept, kept_split = s.cached("table without rule breaks", (table.id, by), compute)
    return info, kept, kept_split


def _has_flags(s) -> bool:
    """Whether an as-recorded import kept anything in the wave: only then are its answers checked (a wave
    the form collected, or imported strictly, breaks nothing of the version it is pinned to), once per
    wave version, so a dashboard of such a wave pays nothing for this."""
    from ..web.surveys.models import Response

    return snapshots.cached(s.snapshot, "flagged", None,
                            lambda: Response.objects.filter(wave=s.wave).exclude(flags=[]).exists())
