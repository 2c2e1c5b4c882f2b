"""Between the database and the domain's Project: build from a wave, load, and save back."""

from __future__ import annotations

from dataclasses import asdict

from django.db import transaction

from nmahp.instruments import get_instrument
from nmahp.qualitative import Code, Codebook, Document, Highlight, Project, Segment
from nmahp.qualitative.documents import from_open_text
from nmahp.study import STUDY

from ..surveys.models import Response, Wave
from .models import CodeItem, CodingDocument, CodingProject, HighlightItem, ParticipantNumber


def participant_numbers(wave: Wave) -> dict[str, int]:
    numbers = dict(ParticipantNumber.objects.filter(wave=wave).values_list("respondent_key", "number"))
    next_number = max(numbers.values(), default=0) + 1
    new = []
    for key in Response.objects.filter(wave=wave, status=Response.COMPLETE).order_by("pk").values_list(
            "respondent_key", flat=True):
        if key not in numbers:
            numbers[key] = next_number
            new.append(ParticipantNumber(wave=wave, respondent_key=key, number=next_number))
            next_number += 1
    ParticipantNumber.objects.bulk_create(new)
    return numbers


@transaction.atomic
def build_project(wave: Wave) -> CodingProject:
    """One document per open-text question of the wave, a segment per respondent who answered."""
    project, created = CodingProject.objects.get_or_create(wave=wave, defaults={"name": f"{wave} open text"})
    if not created:
        return project
    instrument = get_instrument(wave.instrument)
    numbers = participant_numbers(wave)
    responses = list(Response.objects.filter(wave=wave, status=Response.COMPLETE).order_by("pk")
                     .values_list("respondent_key", "answers"))
    for question in STUDY.open_text_questions:
        if question not in instrument.questions:
            continue
        document = from_open_text(question, [(str(numbers[key]), answers.get(question, ""),
                                              answers.get("professional_group", ""), answers.get("region", ""))
                                             for key, answers in responses])
        if document.text:
            save_document(project, document)
    return project


def save_document(project: CodingProject, document: Document) -> CodingDocument:
    return CodingDocument.objects.create(project=project, guid=document.id, name=document.name, kind=document.kind,
                                         text=document.text, segments=[asdict(s) for s in document.segments])


def load(project: CodingProject) -> Project:
    domain = Project(project.name)
    for row in project.documents.all():
        domain.add_document(Document(row.name, row.text, row.kind, [Segment(**s) for s in row.segments], row.guid))
    codebook = Codebook()
    for code in project.codes.select_related("parent"):
        codebook.codes[code.guid] = Code(code.name, code.description, code.color,
                                         code.parent.guid if code.parent else None, code.guid)
    domain.codebook = codebook
    for item in HighlightItem.objects.filter(document__project=project).select_related("document") \
            .prefetch_related("codes"):
        domain.highlights.append(Highlight(item.document.guid, item.start, item.end,
                                           tuple(c.guid for c in item.codes.all()), item.coder, item.memo, item.guid))
    return domain


@transaction.atomic
def merge(project: CodingProject, imported: Project) -> dict[str, int]:
    """Add an imported project's documents, codes and highlights (matching by guid, then by name)."""
    codes = {c.guid: c for c in project.codes.all()}
    by_name = {c.name: c for c in codes.values()}
    pending_parents = []
    for code in imported.codebook.codes.values():
        item = codes.get(code.id) or by_name.get(code.name)
        if item is None:
            item = CodeItem.objects.create(project=project, guid=code.id, name=code.name,
                                           description=code.description, color=code.color or "#005EB8")
            codes[item.guid] = item
        codes[code.id] = item
        if code.parent:
            pending_parents.append((item, code.parent))
    for item, parent in pending_parents:
        if parent in codes and item.parent_id is None:
            item.parent = codes[parent]
            item.save()
    documents = {d.guid: d for d in project.documents.all()}
    added_documents = 0
    for document in imported.documents.values():
        if document.id not in documents:
            documents[document.id] = save_document(project, document)
            added_documents += 1
    added = 0
    existing = set(HighlightItem.objects.filter(document__project=project).values_list("guid", flat=True))
    for highlight in imported.highlights:
        if highlight.id in existing:
            continue
        item = HighlightItem.objects.create(document=documents[highlight.document], guid=highlight.id,
                                            start=highlight.start, end=highlight.end, coder=highlight.coder,
                                            memo=highlight.memo)
        item.codes.set([codes[c] for c in highlight.codes if c in codes])
        added += 1
    return {"documents": added_documents, "highlights": added}


def overview(project: CodingProject) -> dict:
    """What the project page shows, JSON-safe: themes with quotes, agreement between every pair of coders,
    documents and codes."""
    from nmahp.qualitative.agreement import agreement_table
    from nmahp.qualitative.themes import quotes, theme_table

    domain = load(project)
    rows = theme_table(domain)
    examples = {r.code: quotes(domain, r.code) for r in rows[:5] if r.highlights}
    return {
        "project": project.name, "id": project.pk,
        "themes": [{"code": r.code, "parent": r.parent, "highlights": r.highlights, "documents": r.documents,
                    "participants": r.participants, "by_group": r.by_group, "quotes": examples.get(r.code, [])}
                   for r in rows],
        "coders": sorted({h.coder for h in domain.highlights}),
        "agreement": agreement_table(domain),
        "documents": [{"id": d.pk, "name": d.name, "kind": d.kind, "segments": len(d.segments)}
                      for d in project.documents.all()],
        "codes": [{"id": c.pk, "name": c.name, "parent": c.parent_id, "description": c.description,
                   "color": c.color} for c in project.codes.all()]}
