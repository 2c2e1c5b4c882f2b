"""Many responses written at once: COPY on PostgreSQL (psycopg's copy, fed CSV that polars writes),
one executemany on SQLite. The answers' JSON is built over whole columns by polars, never row by row
in Python; contact details go to their own table, as every other write does.

On PostgreSQL the COPY runs on a thread beside the caller (`Writer`), so the database takes in one batch
while the caller reads and checks the next: a million-row import costs about the larger of the two, not
their sum."""

from __future__ import annotations

import base64
import io
import json
import queue
import secrets
import threading

import polars as pl
from django.db import connection
from django.utils import timezone

from .models import ContactDetails, Response

RESPONSE_COLUMNS = ("respondent_key", "wave_id", "status", "answers", "source", "external_id", "started", "updated",
                    "submitted", "flags")
CONTACT_COLUMNS = ("respondent_key", "details", "created")
CHUNK = 100_000


# a character JSON needs escaped inside a string
NEEDS_ESCAPE = r'["\\\x00-\x1f\x7f]'


def json_object(frame: pl.DataFrame, names: list[str]) -> pl.Expr:
    """A JSON object per row of the named text columns, leaving out the empty ones (as answers are kept).
    A column none of whose answers needs escaping (every choice question's: option names) is quoted as it
    is; only the others go through polars' JSON encoder."""
    if not names:
        return pl.lit("{}")
    escaped = frame.select([pl.col(n).str.contains(NEEDS_ESCAPE).any().alias(n) for n in names]).row(0)
    parts = []
    for name, needs in zip(names, escaped, strict=True):
        key = json.dumps(name)
        if needs:
            encoded = pl.struct(pl.col(name)).struct.json_encode().str.strip_prefix("{").str.strip_suffix("}")
        else:
            encoded = pl.lit(f'{key}:"') + pl.col(name) + pl.lit('"')
        parts.append(pl.when(pl.col(name).is_not_null()).then(encoded))
    return pl.lit("{") + pl.concat_str(parts, separator=",", ignore_nulls=True) + pl.lit("}")


def new_keys(n: int) -> list[str]:
    """n respondent keys as models.new_key makes them (18 random bytes, URL-safe base64), from one draw
    of random bytes rather than a system call each: 18 bytes encode to exactly 24 characters."""
    text = base64.urlsafe_b64encode(secrets.token_bytes(18 * n)).decode("ascii")
    return [text[i:i + 24] for i in range(0, 24 * n, 24)]


def write_responses(wave, frame: pl.DataFrame, *, contact: list[str], source: str, writer: Writer | None = None
                    ) -> int:
    """Write every row of `frame` (answer columns by question name, `_external_id`, `_flags` as JSON text)
    as a complete response of `wave`, CHUNK rows at a time so the JSON and CSV text of a million rows is
    never held at once. The caller holds the transaction; with a `writer` of its own, the rows may still be
    on their way when this returns (`Writer.close` waits for them)."""
    own = writer is None
    writer = writer or Writer()
    names = [c for c in frame.columns if not c.startswith("_")]
    kept = [n for n in names if n not in contact]
    held = [n for n in names if n in contact]
    now = timezone.now()
    stamp = now.isoformat() if connection.vendor == "postgresql" else connection.ops.adapt_datetimefield_value(now)
    written = 0
    try:
        for start in range(0, frame.height, CHUNK):
            keyed = frame.slice(start, CHUNK).with_columns(
                pl.Series("_key", new_keys(min(CHUNK, frame.height - start))))
            responses = keyed.select(
                pl.col("_key").alias("respondent_key"), pl.lit(wave.pk).alias("wave_id"),
                pl.lit(Response.COMPLETE).alias("status"), json_object(keyed, kept).alias("answers"),
                pl.lit(source[:200]).alias("source"),
                (pl.col("_external_id").str.slice(0, 100) if "_external_id" in keyed.columns else pl.lit("")).alias(
                    "external_id"),
                pl.lit(stamp).alias("started"), pl.lit(stamp).alias("updated"), pl.lit(stamp).alias("submitted"),
                (pl.col("_flags") if "_flags" in keyed.columns else pl.lit("[]")).alias("flags"))
            writer.copy(Response._meta.db_table, responses)
            written += responses.height
            if held:
                contacts = keyed.filter(pl.any_horizontal([pl.col(n).is_not_null() for n in held])).select(
                    pl.col("_key").alias("respondent_key"), json_object(keyed, held).alias("details"),
                    pl.lit(stamp).alias("created"))
                if contacts.height:
                    writer.copy(ContactDetails._meta.db_table, contacts)
    except BaseException:
        if own:
            writer.abandon()
        raise
    if own:
        writer.close()
    return written


def delete_external(wave, external_ids: list[str], writer: Writer) -> None:
    """Delete the wave's responses with these external IDs and their contact details, in turn with the
    writer's other work (a respondent replaced by a later submission of the same import)."""
    response, details = (connection.ops.quote_name(m._meta.db_table) for m in (Response, ContactDetails))
    for start in range(0, len(external_ids), 500):
        ids = external_ids[start:start + 500]
        marks = ", ".join(["%s"] * len(ids))
        chosen = f"SELECT respondent_key FROM {response} WHERE wave_id = %s AND external_id IN ({marks})"
        writer.execute(f"DELETE FROM {details} WHERE respondent_key IN ({chosen})", [wave.pk, *ids])
        writer.execute(f"DELETE FROM {response} WHERE wave_id = %s AND external_id IN ({marks})", [wave.pk, *ids])


class Writer:
    """Writes (COPY of a frame into a table, or one statement) in the order given, inside the caller's
    transaction. On PostgreSQL a thread does them while the caller goes on: the caller must not use the
    database connection itself until `close()`, which waits for every write and raises the first error
    any of them met. On SQLite each write happens at once."""

    def __init__(self):
        self.threaded = connection.vendor == "postgresql"
        if not self.threaded:
            return
        connection.ensure_connection()
        self.raw = connection.connection  # psycopg's own connection: the caller's transaction
        self.work: queue.Queue = queue.Queue(maxsize=4)  # a few chunks wait at most: memory stays bounded
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="nmahp-copy", daemon=True)
        self.thread.start()

    def copy(self, table: str, frame: pl.DataFrame) -> None:
        quoted = ", ".join(connection.ops.quote_name(c) for c in frame.columns)
        if connection.vendor == "postgresql":
            self._do(("copy", f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN", frame))
        else:
            marks = ", ".join(["%s"] * frame.width)
            self._do(("insert", f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({marks})", frame))

    def execute(self, sql: str, params: list) -> None:
        self._do(("execute", sql, params))

    def _do(self, item) -> None:
        if not self.threaded:
            with connection.cursor() as cursor:
                _perform(cursor, item, django=True)
            return
        self._raise()
        self.work.put(item)

    def _run(self) -> None:
        with self.raw.cursor() as cursor:
            while (item := self.work.get()) is not None:
                if self.error is None:
                    try:
                        _perform(cursor, item, django=False)
                    except BaseException as exc:  # handed to the caller by close(); later work is skipped
                        self.error = exc
                self.work.task_done()
        self.work.task_done()

    def close(self) -> None:
        if not self.threaded:
            return
        self.work.put(None)
        self.thread.join()
        self._raise()

    def _raise(self) -> None:
        if self.error is not None:
            with connection.wrap_database_errors:  # as Django's own cursor would: IntegrityError and the like
                raise self.error

    def abandon(self) -> None:
        """Stop after what is under way (the caller is rolling back)."""
        if not self.threaded:
            return
        self.error = self.error or RuntimeError("abandoned")
        self.work.put(None)
        self.thread.join()


def _perform(cursor, item, *, django: bool) -> None:
    kind, sql, data = item
    if kind == "execute":
        cursor.execute(sql, data)
    elif kind == "insert":
        cursor.executemany(sql, data.rows())
    else:
        raw = cursor.cursor if django else cursor  # psycopg's own cursor, for COPY
        with raw.copy(sql) as copy:
            copy.write(copy_text(data))


COPY_SPECIAL = r"[\\\t\n\r]"


def copy_text(frame: pl.DataFrame) -> memoryview:
    """The frame in COPY's text format: tab-separated, \\N for null, and a backslash, tab, newline or
    carriage return inside a value escaped with a backslash. (The CSV format would double every quote of
    every answers' JSON, and PostgreSQL reads this one faster.)"""
    text = [c for c, t in frame.schema.items() if t == pl.String]
    special = frame.select([pl.col(c).str.contains(COPY_SPECIAL).any().alias(c) for c in text]).row(0) if text else ()
    escaped = [pl.col(c).str.replace_all("\\", "\\\\", literal=True).str.replace_all("\t", "\\t", literal=True)
               .str.replace_all("\n", "\\n", literal=True).str.replace_all("\r", "\\r", literal=True)
               for c, needs in zip(text, special, strict=True) if needs]
    if escaped:
        frame = frame.with_columns(escaped)
    buffer = io.BytesIO()
    frame.write_csv(buffer, include_header=False, separator="\t", quote_style="never", null_value="\\N")
    return buffer.getbuffer()
