"""Turn an export file into a table of text, whatever its encoding or format; refuse what is not one.

CSV is read by polars' parser with the standard quoting (a doubled quote inside a quoted field is one
quote), wherever in the file it appears; only the delimiter is guessed, from the header line."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from openpyxl import load_workbook

from .. import limits
from ..errors import NmahpError

DELIMITERS = (",", ";", "\t")


class ReadError(NmahpError):
    """The file cannot be read as a table at all."""


@dataclass
class RawTable:
    """Every row of the file, header rows included, as text columns c0, c1, ... (empty cells are null)."""

    frame: pl.DataFrame
    encoding: str
    path: str

    def head_rows(self, n: int) -> list[list[str]]:
        return [["" if v is None else v.strip() for v in row] for row in self.frame.head(n).rows()]

    @property
    def rows(self) -> list[list[str]]:
        return self.head_rows(self.frame.height)


def _check_text(data: bytes, path: str) -> None:
    if b"\x00" in data[:4096]:
        raise ReadError(f"{path}: looks like a binary file, not a CSV export (contains NUL bytes)")


def _cp1252(data: bytes, path: str, utf8_problem: str) -> bytes:
    try:
        # SurveyMonkey and Excel on Windows write Windows-1252 ("ANSI")
        return data.decode("cp1252").encode("utf-8")
    except UnicodeDecodeError:
        raise ReadError(f"{path}: is neither UTF-8 nor Windows-1252 text ({utf8_problem}); export it again as "
                        "CSV (UTF-8)") from None


def _delimiter(data: bytes) -> str:
    """The delimiter that splits the header line (outside quotes) most often."""
    end = data.find(b"\n")
    line = data[: end if end >= 0 else 65536].decode("utf-8", "replace")
    counts, quoted = dict.fromkeys(DELIMITERS, 0), False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _too_many(path: Path, what: str, count: int, name: str) -> ReadError:
    return ReadError(str(limits.too_big(str(path), count, name, f"the number of {what}")))


def _parse(source: bytes | Path, separator: str) -> pl.DataFrame:
    return pl.read_csv(source, has_header=False, infer_schema=False, separator=separator, quote_char='"',
                       missing_columns="raise", extra_columns="raise", raise_if_empty=False)


EDGE = 65536  # bytes read from each end of a CSV for the checks; polars reads the file itself


def _read_csv(path: Path, size: int) -> RawTable:
    """polars reads the file from disk (a million-row export is never held twice in memory); only its
    first and last bytes are read here, for the binary, delimiter and truncation checks."""
    with open(path, "rb") as handle:
        head = handle.read(EDGE)
        handle.seek(max(0, size - EDGE))
        tail = handle.read(EDGE)
    _check_text(head, str(path))
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    if not head.strip():
        raise ReadError(f"{path}: the file is empty")
    encoding, separator, source = "utf-8", _delimiter(head), path
    try:
        frame = _parse(source, separator)
    except pl.exceptions.ComputeError as exc:
        if "utf-8" not in str(exc).casefold() and "utf8" not in str(exc).casefold():
            raise ReadError(f"{path}: {_damage(exc)}; the file looks truncated or damaged") from None
        data = limits.read_file(path, "import_bytes")
        start = _first_bad_utf8(data)
        source = _cp1252(data, str(path), f"byte {start}: {data[start:start + 1]!r}")
        encoding = "windows-1252"
        try:
            frame = _parse(source, separator)
        except pl.exceptions.PolarsError as again:
            raise ReadError(f"{path}: {_damage(again)}; the file looks truncated or damaged") from None
    except pl.exceptions.PolarsError as exc:
        raise ReadError(f"{path}: {_damage(exc)}; the file looks truncated or damaged") from None
    if frame.height > limits.limit("import_rows"):
        raise _too_many(path, "rows", frame.height, "import_rows")
    if frame.width > limits.limit("import_columns"):
        raise _too_many(path, "columns on line 1", frame.width, "import_columns")
    if not tail.endswith((b"\n", b"\r")) and frame.height > 1:
        last = tail[tail.rfind(b"\n") + 1:].decode("utf-8", "replace")
        fields = next(csv.reader([last], delimiter=separator), [])
        if len(fields) < frame.width:
            raise ReadError(f"{path}: the last line (row {frame.height}) stops after {len(fields)} of {frame.width} "
                            "columns; the file looks truncated")
    frame = _tidy(frame)
    return RawTable(frame, encoding, str(path))


def _first_bad_utf8(data: bytes) -> int:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start
    return 0


def _damage(exc: Exception) -> str:
    text = str(exc).casefold()
    if "more fields" in text:
        return "a row has more fields than the header row"
    if "fewer fields" in text or "missing" in text:
        return "a row has fewer fields than the header row"
    if "quote" in text or "could not parse" in text:
        return "a quoted field is not closed"
    return limits.one_line(str(exc).splitlines()[0] if str(exc).strip() else type(exc).__name__, 120)


def _tidy(frame: pl.DataFrame) -> pl.DataFrame:
    """Columns named c0..cN, blank rows dropped. Cells are not copied to strip them (a million-row export
    would be held twice): whoever reads a column strips what it takes (see answers.py)."""
    frame = frame.rename({name: f"c{i}" for i, name in enumerate(frame.columns)})
    return frame.filter(~pl.all_horizontal(pl.all().is_null())) if frame.width else frame


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
    width = max((len(r) for r in rows), default=0)
    frame = pl.DataFrame([r + [""] * (width - len(r)) for r in rows], schema=[f"c{i}" for i in range(width)],
                         orient="row")
    return RawTable(_tidy(frame), "xlsx", str(path))


def read_table(path: str | Path) -> RawTable:
    """The file's rows as text. Refuses (ReadError) a missing, empty or damaged file, and one over the
    size, row or column limits of `nmahp.limits` (NMAHP_MAX_IMPORT_MB, _ROWS, _COLUMNS)."""
    path = Path(path)
    try:
        size = limits.check_file(path, "import_bytes")
        with open(path, "rb") as handle:
            zipped = handle.read(2) == b"PK"
        table = _read_xlsx(path, limits.read_file(path, "import_bytes")) if zipped else _read_csv(path, size)
    except ReadError:
        raise
    except NmahpError as exc:
        raise ReadError(str(exc)) from None
    if table.frame.height == 0 or table.frame.width == 0:
        raise ReadError(f"{path}: the file has no rows")
    return table
