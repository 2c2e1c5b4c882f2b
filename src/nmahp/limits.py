"""Limits on every file a user can hand in, in one place: survey exports (CSV/XLSX), REFI-QDA projects and
codebooks (.qdpx/.qdc), interview transcripts (.vtt/.docx/.txt), column mappings and XLSForm workbooks.

Each limit is read from the environment when it is used (so a running service and a test can change it),
with the default below; README's configuration table lists them. A file over a limit is refused with an
`NmahpError` naming the file, what is wrong and the variable that sets the limit, before anything is
stored. Zip archives (.qdpx, .xlsx, .docx) are checked from their directory before any member is
expanded, and members are read with a bound, so a small archive cannot expand into gigabytes in memory.
XML is parsed with no DTD, no entities, no network and libxml2's ordinary size and depth limits
(`huge_tree` off). No Django here: the importers and the qualitative package use this module."""

from __future__ import annotations

import io
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from .errors import NmahpError

KB = 1024
MB = 1024 * 1024


@dataclass(frozen=True)
class Limit:
    variable: str
    default: float
    unit: int  # bytes per unit of the variable (MB, KB), or 1 for counts
    what: str

    def value(self) -> int:
        raw = os.environ.get(self.variable, "").strip()
        if not raw:
            return int(self.default * self.unit)
        try:
            number = float(raw)
        except ValueError:
            number = -1.0
        if not number > 0:
            raise NmahpError(f"{self.variable}={raw!r} is not a positive number")
        return max(1, int(number * self.unit))


LIMITS = {
    "import_bytes": Limit("NMAHP_MAX_IMPORT_MB", 200, MB, "size of one survey export (CSV or XLSX)"),
    "import_rows": Limit("NMAHP_MAX_IMPORT_ROWS", 200_000, 1, "rows of one survey export, header rows included"),
    "import_columns": Limit("NMAHP_MAX_IMPORT_COLUMNS", 5_000, 1, "columns of one survey export"),
    "qda_bytes": Limit("NMAHP_MAX_QDA_MB", 20, MB, "size of a .qdpx project or .qdc codebook (and its upload)"),
    "xml_bytes": Limit("NMAHP_MAX_XML_MB", 50, MB, "size of the XML in a .qdpx (project.qde) or a .qdc"),
    "zip_members": Limit("NMAHP_MAX_ZIP_MEMBERS", 10_000, 1, "files inside one .qdpx, .xlsx or .docx"),
    "zip_member_bytes": Limit("NMAHP_MAX_UNZIPPED_MEMBER_MB", 64, MB,
                              "uncompressed size of one file inside a .qdpx, .xlsx or .docx"),
    "zip_total_bytes": Limit("NMAHP_MAX_UNZIPPED_MB", 256, MB,
                             "uncompressed size of everything inside a .qdpx, .xlsx or .docx"),
    "transcript_bytes": Limit("NMAHP_MAX_TRANSCRIPT_MB", 10, MB, "size of one interview transcript"),
    "workbook_bytes": Limit("NMAHP_MAX_WORKBOOK_MB", 10, MB, "size of an XLSForm workbook"),
    "mapping_bytes": Limit("NMAHP_MAX_MAPPING_KB", 1024, KB, "size of a column mapping (YAML)"),
    "invitees_bytes": Limit("NMAHP_MAX_INVITEES_MB", 5, MB, "size of a collector's list of invitees (CSV)"),
    "invitees_rows": Limit("NMAHP_MAX_INVITEES_ROWS", 20_000, 1, "invitees in one list, the header row included"),
}


def limit(name: str) -> int:
    """The limit in bytes (or a count), from its environment variable or the default."""
    return LIMITS[name].value()


def one_line(value: object, limit: int = 200) -> str:
    """A value or an error as one short line for a message (a file's own text may hold line breaks)."""
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _size(n: int) -> str:
    return f"{n / MB:.1f} MB" if n >= MB else f"{n:,} bytes"


def too_big(label: str, size: int, name: str, what: str = "the file") -> NmahpError:
    spec = LIMITS[name]
    cap = limit(name)
    shown = _size if spec.unit > 1 else (lambda n: f"{n:,}")
    return NmahpError(f"{label}: {what} is {shown(size)}, over the limit of {shown(cap)} ({spec.what}; "
                      f"set {spec.variable} to change it)")


def check_file(path: str | Path, name: str, label: str | None = None) -> int:
    """A file that exists, is not empty and is within its size limit; returns its size."""
    path = Path(path)
    label = label or str(path)
    if not path.is_file():
        raise NmahpError(f"{label}: no such file")
    size = path.stat().st_size
    if size == 0:
        raise NmahpError(f"{label}: the file is empty")
    if size > limit(name):
        raise too_big(label, size, name)
    return size


def read_file(path: str | Path, name: str, label: str | None = None) -> bytes:
    """The bytes of a file within its size limit (checked before reading, and again while reading)."""
    check_file(path, name, label)
    cap = limit(name)
    with open(path, "rb") as handle:
        data = handle.read(cap + 1)
    if len(data) > cap:
        raise too_big(label or str(path), len(data), name)
    return data


def open_zip(source: str | Path | bytes, label: str) -> zipfile.ZipFile:
    """A zip archive whose directory is within the limits: number of members, each member's and the total
    uncompressed size as the archive declares them (zipfile never expands a member past its declared
    size, and `read_member` bounds every read again)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise NmahpError(f"{label}: not a zip archive ({one_line(exc)})") from None
    try:
        members = archive.infolist()
        if len(members) > limit("zip_members"):
            raise too_big(label, len(members), "zip_members", "the number of files inside")
        total = 0
        for member in members:
            if member.file_size > limit("zip_member_bytes"):
                raise too_big(label, member.file_size, "zip_member_bytes",
                              f"'{one_line(member.filename, 80)}' unzipped")
            total += member.file_size
        if total > limit("zip_total_bytes"):
            raise too_big(label, total, "zip_total_bytes", "everything inside, unzipped,")
    except NmahpError:
        archive.close()
        raise
    return archive


def read_member(archive: zipfile.ZipFile, member: str, label: str, name: str = "zip_member_bytes") -> bytes:
    """One member's bytes, reading no more than its limit however the archive lies about its size."""
    cap = min(limit(name), limit("zip_member_bytes"))
    try:
        with archive.open(member) as handle:
            data = handle.read(cap + 1)
    except KeyError:
        raise NmahpError(f"{label}: has no {member} inside") from None
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError) as exc:
        # RuntimeError: an encrypted member; NotImplementedError: an unknown compression method
        raise NmahpError(f"{label}: {one_line(member, 80)} inside cannot be read ({one_line(exc)})") from None
    if len(data) > cap:
        raise too_big(label, len(data), name, f"{one_line(member, 80)} inside")
    return data


def xml_parser() -> etree.XMLParser:
    """lxml with nothing fetched or expanded: no DTD, no entity substitution, no network, and libxml2's
    limits on text size and nesting depth kept (huge_tree off)."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           huge_tree=False, remove_pis=True)


def parse_xml(data: bytes, label: str) -> etree._Element:
    """The root element of an XML document within the XML size limit, refusing any DOCTYPE (entity
    declarations have no place in a REFI-QDA file)."""
    if len(data) > limit("xml_bytes"):
        raise too_big(label, len(data), "xml_bytes", "the XML")
    try:
        root = etree.fromstring(data, xml_parser())
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise NmahpError(f"{label}: is not well-formed XML ({one_line(exc)})") from None
    if root is None:
        raise NmahpError(f"{label}: is not well-formed XML (no root element)")
    if root.getroottree().docinfo.doctype:
        raise NmahpError(f"{label}: declares a DOCTYPE; REFI-QDA files have none, and entities are not accepted")
    return root
