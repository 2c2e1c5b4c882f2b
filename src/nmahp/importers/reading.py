"""Turn an export file into a table of text, whatever its encoding or format; refuse what is not one.

CSV is read by polars' parser with the standard quoting (a doubled quote inside a quoted field is one
quote), wherever in the file it appears; only the delimiter is guessed, from the header line."""

from __future__ import annotations

import codecs
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
    """Every row of the file, header rows included, as text columns c0, c1, ... (empty cells are null),
    read lazily: polars parses the file when a query over it is collected, a batch at a time, so a
    million-row export is never held whole in memory. Parsing problems surface as ReadError then."""

    scan: pl.LazyFrame  # _line (the row's number in the file, 1 = first) and c0..cN; blank rows left out
    encoding: str
    path: str
    width: int = 0
    heads: list[list[str]] | None = None
    source: bytes | Path | None = None  # a CSV's bytes (or file) for `batches`; None: the scan is in memory
    separator: str = ","

    def batches(self, size: int = 0):
        """The rows a batch at a time (eager frames with _line and c0..cN, blank rows left out), each cut at
        a record boundary: polars never maps or holds the whole file, so memory stays that of one batch."""
        if self.source is None:
            yield self.collect(self.scan)
            return
        schema = {f"c{i}": pl.String for i in range(self.width)}
        first = 1
        for chunk in _record_chunks(self.source, size or BATCH):
            try:
                frame = pl.read_csv(chunk, has_header=False, infer_schema=False, separator=self.separator,
                                    quote_char='"', schema=schema, missing_columns="raise", extra_columns="raise",
                                    raise_if_empty=False)
            except pl.exceptions.PolarsError as exc:
                raise ReadError(f"{self.path}: {_damage(exc)}; the file looks truncated or damaged") from None
            frame = frame.with_row_index(LINE, offset=first)
            first += frame.height
            cells = [pl.col(c) for c in schema]
            yield frame.filter(~pl.all_horizontal([c.is_null() for c in cells])) if cells else frame

    def collect(self, query: pl.LazyFrame) -> pl.DataFrame:
        try:
            return query.collect(engine="streaming")
        except pl.exceptions.PolarsError as exc:
            raise ReadError(f"{self.path}: {_damage(exc)}; the file looks truncated or damaged") from None

    def head_rows(self, n: int) -> list[list[str]]:
        if self.heads is None or len(self.heads) < n:
            first = next(self.batches(size=1024 * 1024), None) if self.source is not None else None
            query = first.lazy() if first is not None else self.scan
            rows = self.collect(query.drop(LINE).head(n)).rows()
            self.heads = [["" if v is None else v.strip() for v in row] for row in rows]
        return [list(r) for r in self.heads[:n]]

    @property
    def frame(self) -> pl.DataFrame:
        """The whole table in memory (small files: suggestions, tests)."""
        return self.collect(self.scan.drop(LINE))

    @property
    def rows(self) -> list[list[str]]:
        return [["" if v is None else v.strip() for v in row] for row in self.frame.rows()]


LINE = "_line"


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


def _scan(source: bytes | Path, separator: str) -> pl.LazyFrame:
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    return pl.scan_csv(source, has_header=False, infer_schema=False, separator=separator, quote_char='"',
                       missing_columns="raise", extra_columns="raise", raise_if_empty=False)


EDGE = 65536  # bytes read from each end of a CSV for the checks; polars reads the file itself
CHUNK = 16 * 1024 * 1024


def _valid_utf8(chunk: bytes) -> bool:
    """polars' UTF-8 check, without decoding: a seventh of the time of Python's decoder on a large export."""
    try:
        pl.Series([chunk], dtype=pl.Binary).cast(pl.String)
    except pl.exceptions.PolarsError:
        return False
    return True


def _utf8_problem(path: Path) -> str | None:
    """Where the file stops being UTF-8, read a chunk at a time (the file is never held whole)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            if not decoder.getstate()[0] and _valid_utf8(chunk):
                offset += len(chunk)
                continue
            # where the check fails (or a character spans two chunks) Python's decoder finds the byte
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                return f"byte {offset + exc.start}: {chunk[exc.start:exc.start + 1]!r}"
            offset += len(chunk)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return f"byte {offset}: the file ends inside a character"
    return None


def _read_csv(path: Path, size: int) -> RawTable:
    """polars scans the file from disk; only its first and last bytes are read here, for the binary,
    delimiter and truncation checks, and the whole of it once, a chunk at a time, to check its encoding."""
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
    problem = _utf8_problem(path)
    if problem is not None:
        source = _cp1252(limits.read_file(path, "import_bytes"), str(path), problem)
        encoding = "windows-1252"
    table = RawTable(_lines(_scan(source, separator)), encoding, str(path), source=source, separator=separator)
    table.width = len(table.scan.collect_schema()) - 1
    if table.width > limits.limit("import_columns"):
        raise _too_many(path, "columns on line 1", table.width, "import_columns")
    heads = table.head_rows(2)
    if not tail.endswith((b"\n", b"\r")) and len(heads) > 1:
        last = tail[tail.rfind(b"\n") + 1:].decode("utf-8", "replace")
        try:
            fields = next(csv.reader([last], delimiter=separator), [])
        except csv.Error:  # a stray carriage return or NUL in a cut-off last line
            fields = []
        if len(fields) < table.width:
            raise ReadError(f"{path}: the last line stops after {len(fields)} of {table.width} columns; the file "
                            "looks truncated")
    return table


# about 50,000 rows of a SurveyMonkey export: large enough that the fixed cost of mapping and checking a
# batch is small beside its rows, small enough that one batch (and two on their way to the database) is
# a few hundred MB
BATCH = 96 * 1024 * 1024


def _record_chunks(source: bytes | Path, size: int):
    """The CSV's bytes in pieces of about BATCH, each ending at a record boundary: a line end with an even
    number of quotes before it (a doubled quote inside a field adds two), so a quoted field that holds line
    breaks is never cut."""
    handle = open(source, "rb") if isinstance(source, Path) else io.BytesIO(source)
    with handle:
        carry = handle.read(3)
        if carry == b"\xef\xbb\xbf":
            carry = b""  # the byte-order mark Excel writes
        while True:
            block = handle.read(size)
            data = carry + block
            if not block:
                if data.strip():
                    yield data
                return
            cut = data.rfind(b"\n")
            while cut >= 0 and data.count(b'"', 0, cut) % 2:
                cut = data.rfind(b"\n", 0, cut)
            if cut < 0:
                carry = data  # one record longer than a batch: read on
                continue
            yield data[:cut + 1]
            carry = data[cut + 1:]


def _lines(scan: pl.LazyFrame) -> pl.LazyFrame:
    """Columns named c0..cN after the row's line number; blank rows left out."""
    names = scan.collect_schema().names()
    scan = scan.rename({name: f"c{i}" for i, name in enumerate(names)}).with_row_index(LINE, offset=1)
    cells = [pl.col(f"c{i}") for i in range(len(names))]
    return scan.filter(~pl.all_horizontal([c.is_null() for c in cells])) if cells else scan


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
    frame = pl.DataFrame([[c or None for c in r] + [None] * (width - len(r)) for r in rows],
                         schema=dict.fromkeys((f"c{i}" for i in range(width)), pl.String), orient="row")
    table = RawTable(frame.lazy().with_row_index(LINE, offset=1), "xlsx", str(path), width)
    if width > max_columns:
        raise _too_many(path, "columns", width, "import_columns")
    return table


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
    if table.width == 0 or not table.head_rows(1):
        raise ReadError(f"{path}: the file has no rows")
    return table
