"""The study's questionnaires as XLSForm instruments: loading, skip logic, validation, synthesis."""

from .expressions import Expression, ExpressionError
from .loader import load_instrument
from .model import Choice, Group, Instrument, Question
from .registry import available, get_instrument, instruments_dir, registered, resolve
from .validation import FieldError, Validation, is_relevant, normalise, validate

__all__ = [
    "Choice", "Expression", "ExpressionError", "FieldError", "Group", "Instrument", "Question", "Validation",
    "available", "get_instrument", "instruments_dir", "is_relevant", "load_instrument", "normalise", "registered",
    "resolve", "validate",
]
