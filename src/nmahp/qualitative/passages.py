"""Passages of a document's plain text: checking a chosen stretch, finding words in it, and cutting the
text into pieces at highlight boundaries so a page can mark them without changing a character (offsets
counted in characters of the plain text, as everywhere in `nmahp.qualitative`)."""

from __future__ import annotations

from dataclasses import dataclass

MAX_HITS = 200  # a word found more often than this is not a useful search to code from


def check(text: str, start: int, end: int) -> str | None:
    """Why `start`-`end` is not a passage of `text` (or None when it is), in words a coder can act on."""
    if start < 0 or end > len(text):
        return f"Start and end must lie within the text, between 0 and {len(text)}"
    if start >= end:
        return "The end must come after the start"
    if not text[start:end].strip():
        return "The passage holds only spaces: choose some words"
    return None


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """The passage without the spaces and line breaks a selection drags in at either end."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


@dataclass(frozen=True)
class Hit:
    start: int
    end: int
    before: str
    found: str
    after: str


def find(text: str, query: str, context: int = 60) -> list[Hit]:
    """Where `query` occurs in `text`, ignoring case (str.casefold keeps lengths for most scripts; where it
    does not, the lower-cased text is searched so the offsets still point into the original)."""
    query = query.strip()
    if not query:
        return []
    haystack, needle = text.casefold(), query.casefold()
    if len(haystack) != len(text):
        haystack, needle = text.lower(), query.lower()
    if len(haystack) != len(text):
        haystack, needle = text, query
    hits, at = [], haystack.find(needle)
    while at != -1 and len(hits) < MAX_HITS:
        end = at + len(needle)
        hits.append(Hit(at, end, text[max(0, at - context):at], text[at:end], text[end:end + context]))
        at = haystack.find(needle, end)
    return hits


def pieces(text: str, spans: list[tuple[int, int, str]]) -> list[tuple[str, tuple[str, ...]]]:
    """The text cut at every span boundary: (piece, ids of the spans covering it), in order, so joining the
    pieces gives the text back exactly."""
    cuts = sorted({0, len(text)} | {s for s, _, _ in spans} | {e for _, e, _ in spans})
    out = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        if start == end:
            continue
        covering = tuple(i for s, e, i in spans if s <= start and end <= e)
        out.append((text[start:end], covering))
    return out
