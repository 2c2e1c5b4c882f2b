"""REFI-QDA exchange: projects (.qdpx: a zip of project.qde and the plain-text sources) and codebooks
(.qdc), so a project moves to and from NVivo, ATLAS.ti, MAXQDA, QualCoder and Taguette with its codes,
highlights, memos and sets intact.

Positions here are code points of the plain text, with no byte-order mark and \\n line ends, as the
standard has them (REFI-QDA 1.5, 10.2). Files other tools write are read in the tool's own counting,
told by the project's `origin` (see `convention`): NVivo counts UTF-16 code units and a \\r\\n as two;
ATLAS.ti counts a \\r\\n as one; the others count code points. A byte-order mark is never counted."""

from __future__ import annotations

import io
import re
import uuid
import zipfile
from collections import Counter, deque
from importlib.resources import files
from pathlib import Path, PurePosixPath

from lxml import etree

from .. import limits
from ..errors import NmahpError
from .model import Code, Codebook, CodeSet, Document, Highlight, Note, Project, Segment

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
ORIGIN = "NMAHP Pathways"
# package data; the schema includes no other file, so it is parsed from its bytes (no file path needed)
SCHEMA = files("nmahp.qualitative") / "schema" / "Project-mrt2019.xsd"
# derived GUIDs (users, codings, transcripts' sync points) are stable, so exporting twice gives one file
_DERIVED = uuid.UUID("8d0f3a52-5a61-4c1e-9d0b-6b1f2f0f6a11")
_DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?")


def derived_id(*parts: str) -> str:
    return str(uuid.uuid5(_DERIVED, "/".join(parts)))


# --- counting conventions ----------------------------------------------------------------------------------
NVIVO, ATLAS, CODE_POINTS = "nvivo", "atlas.ti", "code points"


def convention(origin: str | None) -> str:
    """How the tool that wrote a file counts positions, from the project's `origin`. Measured on a real
    NVivo 12.6 export (303 codings): UTF-16 code units with \\r\\n as two land 293 selections on word
    boundaries, code points only 20; QualCoder's importer documents ATLAS.ti's \\r\\n counted as one."""
    name = (origin or "").lower()
    if "nvivo" in name:
        return NVIVO
    if "atlas" in name:
        return ATLAS
    return CODE_POINTS


def plain_text(raw: str, counting: str = CODE_POINTS) -> tuple[str, list[int]]:
    """The text as kept here (no byte-order mark, \\r\\n as \\n) and, for every position the tool can
    write, the character of that text it points to (a position inside a character points to it)."""
    raw = raw.removeprefix("\ufeff")
    kept: list[str] = []
    index: list[int] = []
    i, n = 0, len(raw)
    while i < n:
        char = raw[i]
        here = len(kept)
        if char == "\r" and i + 1 < n and raw[i + 1] == "\n":
            index.extend([here] * (1 if counting == ATLAS else 2))
            kept.append("\n")
            i += 2
            continue
        index.extend([here] * (2 if counting == NVIVO and ord(char) > 0xFFFF else 1))
        kept.append(char)
        i += 1
    index.append(len(kept))
    return "".join(kept), index


# --- writing --------------------------------------------------------------------------------------------------
def _el(parent, ns: str, tag: str, **attributes):
    return etree.SubElement(parent, f"{{{ns}}}{tag}", {k: v for k, v in attributes.items() if v is not None})


def _note_refs(element, ns: str, target: str, notes_by_target: dict[str, list[str]]) -> None:
    for note_id in notes_by_target.get(target, []):
        _el(element, ns, "NoteRef", targetGUID=note_id)


def _codes_element(parent, codebook: Codebook, ns: str, notes_by_target: dict | None = None) -> None:
    codes = _el(parent, ns, "Codes")

    def add(into, code: Code):
        element = _el(into, ns, "Code", guid=code.id, name=code.name, isCodable="true" if code.codable else "false",
                      color=code.color or None)
        if code.description:
            _el(element, ns, "Description").text = code.description
        _note_refs(element, ns, code.id, notes_by_target or {})
        for child in codebook.children(code.id):
            add(element, child)

    for root_code in codebook.children(None):
        add(codes, root_code)


def _sets_element(parent, sets: list[CodeSet], ns: str, known: set[str]) -> None:
    sets = [s for s in sets if s.name]
    if not sets:
        return  # the schema wants at least one Set inside Sets
    element = _el(parent, ns, "Sets")
    for group in sets:
        item = _el(element, ns, "Set", guid=group.id, name=group.name)
        if group.description:
            _el(item, ns, "Description").text = group.description
        for code in group.codes:
            if code in known:
                _el(item, ns, "MemberCode", targetGUID=code)
        for document in group.documents:
            if document in known:
                _el(item, ns, "MemberSource", targetGUID=document)
        for note in group.notes:
            if note in known:
                _el(item, ns, "MemberNote", targetGUID=note)


def _timed(document: Document) -> list[Segment]:
    return [s for s in document.segments if s.begin_ms is not None and s.end_ms is not None]


def project_xml(project: Project) -> bytes:
    ns = PROJECT_NS
    root = etree.Element(f"{{{ns}}}Project", nsmap={None: ns}, name=project.name or "project", origin=ORIGIN)
    coders = sorted({h.coder for h in project.highlights} | {n.coder for n in project.notes.values() if n.coder})
    user_ids = {coder: derived_id("user", coder) for coder in coders}
    notes_by_target: dict[str, list[str]] = {}
    for note in project.notes.values():
        for target in note.attached_to:
            notes_by_target.setdefault(target, []).append(note.id)
    if coders:
        users = _el(root, ns, "Users")
        for coder in coders:
            _el(users, ns, "User", guid=user_ids[coder], name=coder)
    if project.codebook.codes:
        _codes_element(_el(root, ns, "CodeBook"), project.codebook, ns, notes_by_target)
    if project.documents:
        sources = _el(root, ns, "Sources")
        for document in project.documents.values():
            _text_source(sources, ns, project, document, user_ids, notes_by_target)
        for document in project.documents.values():
            if _timed(document):
                _recording(sources, ns, document)
    if project.notes:
        notes = _el(root, ns, "Notes")
        for note in project.notes.values():
            element = _el(notes, ns, "Note", guid=note.id, name=note.name or None,
                          creatingUser=user_ids.get(note.coder),
                          creationDateTime=note.created if _DATETIME.fullmatch(note.created or "") else None)
            _el(element, ns, "PlainTextContent").text = note.text
    known = set(project.codebook.codes) | set(project.documents) | set(project.notes)
    _sets_element(root, project.sets, ns, known)
    _note_refs(root, ns, "project", notes_by_target)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def _text_source(sources, ns, project: Project, document: Document, user_ids, notes_by_target) -> None:
    source = _el(sources, ns, "TextSource", guid=document.id, name=document.name,
                 plainTextPath=f"internal://{document.id}.txt")
    if document.memo:
        _el(source, ns, "Description").text = document.memo
    for highlight in sorted((h for h in project.highlights if h.document == document.id),
                            key=lambda h: (h.start, h.end, h.id)):
        selection = _el(source, ns, "PlainTextSelection", guid=highlight.id, startPosition=str(highlight.start),
                        endPosition=str(highlight.end), creatingUser=user_ids[highlight.coder])
        if highlight.memo:
            _el(selection, ns, "Description").text = highlight.memo
        for code_id in highlight.codes:
            coding = _el(selection, ns, "Coding", guid=derived_id("coding", highlight.id, code_id),
                         creatingUser=user_ids[highlight.coder])
            _el(coding, ns, "CodeRef", targetGUID=code_id)
        _note_refs(selection, ns, highlight.id, notes_by_target)
    _note_refs(source, ns, document.id, notes_by_target)


def _recording(sources, ns, document: Document) -> None:
    """A transcript's turns with their times: the standard's place for times is a recording's Transcript,
    whose SyncPoints tie a moment (ms) to a position in the text. The recording itself is not exported; the
    Transcript shares the TextSource's text file, so the codings stay on the TextSource."""
    audio = _el(sources, ns, "AudioSource", guid=derived_id("recording", document.id),
                name=f"{document.name} (recording)")
    _el(audio, ns, "Description").text = ("The recording is not part of this export; the transcript's turns "
                                          "keep their times as sync points.")
    transcript = _el(audio, ns, "Transcript", guid=derived_id("transcript", document.id), name=document.name,
                     plainTextPath=f"internal://{document.id}.txt")
    points = []
    for number, segment in enumerate(_timed(document)):
        start = derived_id("sync", document.id, str(number), "start")
        end = derived_id("sync", document.id, str(number), "end")
        _el(transcript, ns, "SyncPoint", guid=start, timeStamp=str(segment.begin_ms), position=str(segment.start))
        _el(transcript, ns, "SyncPoint", guid=end, timeStamp=str(segment.end_ms), position=str(segment.end))
        points.append((segment, start, end, number))
    for segment, start, end, number in points:
        selection = _el(transcript, ns, "TranscriptSelection", guid=derived_id("turn", document.id, str(number)),
                        name=segment.speaker or None, fromSyncPoint=start, toSyncPoint=end)
        if segment.participant:
            _el(selection, ns, "Description").text = f"participant {segment.participant}"


def validate_project_xml(data: bytes) -> None:
    schema = etree.XMLSchema(etree.fromstring(SCHEMA.read_bytes(), limits.xml_parser()))
    document = etree.fromstring(data, limits.xml_parser())
    if not schema.validate(document):
        problems = "; ".join(f"line {e.line}: {e.message}" for e in schema.error_log)
        raise NmahpError(f"not a valid REFI-QDA project: {problems}")


def qdpx_bytes(project: Project) -> bytes:
    """The project as a .qdpx archive, built in memory (the web export sends it without touching disk).
    Sources go in `sources/` (lower case, as the standard and ATLAS.ti have it), UTF-8 with no BOM."""
    data = project_xml(project)
    validate_project_xml(data)  # never write a file other tools would refuse
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", data)
        for document in project.documents.values():
            archive.writestr(f"sources/{document.id}.txt", document.text.encode("utf-8"))
    return buffer.getvalue()


def export_qdpx(project: Project, path: str | Path) -> Path:
    path = Path(path)
    path.write_bytes(qdpx_bytes(project))
    return path


def qdc_bytes(codebook: Codebook, sets: list[CodeSet] | None = None) -> bytes:
    """The codebook (and its code sets) as a .qdc file's bytes."""
    root = etree.Element(f"{{{CODEBOOK_NS}}}CodeBook", nsmap={None: CODEBOOK_NS}, origin=ORIGIN)
    _codes_element(root, codebook, CODEBOOK_NS)
    _sets_element(root, [CodeSet(s.name, s.description, s.codes, id=s.id) for s in sets or [] if s.codes], CODEBOOK_NS,
                  set(codebook.codes))
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def export_qdc(codebook: Codebook, path: str | Path, sets: list[CodeSet] | None = None) -> Path:
    path = Path(path)
    path.write_bytes(qdc_bytes(codebook, sets))
    return path


# --- reading files from other tools: everything is checked before a project is returned ---------------------
MAX_NAME = 200  # code and document names, as the database keeps them
MAX_CODER = 150  # a coder's (user's) name
MAX_CODE_DEPTH = 100  # codes nested deeper than this are refused (libxml2 stops at 256 levels anyway)
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


def _colour(value: str | None, label: str, what: str) -> str | None:
    """The code's colour as #RRGGBB, or None when the file gives none (no colour is invented)."""
    if value is None or not value.strip():
        return None
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


def _codable(value: str | None) -> bool:
    return (value or "true").strip().lower() not in ("false", "0")


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
                                        parent, guid, _codable(code_element.get("isCodable")))
            pending.append((code_element, guid, depth + 1))
    return codebook


def _read_sets(element, ns: str, label: str) -> list[CodeSet]:
    found = []
    for item in element.iterfind(f"{{{ns}}}Sets/{{{ns}}}Set"):
        name = _name(item.get("name"), label, "a set")
        what = f"set '{limits.one_line(name, 60)}'"

        def members(tag: str, item=item, what=what) -> tuple[str, ...]:
            # the schema says targetGUID; ATLAS.ti 23 writes guid
            return tuple(dict.fromkeys(_guid(m.get("targetGUID") or m.get("guid"), label, f"a member of {what}")
                                       for m in item.findall(f"{{{ns}}}{tag}")))

        found.append(CodeSet(name, item.findtext(f"{{{ns}}}Description") or "", members("MemberCode"),
                             members("MemberSource"), members("MemberNote"), _guid(item.get("guid"), label, what)))
    return found


def _decode(data: bytes, label: str, member: str) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NmahpError(f"{label}: {limits.one_line(member, 80)} is not UTF-8 text (byte {exc.start}: "
                         f"{data[exc.start:exc.start + 1]!r})") from None
    if "\x00" in text:
        raise NmahpError(f"{label}: {limits.one_line(member, 80)} contains NUL characters; it is not plain text")
    return text


def _namespace(root, local: str, label: str, family: str) -> str:
    """The root's namespace, which must be one of the standard's for `local` (versions differ by tool:
    urn:QDA-XML:project:1.0, urn:QDA-XML:codebook:0:4, ...)."""
    tag = str(root.tag)
    ns = tag[1:].split("}")[0] if tag.startswith("{") else ""
    if etree.QName(root).localname != local or not ns.lower().startswith(family):
        raise NmahpError(f"{label}: is not a REFI-QDA {local} (its root is '{limits.one_line(tag, 80)}', not "
                         f"{local} in the {family}... namespace)")
    return ns


class _Archive:
    """The members of a .qdpx, found as vendors name them: folders and files in any case (`Sources/`,
    `sources/`, `Project.qde`), and the project XML under another name when it is the only .qde
    (ATLAS.ti names it after the project)."""

    def __init__(self, archive: zipfile.ZipFile, label: str):
        self.archive, self.label = archive, label
        self.names = {}
        for name in archive.namelist():
            self.names.setdefault(name.replace("\\", "/").lower(), name)

    def project_member(self) -> str:
        if "project.qde" in self.names:
            return self.names["project.qde"]
        qde = sorted(original for lower, original in self.names.items() if lower.endswith(".qde") and
                     "/" not in lower.strip("/"))
        if len(qde) == 1:
            return qde[0]
        if len(qde) > 1:
            raise NmahpError(f"{self.label}: holds {len(qde)} .qde files and none is project.qde "
                             f"({', '.join(limits.one_line(q, 40) for q in qde[:5])})")
        raise NmahpError(f"{self.label}: has no project.qde inside, so it is not a REFI-QDA project")

    def source(self, location: str) -> str | None:
        """The member a source's path points to: internal://X is sources/X; a relative path is looked
        for as given and under sources/."""
        path = location.strip().replace("\\", "/")
        for prefix in ("internal://", "relative://", "file://"):
            if path.lower().startswith(prefix):
                path = path[len(prefix):]
                break
        path = path.lstrip("/").lower()
        for candidate in (f"sources/{path}", path, f"sources/{PurePosixPath(path).name}"):
            if candidate in self.names:
                return self.names[candidate]
        return None

    def read(self, member: str, name: str = "zip_member_bytes") -> bytes:
        return limits.read_member(self.archive, member, self.label, name)


class _ProjectReader:
    def __init__(self, root, ns: str, label: str, members: _Archive, fallback_name: str):
        self.root, self.ns, self.label, self.members = root, ns, label, members
        self.origin = root.get("origin") or ""
        self.counting = convention(self.origin)
        self.project = Project((root.get("name") or fallback_name)[:MAX_NAME])
        self.project.origin = self.origin
        self.skipped: Counter[str] = Counter()
        self.users: dict[str, str] = {}
        self.selections: set[str] = set()
        self.text_read = 0
        self.by_path: dict[str, tuple[Document, list[int]]] = {}
        self.note_targets: dict[str, list[str]] = {}

    def q(self, tag: str) -> str:
        return f"{{{self.ns}}}{tag}"

    def run(self) -> Project:
        label, root = self.label, self.root
        for user in root.iter(self.q("User")):
            guid = _guid(user.get("guid"), label, "a user")
            self.users[guid] = _name(user.get("name") or guid, label, "a user", limit=MAX_CODER)
        book = root.find(self.q("CodeBook"))
        if book is not None:
            self.project.codebook = _read_codes(book, self.ns, label)
            for code in book.iter(self.q("Code")):
                self.refer(code, _guid(code.get("guid"), label, "a code"))
        sources = root.find(self.q("Sources"))
        for source in [] if sources is None else sources:
            kind = etree.QName(source).localname if isinstance(source.tag, str) else ""
            if kind == "TextSource":
                self.text_source(source, source)
            elif kind == "PDFSource":
                representation = source.find(self.q("Representation"))
                if representation is not None:
                    self.text_source(representation, source)
                self.skip(source, "PDFSelection", "areas of PDF pages (only text is coded here)")
            elif kind in ("AudioSource", "VideoSource"):
                for transcript in source.findall(self.q("Transcript")):
                    self.transcript(transcript, source)
                self.skip(source, f"{kind[:5]}Selection",
                          f"{kind[:5].lower()} selections (recordings are not kept here)")
            elif kind:
                self.skipped[f"{kind}s (only text sources are kept here)"] += 1
        self.notes()
        self.project.sets = _read_sets(root, self.ns, label)
        if book is not None:
            self.project.sets += _read_sets(book, self.ns, label)
        for tag, reason in (("Cases", "cases"), ("Variables", "variables"), ("Graphs", "graphs")):
            element = root.find(self.q(tag))
            if element is not None and len(element):
                self.skipped[f"{reason} (not kept here)"] += len(element)
        self.project.skipped = [f"{count} {reason}" for reason, count in sorted(self.skipped.items())]
        return self.project

    def skip(self, element, tag: str, reason: str) -> None:
        count = len(element.findall(self.q(tag)))
        if count:
            self.skipped[reason] += count

    def refer(self, element, target: str) -> None:
        for ref in element.findall(self.q("NoteRef")):
            note = _guid(ref.get("targetGUID"), self.label, "a note reference")
            self.note_targets.setdefault(note, []).append(target)

    def text_of(self, element, what: str, *, missing_ok: bool = False) -> tuple[str, list[int], str] | None:
        """(text as kept here, the tool's positions to ours, the member it came from or ''); None for a
        text that is not in the file when `missing_ok` (a note or transcript kept only as .docx)."""
        text = element.findtext(self.q("PlainTextContent"))
        if text is not None:
            if "\x00" in text:
                raise NmahpError(f"{self.label}: {what} contains NUL characters")
            return *plain_text(text, self.counting), ""
        location = element.get("plainTextPath") or ""
        member = self.members.source(location) if location else None
        if member is None:
            if missing_ok:
                return None
            raise NmahpError(f"{self.label}: {what} points to missing {limits.one_line(location, 120) or 'text'}")
        raw = self.members.read(member)
        self.text_read += len(raw)
        if self.text_read > limits.limit("zip_total_bytes"):
            raise limits.too_big(self.label, self.text_read, "zip_total_bytes", "the sources' text")
        return *plain_text(_decode(raw, self.label, member), self.counting), member

    def text_source(self, element, named) -> None:
        label = self.label
        guid = _guid(named.get("guid"), label, f"source '{limits.one_line(named.get('name') or '', 60)}'")
        name = _name(named.get("name") or f"source {guid[:8]}", label, "a source")
        what = f"source '{limits.one_line(name, 60)}'"
        if guid in self.project.documents:
            raise NmahpError(f"{label}: two sources have the guid {guid}")
        text, index, member = self.text_of(element, what)  # a source's text is never optional
        memo = named.findtext(self.q("Description")) or ""
        document = self.project.add_document(Document(name, text, "text", [], guid, memo))
        if member:
            self.by_path[member] = (document, index)
        self.refer(named, guid)
        for selection in element.findall(self.q("PlainTextSelection")):
            self.selection(selection, document, index, what)
        self.skip(element, "Coding", "codings of whole sources (only passages are coded here)")

    def selection(self, selection, document: Document, index: list[int], what: str) -> None:
        label = self.label
        selection_guid = _guid(selection.get("guid"), label, f"a selection in {what}")
        if selection_guid in self.selections:
            raise NmahpError(f"{label}: two selections have the guid {selection_guid}")
        self.selections.add(selection_guid)
        start = _position(selection.get("startPosition"), label, f"a selection in {what}")
        end = _position(selection.get("endPosition"), label, f"a selection in {what}")
        if not start <= end < len(index):
            raise NmahpError(f"{label}: a selection {start}-{end} lies outside {what} "
                             f"({len(index) - 1:,} positions as {self.origin or 'the file'} counts them)")
        codes = tuple(dict.fromkeys(_guid(c.get("targetGUID"), label, f"a coding in {what}")
                                    for c in selection.iter(self.q("CodeRef"))))
        creator = selection.get("creatingUser")
        coder = self.users.get(_guid(creator, label, f"a selection in {what}'s user"), "coder") if creator \
            else "coder"
        self.project.highlights.append(Highlight(document.id, index[start], index[end], codes, coder,
                                                 selection.findtext(self.q("Description")) or "", selection_guid))
        self.refer(selection, selection_guid)
        for coding in selection.findall(self.q("Coding")):
            self.refer(coding, selection_guid)

    def transcript(self, transcript, recording) -> None:
        """A recording's transcript: its turns and times onto the text source sharing its text (our own
        export), else a transcript document of its own."""
        label = self.label
        name = transcript.get("name") or recording.get("name") or ""
        what = f"transcript '{limits.one_line(name, 60)}'"
        location = transcript.get("plainTextPath") or ""
        member = self.members.source(location) if location else None
        if member is not None and member in self.by_path:
            document, index = self.by_path[member]
        else:
            found = self.text_of(transcript, what, missing_ok=True)
            if found is None:
                self.skipped["transcripts with no plain text in the file"] += 1
                return
            text, index, member = found
            guid = _guid(transcript.get("guid"), label, what)
            if guid in self.project.documents:
                raise NmahpError(f"{label}: two sources have the guid {guid}")
            document = self.project.add_document(Document(_name(name or f"transcript {guid[:8]}", label,
                                                                "a transcript"), text, "transcript", [], guid))
            if member:
                self.by_path[member] = (document, index)
        points = {}
        for point in transcript.findall(self.q("SyncPoint")):
            position = _position(point.get("position") or "0", label, f"a sync point in {what}")
            stamp = _position(point.get("timeStamp") or "0", label, f"a sync point in {what}")
            if position >= len(index):
                raise NmahpError(f"{label}: a sync point at {position} lies outside {what}")
            points[_guid(point.get("guid"), label, f"a sync point in {what}")] = (index[position], stamp)
        segments = []
        for turn in transcript.findall(self.q("TranscriptSelection")):
            start = points.get(_guid(turn.get("fromSyncPoint"), label, f"a turn in {what}"))
            end = points.get(_guid(turn.get("toSyncPoint"), label, f"a turn in {what}"))
            if start is None or end is None or end[0] < start[0]:
                self.skipped["transcript turns whose sync points are missing"] += 1
                continue
            said = (turn.findtext(self.q("Description")) or "").strip()
            participant = said.removeprefix("participant ").strip() if said.startswith("participant ") else ""
            segments.append(Segment(start[0], end[0], participant, turn.get("name") or "", begin_ms=start[1],
                                    end_ms=end[1]))
        if segments:
            document.kind = "transcript"
            document.segments = sorted(segments, key=lambda s: (s.start, s.end))
        self.refer(transcript, document.id)

    def notes(self) -> None:
        label = self.label
        for element in self.root.iterfind(f"{self.q('Notes')}/{self.q('Note')}"):
            guid = _guid(element.get("guid"), label, "a note")
            what = f"note '{limits.one_line(element.get('name') or guid, 60)}'"
            found = self.text_of(element, what, missing_ok=True)
            if found is None:
                self.skipped["notes with no plain text in the file"] += 1
                continue
            text = found[0]
            creator = element.get("creatingUser")
            coder = self.users.get(_guid(creator, label, f"{what}'s user"), "") if creator else ""
            self.project.notes[guid] = Note((element.get("name") or "")[:MAX_NAME], text, coder,
                                            element.get("creationDateTime") or "", (), guid)
        self.refer(self.root, "project")
        for link in self.root.iterfind(f"{self.q('Links')}/{self.q('Link')}"):
            # NVivo ties an annotation to its selection with a Link from the note
            ends = [_guid(link.get(side), label, "a link") for side in ("originGUID", "targetGUID")
                    if link.get(side)]
            if len(ends) == 2 and (ends[0] in self.project.notes) != (ends[1] in self.project.notes):
                note, target = ends if ends[0] in self.project.notes else ends[::-1]
                self.note_targets.setdefault(note, []).append(target)
            else:
                self.skipped["links between codes or sources (not kept here)"] += 1
        known = {"project"} | set(self.project.codebook.codes) | set(self.project.documents) | self.selections
        for note_id, targets in self.note_targets.items():
            note = self.project.notes.get(note_id)
            if note is None:
                self.skipped["references to notes the file does not hold"] += len(targets)
                continue
            note.attached_to = tuple(dict.fromkeys(t for t in note.attached_to + tuple(targets) if t in known))


def import_qdpx(path: str | Path, label: str | None = None) -> Project:
    """A REFI-QDA project from another tool, checked through: the archive within its limits, the XML
    well-formed with no DTD, every GUID, colour and position valid, every source UTF-8 text; positions
    turned from the tool's counting into ours. Raises NmahpError naming the file and the fault; returns
    only a project that can be stored and exported. What is not kept here (pictures, recordings, cases)
    is listed in `project.skipped`."""
    label = label or str(path)
    data = limits.read_file(path, "qda_bytes", label)
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise NmahpError(f"{label}: not a .qdpx file (a zip archive)")
    archive = limits.open_zip(data, label)
    with archive:
        members = _Archive(archive, label)
        member = members.project_member()
        root = limits.parse_xml(members.read(member, "xml_bytes"), f"{label}: {member}")
        ns = _namespace(root, "Project", f"{label}: {member}", "urn:qda-xml:project")
        return _ProjectReader(root, ns, label, members, Path(path).stem).run()


def read_qdc(path: str | Path, label: str | None = None) -> Project:
    """A REFI-QDA codebook (.qdc) as a project holding only codes and code sets, checked as `import_qdpx`
    checks a project's codes."""
    label = label or str(path)
    root = limits.parse_xml(limits.read_file(path, "qda_bytes", label), label)
    ns = _namespace(root, "CodeBook", label, "urn:qda-xml:codebook")
    project = Project(Path(path).stem, codebook=_read_codes(root, ns, label), sets=_read_sets(root, ns, label))
    project.origin = root.get("origin") or ""
    return project


def import_qdc(path: str | Path, label: str | None = None) -> Codebook:
    return read_qdc(path, label).codebook
