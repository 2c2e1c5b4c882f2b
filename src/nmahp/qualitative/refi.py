"""REFI-QDA exchange: projects (.qdpx: a zip of project.qde and the plain-text sources) and codebooks
(.qdc), so a project moves to and from NVivo, ATLAS.ti, MAXQDA and Taguette with its codes and
highlight positions intact. Positions are characters of the plain text, as the standard has them."""

from __future__ import annotations

import io
import re
import zipfile
from collections import deque
from importlib.resources import files
from pathlib import Path

from lxml import etree

from .. import limits
from ..errors import NmahpError
from .model import Code, Codebook, Document, Highlight, Project, new_id

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
# package data; the schema includes no other file, so it is parsed from its bytes (no file path needed)
SCHEMA = files("nmahp.qualitative") / "schema" / "Project-mrt2019.xsd"


def _codes_element(parent, codebook: Codebook, ns: str) -> None:
    codes = etree.SubElement(parent, f"{{{ns}}}Codes")

    def add(into, code: Code):
        element = etree.SubElement(into, f"{{{ns}}}Code", guid=code.id, name=code.name, isCodable="true",
                                   color=code.color)
        if code.description:
            etree.SubElement(element, f"{{{ns}}}Description").text = code.description
        for child in codebook.children(code.id):
            add(element, child)

    for root_code in codebook.children(None):
        add(codes, root_code)


def project_xml(project: Project) -> bytes:
    ns = PROJECT_NS
    root = etree.Element(f"{{{ns}}}Project", nsmap={None: ns}, name=project.name, origin="NMAHP Pathways")
    coders = sorted({h.coder for h in project.highlights})
    user_ids = {coder: new_id() for coder in coders}
    if coders:
        users = etree.SubElement(root, f"{{{ns}}}Users")
        for coder in coders:
            etree.SubElement(users, f"{{{ns}}}User", guid=user_ids[coder], name=coder)
    if project.codebook.codes:
        _codes_element(etree.SubElement(root, f"{{{ns}}}CodeBook"), project.codebook, ns)
    if project.documents:
        sources = etree.SubElement(root, f"{{{ns}}}Sources")
        for document in project.documents.values():
            source = etree.SubElement(sources, f"{{{ns}}}TextSource", guid=document.id, name=document.name,
                                      plainTextPath=f"internal://{document.id}.txt")
            for highlight in sorted((h for h in project.highlights if h.document == document.id),
                                    key=lambda h: (h.start, h.end)):
                selection = etree.SubElement(source, f"{{{ns}}}PlainTextSelection", guid=highlight.id,
                                             startPosition=str(highlight.start), endPosition=str(highlight.end),
                                             creatingUser=user_ids[highlight.coder])
                if highlight.memo:
                    etree.SubElement(selection, f"{{{ns}}}Description").text = highlight.memo
                for code_id in highlight.codes:
                    coding = etree.SubElement(selection, f"{{{ns}}}Coding", guid=new_id(),
                                              creatingUser=user_ids[highlight.coder])
                    etree.SubElement(coding, f"{{{ns}}}CodeRef", targetGUID=code_id)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def validate_project_xml(data: bytes) -> None:
    schema = etree.XMLSchema(etree.fromstring(SCHEMA.read_bytes(), limits.xml_parser()))
    document = etree.fromstring(data, limits.xml_parser())
    if not schema.validate(document):
        problems = "; ".join(f"line {e.line}: {e.message}" for e in schema.error_log)
        raise NmahpError(f"not a valid REFI-QDA project: {problems}")


def qdpx_bytes(project: Project) -> bytes:
    """The project as a .qdpx archive, built in memory (the web export sends it without touching disk)."""
    data = project_xml(project)
    validate_project_xml(data)  # never write a file other tools would refuse
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", data)
        for document in project.documents.values():
            archive.writestr(f"Sources/{document.id}.txt", document.text.encode("utf-8"))
    return buffer.getvalue()


def export_qdpx(project: Project, path: str | Path) -> Path:
    path = Path(path)
    path.write_bytes(qdpx_bytes(project))
    return path


# --- reading files from other tools: everything is checked before a project is returned ---------------------
MAX_NAME = 200  # code and document names, as the database keeps them
MAX_CODER = 150  # a coder's (user's) name
MAX_CODE_DEPTH = 100  # codes nested deeper than this are refused (libxml2 stops at 256 levels anyway)
DEFAULT_COLOUR = "#005EB8"
_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_COLOUR = re.compile(r"#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")
_POSITION = re.compile(r"[0-9]{1,12}")


def _guid(value: str | None, label: str, what: str) -> str:
    """A GUID in the standard's form (with or without braces), kept lower-case without braces."""
    if value is None or not value.strip():
        raise NmahpError(f"{label}: {what} has no guid")
    value = value.strip()
    bare = value[1:-1] if value.startswith("{") and value.endswith("}") else value
    if not _GUID.fullmatch(bare):
        raise NmahpError(f"{label}: {what} has guid '{limits.one_line(value, 60)}', which is not a GUID "
                         "(32 hex digits as 8-4-4-4-12)")
    return bare.lower()


def _colour(value: str | None, label: str, what: str) -> str:
    if value is None or not value.strip():
        return DEFAULT_COLOUR
    value = value.strip()
    if not _COLOUR.fullmatch(value):
        raise NmahpError(f"{label}: {what} has colour '{limits.one_line(value, 40)}'; a colour is #RRGGBB")
    if len(value) == 4:  # #RGB, which the standard also allows
        value = "#" + "".join(c * 2 for c in value[1:])
    return value.upper()


def _name(value: str | None, label: str, what: str, *, limit: int = MAX_NAME) -> str:
    value = (value or "").strip()
    if not value:
        raise NmahpError(f"{label}: {what} has no name")
    if len(value) > limit:
        raise NmahpError(f"{label}: {what} has a name of {len(value):,} characters; the limit is {limit}")
    return value


def _position(value: str | None, label: str, what: str) -> int:
    if value is None or not _POSITION.fullmatch(value.strip()):
        shown = "none" if value is None else f"'{limits.one_line(value, 40)}'"
        raise NmahpError(f"{label}: {what} has position {shown}; positions are whole numbers from 0")
    return int(value.strip())


def _read_codes(element, ns: str, label: str) -> Codebook:
    codebook = Codebook()
    codes = element.find(f"{{{ns}}}Codes")
    if codes is None:
        return codebook
    pending = deque([(codes, None, 0)])  # iterative: a deep tree cannot exhaust Python's stack
    while pending:
        node, parent, depth = pending.popleft()
        if depth > MAX_CODE_DEPTH:
            raise NmahpError(f"{label}: codes are nested more than {MAX_CODE_DEPTH} levels deep")
        for code_element in node.findall(f"{{{ns}}}Code"):
            name = _name(code_element.get("name"), label, "a code")
            what = f"code '{limits.one_line(name, 60)}'"
            guid = _guid(code_element.get("guid"), label, what)
            if guid in codebook.codes:
                raise NmahpError(f"{label}: two codes have the guid {guid}")
            description = code_element.findtext(f"{{{ns}}}Description") or ""
            codebook.codes[guid] = Code(name, description, _colour(code_element.get("color"), label, what),
                                        parent, guid)
            pending.append((code_element, guid, depth + 1))
    return codebook


def _decode(data: bytes, label: str, member: str) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NmahpError(f"{label}: {limits.one_line(member, 80)} is not UTF-8 text (byte {exc.start}: "
                         f"{data[exc.start:exc.start + 1]!r})") from None
    if "\x00" in text:
        raise NmahpError(f"{label}: {limits.one_line(member, 80)} contains NUL characters; it is not plain text")
    return text


def import_qdpx(path: str | Path, label: str | None = None) -> Project:
    """A REFI-QDA project from another tool, checked through: the archive within its limits, the XML
    well-formed with no DTD, every GUID, colour and position valid, every source UTF-8 text. Raises
    NmahpError naming the file and the fault; returns only a project that can be stored and exported."""
    label = label or str(path)
    data = limits.read_file(path, "qda_bytes", label)
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise NmahpError(f"{label}: not a .qdpx file (a zip archive)")
    archive = limits.open_zip(data, label)
    with archive:
        root = limits.parse_xml(limits.read_member(archive, "project.qde", label, "xml_bytes"),
                                f"{label}: project.qde")
        ns = PROJECT_NS
        if root.tag != f"{{{ns}}}Project":
            raise NmahpError(f"{label}: project.qde is not a REFI-QDA project (its root is "
                             f"'{limits.one_line(root.tag, 80)}', not Project in {ns})")
        users = {}
        for user in root.iter(f"{{{ns}}}User"):
            guid = _guid(user.get("guid"), label, "a user")
            users[guid] = _name(user.get("name") or guid, label, "a user", limit=MAX_CODER)
        project = Project((root.get("name") or Path(path).stem)[:MAX_NAME])
        book = root.find(f"{{{ns}}}CodeBook")
        if book is not None:
            project.codebook = _read_codes(book, ns, label)
        names = set(archive.namelist())
        selections, text_read = set(), 0
        for source in root.iter(f"{{{ns}}}TextSource"):
            guid = _guid(source.get("guid"), label, f"source '{limits.one_line(source.get('name') or '', 60)}'")
            name = _name(source.get("name") or f"source {guid[:8]}", label, "a source")
            what = f"source '{limits.one_line(name, 60)}'"
            if guid in project.documents:
                raise NmahpError(f"{label}: two sources have the guid {guid}")
            text = source.findtext(f"{{{ns}}}PlainTextContent")
            if text is None:
                location = source.get("plainTextPath") or ""
                member = "Sources/" + location.removeprefix("internal://")
                if member not in names:
                    raise NmahpError(f"{label}: {what} points to missing {limits.one_line(location, 120) or 'text'}")
                raw = limits.read_member(archive, member, label)
                text_read += len(raw)
                if text_read > limits.limit("zip_total_bytes"):
                    raise limits.too_big(label, text_read, "zip_total_bytes", "the sources' text")
                text = _decode(raw, label, member)
            elif "\x00" in text:
                raise NmahpError(f"{label}: {what} contains NUL characters")
            document = Document(name, text, "text", [], guid)
            project.add_document(document)
            for selection in source.findall(f"{{{ns}}}PlainTextSelection"):
                selection_guid = _guid(selection.get("guid"), label, f"a selection in {what}")
                if selection_guid in selections:
                    raise NmahpError(f"{label}: two selections have the guid {selection_guid}")
                selections.add(selection_guid)
                start = _position(selection.get("startPosition"), label, f"a selection in {what}")
                end = _position(selection.get("endPosition"), label, f"a selection in {what}")
                if not start <= end <= len(text):
                    raise NmahpError(f"{label}: a selection {start}-{end} lies outside {what} "
                                     f"({len(text):,} characters)")
                codes = tuple(dict.fromkeys(_guid(c.get("targetGUID"), label, f"a coding in {what}")
                                            for c in selection.iter(f"{{{ns}}}CodeRef")))
                creator = selection.get("creatingUser")
                coder = users.get(_guid(creator, label, f"a selection in {what}'s user"), "coder") \
                    if creator else "coder"
                project.highlights.append(Highlight(
                    document.id, start, end, codes, coder,
                    selection.findtext(f"{{{ns}}}Description") or "", selection_guid))
    return project


def qdc_bytes(codebook: Codebook) -> bytes:
    """The codebook as a .qdc file's bytes."""
    root = etree.Element(f"{{{CODEBOOK_NS}}}CodeBook", nsmap={None: CODEBOOK_NS}, origin="NMAHP Pathways")
    _codes_element(root, codebook, CODEBOOK_NS)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def export_qdc(codebook: Codebook, path: str | Path) -> Path:
    path = Path(path)
    path.write_bytes(qdc_bytes(codebook))
    return path


def import_qdc(path: str | Path, label: str | None = None) -> Codebook:
    """A REFI-QDA codebook (.qdc), checked as `import_qdpx` checks a project's codes."""
    label = label or str(path)
    root = limits.parse_xml(limits.read_file(path, "qda_bytes", label), label)
    tag = str(root.tag)
    ns = tag.split("}")[0].strip("{") if tag.startswith("{") else CODEBOOK_NS
    if tag != f"{{{ns}}}CodeBook":
        raise NmahpError(f"{label}: not a REFI-QDA codebook (its root is '{limits.one_line(tag, 80)}', not CodeBook)")
    return _read_codes(root, ns, label)
