"""Writing and reading answers: every write is validated against the wave's instrument and split so
contact details never land in the answers table. All-or-nothing for batches."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.db import transaction
from django.db.models import Count, F, JSONField, OuterRef, Q, Subquery
from django.utils import timezone

from nmahp.errors import NmahpError
from nmahp.instruments import Instrument, get_instrument, validate

from .models import CollectorLink, ContactDetails, Response, Wave


class SubmissionRejected(NmahpError):
    def __init__(self, errors: list[tuple[int, str]]):
        self.errors = errors
        shown = "\n".join(f"  - submission {i}: {message}" for i, message in errors[:20])
        more = f"\n  ... and {len(errors) - 20} more" if len(errors) > 20 else ""
        super().__init__(f"{len(errors)} problem(s); nothing was stored:\n{shown}{more}")


class AlreadySubmitted(NmahpError):
    def __init__(self):
        super().__init__("these answers were already sent; a submitted response is not changed")


class SurveyClosed(NmahpError):
    """A respondent's answers arrived outside the wave's opening dates: nothing is stored. (Imports of a
    past wave's export are not respondents answering, and are not refused.)"""

    def __init__(self, wave: Wave):
        self.wave = wave
        when = wave.closes if wave.collecting() == Wave.CLOSED else wave.opens
        super().__init__(f"the survey {'closed' if wave.collecting() == Wave.CLOSED else 'opens'} on {when}")


def changed(*waves: Wave | int) -> None:
    """Bump each wave's data version, inside the caller's transaction, so the version moves exactly when
    the complete responses do (the snapshot and the dashboards' caches are keyed by it). Every function
    here that writes or erases responses calls it; code elsewhere calls nmahp.app.waves.mark_changed."""
    ids = {getattr(w, "pk", w) for w in waves}
    if ids:
        Wave.objects.filter(pk__in=ids).update(data_version=F("data_version") + 1)


def instrument_for(wave: Wave) -> Instrument:
    """The wave's instrument as the version it is pinned to (a stored version when one is kept)."""
    return get_instrument(wave.instrument, version=wave.form_version)


def get_or_create_wave(instrument: str, name: str, **fields) -> Wave:
    form = get_instrument(instrument)
    wave, _ = Wave.objects.get_or_create(instrument=form.form_id, name=name,
                                         defaults={"form_version": form.version, **fields})
    return wave


def find_wave(name: str, instrument: str | None = None) -> Wave:
    waves = Wave.objects.filter(name=name)
    if instrument:
        waves = waves.filter(instrument=get_instrument(instrument).form_id)
    found = list(waves)
    if not found:
        raise NmahpError(f"no wave called '{name}'" + (f" for {instrument}" if instrument else ""))
    if len(found) > 1:
        options = ", ".join(w.instrument for w in found)
        raise NmahpError(f"wave '{name}' exists for several instruments ({options}); add --instrument")
    return found[0]


def _split(instrument: Instrument, answers: Mapping[str, str]) -> tuple[dict, dict]:
    contact_names = set(instrument.contact_questions())
    kept = {k: v for k, v in answers.items() if k not in contact_names}
    contact = {k: v for k, v in answers.items() if k in contact_names}
    return kept, contact


def _prepare(instrument: Instrument, answers: Mapping, complete: bool):
    result = validate(instrument, answers, only=None if complete else set())
    return result


def with_contact(responses):
    """The responses, each carrying its respondent's contact details (`contact_details`: a dict, or None when
    none are kept) read in the same query: the two tables stay apart, joined by key only here."""
    details = ContactDetails.objects.filter(respondent_key=OuterRef("respondent_key")).values("details")[:1]
    return responses.annotate(contact_details=Subquery(details, output_field=JSONField()))


def lock_response(respondent_key: str, *, contact: bool = False) -> Response | None:
    """The response under this key, for a change: its row locked until the surrounding transaction ends
    (on SQLite the immediate transaction already holds the database's write lock), so a page save and
    the final submit of one respondent run one after the other. Read, decide and write inside that
    transaction. Refuses a response already submitted (AlreadySubmitted). With `contact`, it carries its
    contact details too (with_contact)."""
    responses = Response.objects.select_for_update(of=("self",)).select_related("wave", "collector")
    response = (with_contact(responses) if contact else responses).filter(respondent_key=respondent_key).first()
    if response is not None and response.status == Response.COMPLETE:
        raise AlreadySubmitted()
    return response


def save_response(wave: Wave, answers: Mapping, *, complete: bool = True, collector: CollectorLink | None = None,
                  source: str = "web", respondent_key: str | None = None, locked: Response | None = None,
                  instrument: Instrument | None = None) -> Response:
    """Store (or update, by key) one response. Refuses invalid answers and stores nothing; refuses to
    change a response already submitted (AlreadySubmitted), which stays complete as it was sent.
    `locked`: the response under `respondent_key` as the caller read it with lock_response(key, contact=True)
    in the surrounding transaction (not read again); `instrument`: the wave's, as instrument_for gives it.
    With `locked`, the write is part of the caller's transaction (no savepoint of its own): an error raised
    here leaves that transaction to be rolled back, as the survey pages do by letting it leave theirs."""
    if source == "web" and wave.collecting() != Wave.OPEN:
        raise SurveyClosed(wave)
    instrument = instrument or instrument_for(wave)
    result = _prepare(instrument, answers, complete)
    if not result.ok:
        raise SubmissionRejected([(1, str(e)) for e in result.errors])
    with transaction.atomic(savepoint=locked is None):
        kept, contact = _split(instrument, result.answers)
        fields = {"wave": wave, "collector": collector, "answers": kept, "source": source,
                  "status": Response.COMPLETE if complete else Response.PARTIAL,
                  "submitted": timezone.now() if complete else None}
        response = locked if locked is not None else lock_response(respondent_key) if respondent_key else None
        # whether contact details may be kept under the key (else there is nothing to delete): none under a key
        # made just now, none when the locked read found none (the lock keeps it so)
        kept_contact = respondent_key is not None and getattr(locked, "contact_details", "not read") is not None
        if response is not None:
            for name, value in fields.items():
                setattr(response, name, value)
            response.save()
        else:
            keyed = {"respondent_key": respondent_key} if respondent_key else {}
            response = Response.objects.create(**keyed, **fields)
        if contact:
            ContactDetails.objects.update_or_create(respondent_key=response.respondent_key,
                                                    defaults={"details": contact})
        elif kept_contact:
            ContactDetails.objects.filter(respondent_key=response.respondent_key).delete()
        if complete:  # a partial response is in no table
            changed(wave)
        return response


def bulk_load(wave: Wave, rows: Iterable[Mapping], *, source: str, batch_size: int = 2000) -> int:
    """Check every row first (the instrument's rules over whole columns); write them all in one
    transaction (COPY on PostgreSQL), or none."""
    import polars as pl

    from nmahp.importers.answers import ROW
    from nmahp.importers.checks import check
    from nmahp.instruments.validation import normalise

    from . import bulk

    instrument = instrument_for(wave)
    records = [{k: normalise(v) or None for k, v in row.items()} for row in rows]
    unknown = sorted({k for r in records for k in r} - set(instrument.questions))
    if unknown:
        raise SubmissionRejected([(1, f"{unknown[0]}: is not a question in this survey")])
    names = [q.name for q in instrument.questions.values() if q.holds_answer]
    frame = pl.DataFrame({ROW: range(1, len(records) + 1)} | {n: [r.get(n) for r in records] for n in names},
                         schema={ROW: pl.Int64} | dict.fromkeys(names, pl.String))
    checked = check(frame, instrument, mapped=set(names), column_of={})
    if checked.problems:
        raise SubmissionRejected([(row, f"{p.question}: {p.message}") for p in checked.problems for row in p.rows])
    with transaction.atomic():
        added = bulk.write_responses(wave, checked.frame.drop("_flags"), contact=instrument.contact_questions(),
                                     source=source)
        changed(wave)
    return added


class ImportRefused(NmahpError):
    """The import's checks found what its policy refuses, after storing had begun: all of it is undone."""


def store_import(wave: Wave, result, *, source: str, batch_size: int = 2000) -> tuple[int, int]:
    """Store an import's respondents (already checked by the importer), with the flags its policy kept;
    rows whose respondent ID the wave already holds are skipped, so importing the same file twice adds
    nothing. Returns (added, already present)."""
    import polars as pl

    from . import bulk

    if not result.ok:
        raise NmahpError(result.report())
    instrument = instrument_for(wave)
    existing = list(Response.objects.filter(wave=wave).exclude(external_id="").values_list("external_id", flat=True))
    frame = result.frame
    fresh = frame.filter(~pl.col("_external_id").str.slice(0, 100).is_in(existing)) if existing else frame
    with transaction.atomic():
        added = bulk.write_responses(wave, fresh.drop("_row"), contact=instrument.contact_questions(), source=source)
        if added:
            changed(wave)
    return added, frame.height - added


def store_streamed(wave: Wave, streamed, *, source: str, progress=None) -> tuple[int, int]:
    """Read, check and store an import part by part (nmahp.importers.open_import), in one transaction: the
    database takes in each part while the next is read. A respondent a later row replaces is deleted
    again; rows whose respondent ID the wave held before are skipped, so importing the same file twice
    adds nothing. When the checks find what the policy refuses, everything is undone and ImportRefused
    raised (the streamed result lists every problem). Returns (added, already present)."""
    from nmahp.importers.pipeline import EXTERNAL_ID, ROW

    from . import bulk

    contact = instrument_for(wave).contact_questions()
    result = streamed.result
    existing = set(Response.objects.filter(wave=wave).exclude(external_id="").values_list("external_id", flat=True))
    ours: set[str] = set()  # external IDs this import wrote: the only ones it may delete again

    def store(part, writer) -> None:
        gone = [e[:100] for e in part.superseded if e[:100] in ours]
        if gone:
            bulk.delete_external(wave, gone, writer)
            ours.difference_update(gone)
        if not part.frame.width or part.frame.height == 0:
            return
        external = part.frame[EXTERNAL_ID].str.slice(0, 100)
        fresh = part.frame.filter(~external.is_in(list(existing))) if existing else part.frame
        bulk.write_responses(wave, fresh.drop(ROW), contact=contact, source=source, writer=writer)
        ours.update(fresh[EXTERNAL_ID].str.slice(0, 100).to_list())

    with transaction.atomic():
        writer = bulk.Writer()
        try:
            for part in streamed.parts():
                # an unreadable answer refuses the import whatever the duplicate rule decides later:
                # reading on lists every problem, and nothing more is written
                if any(not p.kept for p in streamed.read_problems.values()):
                    continue
                store(part, writer)
                if progress is not None:
                    progress(result.rows_read)
            last = streamed.finish()
            if not result.ok:
                raise ImportRefused(result.report())
            store(last, writer)
            writer.close()
        except BaseException:
            writer.abandon()
            raise
        if ours:
            changed(wave)
    return len(ours), len(streamed.written) - len(ours)


def wave_answers(wave: Wave) -> list[dict]:
    """The complete responses of a wave, as answer dicts for analysis (contact details never included)."""
    return list(Response.objects.filter(wave=wave, status=Response.COMPLETE).values_list("answers", flat=True))


def erase(respondent_key: str, *, actor: str, derived: Mapping[str, int] | None = None) -> dict[str, int]:
    """Remove a respondent's answers and contact details, and record that it happened (by a hash of
    the key, so the record itself links to nothing) with the counts of what went, including what the
    caller removed that was `derived` from them (call `nmahp.app.people.erase_respondent`, which removes
    that too). Returns those counts; empty, and nothing recorded, when nothing was removed."""
    import hashlib

    from ..accounts.models import audit

    with transaction.atomic():
        changed(*Response.objects.filter(respondent_key=respondent_key, status=Response.COMPLETE)
                .values_list("wave_id", flat=True))
        answers, _ = Response.objects.filter(respondent_key=respondent_key).delete()
        contact, _ = ContactDetails.objects.filter(respondent_key=respondent_key).delete()
        removed = {"answers": answers, "contact details": contact, **(derived or {})}
        removed = {kind: n for kind, n in removed.items() if n}
        if not removed:
            return {}
        digest = hashlib.sha256(respondent_key.encode()).hexdigest()[:16]
        audit(actor, "erase", f"respondent {digest}",
              "removed: " + ", ".join(f"{kind} {n}" for kind, n in removed.items()))
    return removed


def wave_summaries() -> list[dict]:
    waves = Wave.objects.annotate(
        complete=Count("responses", filter=Q(responses__status=Response.COMPLETE)),
        partial=Count("responses", filter=Q(responses__status=Response.PARTIAL)),
    ).order_by("instrument", "name")
    return [{"name": w.name, "instrument": w.instrument, "form_version": w.form_version,
             "complete": w.complete, "partial": w.partial,
             "collectors": [{"channel": c.channel, "invited": c.invited} for c in w.collectors.all()]}
            for w in waves]
