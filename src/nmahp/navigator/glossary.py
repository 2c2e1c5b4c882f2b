"""Glossary lookups: finding the acronyms in a text, and linking each term on a page to its entry.

`link_terms` rewrites an HTML page's text (never its tags or attributes) so that the first use of each
glossary term inside <main> links to the glossary, which is what people in the study asked for: 'if it
was just explained there, that would be really good'."""

from __future__ import annotations

import html
import re

from .model import Term

# a token with two or more capitals is an acronym or an initialism (NHS, PhD, AfC, PGCert, ICS/ICB)
ACRONYM = re.compile(r"(?<![\w@&])(?=[\w@&]*[A-Z][\w@&]*[A-Z])[A-Za-z0-9@&]+(?![\w@&])")
# text inside these is left alone: links cannot nest, form controls, headings and tags stay plain (a heading
# is a landmark, not prose), and data tables hold figures and labels a reader compares
SKIP = {"a", "button", "label", "legend", "option", "select", "textarea", "script", "style", "title", "table",
        "h1", "h2", "h3", "h4", "h5", "h6", "strong", "code", "pre", "dt", "summary", "abbr", "svg", "head"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def acronyms_in(text: str) -> list[str]:
    return ACRONYM.findall(text)


def spelling_index(terms: dict[str, Term]) -> dict[str, Term]:
    return {spelling: term for term in terms.values() for spelling in term.spellings}


def unexplained_acronyms(text: str, terms: dict[str, Term]) -> list[str]:
    """Acronyms in `text` that the glossary does not explain."""
    known = {s for t in terms.values() for s in t.spellings}
    return sorted({a for a in acronyms_in(text) if a not in known})


def _pattern(terms: dict[str, Term]) -> re.Pattern | None:
    # acronym-like spellings only: linking every 'fellowship' or 'backfill' would make pages noisy
    spellings = sorted({s for t in terms.values() for s in t.spellings if ACRONYM.fullmatch(s)}, key=len,
                       reverse=True)
    if not spellings:
        return None
    return re.compile(r"(?<![\w@&/-])(" + "|".join(re.escape(s) for s in spellings) + r")(?![\w@&-])")


# one pass of a C-level regex over the markup; a full HTML parser costs a third of a second on a
# dashboard page of 500 KiB, and our own templates never put '>' inside a tag's text
TOKEN = re.compile(r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<![^>]*>|<\?[^>]*>|<(/?)([A-Za-z][A-Za-z0-9-]*)[^>]*?(/?)>", re.S)
RAW_TEXT = {"script", "style"}


def _link_page(page: str, pattern: re.Pattern, index: dict[str, Term], href: str, exclude: str | None) -> str:
    out: list[str] = []
    stack: list[str] = []
    linked: set[str] = set()

    def link(match: re.Match) -> str:
        term = index[match.group(1)]
        if term.id in linked or term.id == exclude:
            return match.group(0)
        linked.add(term.id)
        title = f' title="{html.escape(term.stands_for)}"' if term.stands_for else ""
        return f'<a class="nmahp-term" href="{href}#{term.id}"{title}>{match.group(0)}</a>'

    lowered = page.lower()
    position = 0
    while True:
        match = TOKEN.search(page, position)
        text = page[position:match.start() if match else len(page)]
        if text:
            out.append(pattern.sub(link, text) if "main" in stack else text)
        if match is None:
            break
        out.append(match.group(0))
        position = match.end()
        closing, name, self_closing = match.group(1), (match.group(2) or "").lower(), match.group(3)
        if not name:
            continue
        if closing:
            if name in stack:
                while stack.pop() != name:
                    pass
        elif name in RAW_TEXT or (name in SKIP and not self_closing):
            # nothing inside is linked: copy the whole element up to its matching end tag
            end = _matching_end(lowered, name, position)
            out.append(page[position:end])
            position = end
        elif name not in VOID and not self_closing:
            stack.append(name)
    return "".join(out)


def _matching_end(lowered: str, name: str, position: int) -> int:
    """Where the end tag that closes an element opened just before `position` starts."""
    depth, start = 1, position
    opening, closing = re.compile(rf"<{name}[\s>/]"), f"</{name}"
    while True:
        end = lowered.find(closing, start)
        if end < 0:
            return len(lowered)
        depth += len(opening.findall(lowered, start, end)) - 1
        if depth == 0:
            return end
        start = end + len(closing)


def link_terms(page: str, terms: dict[str, Term], href: str = "/careers/glossary/", exclude: str | None = None) -> str:
    """Link the first use of each glossary term inside <main>; `exclude` is a term id not to link
    (the term a page is about)."""
    pattern = _pattern(terms)
    if pattern is None or "<main" not in page:
        return page
    return _link_page(page, pattern, spelling_index(terms), href, exclude)
