"""Accounts and respondents: adding an account with its role, and erasing a respondent."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import pyotp

from ..errors import NmahpError
from . import ready


def add_account(username: str, role: str, password: str, region: str = "") -> str:
    """Add an account; returns the TOTP provisioning URI for roles that sign in with a second factor
    (empty for the others)."""
    ready()
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from ..web.accounts.models import ROLES, SECOND_FACTOR_ROLES, Profile

    if role not in dict(ROLES):
        raise NmahpError(f"the role must be one of {', '.join(dict(ROLES))}")
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise NmahpError(f"an account called '{username}' exists already")
    secret = pyotp.random_base32() if role in SECOND_FACTOR_ROLES else ""
    with transaction.atomic():
        user = User.objects.create_user(username=username, password=password, is_staff=role == "admin",
                                        is_superuser=role == "admin")
        Profile.objects.create(user=user, role=role, region=region, totp_secret=secret)
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name="NMAHP Pathways") if secret else ""


# --- erasure ---------------------------------------------------------------------------------------------
@dataclass
class Erasure:
    """Who is being erased, for the hooks: their key, the waves they answered or were numbered in, and
    their participant numbers per wave id."""

    respondent_key: str
    waves: list = field(default_factory=list)
    numbers: dict[int, list[int]] = field(default_factory=dict)


ErasureHook = Callable[[Erasure], "Mapping[str, int] | None"]

def _snapshots_and_caches(erasure: Erasure) -> Mapping[str, int]:
    from .snapshots import erased  # imported here: this module is loaded before Django is set up

    return erased(erasure)


# Whatever keeps something derived from a respondent (a cached table, a snapshot of a wave, a generated
# report kept on the server, a temporary file) registers a hook here; every erasure calls each hook inside
# its transaction and adds the counts it returns to what the erasure reports. A hook that raises undoes the
# whole erasure. A hook that removes files should do it in `transaction.on_commit`, so a failed erasure
# leaves them. The wave snapshots and the dashboards' cached results are rewritten and deleted by the first.
ERASURE_HOOKS: list[ErasureHook] = [_snapshots_and_caches]


def on_erasure(hook: ErasureHook) -> ErasureHook:
    """Register `hook` to run on every erasure (usable as a decorator)."""
    ERASURE_HOOKS.append(hook)
    return hook


def _is_number(participant: str, numbers: set[int]) -> bool:
    """'43', 'P43', 'participant 043' name participant 43 (transcripts are added with the number as typed)."""
    found = re.fullmatch(r"(?:p|participant)?\s*0*(\d+)", (participant or "").strip(), flags=re.IGNORECASE)
    return bool(found) and int(found.group(1)) in numbers


def _cut_from_coding(erasure: Erasure, counts: dict[str, int]) -> None:
    from ..qualitative import Segment
    from ..qualitative.cut import cut_participants
    from ..web.coding.models import CodingDocument, HighlightItem

    passages: list[str] = []
    for wave_id, numbers in erasure.numbers.items():
        wanted = set(numbers)
        for document in CodingDocument.objects.filter(project__wave_id=wave_id).order_by("pk"):
            theirs = {s["participant"] for s in document.segments if _is_number(s["participant"], wanted)}
            if not theirs:
                continue
            passages += [document.text[s["start"]:s["end"]] for s in document.segments if s["participant"] in theirs]
            items = list(HighlightItem.objects.filter(document=document))
            cut = cut_participants(document.text, [Segment(**s) for s in document.segments], theirs,
                                   [(h.pk, h.start, h.end) for h in items])
            if not cut.text.strip() or not cut.segments:
                counts["highlights"] += len(items)
                counts["transcripts" if document.kind == "transcript" else "coding documents"] += 1
                if document.kind != "transcript":
                    counts["open-text answers"] += cut.removed_segments
                document.delete()
                continue
            gone = [h.pk for h in items if cut.highlights[h.pk] is None]
            moved = []
            for h in items:
                new = cut.highlights[h.pk]
                if new is not None and new != (h.start, h.end):
                    if document.text[h.start:h.end] != cut.text[new[0]:new[1]]:
                        counts["highlights trimmed"] += 1
                    h.start, h.end = new
                    moved.append(h)
            HighlightItem.objects.filter(pk__in=gone).delete()
            HighlightItem.objects.bulk_update(moved, ["start", "end"])
            counts["highlights"] += len(gone)
            counts["transcript turns" if document.kind == "transcript" else "open-text answers"] += \
                cut.removed_segments
            document.text = cut.text
            document.segments = [{"start": s.start, "end": s.end, "participant": s.participant,
                                  "speaker": s.speaker, "professional_group": s.professional_group,
                                  "region": s.region} for s in cut.segments]
            document.save(update_fields=["text", "segments"])
    _memos_quoting(passages, list(erasure.numbers), counts)


# a memo that repeats a sentence of at least this many characters of an erased respondent's words quotes them
QUOTED = 20


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip().casefold()


def _memos_quoting(passages: list[str], wave_ids: list[int], counts: dict[str, int]) -> None:
    """Memos anywhere in the waves' coding projects (a free-standing note another QDA tool exported, a note
    on a code, a highlight's memo on someone else's words) that quote the erased respondent: a note goes
    whole, a highlight's memo is emptied. Quoting is repeating one of their sentences, or a whole answer,
    of at least QUOTED characters, whatever the spacing and case."""
    from ..web.coding.models import CodingNote, HighlightItem

    fragments = set()
    for passage in passages:
        plain = _plain(passage)
        fragments |= {f for f in [plain, *re.split(r"(?<=[.!?])\s+", plain)] if len(f) >= QUOTED}
    if not fragments:
        return

    def quotes(text: str) -> bool:
        plain = _plain(text)
        return any(f in plain for f in fragments)

    for note in CodingNote.objects.filter(project__wave_id__in=wave_ids):
        if quotes(note.text) or quotes(note.name):
            note.delete()
            counts["memos quoting them"] += 1
    for item in HighlightItem.objects.filter(document__project__wave_id__in=wave_ids).exclude(memo=""):
        if quotes(item.memo):
            item.memo = ""
            item.save(update_fields=["memo"])
            counts["highlight memos quoting them"] += 1


def _mentoring(respondent_key: str, counts: dict[str, int]) -> None:
    from ..web.mentoring.models import ClinicianProfile, Match, MatchingRound

    profiles = ClinicianProfile.objects.filter(from_respondent=respondent_key)
    ids = {str(pk) for pk in profiles.values_list("pk", flat=True)}
    if not ids:
        return
    counts["matches"] += Match.objects.filter(clinician__in=profiles).count()
    for matching_round in MatchingRound.objects.exclude(peer_groups=[]):
        groups = [[m for m in group if m not in ids] for group in matching_round.peer_groups]
        places = sum(map(len, matching_round.peer_groups)) - sum(map(len, groups))
        if places:
            counts["peer group places"] += places
            matching_round.peer_groups = [g for g in groups if g]
            matching_round.save(update_fields=["peer_groups"])
    counts["mentoring profiles"] += len(ids)
    profiles.delete()  # their matches go with them


def erase_respondent(respondent_key: str, *, actor: str) -> dict[str, int]:
    """Remove a respondent and everything derived from them, in one transaction: their answers and contact
    details; in the coding project of each wave they were numbered in, their open-text answers (each
    document rebuilt without them, the other segments and highlights moved so they cover the same text,
    highlights on their words removed) and the transcripts of their participant number; every memo in those
    projects that quotes them (a note deleted, a highlight's memo emptied: `_memos_quoting`); the participant
    number; the mentoring profiles started from their answers, with their matches and peer-group places;
    and whatever the registered ERASURE_HOOKS keep. The audit log records it by a hash of the key.
    Returns the counts removed, by kind (only kinds with something removed); empty when the key is unknown."""
    ready()
    from django.db import transaction

    from ..web.coding.models import ParticipantNumber
    from ..web.surveys import store
    from ..web.surveys.models import Response, Wave

    counts: dict[str, int] = {kind: 0 for kind in (
        "open-text answers", "coding documents", "transcripts", "transcript turns", "highlights",
        "highlights trimmed", "memos quoting them", "highlight memos quoting them", "participant numbers",
        "mentoring profiles", "matches", "peer group places")}
    with transaction.atomic():
        numbered = list(ParticipantNumber.objects.filter(respondent_key=respondent_key)
                        .values_list("wave_id", "number"))
        wave_ids = {w for w, _ in numbered} | set(
            Response.objects.filter(respondent_key=respondent_key).values_list("wave_id", flat=True))
        erasure = Erasure(respondent_key, list(Wave.objects.filter(pk__in=wave_ids)))
        for wave_id, number in numbered:
            erasure.numbers.setdefault(wave_id, []).append(number)
        _cut_from_coding(erasure, counts)
        counts["participant numbers"], _ = ParticipantNumber.objects.filter(respondent_key=respondent_key).delete()
        _mentoring(respondent_key, counts)
        for hook in ERASURE_HOOKS:
            for kind, n in (hook(erasure) or {}).items():
                counts[kind] = counts.get(kind, 0) + n
        removed = {kind: n for kind, n in counts.items() if n}
        return store.erase(respondent_key, actor=actor, derived=removed)
