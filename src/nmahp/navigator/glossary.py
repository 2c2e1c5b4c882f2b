"""Glossary lookups: finding the acronyms in a text, and linking each term on a page to its entry.

`link_terms` rewrites an HTML page's text (never its tags or attributes) so that the first use of each
glossary term inside <main> links to the glossary, which is what people in the study asked for: 'if it
was just explained there, that would be really good'."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from .model import Term

# a token with two or more capitals is an acronym or an initialism (NHS, PhD, AfC, PGCert, ICS/ICB)
ACRONYM = re.compile(r"(?<![\w@&])(?=[\w@&]*[A-Z][\w@&]*[A-Z])[A-Za-z0-9@&]+(?![\w@&])")
# text inside these is left alone: links cannot nest, form controls and page titles stay plain, and data
# tables hold figures and labels a reader compares, not prose
SKIP = {"a", "button", "label", "legend", "option", "select", "textarea", "script", "style", "title", "h1", "table",
        "code", "pre", "dt", "summary", "abbr", "svg", "head"}
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


class _Linker(HTMLParser):
    def __init__(self, pattern: re.Pattern, index: dict[str, Term], href: str, exclude: str | None):
        super().__init__(convert_charrefs=False)
        self.pattern, self.index, self.href, self.exclude = pattern, index, href, exclude
        self.out: list[str] = []
        self.stack: list[str] = []
        self.linked: set[str] = set()

    def _active(self) -> bool:
        return "main" in self.stack and not SKIP.intersection(self.stack)

    def handle_starttag(self, tag, attrs):
        self.out.append(self.get_starttag_text())
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.out.append(self.get_starttag_text())

    def handle_endtag(self, tag):
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass
        self.out.append(f"</{tag}>")

    def handle_data(self, data):
        if not self._active():
            self.out.append(data)
            return
        self.out.append(self.pattern.sub(self._link, data))

    def _link(self, match: re.Match) -> str:
        term = self.index[match.group(1)]
        if term.id in self.linked or term.id == self.exclude:
            return match.group(0)
        self.linked.add(term.id)
        title = f' title="{html.escape(term.stands_for)}"' if term.stands_for else ""
        return f'<a class="nmahp-term" href="{self.href}#{term.id}"{title}>{match.group(0)}</a>'

    def handle_entityref(self, name):
        self.out.append(f"&{name};")

    def handle_charref(self, name):
        self.out.append(f"&#{name};")

    def handle_comment(self, data):
        self.out.append(f"<!--{data}-->")

    def handle_decl(self, decl):
        self.out.append(f"<!{decl}>")

    def handle_pi(self, data):
        self.out.append(f"<?{data}>")

    def unknown_decl(self, data):
        self.out.append(f"<![{data}]>")


def link_terms(page: str, terms: dict[str, Term], href: str = "/careers/glossary/", exclude: str | None = None) -> str:
    """Link the first use of each glossary term inside <main>; `exclude` is a term id not to link
    (the term a page is about)."""
    pattern = _pattern(terms)
    if pattern is None or "<main" not in page:
        return page
    linker = _Linker(pattern, spelling_index(terms), href, exclude)
    linker.feed(page)
    linker.close()
    return "".join(linker.out)
