"""Coding any passage of a document (by its character positions in the plain text), editing, re-coding and
deleting one's highlights, searching a document, and memos on highlights, codes and documents. A memo is a
CodingNote (REFI-QDA's Note) attached to what it is about, so it leaves in the .qdpx export as other tools
read memos."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from ..errors import NmahpError
from ..qualitative import passages
from ..web.coding.models import CodingDocument, CodingNote, HighlightItem
from .coding_rounds import current_round


def _codes(document: CodingDocument, code_ids: list[str]):
    wanted = {int(c) for c in code_ids if str(c).isdigit()}
    codes = list(document.project.codes.filter(pk__in=wanted, codable=True))
    if not codes or len(codes) != len(wanted):
        raise NmahpError("Choose one or more codes for the passage")
    return codes


def _bounds(document: CodingDocument, start, end) -> tuple[int, int]:
    try:
        start, end = int(start), int(end)
    except (TypeError, ValueError):
        raise NmahpError("Give the start and the end as character positions (whole numbers)") from None
    problem = passages.check(document.text, start, end)
    if problem:
        raise NmahpError(problem)
    return passages.trim(document.text, start, end)


@transaction.atomic
def code_passage(document: CodingDocument, start, end, code_ids: list[str], *, coder: str,
                 memo: str = "") -> HighlightItem:
    """A highlight of `start`-`end` with the chosen codes (and a memo), the coder's own; in an open blind
    round it is the round's. A bad position or no code raises NmahpError and nothing is stored."""
    start, end = _bounds(document, start, end)
    codes = _codes(document, code_ids)
    item = HighlightItem.objects.create(document=document, start=start, end=end, coder=coder,
                                        round=current_round(document, coder))
    item.codes.set(codes)
    if memo.strip():
        set_memo(document.project, item.guid, memo, coder=coder, about=f"passage {start}-{end} of {document.name}")
    return item


@transaction.atomic
def update_highlight(item: HighlightItem, start, end, code_ids: list[str], *, coder: str, memo: str) -> None:
    """Move, re-code and re-memo one of `coder`'s own highlights."""
    if item.coder != coder:
        raise NmahpError("Only the coder who made a highlight can change it")
    item.start, item.end = _bounds(item.document, start, end)
    codes = _codes(item.document, code_ids)
    item.save(update_fields=["start", "end"])
    item.codes.set(codes)
    set_memo(item.document.project, item.guid, memo, coder=coder,
             about=f"passage {item.start}-{item.end} of {item.document.name}")


@transaction.atomic
def delete_highlight(item: HighlightItem, *, coder: str) -> None:
    if item.coder != coder:
        raise NmahpError("Only the coder who made a highlight can delete it")
    item.delete()  # its memos go with it (nmahp.web.coding.signals)


def memo_of(project, guid: str, coder: str) -> CodingNote | None:
    """`coder`'s memo on the highlight, code or document with this guid."""
    return next((n for n in project.notes.filter(coder=coder) if n.attached_to == [guid]), None)


def memos_on(project, guid: str) -> list[CodingNote]:
    """Everyone's memos on it (imported ones included)."""
    return [n for n in project.notes.order_by("pk") if guid in n.attached_to]


def set_memo(project, guid: str, text: str, *, coder: str, about: str) -> CodingNote | None:
    """Write (or with empty text remove) `coder`'s memo on the highlight, code or document `guid`."""
    text = text.strip()[:20000]
    note = memo_of(project, guid, coder)
    if not text:
        if note is not None:
            note.delete()
        return None
    if note is None:
        note = CodingNote(project=project, attached_to=[guid], coder=coder)
    note.name, note.text, note.created = f"Memo on {about}"[:200], text, timezone.now().isoformat(timespec="seconds")
    note.save()
    return note


def passage_page(document: CodingDocument, coder: str, query: str = "") -> dict:
    """What the passage-coding page shows, JSON-safe: the text cut into pieces at `coder`'s highlights (in an
    open round: that round's), those highlights with their codes and memos, the document's memos, the
    search hits."""
    in_round = current_round(document, coder)
    mine = list(document.highlights.filter(coder=coder, round=in_round).prefetch_related("codes")
                .order_by("start", "end"))
    spans = [(h.start, h.end, h.guid) for h in mine]
    project = document.project
    notes = {n.attached_to[0]: n.text for n in project.notes.filter(coder=coder) if len(n.attached_to) == 1}
    return {
        "project": project.pk, "document": document.name, "document_id": document.pk, "coder": coder,
        "round": in_round.name if in_round else None, "length": len(document.text),
        "pieces": [{"text": t, "highlights": list(ids)} for t, ids in passages.pieces(document.text, spans)],
        "highlights": [{"id": h.pk, "guid": h.guid, "start": h.start, "end": h.end,
                        "text": document.text[h.start:h.end], "codes": [c.name for c in h.codes.all()],
                        "memo": notes.get(h.guid, "")} for h in mine],
        "memo": notes.get(document.guid, ""),
        "document_memos": [{"coder": n.coder, "text": n.text} for n in memos_on(project, document.guid)],
        "query": query,
        "hits": [{"start": h.start, "end": h.end, "before": h.before, "found": h.found, "after": h.after}
                 for h in passages.find(document.text, query)],
        "codes": [{"id": c.pk, "name": c.name} for c in project.codes.filter(codable=True)],
    }


def search(project, query: str) -> dict:
    """Where `query` occurs in each of the project's documents, with the place to code each hit."""
    found = []
    for document in project.documents.order_by("name"):
        hits = passages.find(document.text, query)
        if hits:
            found.append({"document": document.name, "document_id": document.pk,
                          "hits": [{"start": h.start, "end": h.end, "before": h.before, "found": h.found,
                                    "after": h.after} for h in hits]})
    return {"project": project.pk, "query": query.strip(), "documents": found,
            "hits": sum(len(d["hits"]) for d in found)}


@transaction.atomic
def code_hits(project, query: str, code_ids: list[str], *, coder: str) -> int:
    """Code every place `query` occurs, in every document, as a passage of `coder`'s; how many were coded.
    A hit `coder` has already coded with exactly these codes is left as it is."""
    found = search(project, query)
    if not found["hits"]:
        raise NmahpError("Nothing found to code: find some words first")
    coded = 0
    for entry in found["documents"]:
        document = project.documents.get(pk=entry["document_id"])
        codes = _codes(document, code_ids)
        for hit in entry["hits"]:
            existing = document.highlights.filter(coder=coder, start=hit["start"], end=hit["end"],
                                                  round=current_round(document, coder))
            if any(set(h.codes.all()) == set(codes) for h in existing):
                continue
            code_passage(document, hit["start"], hit["end"], code_ids, coder=coder)
            coded += 1
    return coded
