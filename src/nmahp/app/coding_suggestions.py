"""Suggested themes accepted, renamed or discarded: an accepted one becomes a code with its example answers
coded; a discarded one is not suggested again."""

from __future__ import annotations

from django.db import transaction

from ..errors import NmahpError
from ..web.coding.models import CodeItem, CodingProject, DiscardedSuggestion, HighlightItem
from .coding import visible_highlights


def terms_key(terms) -> str:
    return ", ".join(t.strip() for t in terms if t.strip())[:500]


def discarded(project: CodingProject) -> set[str]:
    return set(project.discarded_suggestions.values_list("terms", flat=True))


def discard(project: CodingProject, terms: list[str], *, by: str) -> None:
    key = terms_key(terms)
    if not key:
        raise NmahpError("No suggestion to discard")
    DiscardedSuggestion.objects.get_or_create(project=project, terms=key, defaults={"who": by})


@transaction.atomic
def accept(project: CodingProject, name: str, terms: list[str], examples: list[str], *,
           by: str) -> tuple[CodeItem, int]:
    """A code named `name` (the suggestion's terms as its description) with each example answer coded by
    `by`: an example is coded where it is the whole text of an answer or turn nobody has coded (as the
    suggestion found it). Returns the code and how many answers were coded."""
    name = name.strip()[:200]
    if not name:
        raise NmahpError("Enter a name for the code")
    if project.codes.filter(name=name).exists():
        raise NmahpError(f"A code called '{name}' exists already")
    code = CodeItem.objects.create(project=project, name=name, description=terms_key(terms)[:2000])
    # compared with spaces and line breaks collapsed: a form sends line breaks back as CR LF
    wanted = {" ".join(e.split()) for e in examples if e.strip()}
    coded = 0
    marks = list(visible_highlights(project).values_list("document_id", "start", "end"))
    for document in project.documents.all():
        for segment in document.segments:
            start, end = segment["start"], segment["end"]
            if " ".join(document.text[start:end].split()) not in wanted:
                continue
            if any(d == document.pk and s < end and start < e for d, s, e in marks):
                continue
            item = HighlightItem.objects.create(document=document, start=start, end=end, coder=by)
            item.codes.set([code])
            coded += 1
    return code, coded
