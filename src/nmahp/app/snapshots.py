"""Columnar snapshots of waves, and the cache of what is computed from them.

A wave's complete responses are kept as one Parquet file per data version (`Wave.data_version`, bumped in the
transaction of every write or erasure) under `$NMAHP_DATA_DIR/snapshots/`: one row per response, one text
column per question (contact details never), plus the response's id and last change. Dashboards read it with
polars' lazy scan, so a table reads only its own columns and the rows its filters keep. A snapshot is made on
the first read of a version: from the previous file when only some responses came or went (the few new ones
are read from the database), otherwise from the whole wave (on PostgreSQL in one COPY).

Results computed from a snapshot are kept in Django's cache (`CACHES`, NMAHP_CACHE_URL) under the wave's
identity and version, so a new version is never served an old result. An erasure rewrites the snapshot at once
and deletes every cached result of the wave (`erased`, run by nmahp.app.people's erasure)."""

from __future__ import annotations

import datetime as dt
import fcntl
import functools
import hashlib
import io
import os
from collections import Counter
from collections.abc import Callable, Hashable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from ..analysis.frame import columns_of
from ..web import config
from . import ready

RESPONSE, UPDATED = "_response", "_updated"  # the response's id and last change (microseconds since 1970)
INCREMENTAL_UP_TO = 20_000  # more new or changed responses than this: the snapshot is made afresh
KEEP = 2  # snapshot files kept per wave: a reader still scanning the one before the newest is not cut short
CACHE_PREFIX = "nmahp:snapshot"
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

# what was done, by kind ('made', 'updated', 'computed', 'cache hits', ...): the tests and the benchmark read
# it to tell a cache hit from a computation without timing anything
STATS: Counter[str] = Counter()


@dataclass(frozen=True)
class Snapshot:
    """One version of a wave's snapshot, on disk."""

    wave_id: int
    identity: str  # the wave's folder name: its id and creation time, so a wave made anew is never mistaken
    version: int
    path: Path

    @property
    def token(self) -> str:
        """What cached results of this version are filed under (the file name carries the columns' digest)."""
        return f"{self.identity}/{self.path.name}"

    def columns(self) -> list[str]:
        return list(_schema(self.path))

    def read(self, columns: list[str] | None = None, conditions: list[pl.Expr] | tuple = ()) -> pl.DataFrame:
        """The rows the `conditions` keep, only the `columns` asked for (all questions by default): both are
        pushed into the Parquet read."""
        frame = pl.scan_parquet(self.path)
        for condition in conditions:
            frame = frame.filter(condition)
        wanted = columns if columns is not None else self.columns()
        return frame.select(wanted).collect()

    def count(self, conditions: list[pl.Expr] | tuple = ()) -> int:
        frame = pl.scan_parquet(self.path)
        for condition in conditions:
            frame = frame.filter(condition)
        return int(frame.select(pl.len()).collect().item())


def root() -> Path:
    path = config.data_dir() / "snapshots"
    path.mkdir(mode=config.PRIVATE_DIR, exist_ok=True)
    return path


def identity(wave) -> str:
    created = int((wave.created - EPOCH) // dt.timedelta(microseconds=1)) if wave.created else 0
    return f"wave-{wave.pk}-{created}"


def _digest(names: list[str]) -> str:
    return hashlib.sha256("\n".join(names).encode()).hexdigest()[:12]


def _files(folder: Path) -> list[Path]:
    """The snapshot files of a wave, newest version first."""
    found = []
    for path in folder.glob("v*.parquet"):
        version, _, _ = path.stem[1:].partition("-")
        if version.isdigit():
            found.append((int(version), path))
    return [p for _, p in sorted(found, reverse=True)]


@contextmanager
def _locked(folder: Path):
    """One maker of a wave's snapshot at a time, across threads and processes (gunicorn's workers, a CLI)."""
    folder.mkdir(mode=config.PRIVATE_DIR, parents=True, exist_ok=True)
    with open(folder / ".lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def current(wave, *, fresh: bool = False, instrument=None) -> Snapshot:
    """The snapshot of the wave's current data version, made first if there is none yet. `fresh`: the caller
    has just read `wave` from the database (a page does), so its version is not read again; `instrument`: the
    wave's as store.instrument_for gives it, when the caller has it already."""
    ready()
    from ..web.surveys.models import Wave

    if not fresh:
        wave = Wave.objects.get(pk=wave.pk)  # the version as it is now, not as a caller's copy had it
    from ..web.surveys.store import instrument_for

    # the version the wave is pinned to, not the folder's workbook
    names = columns_of(instrument or instrument_for(wave))
    folder = root() / identity(wave)
    path = folder / f"v{wave.data_version}-{_digest(names)}.parquet"
    if not path.exists():
        with _locked(folder):
            wave = Wave.objects.get(pk=wave.pk)  # it may have moved on while we waited
            path = folder / f"v{wave.data_version}-{_digest(names)}.parquet"
            if not path.exists():
                _make(wave, names, path)
                _prune(folder, keep=KEEP)
    return Snapshot(wave.pk, identity(wave), wave.data_version, path)


@functools.lru_cache(maxsize=64)
def _schema(path: Path) -> tuple[str, ...]:
    # a snapshot file never changes once it has its name, so its columns can be remembered
    return tuple(c for c in pl.read_parquet_schema(path) if c not in (RESPONSE, UPDATED))


def read_frame(wave) -> pl.DataFrame:
    """A wave's complete responses as the analysis frame (one text column per question), from its snapshot."""
    for attempt in range(3):
        try:
            return current(wave).read()
        except FileNotFoundError:  # pruned by a newer version between finding and reading it: read that one
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _prune(folder: Path, *, keep: int) -> None:
    for old in _files(folder)[keep:]:
        old.unlink(missing_ok=True)


def _make(wave, names: list[str], path: Path) -> None:
    from ..web.surveys.models import Response

    rows = Response.objects.filter(wave=wave, status=Response.COMPLETE)
    stamps = {pk: _micros(updated) for pk, updated in rows.values_list("pk", "updated").iterator(chunk_size=20_000)}
    previous = next((p for p in _files(path.parent) if p.name.endswith(path.name.partition("-")[2])), None)
    frame = None
    if previous is not None:
        old = pl.read_parquet(previous)
        present = pl.DataFrame({RESPONSE: list(stamps), UPDATED: list(stamps.values())},
                               schema={RESPONSE: pl.Int64, UPDATED: pl.Int64})
        kept = old.join(present, on=[RESPONSE, UPDATED], how="semi")
        new = set(stamps) - set(kept.get_column(RESPONSE).to_list())
        if len(new) <= INCREMENTAL_UP_TO:
            frame = pl.concat([kept, _from_rows(rows.filter(pk__in=new), names).select(kept.columns)]) if new else kept
            STATS["updated"] += 1
    if frame is None:
        frame = _whole(wave, names)
        STATS["made"] += 1
    frame = frame.sort(RESPONSE).select(RESPONSE, UPDATED, *names)
    partial = path.with_name(path.name + ".partial")
    frame.write_parquet(partial, compression="zstd", statistics=True)
    os.chmod(partial, config.PRIVATE_FILE)
    os.replace(partial, path)  # readers see the whole file or none


def _micros(moment: dt.datetime) -> int:
    return int((moment - EPOCH) // dt.timedelta(microseconds=1))


def _from_rows(rows, names: list[str]) -> pl.DataFrame:
    ids, stamps, answers = [], [], []
    for pk, updated, kept in rows.order_by("pk").values_list("pk", "updated", "answers").iterator(chunk_size=5000):
        ids.append(pk)
        stamps.append(_micros(updated))
        answers.append(kept)
    frame = response_frame_of(names, answers)
    return frame.with_columns(pl.Series(RESPONSE, ids, pl.Int64), pl.Series(UPDATED, stamps, pl.Int64))


def response_frame_of(names: list[str], answers: list[dict]) -> pl.DataFrame:
    data = {name: [(row.get(name) or None) for row in answers] for name in names}
    return pl.DataFrame(data, schema={n: pl.Utf8 for n in names})


def _whole(wave, names: list[str]) -> pl.DataFrame:
    from django.db import connection

    from ..web.surveys.models import Response

    rows = Response.objects.filter(wave=wave, status=Response.COMPLETE)
    if connection.vendor != "postgresql":
        return _from_rows(rows, names)
    # PostgreSQL takes the answers apart itself and sends them as one CSV stream: no JSON decoded in Python.
    # jsonb_to_record reads each (compressed, out-of-line) answers value once; `answers ->> name` per column
    # would unpack it once per question (19 s instead of 4 for 100,000 responses of 70 questions)
    from psycopg import sql

    table = sql.Identifier(Response._meta.db_table)
    fields = sql.SQL(", ").join([sql.SQL("s.id AS {}").format(sql.Identifier(RESPONSE)),
                                 sql.SQL("(extract(epoch FROM s.updated) * 1000000)::bigint AS {}").format(
                                     sql.Identifier(UPDATED))]
                                + [sql.SQL("r.{}").format(sql.Identifier(n)) for n in names])
    record = sql.SQL(", ").join(sql.SQL("{} text").format(sql.Identifier(n)) for n in names)
    query = sql.SQL("COPY (SELECT {} FROM {} s, jsonb_to_record(s.answers) AS r({}) WHERE s.wave_id = {} "
                    "AND s.status = {}) TO STDOUT WITH (FORMAT csv, HEADER)").format(
        fields, table, record, sql.Literal(wave.pk), sql.Literal(Response.COMPLETE))
    buffer = io.BytesIO()
    with connection.cursor() as cursor:
        with cursor.cursor.copy(query) as copy:
            for block in copy:
                buffer.write(block)
    buffer.seek(0)
    schema = {RESPONSE: pl.Int64, UPDATED: pl.Int64, **{n: pl.Utf8 for n in names}}
    frame = pl.read_csv(buffer, schema=schema)
    return frame.with_columns(pl.col(names).replace("", None))


# --- the cache ---------------------------------------------------------------------------------------------
def cached(snapshot: Snapshot, what: str, parts: Hashable, compute: Callable[[], object]):
    """`compute()`, kept in the cache under the snapshot's version, `what` and `parts` (table, filters,
    breakdown, disclosure); a hit is returned without computing anything. Every key is listed under the
    wave, so an erasure can delete them all."""
    from django.core.cache import cache

    key = f"{CACHE_PREFIX}:{hashlib.sha256(repr((snapshot.token, what, parts)).encode()).hexdigest()}"
    found = cache.get(key, _MISSING)
    if found is not _MISSING:
        STATS["cache hits"] += 1
        return found
    value = compute()
    STATS["computed"] += 1
    STATS[f"computed {what}"] += 1
    cache.set(key, value, config.cache_seconds())
    _list_key(snapshot.identity, key)
    return value


_MISSING = object()


def _list_key(wave_identity: str, key: str) -> None:
    from django.core.cache import cache

    counter = f"{CACHE_PREFIX}:keys:{wave_identity}"
    cache.add(counter, 0, None)
    try:
        slot = cache.incr(counter)
    except ValueError:  # evicted between add and incr
        cache.set(counter, 1, None)
        slot = 1
    cache.set(f"{counter}:{slot}", key, config.cache_seconds())


def forget(wave) -> int:
    """Delete every cached result of the wave, whatever its version; returns how many were found."""
    from django.core.cache import cache

    counter = f"{CACHE_PREFIX}:keys:{identity(wave)}"
    slots = [f"{counter}:{n}" for n in range(1, (cache.get(counter) or 0) + 1)]
    keys = [k for k in cache.get_many(slots).values() if k]
    found = sum(1 for k in cache.get_many(keys))
    cache.delete_many([*keys, *slots, counter])
    return found


# --- changes from elsewhere ------------------------------------------------------------------------------
def after_change(wave) -> None:
    """Bring the snapshot up to date now, in the background (the `snapshot_rebuild` job) when the service has
    a job queue; without one it is made on the next read. Call after the change is committed."""
    try:
        from . import jobs
    except ImportError:
        return
    jobs.submit("snapshot_rebuild", {"wave": wave.pk})


def _register_job() -> None:
    try:
        from .jobs import task
    except ImportError:  # no job queue: snapshots are made on the next read
        return

    @task("snapshot_rebuild", atomic=False, title="Snapshot rebuild")
    def snapshot_rebuild(progress, wave: int) -> dict:
        # not atomic: it writes no row, and its file appears whole or not at all
        progress(0, 1, "reading the wave's responses")
        return rebuild(wave)


_register_job()


def rebuild(wave_id: int) -> dict:
    """Make the wave's snapshot of its current version (what the `snapshot_rebuild` job runs)."""
    ready()
    from ..web.surveys.models import Wave

    wave = Wave.objects.filter(pk=wave_id).first()
    if wave is None:
        return {"wave": wave_id, "version": None}
    snapshot = current(wave)
    return {"wave": wave_id, "version": snapshot.version, "file": snapshot.path.name}


def erased(erasure) -> dict[str, int]:
    """An erasure's hook (nmahp.app.people): once it is committed, each wave's snapshot is rewritten without
    the respondent and its older files deleted, and every cached result of the wave is deleted."""
    from django.db import transaction

    waves = list(erasure.waves)
    held = [w for w in waves if _files(root() / identity(w))]

    def purge():
        for wave in waves:
            forget(wave)
            folder = root() / identity(wave)
            if _files(folder):
                snapshot = current(wave)
                with _locked(folder):
                    for path in _files(folder):
                        if path != snapshot.path:
                            path.unlink(missing_ok=True)

    transaction.on_commit(purge)
    return {"wave snapshots rewritten": len(held)}
