"""Turn an export file into rows of text, whatever its encoding or format; refuse what is not one."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from openpyxl import load_workbook

from .. import limits
from ..errors import NmahpError

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


def _too_many(path: Path, what: str, count: int, name: str) -> ReadError:
    return ReadError(str(limits.too_big(str(path), count, name, f"the number of {what}")))


def _read_csv(path: Path, data: bytes) -> RawTable:
    text, encoding = decode(data, str(path))
    if not text.strip():
        raise ReadError(f"{path}: the file is empty")
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    max_rows, max_columns = limits.limit("import_rows"), limits.limit("import_columns")
    rows = []
    try:
        for row in reader:
            if len(rows) >= max_rows:
                raise _too_many(path, "rows", reader.line_num, "import_rows")
            if len(row) > max_columns:
                raise _too_many(path, f"columns on line {reader.line_num}", len(row), "import_columns")
            rows.append(row)
    except csv.Error as exc:
        raise ReadError(f"{path}: line {reader.line_num}: {exc}; the file looks truncated or damaged") from None
    if text and not text.endswith(("\n", "\r")) and rows and len(rows) > 1 and len(rows[-1]) < len(rows[0]):
        raise ReadError(f"{path}: the last line (row {len(rows)}) stops after {len(rows[-1])} of {len(rows[0])} "
                        "columns; the file looks truncated")
    return RawTable([[c.strip() for c in row] for row in rows if any(c.strip() for c in row)], encoding, str(path))


def _read_xlsx(path: Path, data: bytes) -> RawTable:
    """The first sheet of a workbook, within the zip, row and column limits. The sheet's declared
    dimensions are ignored (a hostile one could claim a million columns); rows are read as they come."""
    try:
        with limits.open_zip(data, str(path)) as archive:
            if "xl/workbook.xml" not in archive.namelist():
                raise ReadError(f"{path}: is a zip archive but not an Excel workbook (.xlsx) or a CSV export")
    except ReadError:
        raise
    except NmahpError as exc:
        raise ReadError(f"{exc}; it cannot be opened as an Excel workbook") from None
    max_rows, max_columns = limits.limit("import_rows"), limits.limit("import_columns")
    rows, count = [], 0
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = wb.worksheets[0]
            sheet.reset_dimensions()
            for values in sheet.iter_rows(values_only=True):
                count += 1
                if count > max_rows:
                    raise _too_many(path, "rows", count, "import_rows")
                if len(values) > max_columns:
                    raise _too_many(path, f"columns in row {count}", len(values), "import_columns")
                row = ["" if v is None else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))
                       .strip() for v in values]
                if any(row):
                    rows.append(row)
        finally:
            wb.close()
    except ReadError:
        raise
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a damaged workbook
        reason = str(exc).splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        raise ReadError(f"{path}: cannot be opened as an Excel workbook: {reason}") from None
    return RawTable(rows, "xlsx", str(path))


def read_table(path: str | Path) -> RawTable:
    """The file's rows as text. Refuses (ReadError) a missing, empty or damaged file, and one over the
    size, row or column limits of `nmahp.limits` (NMAHP_MAX_IMPORT_MB, _ROWS, _COLUMNS)."""
    path = Path(path)
    try:
        data = limits.read_file(path, "import_bytes")
    except ReadError:
        raise
    except NmahpError as exc:
        raise ReadError(str(exc)) from None
    table = _read_xlsx(path, data) if data[:2] == b"PK" else _read_csv(path, data)
    if not table.rows:
        raise ReadError(f"{path}: the file has no rows")
    width = max(len(r) for r in table.rows)
    table.rows = [r + [""] * (width - len(r)) for r in table.rows]
    return table
