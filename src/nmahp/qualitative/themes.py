"""Theme tables as the report lists them: per code, how many highlights, documents and participants,
ordered by frequency and split by professional group; and quotes in the report's style '(43)'."""

from __future__ import annotations

from dataclasses import dataclass, field

from .model import Project


@dataclass
class ThemeRow:
    code: str
    parent: str | None
    highlights: int
    documents: int
    participants: int
    by_group: dict[str, int] = field(default_factory=dict)  # participants per professional group


def _participants(project: Project, highlight) -> set[tuple[str, str]]:
    document = project.documents[highlight.document]
    found = set()
    for segment in document.segments:
        if segment.start < highlight.end and highlight.start < segment.end:
            if segment.speaker.lower().startswith("interviewer"):
                continue
            found.add((segment.participant, segment.professional_group))
    return found


def theme_table(project: Project, *, include_children: bool = True) -> list[ThemeRow]:
    rows = []
    codebook = project.codebook
    for code in codebook.codes.values():
        ids = {code.id}
        if include_children:
            stack = [code.id]
            while stack:
                for child in codebook.children(stack.pop()):
                    ids.add(child.id)
                    stack.append(child.id)
        marks = [h for h in project.highlights if ids & set(h.codes)]
        people = set().union(*[_participants(project, h) for h in marks]) if marks else set()
        by_group: dict[str, int] = {}
        for _, group in people:
            by_group[group or "unknown"] = by_group.get(group or "unknown", 0) + 1
        parent = codebook.codes[code.parent].name if code.parent else None
        rows.append(ThemeRow(code.name, parent, len(marks), len({h.document for h in marks}),
                             len({p for p, _ in people}), by_group))
    rows.sort(key=lambda r: (-r.participants, -r.highlights, r.code))
    return rows


def quotes(project: Project, code_name: str, n: int = 3, max_chars: int = 300) -> list[str]:
    """Illustrative quotes for a code, one per participant, longest first: '“...” (43)'."""
    code = project.codebook.by_name(code_name)
    seen, out = set(), []
    marks = sorted((h for h in project.highlights if code.id in h.codes), key=lambda h: -(h.end - h.start))
    for highlight in marks:
        people = sorted(p for p, _ in _participants(project, highlight))
        if not people or people[0] in seen:
            continue
        seen.add(people[0])
        text = " ".join(project.text_of(highlight).split())
        if len(text) > max_chars:
            text = text[: max_chars - 1].rsplit(" ", 1)[0] + "\u2026"
        out.append(f"\u201c{text}\u201d ({people[0]})")
        if len(out) == n:
            break
    return out
