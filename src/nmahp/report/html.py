"""The report as one self-contained HTML page (figures inline), and the print version WeasyPrint
turns into the PDF."""

from __future__ import annotations

import base64
import re
from html import escape

from .model import DataTable, Figure, Heading, Paragraph, Report

SCREEN_CSS = """
body { font-family: Arial, Helvetica, sans-serif; color: #212b32; line-height: 1.5; margin: 0; background: #f0f4f5; }
main, .front, nav { max-width: 1100px; margin: 0 auto; padding: 0 24px; background: #fff; }
.front { padding-top: 24px; }
h1 { font-size: 2rem; margin: 0 0 8px; } h2 { font-size: 1.6rem; margin-top: 40px; }
h3 { font-size: 1.4rem; margin-top: 40px; }
h4 { font-size: 1.25rem; margin-top: 32px; border-top: 1px solid #d8dde0; padding-top: 16px; }
h5 { font-size: 1.05rem; margin-top: 24px; }
nav ol { list-style: none; padding-left: 0; }
nav li.level-3 { margin-left: 1.5em; } nav li.level-4 { margin-left: 3em; font-size: 0.95rem; }
figure { margin: 24px 0; } figcaption { font-weight: bold; margin-bottom: 8px; }
.figure-body { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; }
.figure-body img { max-width: 660px; width: 100%; height: auto; }
table { border-collapse: collapse; font-size: 0.9rem; margin: 8px 0 24px; }
th, td { border-bottom: 1px solid #d8dde0; padding: 4px 8px; text-align: left; vertical-align: top; }
caption { text-align: left; font-weight: bold; padding-bottom: 6px; }
.figure-data { max-width: 380px; font-size: 0.8rem; }
.note { font-size: 0.85rem; color: #4c6272; }
a { color: #005eb8; }
"""
PRINT_CSS = """
@page { size: A4; margin: 20mm 16mm 22mm;
  @bottom-center { content: "Page " counter(page) " of " counter(pages); font-size: 9pt; color: #4c6272; } }
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10pt; color: #212b32; line-height: 1.4; }
h1 { font-size: 20pt; } h2 { font-size: 16pt; } h3 { font-size: 14pt; page-break-before: always; }
h2 + p + h3 { page-break-before: auto; }
h4 { font-size: 12pt; } h5 { font-size: 10.5pt; }
h2, h3, h4, h5 { page-break-after: avoid; }
/* PDF bookmarks: the chapter's headings only, at their levels (5, 5.1, 5.1.1, 5.1.1.1) */
h1, nav h2 { bookmark-level: none; }
main h2 { bookmark-level: 1; } main h3 { bookmark-level: 2; } main h4 { bookmark-level: 3; }
main h5 { bookmark-level: 4; }
nav ol { list-style: none; padding-left: 0; }
nav li.level-3 { margin-left: 12pt; } nav li.level-4 { margin-left: 24pt; }
figure { margin: 10pt 0; page-break-inside: avoid; } figcaption { font-weight: bold; margin-bottom: 4pt; }
.figure-body img { width: 100%; }
.figure-data { display: none; }
.table-wrap { page-break-inside: avoid; }
.figure-body img { max-height: 215mm; object-fit: contain; }
table { border-collapse: collapse; font-size: 8.5pt; margin: 6pt 0 12pt; page-break-inside: avoid; width: 100%; }
th, td { border-bottom: 0.5pt solid #aeb7bd; padding: 2pt 4pt; text-align: left; vertical-align: top; }
caption { text-align: left; font-weight: bold; padding-bottom: 4pt; }
.note { font-size: 8pt; color: #4c6272; }
nav { page-break-after: always; }
a { color: #005eb8; text-decoration: none; }
"""
_REFERENCE = re.compile(r"(Fig\.|Figure|Table) (\d+)")


def _link(text: str) -> str:
    def anchor(match):
        kind = "table" if match.group(1) == "Table" else "figure"
        return f'<a href="#{kind}-{match.group(2)}">{match.group(0)}</a>'

    return _REFERENCE.sub(anchor, escape(text, quote=False))


def _table(table: DataTable, css_class: str = "") -> str:
    cls = f' class="{css_class}"' if css_class else ""
    ident = f' id="{table.anchor}"' if table.number else ""
    caption = f"Table {table.number}: {table.caption}" if table.number else table.caption
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in table.header)
    body = "".join("<tr>" + "".join((f'<th scope="row">{escape(c)}</th>' if i == 0 else f"<td>{escape(c)}</td>")
                                    for i, c in enumerate(row)) + "</tr>" for row in table.rows)
    note = f'<p class="note">{escape(table.note)}</p>' if table.note and table.number else ""
    return (f'<div class="table-wrap"><table{ident}{cls}><caption>{escape(caption)}</caption><thead><tr>{head}</tr>'
            f"</thead><tbody>{body}</tbody></table>{note}</div>")


def _figure(figure: Figure, for_print: bool) -> str:
    if for_print:
        src = "data:image/png;base64," + base64.b64encode(figure.png).decode()
    else:
        src = "data:image/svg+xml;base64," + base64.b64encode(figure.svg.encode()).decode()
    return (f'<figure id="{figure.anchor}"><figcaption>Figure {figure.number}: {escape(figure.title)}</figcaption>'
            f'<div class="figure-body"><img src="{src}" alt="{escape(figure.alt)}">'
            f"{_table(figure.data, 'figure-data')}</div></figure>")


def render_html(report: Report, *, for_print: bool = False) -> str:
    parts = []
    contents = "".join(f'<li class="level-{h.level}"><a href="#{h.anchor}">{escape(h.number)} {escape(h.text)}</a></li>'
                       for h in report.headings() if h.level > 1)
    for block in report.blocks:
        if isinstance(block, Heading):
            tag = f"h{min(block.level + 1, 6)}"  # the title is h1; the chapter h2 ... 5.1.1.1 h5
            parts.append(f'<{tag} id="{block.anchor}">{escape(block.number)} {escape(block.text)}</{tag}>')
        elif isinstance(block, Paragraph):
            parts.append(f"<p>{_link(block.text)}</p>")
        elif isinstance(block, Figure):
            parts.append(_figure(block, for_print))
        elif isinstance(block, DataTable):
            parts.append(_table(block))
    css = PRINT_CSS if for_print else SCREEN_CSS
    subtitle = f"<p>{escape(report.subtitle)}</p>" if report.subtitle else ""
    return ("<!DOCTYPE html>\n"
            f'<html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" '
            f'content="width=device-width, initial-scale=1"><title>{escape(report.title)}</title>'
            f"<style>{css}</style></head><body>"
            f'<div class="front"><h1>{escape(report.title)}</h1>{subtitle}</div>'
            f'<nav aria-label="Contents"><h2>Contents</h2><ol>{contents}</ol></nav>'
            f"<main>{''.join(parts)}</main></body></html>\n")


def render_pdf(report: Report) -> bytes:
    from weasyprint import HTML

    return HTML(string=render_html(report, for_print=True)).write_pdf()
