"""Forms written as markdown tables, as pyxform's own tests do, turned into real .xlsx workbooks."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook


def parse_md(md: str) -> dict[str, list[list[str]]]:
    sheets: dict[str, list[list[str]]] = {}
    current = None
    for line in md.strip().splitlines():
        line = line.strip()
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if cells[0]:
            current = cells[0]
            sheets[current] = []
            continue
        if current is None:
            raise ValueError("a table row before any sheet name")
        sheets[current].append(cells[1:])
    return sheets


def workbook_from_md(md: str, path: Path) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in parse_md(md).items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append([cell if cell != "" else None for cell in row])
    wb.save(path)
    return path
