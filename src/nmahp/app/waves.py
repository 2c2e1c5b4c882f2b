"""Waves: find or open one, store synthetic respondents, and turn a wave (or an export file read
without touching the database) into the response frame every analysis starts from."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from ..analysis import response_frame
from ..errors import NmahpError
from ..importers import ImportResult, import_file
from ..importers.mapping import Mapping
from ..importers.pipeline import DUPLICATE_RULE
from ..instruments import Instrument, available, get_instrument, registered
from ..instruments.synth import Synthesiser
from . import jobs, ready


@dataclass
class Responses:
    """A wave's complete responses (or an export's) as a frame, with where they came from."""

    instrument: Instrument
    frame: pl.DataFrame
    source: str
    notes: list[str] = field(default_factory=list)
    wave: object | None = None  # the stored wave, when the responses came from the database


def find_wave(name: str, instrument: str | None = None):
    ready()
    from ..web.surveys import store

    return store.find_wave(name, instrument)


def open_wave(instrument: str, name: str):
    """The wave called `name` of this instrument, made if it does not exist yet."""
    ready()
    from ..web.surveys import store

    form = get_instrument(instrument, allow_path=True)
    if registered(form.form_id) is None:
        raise NmahpError(f"{instrument}: its form_id '{form.form_id}' is not a registered instrument "
                         f"({', '.join(available())}); a wave can only be of a registered instrument")
    return store.get_or_create_wave(form.form_id, name)


def wave_responses(wave) -> Responses:
    """A stored wave's complete responses as a frame (contact details never included), read from the
    wave's snapshot of its current version (nmahp.app.snapshots; made first when there is none)."""
    ready()
    from ..web.surveys import store
    from . import snapshots

    instrument = store.instrument_for(wave)  # the version the wave is pinned to, not the folder's workbook
    return Responses(instrument, snapshots.read_frame(wave), f"wave {wave.name} ({wave.instrument})", wave=wave)


def mark_changed(wave) -> None:
    """Say that a wave's tables changed by some way other than nmahp.web.surveys.store (which says so itself):
    the wave's data version moves in the caller's transaction (or its own), so the next read of any dashboard,
    twin, download or overview sees the change and no cached result of before is served; once committed, the
    snapshot is brought up to date (by the `snapshot_rebuild` job when there is a job queue)."""
    ready()
    from django.db import transaction

    from ..web.surveys import store
    from . import snapshots

    with transaction.atomic():
        store.changed(wave)
        transaction.on_commit(lambda: snapshots.after_change(wave))


def responses_of(name: str, instrument: str | None = None) -> Responses:
    return wave_responses(find_wave(name, instrument))


def read_export(path: Path, instrument: str, *, mapping: Path | None = None, layout: str = "auto") -> ImportResult:
    """Read, map and validate an export file; nothing is stored. Raises ReadError or NmahpError."""
    form = get_instrument(instrument, allow_path=True)
    return import_file(path, form, layout=layout, mapping=Mapping.load(mapping, form))


def file_responses(path: Path, instrument: str, *, mapping: Path | None = None) -> Responses:
    """An export file's complete responses as a frame, without the database. A file with invalid rows
    raises ImportRefused carrying the importer's report."""
    result = read_export(path, instrument, mapping=mapping)
    if not result.ok:
        raise ImportRefused(result)
    form = get_instrument(instrument, allow_path=True)
    note = (f"{len(result.excluded)} incomplete or declined submissions excluded; "
            f"{len(result.duplicates)} duplicates removed ({DUPLICATE_RULE})")
    return Responses(form, response_frame(form, [r.answers for r in result.respondents]), str(path), [note])


def store_synthetic(instrument: str, wave: str, n: int, seed: int, progress=None) -> int:
    """`n` valid synthetic respondents stored in a wave (all or none: the wave too, if this made it), drawn
    as `nmahp synth --out` draws them for the same seed and written in bulk (store.bulk_load)."""
    ready()
    from django.db import transaction

    from ..web.surveys import store

    form = get_instrument(instrument, allow_path=True)
    rows = Synthesiser(form, seed).stream(n)
    with transaction.atomic():
        target = open_wave(instrument, wave)
        return store.bulk_load(target, _counted(rows, n, progress) if progress else rows, source=f"synth:seed={seed}")


def _counted(rows, n: int, progress):
    for done, row in enumerate(rows, start=1):
        if done % 500 == 0 or done == n:
            progress(done, n, "drawing synthetic respondents")
        yield row
    progress(n, n, "checking and storing them")


@jobs.task("synthetic_respondents", atomic=False, title="synthetic respondents")  # store_synthetic is atomic
def synthetic_respondents_job(progress, instrument: str, wave: str, n: int, seed: int = 0) -> dict:
    if not 1 <= int(n) <= 10_000_000:
        raise NmahpError(f"between 1 and 10,000,000 synthetic respondents, not {n}")
    stored = store_synthetic(instrument, wave, int(n), int(seed), progress)
    return {"summary": f"{stored:,} synthetic respondents stored in wave {wave}.", "stored": stored,
            "instrument": instrument, "wave": wave, "seed": int(seed)}


class ImportRefused(Exception):
    """An export with rows that cannot be imported; `result.report()` says which and why."""

    def __init__(self, result: ImportResult):
        self.result = result
        super().__init__(result.report())
