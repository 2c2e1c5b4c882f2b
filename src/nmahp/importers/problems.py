"""What an import found wrong, one entry per distinct problem (column, value, rule) with every row it
happened in: the summary prints one line each, `--report FILE.csv` writes every row."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

# rules of the instrument an answer can break; under the as-recorded policy these are kept and flagged
SKIP_LOGIC, CONSTRAINT, REQUIRED = "skip_logic", "constraint", "required"
CHOICE_FILTER = "choice_filter"
INSTRUMENT_RULES = (SKIP_LOGIC, CONSTRAINT, CHOICE_FILTER, REQUIRED)
RULE_WORDS = {
    SKIP_LOGIC: "answered although the skip logic does not ask it",
    CONSTRAINT: "breaks the question's constraint",
    CHOICE_FILTER: "an option the question's choice filter does not offer",
    REQUIRED: "required but not answered",
}
SHOWN_ROWS = 5


@dataclass
class Problem:
    rule: str  # column | mapping | value | type | no_column | skip_logic | constraint | choice_filter | required
    message: str
    column: str = ""  # the export's column, as 'header | sub'
    question: str = ""
    value: str = ""  # the export's own text
    rows: list[int] = field(default_factory=list)  # row numbers of the file, 1 = its first line
    kept: bool = False  # kept and flagged (as-recorded) rather than refusing the import

    @property
    def count(self) -> int:
        return len(self.rows)

    @property
    def row(self) -> int:
        return self.rows[0] if self.rows else 0

    @property
    def expected(self) -> str:
        return self.message

    def where(self) -> str:
        if self.column:
            return f"column '{self.column}'"
        return f"question '{self.question}'" if self.question else "the file"

    def __str__(self) -> str:
        value = self.value if len(self.value) <= 60 else self.value[:57] + "..."
        shown = ", ".join(str(r) for r in self.rows[:SHOWN_ROWS]) + (", ..." if self.count > SHOWN_ROWS else "")
        rows = f"{self.count} row{'s' if self.count != 1 else ''} ({shown})" if self.rows else "header"
        said = f": '{value}'" if self.value else ""
        return f"{rows}, {self.where()}{said} - {self.message}"


def report_csv(problems: Iterable[Problem], path: str | Path) -> int:
    """Every problem on every row it happened in, one line each. Returns the number of lines."""
    lines = 0
    with open(path, "w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["row", "column", "question", "value", "rule", "outcome", "problem"])
        for p in problems:
            outcome = "kept and flagged" if p.kept else "refused"
            for row in p.rows or [0]:
                out.writerow([row or "", p.column, p.question, p.value, p.rule, outcome, p.message])
                lines += 1
    return lines
