"""Documents from the survey's open text (one per question, a segment per respondent) and from
interview transcripts: Teams .vtt and .docx (speakers, turns and their times kept), and plain text."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from ..errors import NmahpError
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


@dataclass(frozen=True)
class Turn:
    """What one speaker said without interruption, with when (ms from the start; None when not known)."""

    speaker: str
    text: str
    begin_ms: int | None = None
    end_ms: int | None = None


def transcript(name: str, turns: list[Turn], participant: str, *, professional_group: str = "",
               region: str = "") -> Document:
    """A transcript document: a line 'Speaker: words' per turn (consecutive turns of one speaker become
    one, keeping the first start and the last end), a segment per turn. Turns by anyone other than the
    interviewer are the participant's words; the segment says who spoke."""
    merged: list[Turn] = []
    for turn in turns:
        if merged and turn.speaker == merged[-1].speaker:
            last = merged[-1]
            end = turn.end_ms if turn.end_ms is not None else last.end_ms
            merged[-1] = Turn(last.speaker, f"{last.text} {turn.text}", last.begin_ms, end)
        else:
            merged.append(turn)
    lines, segments, position = [], [], 0
    for turn in merged:
        prefix = f"{turn.speaker}: " if turn.speaker else ""
        if lines:
            position += 1
        start = position + len(prefix)
        segments.append(Segment(start, start + len(turn.text), participant, turn.speaker, professional_group, region,
                                turn.begin_ms, turn.end_ms))
        lines.append(prefix + turn.text)
        position += len(prefix) + len(turn.text)
    return Document(name, "\n".join(lines), "transcript", segments)


# --- WebVTT (Teams' .vtt) ---------------------------------------------------------------------------------------
_VTT_TIME = r"(?:(\d+):)?([0-5]\d):([0-5]\d)\.(\d{3})"
_TIMING = re.compile(rf"^\s*{_VTT_TIME}[ \t]+-->[ \t]+{_VTT_TIME}(?:[ \t].*)?$")
_COMMA_TIMING = re.compile(r"\d{2}:\d{2}[:.,]\d{2},\d{3}\s+-->")
_LOOKS_TIMED = re.compile(r"-->|\d:\d\d\S*\s*-+>")  # a timing line, even a mistyped one
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?[ \t]+([^>]*)>")
_TAG = re.compile(r"</?[^>]*>")


def _ms(hours: str | None, minutes: str, seconds: str, millis: str) -> int:
    return ((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + int(millis)


def vtt_turns(content: str, label: str = "the file") -> list[Turn]:
    """The cues of a WebVTT file, each as a turn (speaker from its <v Name> voice, entities such as &amp;
    decoded, other tags removed). A file that is not WebVTT, or any cue that cannot be read (a timing that
    is not hh:mm:ss.ttt --> hh:mm:ss.ttt, a comma for the decimal point, an end before the start, no
    text), is refused with every such cue's line, so nothing is lost without a word."""
    lines = content.removeprefix("\ufeff").splitlines()
    first = lines[0] if lines else ""
    if not re.match(r"WEBVTT(?:[ \t]|$)", first):
        shown = first.strip()[:60] or "empty"
        raise NmahpError(f"{label}: is not a WebVTT transcript: its first line is '{shown}', not WEBVTT")
    blocks: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    for number, line in enumerate(lines[1:], start=2):
        if line.strip():
            current.append((number, line))
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    turns, problems = [], []
    for index, block in enumerate(blocks):
        head = block[0][1].strip()
        if index == 0 and block[0][0] == 2 and "-->" not in head and not any("-->" in t for _, t in block):
            continue  # the header's own lines (Kind:, Language:) before the first blank line
        if head.startswith(("NOTE", "STYLE", "REGION")) and "-->" not in head:
            continue
        timing_at = next((i for i, (_, text) in enumerate(block[:2]) if _LOOKS_TIMED.search(text)), None)
        if timing_at is None:
            problems.append(f"line {block[0][0]}: a cue with no timing line ('{head[:40]}')")
            continue
        number, timing = block[timing_at]
        match = _TIMING.match(timing)
        if match is None:
            why = ("uses a comma for the decimal point; WebVTT times are hh:mm:ss.ttt"
                   if _COMMA_TIMING.search(timing) else "is not hh:mm:ss.ttt --> hh:mm:ss.ttt")
            problems.append(f"line {number}: the timing '{timing.strip()[:60]}' {why}")
            continue
        begin, end = _ms(*match.group(1, 2, 3, 4)), _ms(*match.group(5, 6, 7, 8))
        if end < begin:
            problems.append(f"line {number}: the cue ends ({timing.split('-->')[1].split()[0]}) before it starts")
            continue
        raw = "\n".join(text for _, text in block[timing_at + 1:])
        voice = _VOICE.search(raw)
        words = " ".join(html.unescape(_TAG.sub("", raw)).split())
        if not words:
            problems.append(f"line {number}: the cue has no text")
            continue
        speaker = " ".join(html.unescape(voice.group(1)).split()) if voice else ""
        turns.append(Turn(speaker, words, begin, end))
    if problems:
        shown = "; ".join(problems[:20]) + (f"; and {len(problems) - 20} more" if len(problems) > 20 else "")
        raise NmahpError(f"{label}: {len(problems)} cue{'s' if len(problems) != 1 else ''} cannot be read, so "
                         f"nothing was imported: {shown}")
    return turns


def from_vtt(content: str, name: str, participant: str, *, professional_group: str = "",
             region: str = "", label: str | None = None) -> Document:
    """A Teams .vtt transcript: speakers from the cues' voices, one speaker's consecutive cues one turn,
    with the first cue's start and the last cue's end."""
    return transcript(name, vtt_turns(content, label or name), participant, professional_group=professional_group,
                      region=region)


# --- Teams .docx ------------------------------------------------------------------------------------------------
# older layout, a paragraph each: "0:0:5.100 --> 0:0:8.250", the speaker, the words
_DOCX_TIME = r"(\d+):(\d{1,2}):(\d{1,2})(?:[.,](\d{1,3}))?"
_DOCX_TIMING = re.compile(rf"^{_DOCX_TIME}\s*-->\s*{_DOCX_TIME}$")
# current layout: "Speaker Name   0:03" (or 1:02:03), then the words, often in the same paragraph after a line break
_DOCX_SPEAKER = re.compile(r"^(?P<speaker>\S.{0,80}?)\s+(?P<time>(?:\d{1,2}:)?\d{1,2}:\d{2})$")
_TRANSCRIPTION = re.compile(r"^.{1,80}\b(started|stopped) transcription$", re.IGNORECASE)


def _docx_ms(h: str, m: str, s: str, fraction: str | None) -> int:
    return ((int(h) * 60 + int(m)) * 60 + int(s)) * 1000 + int((fraction or "0").ljust(3, "0")[:3])


def docx_turns(paragraphs: list[str]) -> list[Turn]:
    """Turns of a Teams .docx transcript in either layout; [] when the document is in neither."""
    lines = [line.strip() for paragraph in paragraphs for line in paragraph.split("\n")]
    lines = [line for line in lines if line and not _TRANSCRIPTION.match(line)]
    if any(_DOCX_TIMING.match(line) for line in lines):
        turns, i = [], 0
        while i < len(lines):
            timing = _DOCX_TIMING.match(lines[i])
            if timing is None:
                i += 1
                continue  # the title and date above the first cue
            speaker = lines[i + 1] if i + 1 < len(lines) and not _DOCX_TIMING.match(lines[i + 1]) else ""
            j = i + 2
            words = []
            while j < len(lines) and not _DOCX_TIMING.match(lines[j]):
                words.append(lines[j])
                j += 1
            if words:
                turns.append(Turn(speaker, " ".join(words), _docx_ms(*timing.group(1, 2, 3, 4)),
                                  _docx_ms(*timing.group(5, 6, 7, 8))))
            i = j
        return turns
    turns, speaker, begin, words = [], None, None, []

    def close():
        if speaker is not None and words:
            turns.append(Turn(speaker, " ".join(words), begin))

    for line in lines:
        match = _DOCX_SPEAKER.match(line)
        if match:
            close()
            parts = [int(p) for p in match.group("time").split(":")]
            seconds = parts[-1] + 60 * parts[-2] + (3600 * parts[-3] if len(parts) == 3 else 0)
            speaker, begin, words = match.group("speaker").strip(), seconds * 1000, []
        elif speaker is not None:
            words.append(line)
    close()
    # the current layout gives when each turn starts: a turn ends when the next one starts
    return [Turn(t.speaker, t.text, t.begin_ms, turns[k + 1].begin_ms if k + 1 < len(turns) else None)
            for k, t in enumerate(turns)]


def from_docx(source: str | Path | IO[bytes], participant: str, *, name: str | None = None, **known) -> Document:
    """A Word transcript, from its path or its bytes (a file object; then give `name`): Teams' layouts
    become speakers and turns; any other document is kept as plain text, one segment."""
    from docx import Document as Word

    paragraphs = [p.text for p in Word(source if hasattr(source, "read") else str(source)).paragraphs
                  if p.text.strip()]
    name = name or Path(source).stem
    turns = docx_turns(paragraphs)
    if turns:
        return transcript(name, turns, participant, **known)
    return _plain(name, paragraphs, participant, **known)


def from_text(text: str, name: str, participant: str, **known) -> Document:
    return _plain(name, [line for line in text.splitlines() if line.strip()], participant, **known)


def _plain(name, paragraphs, participant, professional_group="", region="") -> Document:
    text = "\n".join(paragraphs)
    return Document(name, text, "transcript",
                    [Segment(0, len(text), participant, "", professional_group, region)] if text else [])
