"""The report as a Word document commissioners can edit: real heading styles (the navigation pane
works), captions numbered by SEQ fields, a table-of-contents field, alt text on every picture."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.image.image import Image
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Inches, Pt, RGBColor

from .model import DataTable, Figure, Heading, Paragraph, Report

NHS_BLUE = RGBColor(0x00, 0x5E, 0xB8)
WIDTH, MAX_HEIGHT = 6.2, 8.0  # inches: a figure's width on an A4 or Letter page, and the most it may take down it


def _field(paragraph, instruction: str, shown: str) -> None:
    """A Word field (TOC, SEQ) with a cached result Word shows until the field is updated."""
    def char(kind):
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        return element

    run = paragraph.add_run()
    run._r.append(char("begin"))
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run._r.append(instr)
    run._r.append(char("separate"))
    paragraph.add_run(shown)
    end = paragraph.add_run()
    end._r.append(char("end"))


def _caption(document, kind: str, number: int, text: str) -> None:
    paragraph = document.add_paragraph(style="Caption")
    paragraph.paragraph_format.keep_with_next = True  # a caption never ends a page without its figure or table
    paragraph.add_run(f"{kind} ")
    _field(paragraph, f"SEQ {kind} \\* ARABIC", str(number))
    paragraph.add_run(f": {text}")


def _table(document, table: DataTable) -> None:
    if table.number:
        _caption(document, "Table", table.number, table.caption)
    grid = document.add_table(rows=1, cols=len(table.header))
    grid.style = "Light Grid Accent 1"
    for cell, text in zip(grid.rows[0].cells, table.header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.font.bold = True
    header_props = grid.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")  # the header row repeats on every page
    repeat.set(qn("w:val"), "true")
    header_props.append(repeat)
    for row in table.rows:
        cells = grid.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text
    for row in grid.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(8.5)
    if table.note:
        note = document.add_paragraph(table.note)
        note.runs[0].font.size = Pt(8)


def _figure(document, figure: Figure) -> None:
    _caption(document, "Figure", figure.number, figure.title)
    image = Image.from_blob(figure.png)
    tall = image.px_height / image.px_width * WIDTH > MAX_HEIGHT  # a long list of options: fit the page's height
    if tall:
        document.add_picture(io.BytesIO(figure.png), height=Inches(MAX_HEIGHT))
    else:
        document.add_picture(io.BytesIO(figure.png), width=Inches(WIDTH))
    picture = document.paragraphs[-1]
    picture.alignment = WD_ALIGN_PARAGRAPH.LEFT
    for properties in picture._p.iter(qn("wp:docPr")):
        properties.set("descr", figure.alt)  # Word's alt text
        properties.set("title", f"Figure {figure.number}")


def render_docx(report: Report) -> bytes:
    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(10.5)
    for level, size in zip((1, 2, 3, 4), (18, 15, 13, 11.5), strict=True):
        style = document.styles[f"Heading {level}"]
        style.font.name = "Arial"
        style.font.color.rgb = NHS_BLUE
        style.font.size = Pt(size)
        style.font.italic = False  # Word's Heading 4 is italic; the study's fourth level is not
    document.add_heading(report.title, level=0)
    if report.subtitle:
        document.add_paragraph(report.subtitle)
    document.add_paragraph("Contents", style="TOC Heading") if "TOC Heading" in [s.name for s in document.styles] \
        else document.add_paragraph("Contents").runs[0].font.__setattr__("bold", True)
    _field(document.add_paragraph(), 'TOC \\o "1-4" \\h \\z \\u',
           "Right-click here and choose Update Field to show the table of contents.")
    settings = document.settings.element
    update = OxmlElement("w:updateFields")  # Word offers to refresh the contents and numbers on opening
    update.set(qn("w:val"), "true")
    settings.append(update)
    previous_level = 0
    for block in report.blocks:
        if isinstance(block, Heading):
            heading = document.add_heading(f"{block.number} {block.text}", level=block.level)
            # the chapter starts after the contents, and each survey (5.1, 5.2) on a page of its own
            starts_page = block.level == 1 or (block.level == 2 and previous_level != 1)
            heading.paragraph_format.page_break_before = starts_page
            previous_level = block.level
        elif isinstance(block, Paragraph):
            document.add_paragraph(block.text)
        elif isinstance(block, Figure):
            _figure(document, block)
            if block.base_note:
                note = document.add_paragraph(block.base_note)
                note.runs[0].font.size = Pt(8)
        elif isinstance(block, DataTable):
            _table(document, block)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
