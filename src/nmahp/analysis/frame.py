"""The response table: one row per respondent, one text column per question (XLSForm values)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import polars as pl

from ..instruments import Instrument


def columns_of(instrument: Instrument) -> list[str]:
    # contact details never enter analysis
    contact = set(instrument.contact_questions())
    return [q.name for q in instrument.questions.values()
            if (q.holds_answer or q.type == "calculate") and q.name not in contact]


def response_frame(instrument: Instrument, rows: Iterable[Mapping[str, str]]) -> pl.DataFrame:
    names = columns_of(instrument)
    data = {name: [] for name in names}
    for row in rows:
        for name in names:
            value = row.get(name)
            data[name].append(value if value else None)
    return pl.DataFrame(data, schema={n: pl.Utf8 for n in names})


def frame_from_csv(instrument: Instrument, path: str) -> pl.DataFrame:
    """Fast path for large XLSForm-shaped CSVs already known to be valid (benchmarks, re-analysis)."""
    names = columns_of(instrument)
    frame = pl.read_csv(path, infer_schema=False, columns=None)
    present = [n for n in names if n in frame.columns]
    frame = frame.select(present).with_columns(pl.all().replace("", None))
    missing = [pl.lit(None, dtype=pl.Utf8).alias(n) for n in names if n not in frame.columns]
    return frame.with_columns(missing).select(names) if missing else frame.select(names)
