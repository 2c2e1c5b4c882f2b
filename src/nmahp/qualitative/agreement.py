"""Inter-coder agreement on the unit the study coded (an answer, a speaker's turn; never characters).

For each unit and code: did the coder apply the code anywhere in it? Cohen's kappa per code for every pair
of coders, over the units of the documents both coded; Krippendorff's alpha (nominal) per code across all
coders, a coder who did not code a document counting as missing there, not as "not applied".

Kappa is undefined (None, shown as such) when the chance agreement is 1: both coders constant and alike,
in practice neither used the code (or both used it on every unit). Reporting 1.0 there would count text
nobody coded as agreement."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from itertools import combinations

from .model import Project

UNIT_NAMES = {"open_text": "answers", "transcript": "speaker turns"}


def cohen_kappa(a: list[bool], b: list[bool]) -> float | None:
    """kappa = (p_o - p_e) / (1 - p_e) for two coders' yes/no decisions on the same units; None when
    there are no units or p_e = 1 (both coders constant and alike)."""
    n = len(a)
    if n == 0 or n != len(b):
        return None
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    pa, pb = sum(a) / n, sum(b) / n
    expected = pa * pb + (1 - pa) * (1 - pb)
    if expected == 1:
        return None
    return (observed - expected) / (1 - expected)


def krippendorff_alpha(data: Iterable[Iterable[Hashable | None]]) -> float | None:
    """Krippendorff's alpha for nominal data: rows are coders, columns units, None where a coder gave no
    value. alpha = 1 - D_o / D_e over the coincidence matrix of the pairable values (units with two or
    more values); None when nothing is pairable or every pairable value is the same (D_e = 0)."""
    rows = [list(r) for r in data]
    if not rows:
        return None
    coincidences: Counter = Counter()
    for unit in zip(*rows, strict=True):
        values = [v for v in unit if v is not None]
        m = len(values)
        if m < 2:
            continue
        counts = Counter(values)
        for c in counts:
            for k in counts:
                pairs = counts[c] * (counts[k] - (c == k))
                if pairs:
                    coincidences[(c, k)] += pairs / (m - 1)
    n = sum(coincidences.values())
    if n <= 1:
        return None
    marginal: Counter = Counter()
    for (c, _), value in coincidences.items():
        marginal[c] += value
    observed = sum(v for (c, k), v in coincidences.items() if c != k) / n
    expected = sum(marginal[c] * marginal[k] for c in marginal for k in marginal if c != k) / (n * (n - 1))
    if expected == 0:
        return None
    return 1 - observed / expected


def _units(project: Project, documents: Iterable[str]) -> list[tuple[str, int]]:
    return [(d, i) for d in documents for i in range(len(project.documents[d].segments))]


def applied(project: Project, coder: str, code_id: str, units: list[tuple[str, int]]) -> list[bool]:
    """For each unit, whether the coder applied the code anywhere in it."""
    marks: dict[str, list] = {}
    for h in project.highlights:
        if h.coder == coder and code_id in h.codes:
            marks.setdefault(h.document, []).append(h)
    decisions = []
    for document, index in units:
        segment = project.documents[document].segments[index]
        decisions.append(any(h.start < segment.end and segment.start < h.end for h in marks.get(document, ())))
    return decisions


def coded_documents(project: Project) -> dict[str, set[str]]:
    """Who coded which documents, by their highlights (outside a round, coding is what shows it)."""
    coded: dict[str, set[str]] = {}
    for h in project.highlights:
        coded.setdefault(h.coder, set()).add(h.document)
    return coded


def unit_name(project: Project, documents: Iterable[str]) -> str:
    names = sorted({UNIT_NAMES.get(project.documents[d].kind, "segments") for d in documents})
    return " and ".join(names) or "segments"


def agreement(project: Project, coded: Mapping[str, Iterable[str]] | None = None,
              code_ids: Iterable[str] | None = None) -> dict:
    """Kappa per code for every pair of coders over the units of the documents both coded, and alpha per
    code across all coders (and over every unit and code together), JSON-safe.

    `coded`: each coder's documents (a round's assignments); by default, the documents each coder put a
    highlight in. `code_ids`: the codes to report; by default every code any of these coders used in these
    documents, so a code one pair never used is reported, as undefined, rather than left out."""
    coded = {c: set(d) for c, d in (coded if coded is not None else coded_documents(project)).items()}
    coders = sorted(c for c, docs in coded.items() if docs)
    shared = sorted({d for a, b in combinations(coders, 2) for d in coded[a] & coded[b]},
                    key=lambda d: project.documents[d].name)
    if code_ids is None:
        code_ids = {c for h in project.highlights if h.coder in coded and h.document in shared for c in h.codes}
    codes = sorted((project.codebook.codes[c] for c in set(code_ids)), key=lambda c: c.name)
    units = _units(project, shared)
    decisions = {(coder, code.id): applied(project, coder, code.id, units) for coder in coders for code in codes}
    present = {coder: [u[0] in coded[coder] for u in units] for coder in coders}
    pairs = []
    for a, b in combinations(coders, 2):
        keep = [i for i, (x, y) in enumerate(zip(present[a], present[b], strict=True)) if x and y]
        if not keep:
            continue
        pairs.append({"coders": [a, b], "units": len(keep),
                      "kappa": {code.name: cohen_kappa([decisions[(a, code.id)][i] for i in keep],
                                                       [decisions[(b, code.id)][i] for i in keep])
                                for code in codes}})

    def matrix(code) -> list[list[bool | None]]:
        return [[d if p else None for d, p in zip(decisions[(coder, code.id)], present[coder], strict=True)]
                for coder in coders]

    matrices = {code.name: matrix(code) for code in codes}
    alpha = {name: krippendorff_alpha(m) for name, m in matrices.items()}
    # every (unit, code) decision as one unit of yes/no: one figure for the whole codebook
    pooled = [[v for m in matrices.values() for v in m[i]] for i in range(len(coders))]
    return {"unit": unit_name(project, shared), "units": len(units), "coders": coders,
            "documents": [project.documents[d].name for d in shared], "codes": [c.name for c in codes],
            "pairs": pairs, "alpha": alpha, "alpha_all_codes": krippendorff_alpha(pooled) if codes else None}


def kappa_by_code(project: Project, document_id: str, coder_a: str, coder_b: str) -> dict[str, float | None]:
    """Kappa for every code anyone used on the document, keyed by code name."""
    result = agreement(project, {coder_a: {document_id}, coder_b: {document_id}},
                       {c for h in project.highlights if h.document == document_id for c in h.codes})
    return result["pairs"][0]["kappa"] if result["pairs"] else {}


def coders_of(project: Project, document_id: str) -> list[str]:
    """Who coded the document (applied at least one code in it), alphabetically."""
    return sorted({h.coder for h in project.highlights if h.document == document_id})


def kappa_by_pair(project: Project, document_id: str) -> dict[tuple[str, str], dict[str, float | None]]:
    """Kappa per code for every pair of coders of the document (not just the first two), keyed by the
    pair in alphabetical order, then by code name."""
    result = agreement(project, {c: {document_id} for c in coders_of(project, document_id)})
    return {tuple(p["coders"]): p["kappa"] for p in result["pairs"]}


def agreement_table(project: Project) -> list[dict]:
    """Every document with two or more coders: its coder pairs and their kappa per code, and alpha per code
    across its coders, as JSON-safe rows."""
    rows = []
    for document in project.documents.values():
        coders = coders_of(project, document.id)
        if len(coders) < 2:
            continue
        result = agreement(project, {c: {document.id} for c in coders})
        rows.append({"document": document.name, "unit": result["unit"], "units": result["units"],
                     "pairs": [{"coders": p["coders"], "kappa": p["kappa"]} for p in result["pairs"]],
                     "alpha": result["alpha"], "alpha_all_codes": result["alpha_all_codes"]})
    return rows
