"""XLSForm expressions (relevant, constraint, calculation) evaluated by a real XPath 1.0 engine.

`${name}` references become paths into a flat instance document; the ODK functions the instruments
use (`selected`, `count-selected`, `if`, `regex`) are added to elementpath's XPath 1.0 parser.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from xml.etree import ElementTree as ET

from elementpath import XPath1Parser, XPathContext
from elementpath.exceptions import ElementPathError

REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_.-]*)\}")
ROOT = "data"


class XLSFormParser(XPath1Parser):
    """XPath 1.0 plus the ODK XForms functions our workbooks are allowed to use."""


_method = XLSFormParser.method
_function = XLSFormParser.function


@_method(_function("selected", nargs=2))
def evaluate__selected(self, context=None):
    value = self.get_argument(context, default="", cls=str)
    choice = self.get_argument(context, index=1, default="", cls=str)
    return choice.strip() in value.split()


@_method(_function("count-selected", nargs=1))
def evaluate__count_selected(self, context=None):
    return float(len(self.get_argument(context, default="", cls=str).split()))


@_method(_function("if", nargs=3))
def evaluate__if(self, context=None):
    condition = self[0].evaluate(context)
    chosen = self[1] if self.boolean_value(condition) else self[2]
    result = chosen.evaluate(context)
    if isinstance(result, list):  # a path: take its string value, as XForms does
        return self.string_value(result[0]) if result else ""
    return result


@_method(_function("regex", nargs=2))
def evaluate__regex(self, context=None):
    value = self.get_argument(context, default="", cls=str)
    pattern = self.get_argument(context, index=1, default="", cls=str)
    try:
        return re.search(pattern, value) is not None
    except re.error as exc:
        raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from exc


class ExpressionError(ValueError):
    """An expression that does not parse, or names a question the form does not have."""


class Expression:
    """One compiled XLSForm expression; evaluations are cached on the values it reads.

    Survey answers are categorical, so the same few combinations of referenced values recur across
    thousands of respondents: caching on them makes bulk validation and synthesis cheap.
    """

    _parser = XLSFormParser()
    _parse_lock = threading.Lock()  # a TDOP parser keeps its position while it parses: one at a time
    _CACHE_LIMIT = 50_000

    def __init__(self, source: str, known_names: set[str] | None = None):
        self.source = source
        self.references = tuple(dict.fromkeys(REFERENCE.findall(source)))
        if known_names is not None:
            unknown = [r for r in self.references if r not in known_names]
            if unknown:
                raise ExpressionError(f"refers to ${{{unknown[0]}}}, which is not a question in this form")
        xpath = REFERENCE.sub(lambda m: f"/{ROOT}/{m.group(1)}", source)
        self.uses_dot = bool(re.search(r"(^|[^\w./])\.($|[^\w./])", xpath))
        try:
            with self._parse_lock:
                self._token = self._parser.parse(xpath)
        except (ElementPathError, SyntaxError, ValueError) as exc:
            raise ExpressionError(f"cannot be read as an XPath expression: {exc}") from None
        self._cache: dict[tuple, object] = {}

    def __repr__(self) -> str:
        return f"Expression({self.source!r})"

    def evaluate(self, answers: Mapping[str, str], current: str | None = None):
        key = tuple(answers.get(name) or "" for name in self.references)
        if self.uses_dot:
            key += (current or "",)
        try:
            return self._cache[key]
        except KeyError:
            pass
        root = ET.Element(ROOT)
        dot = None
        for name, value in zip(self.references, key, strict=False):
            ET.SubElement(root, name).text = value
        if self.uses_dot:
            dot = ET.SubElement(root, "_current_")
            dot.text = current or ""
        try:
            result = self._token.evaluate(XPathContext(root, item=dot) if dot is not None else XPathContext(root))
        except (ElementPathError, ValueError, TypeError) as exc:
            raise ExpressionError(f"could not be evaluated: {exc}") from None
        if isinstance(result, list):
            result = self._token.string_value(result[0]) if result else ""
        if len(self._cache) < self._CACHE_LIMIT:
            self._cache[key] = result
        return result

    def is_true(self, answers: Mapping[str, str], current: str | None = None) -> bool:
        result = self.evaluate(answers, current)
        if isinstance(result, str):
            return result != ""
        return bool(result)

    def as_text(self, answers: Mapping[str, str]) -> str:
        result = self.evaluate(answers)
        if isinstance(result, bool):
            return "true" if result else "false"
        if isinstance(result, float) and result.is_integer():
            return str(int(result))
        return "" if result is None else str(result)
