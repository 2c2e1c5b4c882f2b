"""Where the project's instruments live and how they are named on the command line."""

from __future__ import annotations

import os
import threading
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
    return Path(files("nmahp") / "workbooks")


def available() -> list[str]:
    return sorted(p.stem for p in instruments_dir().glob("*.xlsx") if not p.name.startswith("~$"))


def resolve(name_or_path: str) -> Path:
    candidate = Path(name_or_path)
    if candidate.suffix == ".xlsx" and candidate.exists():
        return candidate
    stem = ALIASES.get(name_or_path, name_or_path)
    path = instruments_dir() / f"{stem}.xlsx"
    if not path.exists():
        known = ", ".join(available()) or "none"
        raise NmahpError(f"no instrument called '{name_or_path}'; available: {known} (or nmahp, leads)")
    return path


_loading = threading.Lock()


def get_instrument(name_or_path: str) -> Instrument:
    path = resolve(name_or_path)
    with _loading:  # web threads asking at once load the workbook once
        return _cached(str(path.resolve()), path.stat().st_mtime_ns)


@lru_cache(maxsize=16)
def _cached(path: str, mtime: int) -> Instrument:
    return load_instrument(path)
