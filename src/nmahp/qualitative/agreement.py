"""Inter-coder agreement: Cohen's kappa per code, where two coders coded the same document.

The units are the document's segments (an answer, a speaker's turn): for each unit and code, did
each coder apply the code anywhere in it? kappa = (p_o - p_e) / (1 - p_e)."""

from __future__ import annotations

from itertools import combinations

from .model import Project


def _applied(project: Project, document_id: str, coder: str, code_id: str) -> list[bool]:
    document = project.documents[document_id]
    marks = [h for h in project.highlights if h.document == document_id and h.coder == coder and code_id in h.codes]
    return [any(h.start < s.end and s.start < h.end for h in marks) for s in document.segments]


def cohen_kappa(a: list[bool], b: list[bool]) -> float | None:
    n = len(a)
    if n == 0 or n != len(b):
        return None
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    pa, pb = sum(a) / n, sum(b) / n
    expected = pa * pb + (1 - pa) * (1 - pb)
    if expected == 1:
        return 1.0 if observed == 1 else None  # both coders constant: agreement, but kappa is undefined
    return (observed - expected) / (1 - expected)


def kappa_by_code(project: Project, document_id: str, coder_a: str, coder_b: str) -> dict[str, float | None]:
    """Kappa for every code either coder used on the document, keyed by code name."""
    used = {c for h in project.highlights if h.document == document_id and h.coder in (coder_a, coder_b)
            for c in h.codes}
    return {project.codebook.codes[c].name: cohen_kappa(_applied(project, document_id, coder_a, c),
                                                         _applied(project, document_id, coder_b, c))
            for c in sorted(used, key=lambda c: project.codebook.codes[c].name)}


def coders_of(project: Project, document_id: str) -> list[str]:
    """Who coded the document (applied at least one code in it), alphabetically."""
    return sorted({h.coder for h in project.highlights if h.document == document_id})


def kappa_by_pair(project: Project, document_id: str) -> dict[tuple[str, str], dict[str, float | None]]:
    """Kappa per code for every pair of coders of the document (not just the first two), keyed by the
    pair in alphabetical order, then by code name."""
    return {(a, b): kappa_by_code(project, document_id, a, b)
            for a, b in combinations(coders_of(project, document_id), 2)}


def agreement_table(project: Project) -> list[dict]:
    """Every document with two or more coders: its coder pairs and their kappa per code, as JSON-safe rows."""
    rows = []
    for document in project.documents.values():
        pairs = kappa_by_pair(project, document.id)
        if pairs:
            rows.append({"document": document.name,
                         "pairs": [{"coders": list(pair), "kappa": kappas} for pair, kappas in pairs.items()]})
    return rows
