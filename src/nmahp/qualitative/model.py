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


@dataclass
class Document:
    name: str
    text: str
    kind: str = "text"  # open_text | transcript | text
    segments: list[Segment] = field(default_factory=list)
    id: str = field(default_factory=new_id)


@dataclass
class Code:
    name: str
    description: str = ""
    color: str = "#005EB8"
    parent: str | None = None  # the parent code's id
    id: str = field(default_factory=new_id)


@dataclass
class Codebook:
    codes: dict[str, Code] = field(default_factory=dict)

    def add(self, name: str, description: str = "", color: str = "#005EB8", parent: str | None = None) -> Code:
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
