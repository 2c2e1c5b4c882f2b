"""Codebook work: rename a code, describe it, colour it, move it under another, merge it into another, write
a memo on it; highlights follow (they point at the code, and a merge moves them), and every change is kept
in the codebook's history (CodebookChange)."""

from __future__ import annotations

import re

from django.db import transaction

from ..errors import NmahpError
from ..web.coding.models import CodebookChange, CodeItem, CodingProject, HighlightItem
from .coding import _is_under, visible_highlights
from .coding_passages import memo_of, set_memo

HEX_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")


def _frame_of(project: CodingProject, code: CodeItem) -> str | None:
    """The coding frame a code belongs to (the frame's rules find its codes by name), if any."""
    from .coding_frames import frames_of

    for frame in frames_of(project):
        if (code.parent_id is None and code.name == frame.label) or (
                code.parent is not None and code.parent.name == frame.label and code.parent.parent_id is None
                and code.name in {c.label for c in frame.codes}):
            return frame.label
    return None


def _record(project, who: str, action: str, code: str, detail: str) -> None:
    CodebookChange.objects.create(project=project, who=who, action=action, code=code[:200], detail=detail)


@transaction.atomic
def edit_code(project: CodingProject, code: CodeItem, *, name: str, description: str, color: str,
              parent: str, by: str) -> list[str]:
    """Change a code's name, description, colour and parent (blank: top level); returns what changed. A
    name taken by another code, a colour that is not #rrggbb, or a parent that is the code or under it
    raises NmahpError and nothing changes."""
    name, description, color = name.strip()[:200], description.strip()[:2000], color.strip()
    problems = []
    if not name:
        problems.append("Enter a name for the code")
    elif project.codes.filter(name=name).exclude(pk=code.pk).exists():
        problems.append(f"A code called '{name}' exists already: merge into it instead")
    if color and not HEX_COLOUR.fullmatch(color):
        problems.append("Give the colour as # and six hexadecimal digits, e.g. #005EB8")
    new_parent = None
    if parent:
        new_parent = project.codes.filter(pk=int(parent) if str(parent).isdigit() else 0).first()
        by_pk = {c.pk: c for c in project.codes.all()}
        if new_parent is None:
            problems.append("Choose a parent from the codebook")
        elif _is_under(new_parent, code, by_pk):
            problems.append("A code cannot go under itself or one of its own sub-codes")
    frame = _frame_of(project, code)
    if frame and (name != code.name or (new_parent.pk if new_parent else None) != code.parent_id):
        problems.append(f"'{code.name}' belongs to the coding frame '{frame}', whose rules find it by its name and "
                        "place: change the frame instead")
    if problems:
        raise NmahpError("; ".join(problems))
    changed = []
    if name != code.name:
        _record(project, by, "rename", code.name, f"renamed to '{name}'")
        changed.append("name")
    if description != code.description:
        _record(project, by, "describe", name, f"description: '{code.description}' -> '{description}'")
        changed.append("description")
    if color != code.color:
        _record(project, by, "colour", name, f"colour {code.color or 'none'} -> {color or 'none'}")
        changed.append("colour")
    if (new_parent.pk if new_parent else None) != code.parent_id:
        before = code.parent.name if code.parent else "the top level"
        after = new_parent.name if new_parent else "the top level"
        _record(project, by, "move", name, f"moved from {before} to {after}")
        changed.append("parent")
    code.name, code.description, code.color, code.parent = name, description, color, new_parent
    code.save()
    return changed


@transaction.atomic
def merge_codes(project: CodingProject, source: CodeItem, target: CodeItem, *, by: str) -> int:
    """Fold `source` into `target`: its highlights, sub-codes, sets and memos go to `target`, and `source`
    goes. Returns how many highlights moved."""
    if source.pk == target.pk:
        raise NmahpError("Choose another code to merge into")
    frame = _frame_of(project, source)
    if frame:
        raise NmahpError(f"'{source.name}' belongs to the coding frame '{frame}', whose rules find it by its name: "
                         "change the frame instead")
    if _is_under(target, source, {c.pk: c for c in project.codes.all()}):
        raise NmahpError("A code cannot be merged into one of its own sub-codes")
    moved = 0
    for item in HighlightItem.objects.filter(codes=source):
        item.codes.remove(source)
        item.codes.add(target)
        moved += 1
    source.children.update(parent=target)
    for group in source.sets.all():
        group.codes.add(target)
    for note in project.notes.all():
        if source.guid in note.attached_to:
            note.attached_to = [target.guid if g == source.guid else g for g in note.attached_to]
            note.save(update_fields=["attached_to"])
    _record(project, by, "merge", source.name, f"merged into '{target.name}' ({moved} highlights moved)")
    source.delete()
    return moved


def code_memo(project: CodingProject, code: CodeItem, text: str, *, by: str) -> None:
    set_memo(project, code.guid, text, coder=by, about=f"code {code.name}")


def codebook(project: CodingProject, viewer: str) -> dict:
    """The codebook as a tree (each code with its depth, colour, description, highlights, the viewer's memo)
    and its history, newest first, JSON-safe."""
    codes = list(project.codes.select_related("parent").order_by("name"))
    counts: dict[int, int] = {}
    for code_id in visible_highlights(project).values_list("codes", flat=True):  # no open round's coding
        counts[code_id] = counts.get(code_id, 0) + 1
    children: dict[int | None, list[CodeItem]] = {}
    for code in codes:
        children.setdefault(code.parent_id, []).append(code)
    rows = []

    def walk(parent_id, depth, seen):
        for code in children.get(parent_id, []):
            if code.pk in seen:
                continue
            seen.add(code.pk)
            memo = memo_of(project, code.guid, viewer)
            rows.append({"id": code.pk, "name": code.name, "depth": depth, "parent": code.parent.name
                         if code.parent else None, "parent_id": code.parent_id, "color": code.color,
                         "description": code.description, "highlights": counts.get(code.pk, 0),
                         "codable": code.codable, "memo": memo.text if memo else ""})
            walk(code.pk, depth + 1, seen)

    walk(None, 0, set())
    history = [{"when": c.when.isoformat(timespec="seconds"), "who": c.who, "action": c.action, "code": c.code,
                "detail": c.detail} for c in project.codebook_changes.order_by("-pk")]
    return {"project": project.pk, "codes": rows, "history": history}
