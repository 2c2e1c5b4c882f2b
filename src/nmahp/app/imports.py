"""Importing an export into a wave: read and validate everything first, then store all of it or
nothing. Re-importing the same file adds nothing."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..importers import ImportResult
from .waves import open_wave, read_export


@dataclass
class Imported:
    result: ImportResult
    added: int = 0
    already_present: int = 0
    stored: bool = False


def import_export(path: Path, instrument: str, wave: str, *, layout: str = "auto", mapping: Path | None = None,
                  dry_run: bool = False) -> Imported:
    """Read `path` as an export of `instrument` and store its respondents in `wave`. A result with
    row errors, or a dry run, stores nothing. Raises ReadError or NmahpError for unreadable files."""
    result = read_export(path, instrument, mapping=mapping, layout=layout)
    outcome = Imported(result)
    if dry_run or not result.ok:
        return outcome
    from ..web.surveys import store

    target = open_wave(instrument, wave)
    outcome.added, outcome.already_present = store.store_import(target, result,
                                                                source=f"import:{result.layout}:{path.name}")
    outcome.stored = True
    return outcome
