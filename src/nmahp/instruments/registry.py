"""Where the project's instruments live and how they are named on the command line."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

from ..errors import NmahpError
from .loader import load_instrument
from .model import Instrument

# the short names the study uses: `--instrument nmahp`, `--instrument leads`
ALIASES = {"nmahp": "nmahp_survey", "leads": "leads_survey"}


def instruments_dir() -> Path:
    """NMAHP_INSTRUMENTS_DIR if set, else the workbooks shipped inside the package (nmahp/workbooks).
    A Path from importlib.resources is a real folder for a normal (non-zip) install, which is what
    globbing and openpyxl need."""
    configured = os.environ.get("NMAHP_INSTRUMENTS_DIR")
    if configured:
        return Path(configured)
    return _shipped()


@lru_cache(maxsize=1)
def _shipped() -> Path:
    # where the package is installed does not move while it runs
    return Path(files("nmahp") / "workbooks")


def available() -> list[str]:
    # every survey page asks (through get_instrument): a listing of the folder, not a pathlib glob (a fifth of it)
    try:
        names = os.listdir(instruments_dir())
    except (FileNotFoundError, NotADirectoryError):
        return []
    return sorted(n[: -len(".xlsx")] for n in names if n.endswith(".xlsx") and not n.startswith("~$"))


def registered(name: str) -> str | None:
    """The registered instrument a name or alias stands for (a workbook stem in `instruments_dir()`), or
    None. Only names are looked up: nothing a wave stores or a browser sends becomes a file path."""
    stem = ALIASES.get(name, name)
    return stem if stem in available() else None


def resolve(name_or_path: str, *, allow_path: bool = False) -> Path:
    """The workbook of a registered instrument (`nmahp`, `leads`, `nmahp_survey`, ...). Only with
    `allow_path` (the CLI's explicit `--instrument FILE.xlsx`) may the argument be a workbook's path."""
    stem = registered(name_or_path)
    if stem is not None:
        return instruments_dir() / f"{stem}.xlsx"
    if allow_path and name_or_path.lower().endswith(".xlsx"):
        candidate = Path(name_or_path)
        if not candidate.is_file():
            raise NmahpError(f"{name_or_path}: no such workbook")
        return candidate
    known = ", ".join(available()) or "none"
    shown = " ".join(str(name_or_path).split())[:80]
    raise NmahpError(f"no instrument called '{shown}'; available: {known} (or nmahp, leads)"
                     + (" or a workbook's path (.xlsx)" if allow_path else ""))


_loading = threading.Lock()

# where stored versions of the registered instruments are found: (instrument, version) -> the workbook's path,
# or None. The service keeps every version uploaded (nmahp.web.programme sets this), so a wave stays pinned to
# the version it was made from while the workbooks folder moves on.
_version_source: Callable[[str, str], Path | None] | None = None


def set_version_source(source: Callable[[str, str], Path | None] | None) -> None:
    global _version_source
    _version_source = source


def get_instrument(name_or_path: str, *, allow_path: bool = False, language: str | None = None,
                   version: str | None = None) -> Instrument:
    """A registered instrument by name or alias; a workbook's path only with `allow_path` (see resolve).
    With `language` (one of its `languages`, e.g. a wave's), labels, hints and messages are in that language.
    With `version` (a wave's), that stored version of a registered instrument when one is kept, else the
    workbook in the instruments folder."""
    stem = registered(name_or_path)
    path = instruments_dir() / f"{stem}.xlsx" if stem is not None else resolve(name_or_path, allow_path=allow_path)
    if version and stem is not None and _version_source is not None:
        path = _version_source(stem, version) or path
    with _loading:  # web threads asking at once load the workbook once
        instrument = _cached(str(path.resolve()), path.stat().st_mtime_ns)
    return instrument.in_language(language) if language else instrument


@lru_cache(maxsize=16)
def _cached(path: str, mtime: int) -> Instrument:
    return load_instrument(path)
