"""The report as a sequence of blocks, independent of its format (HTML, DOCX, PDF render it)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Heading:
    level: int  # 1 = the chapter (5), 2 = a survey (5.1), 3 = a section (5.1.4), 4 = a question (5.1.4.1)
    number: str
    text: str

    @property
    def anchor(self) -> str:
        return "s" + (self.number.replace(".", "-") or "0")


@dataclass
class Paragraph:
    text: str


@dataclass
class DataTable:
    """A table of numbers, with the caption it is cited by."""

    number: int
    caption: str
    header: list[str]
    rows: list[list[str]]
    note: str = ""

    @property
    def anchor(self) -> str:
        return f"table-{self.number}"


@dataclass
class Figure:
    number: int
    title: str
    alt: str
    png: bytes
    svg: str
    data: DataTable  # the numbers behind the figure, shown beside it in HTML
    base_note: str = ""

    @property
    def anchor(self) -> str:
        return f"figure-{self.number}"


@dataclass
class Report:
    title: str
    subtitle: str
    blocks: list = field(default_factory=list)

    def figures(self) -> list[Figure]:
        return [b for b in self.blocks if isinstance(b, Figure)]

    def tables(self) -> list[DataTable]:
        return [b for b in self.blocks if isinstance(b, DataTable)]

    def headings(self) -> list[Heading]:
        return [b for b in self.blocks if isinstance(b, Heading)]
