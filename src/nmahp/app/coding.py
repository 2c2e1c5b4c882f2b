"""Qualitative coding of a wave: its coding project (open-text answers as documents), interview
transcripts added to it, REFI-QDA and Taguette exchange, and the theme table with quotes."""

from __future__ import annotations

from pathlib import Path

from ..errors import NmahpError
from ..qualitative import Project
from ..qualitative.documents import from_docx, from_text, from_vtt
from ..qualitative.refi import import_qdc, import_qdpx, qdc_bytes, qdpx_bytes
from ..qualitative.taguette import import_codebook, import_highlights
from ..qualitative.themes import quotes, theme_table
from . import ready
from .waves import find_wave

QUOTED_THEMES = 5  # the report quotes the five most frequent themes, two quotes each


def _bridge():
    ready()
    from ..web.coding import bridge

    return bridge


def project_for(wave: str, instrument: str | None = None):
    """The wave's coding project, built on first use: a document per open-text question."""
    return _bridge().build_project(find_wave(wave, instrument))


def add_transcript(project, path: Path, participant: str, *, group: str = "", region: str = ""):
    """Add an interview transcript (.vtt with speakers, .docx or plain text) to a coding project."""
    if not path.is_file():
        raise NmahpError(f"{path}: no such file")
    try:
        suffix = path.suffix.lower()
        if suffix == ".vtt":
            document = from_vtt(path.read_text(encoding="utf-8-sig"), path.stem, participant,
                                professional_group=group, region=region)
        elif suffix == ".docx":
            document = from_docx(path, participant, professional_group=group, region=region)
        else:
            document = from_text(path.read_text(encoding="utf-8-sig"), path.stem, participant,
                                 professional_group=group, region=region)
    except (ValueError, UnicodeDecodeError, KeyError, OSError) as exc:
        raise NmahpError(f"{path}: cannot be read as a transcript: {exc}") from None
    if not document.text:
        raise NmahpError(f"{path}: the transcript is empty")
    _bridge().save_document(project, document)
    return document


def load(project) -> Project:
    return _bridge().load(project)


def export(project, fmt: str) -> bytes:
    """The project as a REFI-QDA project (.qdpx) or its codebook alone (.qdc), in memory."""
    domain = load(project)
    if fmt == "qdc":
        return qdc_bytes(domain.codebook)
    if fmt == "qdpx":
        return qdpx_bytes(domain)
    raise NmahpError(f"export as .qdpx or .qdc, not .{fmt}")


def import_refi(project, path: Path) -> dict[str, int]:
    """Codes and highlights from another QDA tool (.qdpx project or .qdc codebook), merged in."""
    if path.suffix.lower() == ".qdc":
        imported = Project(path.stem, codebook=import_qdc(path))
    else:
        imported = import_qdpx(path)
    added = _bridge().merge(project, imported)
    return {"codes": len(imported.codebook.codes), **added}


def import_taguette(project, *, codebook: Path | None = None, highlights: Path | None = None) -> dict[str, int]:
    """A Taguette codebook export and its highlights, placed by their text in the project's documents."""
    domain = load(project)
    try:
        if codebook:
            known = {c.name for c in domain.codebook.codes.values()}
            for code in import_codebook(codebook.read_text(encoding="utf-8-sig")).codes.values():
                if code.name not in known:
                    domain.codebook.codes[code.id] = code
        before = len(domain.highlights)
        if highlights:
            import_highlights(highlights.read_text(encoding="utf-8-sig"), domain)
    except (OSError, UnicodeDecodeError) as exc:
        raise NmahpError(f"cannot read the Taguette export: {exc}") from None
    added = _bridge().merge(project, domain)
    return {"placed": len(domain.highlights) - before, **added}


def themes(project):
    """(theme rows by how many participants raised them, {code: quotes} for the most frequent)."""
    domain = load(project)
    rows = theme_table(domain)
    return rows, {r.code: quotes(domain, r.code, n=2) for r in rows[:QUOTED_THEMES] if r.highlights}


def themes_with_quotes(wave) -> tuple[list | None, dict | None]:
    """The themes of a wave's coded open text for the report, or (None, None) when nothing is coded."""
    ready()
    from ..web.coding.models import CodingProject

    project = CodingProject.objects.filter(wave=wave).first()
    if project is None or not project.codes.exists():
        return None, None
    return themes(project)
