"""REFI-QDA exchange: projects (.qdpx: a zip of project.qde and the plain-text sources) and codebooks
(.qdc), so a project moves to and from NVivo, ATLAS.ti, MAXQDA and Taguette with its codes and
highlight positions intact. Positions are characters of the plain text, as the standard has them."""

from __future__ import annotations

import io
import zipfile
from importlib.resources import files
from pathlib import Path

from lxml import etree

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
    schema = etree.XMLSchema(etree.fromstring(SCHEMA.read_bytes()))
    document = etree.fromstring(data)
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


def _read_codes(element, ns: str) -> Codebook:
    codebook = Codebook()

    def walk(node, parent):
        for code_element in node.findall(f"{{{ns}}}Code"):
            description = code_element.findtext(f"{{{ns}}}Description") or ""
            code = Code(code_element.get("name", ""), description, code_element.get("color") or "#005EB8", parent,
                        code_element.get("guid"))
            codebook.codes[code.id] = code
            walk(code_element, code.id)

    codes = element.find(f"{{{ns}}}Codes")
    if codes is not None:
        walk(codes, None)
    return codebook


def import_qdpx(path: str | Path) -> Project:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise NmahpError(f"{path}: not a .qdpx file (a zip archive): {exc}") from None
    with archive:
        try:
            data = archive.read("project.qde")
        except KeyError:
            raise NmahpError(f"{path}: has no project.qde inside") from None
        try:
            root = etree.fromstring(data)
        except etree.XMLSyntaxError as exc:
            raise NmahpError(f"{path}: project.qde is not XML: {exc}") from None
        ns = PROJECT_NS
        users = {u.get("guid"): u.get("name") or u.get("guid") for u in root.iter(f"{{{ns}}}User")}
        project = Project(root.get("name", Path(path).stem))
        book = root.find(f"{{{ns}}}CodeBook")
        if book is not None:
            project.codebook = _read_codes(book, ns)
        names = set(archive.namelist())
        for source in root.iter(f"{{{ns}}}TextSource"):
            text = source.findtext(f"{{{ns}}}PlainTextContent")
            if text is None:
                location = source.get("plainTextPath", "")
                member = "Sources/" + location.removeprefix("internal://")
                if member not in names:
                    raise NmahpError(f"{path}: source '{source.get('name')}' points to missing {location}")
                text = archive.read(member).decode("utf-8")
            document = Document(source.get("name", ""), text, "text", [], source.get("guid"))
            project.add_document(document)
            for selection in source.findall(f"{{{ns}}}PlainTextSelection"):
                codes = tuple(c.get("targetGUID") for c in selection.iter(f"{{{ns}}}CodeRef"))
                start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
                if not 0 <= start <= end <= len(text):
                    raise NmahpError(f"{path}: a selection {start}-{end} lies outside '{document.name}'")
                project.highlights.append(Highlight(
                    document.id, start, end, codes, users.get(selection.get("creatingUser"), "coder"),
                    selection.findtext(f"{{{ns}}}Description") or "", selection.get("guid")))
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


def import_qdc(path: str | Path) -> Codebook:
    try:
        root = etree.parse(str(path)).getroot()
    except (OSError, etree.XMLSyntaxError) as exc:
        raise NmahpError(f"{path}: not a REFI-QDA codebook: {exc}") from None
    ns = root.tag.split("}")[0].strip("{") if root.tag.startswith("{") else CODEBOOK_NS
    return _read_codes(root, ns)
