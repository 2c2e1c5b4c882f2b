"""Imports of Taguette's exports: its codebook (CSV: tag, description, number) and its highlights
(CSV: id, document, tag, content). Taguette keeps offsets in bytes of HTML, so highlights are placed by
finding their text in our plain-text document; any that cannot be found are reported, not guessed."""

from __future__ import annotations

import csv
import io

from ..errors import NmahpError
from .model import Codebook, Highlight, Project


def import_codebook(text: str) -> Codebook:
    """Taguette's codebook CSV. Taguette 1.x writes `tag,parent,description,number of highlights` and gives a
    code's parent in its own column (a '.' in a tag is then only part of its name); older exports had no
    parent column and wrote the hierarchy as 'parent.child' in tag names."""
    codebook = Codebook()
    reader = csv.DictReader(io.StringIO(text))
    explicit = "parent" in (reader.fieldnames or [])
    rows = [row for row in reader if (row.get("tag") or "").strip()]
    for row in rows:
        name = row["tag"].strip()
        parent_name = (row.get("parent") or "").strip() if explicit else \
            (name.rsplit(".", 1)[0] if "." in name else "")
        parent = None
        if parent_name:
            try:
                parent = codebook.by_name(parent_name).id
            except KeyError:
                parent = codebook.add(parent_name, color=None).id
        try:
            code = codebook.by_name(name)  # added already as another code's parent
            code.description, code.parent = (row.get("description") or "").strip(), parent
        except KeyError:
            codebook.add(name, (row.get("description") or "").strip(), color=None, parent=parent)
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
            code = project.codebook.add(tag, color=None)  # Taguette gives codes no colour
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
