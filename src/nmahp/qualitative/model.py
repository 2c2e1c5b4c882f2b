"""A coding project as plain objects. Offsets are character positions in the document's plain
text (not bytes of HTML, as Taguette keeps them), so they survive export and import unchanged."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field


def new_id() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True)
class Segment:
    """A stretch of a document said or written by one participant (an answer, a speaker's turn)."""

    start: int
    end: int
    participant: str
    speaker: str = ""
    professional_group: str = ""
    region: str = ""
    # where the turn lies in the recording, in milliseconds from its start (transcripts with times only)
    begin_ms: int | None = None
    end_ms: int | None = None


@dataclass
class Document:
    name: str
    text: str
    kind: str = "text"  # open_text | transcript | text
    segments: list[Segment] = field(default_factory=list)
    id: str = field(default_factory=new_id)
    memo: str = ""  # the source's description in another tool


@dataclass
class Note:
    """A memo written in another tool (REFI-QDA's Note): its text, who wrote it, and the project, codes,
    documents and highlights that refer to it (by their ids; "project" for the project itself)."""

    name: str
    text: str
    coder: str = ""
    created: str = ""  # as the file gave it (ISO 8601)
    attached_to: tuple[str, ...] = ()
    id: str = field(default_factory=new_id)


@dataclass
class CodeSet:
    """A named group of codes and documents (REFI-QDA's Set), as ATLAS.ti's code groups and NVivo's sets."""

    name: str
    description: str = ""
    codes: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    id: str = field(default_factory=new_id)


@dataclass
class Code:
    name: str
    description: str = ""
    color: str | None = "#005EB8"  # None: the code has no colour (as another tool gave it)
    parent: str | None = None  # the parent code's id
    id: str = field(default_factory=new_id)
    codable: bool = True  # False: a category that only groups codes (REFI-QDA's isCodable)


@dataclass
class Codebook:
    codes: dict[str, Code] = field(default_factory=dict)

    def add(self, name: str, description: str = "", color: str | None = "#005EB8",
            parent: str | None = None) -> Code:
        if parent is not None and parent not in self.codes:
            raise ValueError(f"parent code {parent} is not in the codebook")
        code = Code(name, description, color, parent)
        self.codes[code.id] = code
        return code

    def children(self, code_id: str | None) -> list[Code]:
        return [c for c in self.codes.values() if c.parent == code_id]

    def by_name(self, name: str) -> Code:
        for code in self.codes.values():
            if code.name == name:
                return code
        raise KeyError(f"no code called '{name}'")


@dataclass
class Highlight:
    document: str  # document id
    start: int
    end: int
    codes: tuple[str, ...]  # code ids
    coder: str = "coder"
    memo: str = ""
    id: str = field(default_factory=new_id)


@dataclass
class Project:
    name: str
    documents: dict[str, Document] = field(default_factory=dict)
    codebook: Codebook = field(default_factory=Codebook)
    highlights: list[Highlight] = field(default_factory=list)
    notes: dict[str, Note] = field(default_factory=dict)
    sets: list[CodeSet] = field(default_factory=list)
    origin: str = ""  # the tool that wrote it, for a project read from a file
    skipped: list[str] = field(default_factory=list)  # what a file held that is not kept here, counted

    def add_document(self, document: Document) -> Document:
        self.documents[document.id] = document
        return document

    def highlight(self, document: Document, start: int, end: int, codes: list[Code], *, coder: str = "coder",
                  memo: str = "") -> Highlight:
        if not 0 <= start < end <= len(document.text):
            raise ValueError(f"highlight {start}-{end} is outside the document (0-{len(document.text)})")
        unknown = [c.name for c in codes if c.id not in self.codebook.codes]
        if unknown:
            raise ValueError(f"codes not in the codebook: {', '.join(unknown)}")
        item = Highlight(document.id, start, end, tuple(c.id for c in codes), coder, memo)
        self.highlights.append(item)
        return item

    def text_of(self, highlight: Highlight) -> str:
        return self.documents[highlight.document].text[highlight.start:highlight.end]
