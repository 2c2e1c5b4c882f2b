"""Documents from the survey's open text (one per question, a segment per respondent) and from
interview transcripts: Teams .vtt (speakers kept), .docx and plain text."""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path
from typing import IO

import webvtt

from .model import Document, Segment

SEPARATOR = "\n\n"


def from_open_text(question: str, answers: Iterable[tuple[str, str, str, str]]) -> Document:
    """answers: (participant, text, professional_group, region) per respondent who wrote something."""
    parts, segments, position = [], [], 0
    for participant, text, group, region in answers:
        text = (text or "").strip()
        if not text:
            continue
        if parts:
            position += len(SEPARATOR)
        segments.append(Segment(position, position + len(text), participant, "", group, region))
        parts.append(text)
        position += len(text)
    return Document(question, SEPARATOR.join(parts), "open_text", segments)


def from_vtt(content: str, name: str, participant: str, *, professional_group: str = "",
             region: str = "") -> Document:
    """A Teams transcript: each caption becomes a line 'Speaker: text'; turns by anyone other than
    the interviewer are the participant's segments."""
    captions = webvtt.from_buffer(io.StringIO(content))
    lines, segments, position = [], [], 0
    for caption in captions:
        speaker = (caption.voice or "").strip()
        text = " ".join(caption.text.split())
        prefix = f"{speaker}: " if speaker else ""
        if lines:
            position += 1
        start = position + len(prefix)
        segments.append(Segment(start, start + len(text), participant, speaker, professional_group, region))
        lines.append(prefix + text)
        position += len(prefix) + len(text)
    return Document(name, "\n".join(lines), "transcript", segments)


def from_docx(source: str | Path | IO[bytes], participant: str, *, name: str | None = None, **known) -> Document:
    """A Word transcript, from its path or its bytes (a file object; then give `name`)."""
    from docx import Document as Word

    paragraphs = [p.text for p in Word(source if hasattr(source, "read") else str(source)).paragraphs
                  if p.text.strip()]
    return _plain(name or Path(source).stem, paragraphs, participant, **known)


def from_text(text: str, name: str, participant: str, **known) -> Document:
    return _plain(name, [line for line in text.splitlines() if line.strip()], participant, **known)


def _plain(name, paragraphs, participant, professional_group="", region="") -> Document:
    text = "\n".join(paragraphs)
    return Document(name, text, "transcript",
                    [Segment(0, len(text), participant, "", professional_group, region)] if text else [])
