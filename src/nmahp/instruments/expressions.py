"""XLSForm expressions (relevant, constraint, calculation, choice_filter) evaluated by a real XPath 1.0 engine,
with the ODK XForms specification's semantics where it differs from plain XPath.

`${name}` references read an answer as a string (`string(/data/name)`): in XForms the engine knows no data types
and every node value is a string, so an unanswered question is the empty string. That gives ODK's rules
(getodk.github.io/xforms-spec, "XPath Functions" and `number()`): an empty `${a}` is false in a boolean and NaN
in arithmetic (`${a} + 1` is NaN), `boolean('false')` is true, `boolean-from-string` is true only for "true"
and "1", numbers follow IEEE 754 (`1 div 0` is Infinity, `0 div 0` and `5 mod 0` are NaN), relational operators
compare numbers (a date string counts as its days since 1970), and a result is stored through `string()`
("NaN", "Infinity", "true"). elementpath's XPath 1.0 parser carries the XPath 2 type rules (an error for
`'x' > 3` or `5 mod 0`), so the operators and conversions are replaced here by the XPath 1.0 ones.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import re
import threading
from collections.abc import Mapping
from copy import copy
from xml.etree import ElementTree as ET

from elementpath import XPath1Parser, XPathContext
from elementpath.exceptions import ElementPathError
from elementpath.xpath_nodes import XPathNode

NAME_PATTERN = r"[^\W\d][\w.-]*"  # an XML name as pyxform allows it (letters of any script, digits, _ - .)
REFERENCE = re.compile(r"\$\{(" + NAME_PATTERN + r")\}")
ROOT = "data"
ITEM = "_item_"
CURRENT = "_current_"
EPOCH = dt.date(1970, 1, 1)
XPATH_NUMBER = re.compile(r"^\s*-?(\d+(\.\d*)?|\.\d+)\s*$")
DATE_PREFIX = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?\s*$")


class XLSFormParser(XPath1Parser):
    """XPath 1.0 plus the ODK XForms functions and type rules."""


_method = XLSFormParser.method
_function = XLSFormParser.function


# --- XPath 1.0 conversions, as the ODK XForms specification has them ------------------------------------------
def _atoms(value) -> list:
    """A node-set becomes its nodes' string values; anything else is one value."""
    if isinstance(value, list):
        return [v.string_value if isinstance(v, XPathNode) else v for v in value]
    if isinstance(value, XPathNode):
        return [value.string_value]
    return [value]


def to_string(value) -> str:
    if isinstance(value, list):
        atoms = _atoms(value)
        return to_string(atoms[0]) if atoms else ""
    if isinstance(value, XPathNode):
        return value.string_value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | decimal.Decimal):
        number = float(value)
        if math.isnan(number):
            return "NaN"
        if math.isinf(number):
            return "Infinity" if number > 0 else "-Infinity"
        if number.is_integer():
            return str(int(number))
        return format(decimal.Decimal(repr(number)), "f")
    return "" if value is None else str(value)


def to_number(value) -> float:
    if isinstance(value, list):
        atoms = _atoms(value)
        return to_number(atoms[0]) if atoms else math.nan
    if isinstance(value, XPathNode):
        value = value.string_value
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float | decimal.Decimal):
        return float(value)
    text = "" if value is None else str(value)
    if XPATH_NUMBER.match(text):
        return float(text)
    date = DATE_PREFIX.match(text)
    if date:  # the spec's extension of number(): a date counts as days since 1970-01-01
        try:
            return float((dt.date.fromisoformat(date.group(1)) - EPOCH).days)
        except ValueError:
            return math.nan
    return math.nan


def to_boolean(value) -> bool:
    if isinstance(value, list):
        atoms = _atoms(value)
        # ODK: a node is read through its string value ("the string value of that node is converted")
        return bool(atoms) and to_boolean(atoms[0])
    if isinstance(value, XPathNode):
        return value.string_value != ""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | decimal.Decimal):
        number = float(value)
        return not (number == 0 or math.isnan(number))
    return value is not None and str(value) != ""


def _replace(symbol: str, **methods) -> None:
    """Give this parser its own token class for `symbol` (XPath1Parser's own stays as it is)."""
    base = XLSFormParser.symbol_table[symbol]
    XLSFormParser.symbol_table[symbol] = type(base)(base.__name__, (base,), {"__module__": __name__, **methods})


def _operand(token, index, context):
    return token[index].evaluate(copy(context))


def _arithmetic(op):
    def evaluate(self, context=None):
        if len(self) == 1:  # unary minus or plus
            value = to_number(_operand(self, 0, context))
            return -value if self.symbol == "-" else value
        left, right = to_number(_operand(self, 0, context)), to_number(_operand(self, 1, context))
        return op(left, right)
    return evaluate


def _divide(a: float, b: float) -> float:
    if b == 0:
        if a == 0 or math.isnan(a):
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)
    return a / b


def _modulo(a: float, b: float) -> float:
    if b == 0 or math.isnan(a) or math.isnan(b) or math.isinf(a):
        return math.nan
    if math.isinf(b):
        return a
    return math.fmod(a, b)  # XPath's mod keeps the dividend's sign, as fmod does


for _symbol, _op in (("+", lambda a, b: a + b), ("-", lambda a, b: a - b), ("*", lambda a, b: a * b),
                     ("div", _divide), ("mod", _modulo)):
    _replace(_symbol, evaluate=_arithmetic(_op))

_COMPARE = {"=": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b,
            ">": lambda a, b: a > b, "<=": lambda a, b: a <= b, ">=": lambda a, b: a >= b}


def _compare_values(symbol: str, a, b) -> bool:
    op = _COMPARE[symbol]
    if symbol in ("=", "!="):
        if isinstance(a, bool) or isinstance(b, bool):
            return op(to_boolean(a), to_boolean(b))
        if isinstance(a, int | float | decimal.Decimal) or isinstance(b, int | float | decimal.Decimal):
            return op(to_number(a), to_number(b))
        return op(to_string(a), to_string(b))
    return op(to_number(a), to_number(b))


def _evaluate_comparison(self, context=None):
    left, right = _operand(self, 0, context), _operand(self, 1, context)
    lefts = _atoms(left) if isinstance(left, list) else [left]
    rights = _atoms(right) if isinstance(right, list) else [right]
    if isinstance(left, list) and isinstance(right, bool):  # a node-set against a boolean: its boolean value
        lefts = [to_boolean(left)]
    if isinstance(right, list) and isinstance(left, bool):
        rights = [to_boolean(right)]
    return any(_compare_values(self.symbol, a, b) for a in lefts for b in rights)


for _symbol in _COMPARE:
    _replace(_symbol, evaluate=_evaluate_comparison)

_replace("and", evaluate=lambda self, context=None: to_boolean(_operand(self, 0, context))
         and to_boolean(_operand(self, 1, context)))
_replace("or", evaluate=lambda self, context=None: to_boolean(_operand(self, 0, context))
         or to_boolean(_operand(self, 1, context)))
_replace("not", evaluate=lambda self, context=None: not to_boolean(_operand(self, 0, context)))
_replace("boolean", evaluate=lambda self, context=None: to_boolean(_operand(self, 0, context)))
_replace("number", evaluate=lambda self, context=None: to_number(
    _operand(self, 0, context) if len(self) else [context.item] if context is not None else ""))
_replace("string", evaluate=lambda self, context=None: to_string(
    _operand(self, 0, context) if len(self) else [context.item] if context is not None else ""))


# --- the ODK functions the workbooks may use ---------------------------------------------------------------
def _text_argument(token, context, index=0) -> str:
    return to_string(token[index].evaluate(copy(context)))


@_method(_function("selected", nargs=2))
def evaluate__selected(self, context=None):
    return _text_argument(self, context, 1).strip() in _text_argument(self, context).split()


@_method(_function("count-selected", nargs=1))
def evaluate__count_selected(self, context=None):
    return float(len(_text_argument(self, context).split()))


@_method(_function("selected-at", nargs=2))
def evaluate__selected_at(self, context=None):
    values = _text_argument(self, context).split()
    index = to_number(self[1].evaluate(copy(context)))
    if math.isnan(index) or index < 0 or index >= len(values):
        return ""
    return values[int(index)]


@_method(_function("if", nargs=3))
def evaluate__if(self, context=None):
    chosen = self[1] if to_boolean(self[0].evaluate(copy(context))) else self[2]
    result = chosen.evaluate(copy(context))
    return to_string(result) if isinstance(result, list) else result


@_method(_function("coalesce", nargs=2))
def evaluate__coalesce(self, context=None):
    return _text_argument(self, context) or _text_argument(self, context, 1)


@_method(_function("boolean-from-string", nargs=1))
def evaluate__boolean_from_string(self, context=None):
    return _text_argument(self, context).strip().lower() in ("true", "1")


@_method(_function("int", nargs=1))
def evaluate__int(self, context=None):
    number = to_number(self[0].evaluate(copy(context)))
    return number if math.isnan(number) or math.isinf(number) else float(math.trunc(number))


@_method(_function("regex", nargs=2))
def evaluate__regex(self, context=None):
    value, pattern = _text_argument(self, context), _text_argument(self, context, 1)
    try:
        return re.search(pattern, value) is not None
    except re.error as exc:
        raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from exc


@_method(_function("string-length", nargs=(0, 1)))
def evaluate__string_length(self, context=None):
    value = _text_argument(self, context) if len(self) else to_string([context.item] if context else "")
    return float(len(value))


def _round(self, context=None):
    number = to_number(self[0].evaluate(copy(context)))
    places = to_number(self[1].evaluate(copy(context))) if len(self) > 1 else 0.0
    if math.isnan(number) or math.isinf(number) or math.isnan(places):
        return number
    scale = 10.0 ** int(places)
    return math.floor(number * scale + 0.5) / scale  # XPath rounds halves up (towards positive infinity)


_replace("round", nargs=(1, 2), evaluate=_round)


@_method(_function("substr", nargs=(2, 3)))
def evaluate__substr(self, context=None):
    text = _text_argument(self, context)
    start = to_number(self[1].evaluate(copy(context)))
    end = to_number(self[2].evaluate(copy(context))) if len(self) > 2 else float(len(text))
    if math.isnan(start) or math.isnan(end):
        return ""
    return text[max(int(start), 0):max(int(end), 0)]


@_method(_function("ends-with", nargs=2))
def evaluate__ends_with(self, context=None):
    return _text_argument(self, context).endswith(_text_argument(self, context, 1))


@_method(_function("pow", nargs=2))
def evaluate__pow(self, context=None):
    try:
        return math.pow(to_number(self[0].evaluate(copy(context))), to_number(self[1].evaluate(copy(context))))
    except (OverflowError, ValueError):
        return math.nan


@_method(_function("abs", nargs=1))
def evaluate__abs(self, context=None):
    return abs(to_number(self[0].evaluate(copy(context))))


def _extreme(pick):
    def evaluate(self, context=None):
        values = [to_number(a) for i in range(len(self)) for a in _atoms(self[i].evaluate(copy(context)))]
        if not values or any(math.isnan(v) for v in values):
            return math.nan
        return pick(values)
    return evaluate


_method(_function("max", nargs=(1, None)))(_extreme(max))
_method(_function("min", nargs=(1, None)))(_extreme(min))


@_method(_function("today", nargs=0))
def evaluate__today(self, context=None):
    return dt.date.today().isoformat()


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
        xpath = REFERENCE.sub(lambda m: f"string(/{ROOT}/{m.group(1)})", source)
        self.uses_dot = bool(re.search(r"(^|[^\w./])\.($|[^\w./])", xpath))
        try:
            with self._parse_lock:
                self._token = self._parser.parse(xpath)
        except (ElementPathError, SyntaxError, ValueError, TypeError) as exc:
            unknown = re.search(r"unknown function[^']*'?([\w:-]+)", str(exc))
            if "is not declared" in str(exc):  # jr:choice-name(), odk:...: a prefixed ODK function
                unknown = re.search(r"(\w+:[\w-]+)\s*\(", xpath) or unknown
            if unknown:
                raise ExpressionError(f"uses the function {unknown.group(1)}(), which is not supported") from None
            raise ExpressionError(f"cannot be read as an XPath expression: {exc}") from None
        self._cache: dict[tuple, object] = {}

    def __repr__(self) -> str:
        return f"Expression({self.source!r})"

    def _run(self, key: tuple, root: ET.Element, item: ET.Element | None):
        try:
            context = XPathContext(root, item=item) if item is not None else XPathContext(root)
            result = self._token.evaluate(context)
        except (ElementPathError, ValueError, TypeError, ArithmeticError) as exc:
            raise ExpressionError(f"could not be evaluated: {exc}") from None
        if isinstance(result, list):
            result = to_string(result)
        if len(self._cache) < self._CACHE_LIMIT:
            self._cache[key] = result
        return result

    def _document(self, values: tuple) -> ET.Element:
        root = ET.Element(ROOT)
        for name, value in zip(self.references, values, strict=False):
            ET.SubElement(root, name).text = value
        return root

    def evaluate(self, answers: Mapping[str, str], current: str | None = None):
        key = tuple(answers.get(name) or "" for name in self.references)
        if self.uses_dot:
            key += (current or "",)
        try:
            return self._cache[key]
        except KeyError:
            pass
        root = self._document(key)
        dot = None
        if self.uses_dot:
            dot = ET.SubElement(root, CURRENT)
            dot.text = current or ""
        return self._run(key, root, dot)

    def is_true(self, answers: Mapping[str, str], current: str | None = None) -> bool:
        return to_boolean(self.evaluate(answers, current))

    def keeps_choice(self, answers: Mapping[str, str], choice: Mapping[str, str], position: int = 0) -> bool:
        """A choice_filter: evaluated with the choice as the context item, its columns (name, label and any
        other of the choices sheet) as children, as in an XForm's `instance('list')/root/item[filter]`."""
        key = tuple(answers.get(name) or "" for name in self.references) + ("\x00choice", position)
        try:
            return to_boolean(self._cache[key])
        except KeyError:
            pass
        root = self._document(key[:len(self.references)])
        item = ET.SubElement(root, ITEM)
        for column, value in choice.items():
            if re.fullmatch(NAME_PATTERN, column):
                ET.SubElement(item, column).text = value
        return to_boolean(self._run(key, root, item))

    def as_text(self, answers: Mapping[str, str]) -> str:
        return to_string(self.evaluate(answers))
