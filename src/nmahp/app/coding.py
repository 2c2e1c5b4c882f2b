"""Qualitative coding of a wave: its coding project (open-text answers as documents), interview
transcripts added to it, REFI-QDA and Taguette exchange, and the theme table with quotes."""

from __future__ import annotations

import io
import zipfile
from dataclasses import asdict, replace
from pathlib import Path

from .. import limits
from ..errors import NmahpError
from ..qualitative import Code, Codebook, CodeSet, Document, Highlight, Note, Project, Segment
from ..qualitative.agreement import agreement_table
from ..qualitative.documents import from_docx, from_open_text, from_text, from_vtt
from ..qualitative.refi import import_qdpx, qdc_bytes, qdpx_bytes, read_qdc
from ..qualitative.taguette import import_codebook, import_highlights
from ..qualitative.themes import quotes, theme_table
from ..study import STUDY
from . import jobs, ready
from .waves import find_wave

ready()

from django.db import transaction  # noqa: E402  (after Django is set up, for a plain shell)
from django.db.models import Q  # noqa: E402

from ..web.coding.models import (  # noqa: E402
    CodeItem,
    CodingDocument,
    CodingNote,
    CodingProject,
    HighlightItem,
    ParticipantNumber,
)
from ..web.coding.models import CodeSet as CodeSetItem  # noqa: E402
from ..web.surveys.models import Response, Wave  # noqa: E402
from ..web.surveys.store import instrument_for  # noqa: E402

QUOTED_THEMES = 5  # the report quotes the five most frequent themes
AGREED = "(agreed)"  # the coder of a round's adjudicated coding; no user name can hold brackets


def project_for(wave: str, instrument: str | None = None) -> CodingProject:
    """The wave's coding project, built on first use: a document per open-text question."""
    return build_project(find_wave(wave, instrument))


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
    instrument = instrument_for(wave)
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
                                         text=document.text, segments=[asdict(s) for s in document.segments],
                                         memo=document.memo)


def visible_highlights(project: CodingProject, viewer: str | None = None):
    """The project's highlights someone may see: a blind round's coding only by its own coder until the
    round closes (`viewer` None: nobody's, as for the report and the CLI)."""
    in_open_round = Q(round__isnull=False, round__closed__isnull=True)
    hidden = in_open_round & ~Q(coder=viewer) if viewer else in_open_round
    return HighlightItem.objects.filter(document__project=project).exclude(hidden)


def load(project: CodingProject, viewer: str | None = None) -> Project:
    """The project as plain objects, with the highlights `viewer` may see (`visible_highlights`)."""
    domain = Project(project.name)
    for row in project.documents.all():
        domain.add_document(Document(row.name, row.text, row.kind, [Segment(**s) for s in row.segments], row.guid,
                                     row.memo))
    codebook = Codebook()
    for code in project.codes.select_related("parent"):
        codebook.codes[code.guid] = Code(code.name, code.description, code.color or None,
                                         code.parent.guid if code.parent else None, code.guid, code.codable)
    domain.codebook = codebook
    for item in visible_highlights(project, viewer).select_related("document").prefetch_related("codes"):
        domain.highlights.append(Highlight(item.document.guid, item.start, item.end,
                                           tuple(c.guid for c in item.codes.all()), item.coder, item.memo, item.guid))
    for note in project.notes.all():
        domain.notes[note.guid] = Note(note.name, note.text, note.coder, note.created, tuple(note.attached_to),
                                       note.guid)
    for group in project.sets.prefetch_related("codes", "documents"):
        domain.sets.append(CodeSet(group.name, group.description, tuple(c.guid for c in group.codes.all()),
                                   tuple(d.guid for d in group.documents.all()), tuple(group.notes), group.guid))
    return domain


@transaction.atomic
def merge(project: CodingProject, imported: Project) -> dict:
    """Add an imported project's codes, documents, highlights, notes and sets, and say what was added, what
    was merged with what is here, and what was skipped and why. A code is the same code when it has the same
    guid, or the same name under the same parent; a document, highlight or note when it has the same guid."""
    summary = {"codes": 0, "codes_merged": 0, "documents": 0, "highlights": 0, "notes": 0, "sets": 0,
               "sets_merged": 0, "skipped": list(imported.skipped), "origin": imported.origin}
    skipped = {}

    def skip(reason: str, count: int = 1) -> None:
        skipped[reason] = skipped.get(reason, 0) + count

    codes = {c.guid: c for c in project.codes.all()}
    by_name = {(c.name, c.parent_id): c for c in codes.values()}
    pending_parents = []
    for code in imported.codebook.codes.values():  # parents come before their children
        parent = codes.get(code.parent) if code.parent else None
        item = codes.get(code.id) or by_name.get((code.name, parent.pk if parent else None))
        if item is None:
            item = CodeItem.objects.create(project=project, guid=code.id, name=code.name, parent=parent,
                                           description=code.description, color=code.color or "",
                                           codable=code.codable)
            by_name[(item.name, item.parent_id)] = item
            summary["codes"] += 1
        else:
            summary["codes_merged"] += 1
            if code.parent and item.parent_id is None:
                pending_parents.append((item, code.parent))
        codes[code.id] = item
    by_pk = {c.pk: c for c in codes.values()}
    for item, parent in pending_parents:
        target = codes.get(parent)
        if target is None or _is_under(target, item, by_pk):
            continue  # a parent that would make a loop with the codes already here is left out
        item.parent = target
        item.save()
    documents = {d.guid: d for d in project.documents.all()}
    for document in imported.documents.values():
        if document.id in documents:
            skip("documents already here")
        else:
            documents[document.id] = save_document(project, document)
            summary["documents"] += 1
    existing = set(HighlightItem.objects.filter(document__project=project).values_list("guid", flat=True))
    for highlight in imported.highlights:
        if highlight.id in existing:
            skip("highlights already here")
            continue
        if highlight.end > len(documents[highlight.document].text):
            raise NmahpError(f"a highlight {highlight.start}-{highlight.end} lies outside the project's document "
                             f"'{documents[highlight.document].name}', which has the same guid; nothing imported")
        item = HighlightItem.objects.create(document=documents[highlight.document], guid=highlight.id,
                                            start=highlight.start, end=highlight.end, coder=highlight.coder,
                                            memo=highlight.memo)
        item.codes.set([codes[c] for c in highlight.codes if c in codes])
        unknown = sum(c not in codes for c in highlight.codes)
        if unknown:
            skip("codings of codes the file does not define", unknown)
        summary["highlights"] += 1
    notes = set(project.notes.values_list("guid", flat=True))
    for note in imported.notes.values():
        if note.id in notes:
            skip("notes already here")
            continue
        CodingNote.objects.create(project=project, guid=note.id, name=note.name, text=note.text, coder=note.coder,
                                  created=note.created[:40], attached_to=list(note.attached_to))
        summary["notes"] += 1
    sets = {s.guid: s for s in project.sets.all()}
    sets_by_name = {s.name: s for s in sets.values()}
    for group in imported.sets:
        item = sets.get(group.id) or sets_by_name.get(group.name)
        if item is None:
            item = CodeSetItem.objects.create(project=project, guid=group.id, name=group.name,
                                              description=group.description, notes=list(group.notes))
            sets[item.guid] = sets_by_name[item.name] = item
            summary["sets"] += 1
        else:
            item.notes = list(dict.fromkeys(item.notes + list(group.notes)))
            item.save()
            summary["sets_merged"] += 1
        item.codes.add(*[codes[c] for c in group.codes if c in codes])
        item.documents.add(*[documents[d] for d in group.documents if d in documents])
    summary["skipped"] += [f"{count} {reason}" for reason, count in skipped.items()]
    return summary


def describe_import(summary: dict) -> str:
    """One line on what an import did: added, merged, skipped and why."""
    said = (f"imported {summary['codes']} codes, {summary['documents']} documents and {summary['highlights']} "
            f"highlights")
    if summary.get("origin"):
        said += f" from {summary['origin']}"
    extra = [f"{summary[k]} {label}" for k, label in (("codes_merged", "codes merged with codes already here"),
                                                       ("notes", "notes"), ("sets", "sets"),
                                                       ("sets_merged", "sets merged")) if summary.get(k)]
    if extra:
        said += "; " + ", ".join(extra)
    if summary.get("skipped"):
        said += "; skipped: " + "; ".join(summary["skipped"])
    return said


def _is_under(node: CodeItem, item: CodeItem, by_pk: dict) -> bool:
    """Whether `item` is `node` or one of its ancestors (so making it `item`'s parent would close a loop)."""
    seen = set()
    while node is not None and node.pk not in seen:
        if node.pk == item.pk:
            return True
        seen.add(node.pk)
        node = by_pk.get(node.parent_id)
    return False


def overview(project: CodingProject, viewer: str | None = None) -> dict:
    """What the project page shows to `viewer`, JSON-safe: themes with quotes, agreement between every pair
    of coders (the coding agreed in adjudication is nobody's, so it is left out), documents and codes."""
    domain = load(project, viewer)
    rows, examples = _themes(domain, n=3)
    coders_only = Project(domain.name, domain.documents, domain.codebook,
                          [h for h in domain.highlights if h.coder != AGREED])
    return {
        "project": project.name, "id": project.pk,
        "themes": [{"code": r.code, "parent": r.parent, "highlights": r.highlights, "documents": r.documents,
                    "participants": r.participants, "by_group": r.by_group, "quotes": examples.get(r.code, [])}
                   for r in rows],
        "coders": sorted({h.coder for h in domain.highlights}),
        "agreement": agreement_table(coders_only),
        "documents": [{"id": d.pk, "name": d.name, "kind": d.kind, "segments": len(d.segments)}
                      for d in project.documents.all()],
        "codes": [{"id": c.pk, "name": c.name, "parent": c.parent_id, "description": c.description,
                   "color": c.color} for c in project.codes.all()]}


def add_transcript(project, path: Path, participant: str, *, group: str = "", region: str = ""):
    """Add an interview transcript (Teams .vtt or .docx with speakers, turns and times; other .docx or plain
    text as one segment) to a coding project. A file over NMAHP_MAX_TRANSCRIPT_MB, a .docx that is not a
    Word document (or expands past the zip limits), a .vtt that is not WebVTT or has a cue that cannot be
    read (each named by its line), text that is not UTF-8 or an empty transcript raises NmahpError; nothing
    is stored then."""
    data = limits.read_file(path, "transcript_bytes")
    suffix = path.suffix.lower()
    try:
        if suffix == ".docx":
            if not zipfile.is_zipfile(io.BytesIO(data)):
                raise NmahpError(f"{path}: cannot be read as a Word document: it is not a .docx (a zip archive)")
            with limits.open_zip(data, str(path)):  # within the zip limits before python-docx expands it
                pass
            document = from_docx(io.BytesIO(data), participant, name=path.stem, professional_group=group,
                                 region=region)
        else:
            text = data.decode("utf-8-sig")
            if "\x00" in text:
                raise ValueError("it contains NUL characters, so it is not plain text")
            if suffix == ".vtt":
                if not text.strip():
                    raise NmahpError(f"{path}: the transcript is empty")
                document = from_vtt(text, path.stem, participant, professional_group=group, region=region,
                                     label=str(path))
            else:
                document = from_text(text, path.stem, participant, professional_group=group, region=region)
    except NmahpError:
        raise
    except UnicodeDecodeError as exc:
        raise NmahpError(f"{path}: cannot be read as a transcript: not UTF-8 text (byte {exc.start})") from None
    except Exception as exc:  # noqa: BLE001 - python-docx raises its own kinds for a damaged file
        kind = {".docx": "a Word document", ".vtt": "a WebVTT (.vtt) file"}.get(suffix, "text")
        reason = str(exc).splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        raise NmahpError(f"{path}: cannot be read as {kind}: {reason}") from None
    if not document.text:
        raise NmahpError(f"{path}: the transcript is empty")
    save_document(project, document)
    return document


def export(project, fmt: str, viewer: str | None = None) -> bytes:
    """The project as a REFI-QDA project (.qdpx) or its codebook alone (.qdc), in memory, with the
    highlights `viewer` may see."""
    domain = load(project, viewer)
    if fmt == "qdc":
        return qdc_bytes(domain.codebook, domain.sets)
    if fmt == "qdpx":
        return qdpx_bytes(domain)
    raise NmahpError(f"export as .qdpx or .qdc, not .{fmt}")


def import_refi(project, path: Path, *, label: str | None = None) -> dict:
    """Codes and highlights from another QDA tool (.qdpx project or .qdc codebook), merged in. The file is
    checked through first (limits, GUIDs, colours, positions, UTF-8: `nmahp.qualitative.refi`); a file
    with any fault raises NmahpError naming it (`label`, else the path) and nothing is stored."""
    label = label or str(path)
    if path.suffix.lower() == ".qdc" or label.lower().endswith(".qdc"):
        imported = read_qdc(path, label)
    else:
        imported = import_qdpx(path, label)
    return merge(project, imported)


def import_taguette(project, *, codebook: Path | None = None, highlights: Path | None = None) -> dict[str, int]:
    """A Taguette codebook export and its highlights, placed by their text in the project's documents."""
    domain = load(project)
    try:
        if codebook:
            known = {c.name for c in domain.codebook.codes.values()}
            for code in import_codebook(codebook.read_text(encoding="utf-8-sig")).codes.values():
                if code.name not in known:
                    domain.codebook.codes[code.id] = code
        before = len(domain.highlights)
        if highlights:
            import_highlights(highlights.read_text(encoding="utf-8-sig"), domain)
    except (OSError, UnicodeDecodeError) as exc:
        raise NmahpError(f"cannot read the Taguette export: {exc}") from None
    added = merge(project, domain)
    return {"placed": len(domain.highlights) - before, **added}


def _themes(domain: Project, n: int):
    passages = one_per_passage(domain)
    rows = theme_table(passages)
    return rows, {r.code: quotes(passages, r.code, n=n) for r in rows[:QUOTED_THEMES] if r.highlights}


def one_per_passage(domain: Project) -> Project:
    """`domain` with one highlight per passage, as theme counts read it. A passage whose round coding was agreed in
    adjudication is the agreed highlight alone: the coders' own codings inside it were the input to that decision,
    and would count the passage again (or count a code the adjudication dropped). Passages coded with the same
    bounds by several coders are one, with every code any of them gave. Agreement reads the coders' own codings,
    so this is for theme counts and quotes only."""
    agreed: dict[str, list[tuple[int, int]]] = {}
    for h in domain.highlights:
        if h.coder == AGREED:
            agreed.setdefault(h.document, []).append((h.start, h.end))
    kept: dict[tuple[str, int, int], Highlight] = {}
    for h in sorted(domain.highlights, key=lambda h: h.coder != AGREED):  # an agreed one first, if any
        if h.coder != AGREED and any(s <= h.start and h.end <= e for s, e in agreed.get(h.document, ())):
            continue
        key = (h.document, h.start, h.end)
        if key in kept:
            first = kept[key]
            kept[key] = replace(first, codes=tuple(dict.fromkeys((*first.codes, *h.codes))))
        else:
            kept[key] = h
    return replace(domain, highlights=list(kept.values()))


def themes(project: CodingProject):
    """(theme rows by how many participants raised them, {code: two quotes} for the most frequent), as
    the report and `nmahp qual themes` show them."""
    return _themes(load(project), n=2)


def themes_with_quotes(wave) -> tuple[list | None, dict | None]:
    """The themes of a wave's coded open text for the report, or (None, None) when nothing is coded."""
    project = CodingProject.objects.filter(wave=wave).first()
    if project is None or not project.codes.exists():
        return None, None
    return themes(project)


@jobs.task("theme_suggestions", atomic=False, title="suggested themes")  # reads only
def theme_suggestions_job(progress, project: int, method: str = "tfidf", themes: int = 6) -> dict:
    """Themes suggested for a coding project's uncoded answers, kept with the job for its page to show."""
    from ..qualitative.suggest import suggest_themes

    found_project = CodingProject.objects.filter(pk=project).select_related("wave").first()
    if found_project is None:
        raise NmahpError(f"no coding project {project}")
    if method not in ("tfidf", "embeddings"):
        raise NmahpError(f"themes are suggested by tfidf or embeddings, not '{method}'")
    progress(0, 1, "grouping the uncoded answers")
    found = suggest_themes(load(found_project), themes=int(themes), method=method)
    progress(1, 1, "grouped")
    return {"summary": f"{len(found)} themes suggested among the uncoded answers of {found_project.name}.",
            "url": f"/coding/{project}/suggestions/?job={progress.job_id}", "method": method,
            "project": project, "wave_id": found_project.wave_id,
            "suggestions": [{"terms": s.terms, "examples": s.examples, "size": s.size} for s in found]}
