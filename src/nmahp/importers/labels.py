"""Matching export text to the instrument: labels as people type them, not as Python compares them."""

from __future__ import annotations

import re
import unicodedata

_DASH = re.compile(r"\s*[-\u2010-\u2015]\s*")
_SPACE = re.compile(r"\s+")
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " "})


def norm(text: str) -> str:
    """'White- English, Welsh…' and 'White – English, Welsh…' are the same label."""
    text = unicodedata.normalize("NFKC", text or "").translate(_QUOTES).casefold()
    text = _DASH.sub("-", text)
    text = _SPACE.sub(" ", text).strip()
    return text.rstrip(" ?:.*")
