"""SurveyMonkey's export layout: row 1 is respondent metadata then question text over the first
column of each question; row 2 says what each column holds ('Response', 'Open-Ended Response', an
option label, a matrix row label)."""

from __future__ import annotations

from .labels import norm
from .mapping import SURVEYMONKEY_META, Column

SUBHEADER_WORDS = {"response", "open-ended response"}


def looks_like(rows: list[list[str]]) -> bool:
    if len(rows) < 2:
        return False
    first = {norm(c) for c in rows[0]}
    second = {norm(c) for c in rows[1]}
    return bool(second & SUBHEADER_WORDS) or ("respondent id" in first and "response" in second)


def columns(rows: list[list[str]]) -> tuple[list[Column], int]:
    """The columns with their question text carried across a question's sub-columns."""
    header_row, sub_row = rows[0], rows[1]
    out, current = [], ""
    for index, (header, sub) in enumerate(zip(header_row, sub_row, strict=True)):
        if header:
            current = header
        elif norm(current) in SURVEYMONKEY_META:
            current = ""  # metadata never spans columns
        out.append(Column(index, current, sub))
    return out, 2
