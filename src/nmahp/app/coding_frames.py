"""Review and override what a coding frame did to a wave's short text answers, in the wave's coding project:
the frame's codes live in the project's one codebook (a parent code named after the frame, a child per
code), each answer is a segment of a document named after the text question, and an analyst's override
is a highlight of that segment with the chosen codes. `frame_overrides` turns those highlights into what
`nmahp.analysis.derive` applies, so the tables, the dashboards and the report all count the override."""

from __future__ import annotations

from ..analysis.coding_frames import CodingFrame, code_answers, normalise
from ..analysis.derived import Overrides, spec_for
from ..errors import NmahpError
from ..qualitative.documents import from_open_text
from . import ready

ready()

from django.db import transaction  # noqa: E402  (after Django is set up, for a plain shell)

from ..web.coding.models import CodeItem, CodingDocument, CodingProject, HighlightItem  # noqa: E402
from ..web.surveys.models import Response  # noqa: E402
from ..web.surveys.store import instrument_for  # noqa: E402
from . import waves  # noqa: E402

OVERRIDE = "coding frame override"  # the memo that marks a highlight as an override of the frame's rules


def frames_of(project: CodingProject) -> list[CodingFrame]:
    return list(spec_for(instrument_for(project.wave)).frames)


def frame_named(project: CodingProject, name: str) -> CodingFrame:
    for frame in frames_of(project):
        if frame.name == name:
            return frame
    raise NmahpError(f"no coding frame called '{name}' for {project.wave}")


def _codes(project: CodingProject, frame: CodingFrame) -> dict[str, CodeItem]:
    """The frame's codes in the project's codebook, added on first use: {frame code name: code}."""
    parent, _ = CodeItem.objects.get_or_create(project=project, name=frame.label, parent=None,
                                               defaults={"description": frame.description or f"coding frame "
                                                                                              f"{frame.name}"})
    existing = {c.name: c for c in parent.children.all()}
    out = {}
    for code in frame.codes:
        item = existing.get(code.label)
        if item is None:
            item = CodeItem.objects.create(project=project, name=code.label, parent=parent,
                                           description=code.description)
        out[code.name] = item
    return out


def _document(project: CodingProject, frame: CodingFrame) -> CodingDocument:
    """The document of the frame's text question (a segment per respondent who answered), made on first use."""
    document = project.documents.filter(name=frame.question, kind="open_text").first()
    if document is not None:
        return document
    from .coding import participant_numbers, save_document

    numbers = participant_numbers(project.wave)
    answers = Response.objects.filter(wave=project.wave, status=Response.COMPLETE).order_by("pk") \
        .values_list("respondent_key", "answers")
    built = from_open_text(frame.question, [(str(numbers[key]), a.get(frame.question, ""),
                                             a.get("professional_group", ""), a.get("region", ""))
                                            for key, a in answers])
    return save_document(project, built)


@transaction.atomic
def review(project: CodingProject, name: str) -> dict:
    """Every answer of the frame's question with the codes the rules gave it and any override (JSON-safe)."""
    frame = frame_named(project, name)
    codes = _codes(project, frame)
    document = _document(project, frame)
    overridden = _overridden(document, codes)
    texts = [document.text[s["start"]:s["end"]] for s in document.segments]
    automatic = code_answers(frame, list(dict.fromkeys(texts)))
    labels = {c.name: c.label for c in frame.codes}
    segments = []
    for index, (segment, text) in enumerate(zip(document.segments, texts, strict=True)):
        rules = (automatic[text] or "").split()
        override = overridden.get((segment["start"], segment["end"]))
        segments.append({"index": index, "participant": segment["participant"], "text": text,
                         "rules": rules, "override": list(override) if override is not None else None,
                         "codes": list(override) if override is not None else rules,
                         "labels": [labels[c] for c in (override if override is not None else rules)]})
    return {"frame": frame.name, "label": frame.label, "question": frame.question, "description": frame.description,
            "codes": [{"name": c.name, "label": c.label, "description": c.description, "code_id": codes[c.name].pk}
                      for c in frame.codes],
            "segments": segments}


def _overridden(document: CodingDocument, codes: dict[str, CodeItem]) -> dict[tuple[int, int], tuple[str, ...]]:
    names = {item.pk: name for name, item in codes.items()}
    out = {}
    for item in document.highlights.filter(memo=OVERRIDE).order_by("pk").prefetch_related("codes"):
        out[(item.start, item.end)] = tuple(names[c.pk] for c in item.codes.all() if c.pk in names)
    return out


@transaction.atomic
def override(project: CodingProject, name: str, segment: int, chosen: list[str], *, coder: str) -> None:
    """Code one answer as `chosen` (frame code names), whatever the rules say; the same codes as the rules
    give removes the override. Unknown codes or segments raise NmahpError and nothing changes."""
    frame = frame_named(project, name)
    codes = _codes(project, frame)
    document = _document(project, frame)
    if not 0 <= segment < len(document.segments):
        raise NmahpError(f"no answer number {segment} in '{frame.question}'")
    unknown = [c for c in chosen if c not in codes]
    if unknown:
        raise NmahpError(f"'{unknown[0]}' is not a code of the frame '{frame.name}'")
    span = document.segments[segment]
    document.highlights.filter(memo=OVERRIDE, start=span["start"], end=span["end"]).delete()
    text = document.text[span["start"]:span["end"]]
    if set(chosen) != set(frame.code(text)):
        item = HighlightItem.objects.create(document=document, start=span["start"], end=span["end"], coder=coder,
                                            memo=OVERRIDE)
        item.codes.set([codes[c] for c in chosen])
    # the dashboards' cached results are filed under the wave's data version: it moves with the override
    waves.mark_changed(project.wave)


def frame_overrides(wave) -> Overrides:
    """{coded variable: {normalised answer: codes}} from the override highlights of the wave's coding project."""
    project = CodingProject.objects.filter(wave=wave).first()
    if project is None:
        return {}
    out: Overrides = {}
    for frame in spec_for(instrument_for(wave)).frames:
        parent = project.codes.filter(name=frame.label, parent=None).first()
        document = project.documents.filter(name=frame.question, kind="open_text").first()
        if parent is None or document is None:
            continue
        codes = {c.name: item for c in frame.codes for item in parent.children.filter(name=c.label)}
        for (start, end), chosen in _overridden(document, codes).items():
            out.setdefault(frame.name, {})[normalise(document.text[start:end])] = chosen
    return out
