"""The careers content for the web app: loaded and checked once when the app starts (a broken YAML file
stops the service with an error naming file, entry and field)."""

from __future__ import annotations

from nmahp.navigator.content import load_content
from nmahp.navigator.model import Content

_content: Content | None = None


def get_content() -> Content:
    global _content
    if _content is None:
        _content = load_content()
    return _content


def setting_choices() -> list[tuple[str, str]]:
    return [("nhs", "NHS trust"), ("primary_care", "Primary care"), ("social_care", "Social care"),
            ("independent", "Independent or charity provider"), ("university", "University"),
            ("joint", "Joint post: NHS and university")]
