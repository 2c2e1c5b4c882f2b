"""Imports of survey exports: SurveyMonkey (CSV/XLSX, two header rows) and XLSForm-shaped CSV
(ODK Central, KoboToolbox). Every row is validated against the instrument; any invalid row means
nothing is imported."""

from .pipeline import AS_RECORDED, POLICIES, STRICT, ImportResult, Problem, RowError, import_file, read_any
from .reading import ReadError, read_table

__all__ = ["AS_RECORDED", "POLICIES", "STRICT", "ImportResult", "Problem", "ReadError", "RowError", "import_file",
           "read_any", "read_table"]
