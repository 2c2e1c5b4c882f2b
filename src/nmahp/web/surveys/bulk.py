"""Many responses written at once: COPY on PostgreSQL (psycopg's copy, fed CSV that polars writes),
one executemany on SQLite. The answers' JSON is built over whole columns by polars, never row by row
in Python; contact details go to their own table, as every other write does."""

from __future__ import annotations

import secrets

import polars as pl
from django.db import connection
from django.utils import timezone

from .models import ContactDetails, Response

RESPONSE_COLUMNS = ("respondent_key", "wave_id", "status", "answers", "source", "external_id", "started", "updated",
                    "submitted", "flags")
CONTACT_COLUMNS = ("respondent_key", "details", "created")
CHUNK = 50_000


def json_object(frame: pl.DataFrame, names: list[str]) -> pl.Expr:
    """A JSON object per row of the named text columns, leaving out the empty ones (as answers are kept)."""
    parts = [pl.when(pl.col(n).is_not_null()).then(
        pl.struct(pl.col(n)).struct.json_encode().str.strip_prefix("{").str.strip_suffix("}")) for n in names]
    if not parts:
        return pl.lit("{}")
    return pl.lit("{") + pl.concat_str(parts, separator=",", ignore_nulls=True) + pl.lit("}")


def new_keys(n: int) -> list[str]:
    return [secrets.token_urlsafe(18) for _ in range(n)]


def write_responses(wave, frame: pl.DataFrame, *, contact: list[str], source: str) -> int:
    """Write every row of `frame` (answer columns by question name, `_external_id`, `_flags` as JSON text)
    as a complete response of `wave`, CHUNK rows at a time so the JSON and CSV text of a million rows is
    never held at once. The caller holds the transaction."""
    names = [c for c in frame.columns if not c.startswith("_")]
    kept = [n for n in names if n not in contact]
    held = [n for n in names if n in contact]
    now = timezone.now()
    stamp = now.isoformat() if connection.vendor == "postgresql" else connection.ops.adapt_datetimefield_value(now)
    written = 0
    for start in range(0, frame.height, CHUNK):
        keyed = frame.slice(start, CHUNK).with_columns(pl.Series("_key", new_keys(min(CHUNK, frame.height - start))))
        responses = keyed.select(
            pl.col("_key").alias("respondent_key"), pl.lit(wave.pk).alias("wave_id"),
            pl.lit(Response.COMPLETE).alias("status"), json_object(keyed, kept).alias("answers"),
            pl.lit(source[:200]).alias("source"),
            (pl.col("_external_id").str.slice(0, 100) if "_external_id" in keyed.columns else pl.lit("")).alias(
                "external_id"),
            pl.lit(stamp).alias("started"), pl.lit(stamp).alias("updated"), pl.lit(stamp).alias("submitted"),
            (pl.col("_flags") if "_flags" in keyed.columns else pl.lit("[]")).alias("flags"))
        _write(Response._meta.db_table, responses)
        written += responses.height
        if held:
            contacts = keyed.filter(pl.any_horizontal([pl.col(n).is_not_null() for n in held])).select(
                pl.col("_key").alias("respondent_key"), json_object(keyed, held).alias("details"),
                pl.lit(stamp).alias("created"))
            if contacts.height:
                _write(ContactDetails._meta.db_table, contacts)
    return written


def _write(table: str, frame: pl.DataFrame) -> None:
    quoted = ", ".join(connection.ops.quote_name(c) for c in frame.columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # psycopg's own cursor, for COPY
            with raw.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN WITH (FORMAT csv)") as copy:
                copy.write(frame.write_csv(include_header=False, quote_style="always"))
            return
        marks = ", ".join(["%s"] * frame.width)
        cursor.executemany(f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({marks})",
                           frame.rows())
