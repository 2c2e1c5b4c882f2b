"""Cutting a participant out of a coded document (for erasure): their segments leave the text, with the
separator or speaker label that belonged to them; every other segment and highlight moves by what was
removed before it, so it still covers the same text. A highlight inside what was cut goes; one that
reaches into it keeps only its part outside."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from .model import Segment


@dataclass
class Cut:
    text: str
    segments: list[Segment]
    highlights: dict[object, tuple[int, int] | None]  # highlight id -> new (start, end), or None: removed
    removed_segments: int


def _spans(text: str, mine: list[Segment], others: list[Segment]) -> list[tuple[int, int]]:
    """What leaves the text for each of `mine`: the segment, its speaker label ('Name: ' at the start of
    its line, when no other segment covers it) and one run of line breaks next to it."""
    covered = [(s.start, s.end) for s in others]
    spans = []
    for segment in mine:
        start, end = segment.start, segment.end
        line_start = text.rfind("\n", 0, start) + 1
        label = text[line_start:start]
        if label and label.rstrip().endswith(":") and not any(a < start and line_start < b for a, b in covered):
            start = line_start
        after = end
        while after < len(text) and text[after] == "\n":
            after += 1
        if after == len(text):  # the last one: take the separator before it
            while start > 0 and text[start - 1] == "\n":
                start -= 1
            end = after
        else:  # a successor follows: take the separator after it (if any)
            end = after
        spans.append((start, end))
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged]


def _mover(spans: list[tuple[int, int]]):
    def move(offset: int) -> int:
        return offset - sum(max(0, min(offset, b) - a) for a, b in spans)
    return move


def cut_participants(text: str, segments: Iterable[Segment], participants: set[str],
                     highlights: Iterable[tuple[object, int, int]] = ()) -> Cut:
    """The document without the segments of `participants`; `highlights` are (id, start, end)."""
    segments = list(segments)
    mine = [s for s in segments if s.participant in participants]
    others = [s for s in segments if s.participant not in participants]
    if not mine:
        return Cut(text, segments, {h: (a, b) for h, a, b in highlights}, 0)
    spans = _spans(text, mine, others)
    move = _mover(spans)
    kept, position = [], 0
    for a, b in spans:
        kept.append(text[position:a])
        position = b
    kept.append(text[position:])
    new_text = "".join(kept)
    moved = [replace(s, start=move(s.start), end=move(s.end)) for s in others]  # speakers and times kept
    new_highlights: dict[object, tuple[int, int] | None] = {}
    for ident, start, end in highlights:
        a, b = move(start), move(end)
        inside_removed = not any(start < s.end and s.start < end for s in others) and any(
            start < s.end and s.start < end for s in mine)
        new_highlights[ident] = None if (b <= a or inside_removed or not new_text[a:b].strip()) else (a, b)
    return Cut(new_text, moved, new_highlights, len(mine))
