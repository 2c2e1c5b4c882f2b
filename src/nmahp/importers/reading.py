"""Turn an export file into rows of text, whatever its encoding or format; refuse what is not one."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from openpyxl import load_workbook

from ..errors import NmahpError

MAX_BYTES = 200 * 1024 * 1024  # an export bigger than this is not a survey wave
csv.field_size_limit(16 * 1024 * 1024)


class ReadError(NmahpError):
    """The file cannot be read as a table at all."""


@dataclass
class RawTable:
    rows: list[list[str]]
    encoding: str
    path: str


def decode(data: bytes, path: str) -> tuple[str, str]:
    if b"\x00" in data[:4096]:
        raise ReadError(f"{path}: looks like a binary file, not a CSV export (contains NUL bytes)")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_problem = exc
    try:
        # SurveyMonkey and Excel on Windows write Windows-1252 ("ANSI")
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        raise ReadError(
            f"{path}: is neither UTF-8 nor Windows-1252 text (byte {utf8_problem.start}: "
            f"{data[utf8_problem.start:utf8_problem.start + 1]!r}); export it again as CSV (UTF-8)"
        ) from None


def _read_csv(path: Path, data: bytes) -> RawTable:
    text, encoding = decode(data, str(path))
    if not text.strip():
        raise ReadError(f"{path}: the file is empty")
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        rows = [row for row in reader]
    except csv.Error as exc:
        raise ReadError(f"{path}: line {reader.line_num}: {exc}; the file looks truncated or damaged") from None
    if text and not text.endswith(("\n", "\r")) and rows and len(rows) > 1 and len(rows[-1]) < len(rows[0]):
        raise ReadError(f"{path}: the last line (row {len(rows)}) stops after {len(rows[-1])} of {len(rows[0])} "
                        "columns; the file looks truncated")
    return RawTable([[c.strip() for c in row] for row in rows if any(c.strip() for c in row)], encoding, str(path))


def _read_xlsx(path: Path) -> RawTable:
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise ReadError(f"{path}: cannot be opened as an Excel workbook: {exc}") from None
    sheet = wb.worksheets[0]
    rows = []
    for values in sheet.iter_rows(values_only=True):
        row = ["" if v is None else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)).strip()
               for v in values]
        if any(row):
            rows.append(row)
    wb.close()
    return RawTable(rows, "xlsx", str(path))


def read_table(path: str | Path) -> RawTable:
    path = Path(path)
    if not path.is_file():
        raise ReadError(f"{path}: no such file")
    size = path.stat().st_size
    if size == 0:
        raise ReadError(f"{path}: the file is empty")
    if size > MAX_BYTES:
        raise ReadError(f"{path}: {size / 1e6:.0f} MB is over the {MAX_BYTES // 1_000_000} MB limit for one export")
    data = path.read_bytes()
    table = _read_xlsx(path) if data[:2] == b"PK" else _read_csv(path, data)
    if not table.rows:
        raise ReadError(f"{path}: the file has no rows")
    width = max(len(r) for r in table.rows)
    table.rows = [r + [""] * (width - len(r)) for r in table.rows]
    return table
