"""Imports of Taguette's exports: its codebook (CSV: tag, description, number) and its highlights
(CSV: id, document, tag, content). Taguette keeps offsets in bytes of HTML, so highlights are placed by
finding their text in our plain-text document; any that cannot be found are reported, not guessed."""

from __future__ import annotations

import csv
import io

from ..errors import NmahpError
from .model import Codebook, Highlight, Project


def import_codebook(text: str) -> Codebook:
    codebook = Codebook()
    for row in csv.DictReader(io.StringIO(text)):
        name = (row.get("tag") or "").strip()
        if not name:
            continue
        # Taguette writes hierarchy as 'parent.child' in tag names
        parent = None
        if "." in name:
            parent_name = name.rsplit(".", 1)[0]
            try:
                parent = codebook.by_name(parent_name).id
            except KeyError:
                parent = codebook.add(parent_name).id
        codebook.add(name, (row.get("description") or "").strip(), parent=parent)
    return codebook


def import_highlights(text: str, project: Project, *, coder: str = "taguette") -> list[Highlight]:
    by_name = {d.name: d for d in project.documents.values()}
    added, missing = [], []
    for number, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        document = by_name.get((row.get("document") or "").strip())
        content = " ".join((row.get("content") or "").split())
        tag = (row.get("tag") or "").strip()
        if document is None:
            missing.append(f"row {number}: no document called '{row.get('document')}'")
            continue
        flat = " ".join(document.text.split())
        position = flat.find(content) if content else -1
        if position < 0:
            missing.append(f"row {number}: text not found in '{document.name}'")
            continue
        start = _original_offset(document.text, position)
        end = _original_offset(document.text, position + len(content))
        try:
            code = project.codebook.by_name(tag)
        except KeyError:
            code = project.codebook.add(tag)
        highlight = Highlight(document.id, start, end, (code.id,), coder)
        project.highlights.append(highlight)
        added.append(highlight)
    if missing:
        raise NmahpError("some Taguette highlights could not be placed:\n  " + "\n  ".join(missing))
    return added


def _original_offset(text: str, flat_position: int) -> int:
    """Map a position in the whitespace-collapsed text back to the original text."""
    flat = 0
    in_space = False
    started = False
    for index, char in enumerate(text):
        if char.isspace():
            if started and not in_space:
                if flat == flat_position:
                    return index
                flat += 1
            in_space = True
            continue
        if flat == flat_position:
            return index
        started, in_space = True, False
        flat += 1
    return len(text)
