"""Blind double coding: rounds of documents assigned to two or more coders who cannot see each other's
coding until the round closes; then agreement on the unit the study coded, the disagreements side by side,
and the agreed coding recorded."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from ..errors import NmahpError
from ..qualitative import Highlight, Project
from ..qualitative.agreement import agreement
from ..web.coding.models import CodingProject, CodingRound, HighlightItem, RoundAssignment
from .coding import AGREED, load

CODER_ROLES = ("analyst", "admin")


def coders() -> list[str]:
    """Who may be given documents to code: analysts and admins, by user name."""
    users = get_user_model().objects.filter(is_active=True, profile__role__in=CODER_ROLES)
    return sorted(users.values_list("username", flat=True))


@transaction.atomic
def open_round(project: CodingProject, name: str, documents: list[int], assigned: list[str], *,
               by: str) -> CodingRound:
    """A round giving every chosen document to every chosen coder. Two coders at least, one document at
    least, each a document of this project and a coder who may code; otherwise NmahpError, nothing made."""
    name = name.strip()[:200]
    known = {d.pk: d for d in project.documents.filter(pk__in=documents)}
    allowed = set(coders())
    chosen = sorted(set(assigned))
    problems = []
    if not name:
        problems.append("Enter a name for the round")
    if not known or len(known) != len(set(documents)):
        problems.append("Choose one or more of the project's documents")
    if len(chosen) < 2 or not set(chosen) <= allowed:
        problems.append("Choose two or more coders (analysts or admins)")
    busy = sorted({f"{a.coder} codes {a.document.name}" for a in RoundAssignment.objects.filter(
        round__closed__isnull=True, document__in=known.values(), coder__in=chosen).select_related("document")})
    if busy:
        problems.append("Already in an open round: " + ", ".join(busy))
    if problems:
        raise NmahpError("; ".join(problems))
    round_ = CodingRound.objects.create(project=project, name=name, created_by=by)
    RoundAssignment.objects.bulk_create(RoundAssignment(round=round_, document=d, coder=c)
                                        for d in known.values() for c in chosen)
    return round_


def close_round(round_: CodingRound, *, by: str, is_admin: bool = False) -> None:
    if round_.closed is not None:
        raise NmahpError("The round is closed already")
    if by != round_.created_by and not is_admin:
        raise NmahpError(f"Only {round_.created_by}, who opened the round, or an admin can close it")
    round_.closed = timezone.now()
    round_.save(update_fields=["closed"])


def current_round(document, coder: str) -> CodingRound | None:
    """The open round in which `coder` codes `document`, if any: their coding of it belongs to that round."""
    return CodingRound.objects.filter(closed__isnull=True, assignments__document=document,
                                      assignments__coder=coder).order_by("pk").first()


def summary(round_: CodingRound, viewer: str) -> dict:
    """The round as its page shows it, JSON-safe. While it is open, a coder sees their own documents and
    progress only; who else codes what, and agreement, once it has closed."""
    assignments = list(round_.assignments.select_related("document").order_by("document__name", "coder"))
    done = set(round_.highlights.exclude(coder=AGREED).values_list("document_id", "coder").distinct())
    is_open = round_.closed is None
    rows = [{"document": a.document.name, "document_id": a.document_id, "coder": a.coder,
             "coded": (a.document_id, a.coder) in done} for a in assignments
            if not is_open or a.coder == viewer]
    data = {"id": round_.pk, "name": round_.name, "created_by": round_.created_by, "open": is_open,
            "closed": round_.closed.isoformat() if round_.closed else None, "assignments": rows}
    if not is_open:
        data["agreement"] = round_agreement(round_)
    return data


def _round_project(round_: CodingRound) -> tuple[Project, dict[str, set[str]]]:
    """The project with this round's highlights only (callers decide who may see them), and each coder's
    documents (by guid)."""
    domain = load(round_.project)
    domain.highlights = [Highlight(item.document.guid, item.start, item.end, tuple(c.guid for c in item.codes.all()),
                                   item.coder, item.memo, item.guid)
                         for item in round_.highlights.select_related("document").prefetch_related("codes")]
    coded: dict[str, set[str]] = {}
    for coder, guid in round_.assignments.values_list("coder", "document__guid"):
        coded.setdefault(coder, set()).add(guid)
    return domain, coded


def round_agreement(round_: CodingRound) -> dict:
    """Kappa per code for every pair of the round's coders and alpha across them, on the segments (answers
    or speaker turns) of the round's documents; refused while the round is open."""
    if round_.closed is None:
        raise NmahpError("Agreement is shown once the round has closed: until then coders' work is hidden")
    domain, coded = _round_project(round_)
    domain.highlights = [h for h in domain.highlights if h.coder != AGREED]
    codable = [c.id for c in domain.codebook.codes.values() if c.codable]
    return agreement(domain, coded, codable)


def disagreements(round_: CodingRound) -> dict:
    """Each segment of the round's documents on which its coders gave different codes: the segment, each
    coder's codes side by side, and the agreed codes if recorded. Refused while the round is open."""
    if round_.closed is None:
        raise NmahpError("Adjudication starts once the round has closed: until then coders' work is hidden")
    domain, coded = _round_project(round_)
    names = {c.id: c.name for c in domain.codebook.codes.values()}
    round_coders = sorted(coded)
    rows = []
    for document in sorted((domain.documents[g] for g in set().union(*coded.values())), key=lambda d: d.name):
        of_document = [h for h in domain.highlights if h.document == document.id]
        for index, segment in enumerate(document.segments):
            inside = [h for h in of_document if h.start < segment.end and segment.start < h.end]
            by_coder = {coder: sorted({c for h in inside if h.coder == coder for c in h.codes},
                                      key=lambda c: names.get(c, c))
                        for coder in round_coders if document.id in coded[coder]}
            if len({tuple(v) for v in by_coder.values()}) < 2:
                continue
            agreed = [h for h in of_document if h.coder == AGREED and h.start == segment.start
                      and h.end == segment.end]
            rows.append({"document": document.name, "document_guid": document.id, "segment": index,
                         "participant": segment.participant, "speaker": segment.speaker,
                         "text": document.text[segment.start:segment.end],
                         "coders": [{"coder": c, "codes": [names[x] for x in v]} for c, v in by_coder.items()],
                         "code_ids": sorted({x for v in by_coder.values() for x in v}),
                         "everyone": sorted(set.intersection(*(set(v) for v in by_coder.values()))),
                         "agreed": [names[x] for x in agreed[0].codes] if agreed else None})
    return {"round": round_.pk, "name": round_.name, "coders": round_coders, "codes": names,
            "disagreements": rows}


@transaction.atomic
def adjudicate(round_: CodingRound, document_guid: str, segment: int, code_guids: list[str], *, by: str) -> None:
    """Record the agreed codes of one segment of a closed round (replacing what was agreed before)."""
    if round_.closed is None:
        raise NmahpError("Adjudication starts once the round has closed")
    document = round_.project.documents.filter(guid=document_guid, assignments__round=round_).distinct().first()
    if document is None or not 0 <= segment < len(document.segments):
        raise NmahpError("No such segment in the round's documents")
    codes = list(round_.project.codes.filter(guid__in=code_guids, codable=True))
    if len(codes) != len(set(code_guids)):
        raise NmahpError("Choose codes of the project's codebook")
    bounds = document.segments[segment]
    round_.highlights.filter(coder=AGREED, document=document, start=bounds["start"], end=bounds["end"]).delete()
    item = HighlightItem.objects.create(document=document, start=bounds["start"], end=bounds["end"],
                                        coder=AGREED, round=round_, memo=f"agreed by {by}")
    item.codes.set(codes)


def project_agreement(project: CodingProject, round_name: str | None = None) -> dict:
    """Agreement for `nmahp qual agreement`: a closed round's (by name), or, without one, between everyone's
    coding outside open rounds, each coder over the documents they coded (the agreed coding left out)."""
    if round_name:
        found = project.rounds.filter(name=round_name).order_by("-pk").first()
        if found is None:
            names = ", ".join(sorted(set(project.rounds.values_list("name", flat=True)))) or "none yet"
            raise NmahpError(f"no coding round called '{round_name}' (rounds: {names})")
        return round_agreement(found)
    domain = load(project)
    domain.highlights = [h for h in domain.highlights if h.coder != AGREED]
    return agreement(domain)
