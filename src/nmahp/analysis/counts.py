"""The study's own analyses, exactly: frequencies, multi-select and top-3 counts, Likert tables and
the role x contract table. Every percentage is over that question's respondents."""

from __future__ import annotations

import polars as pl

from ..instruments import Instrument, Question
from ..instruments.model import SELECT_MULTIPLE
from .stats import wilson
from .tables import COUNTS_ONLY_BELOW, Cell, ContractRow, Table, TableKey

ROLE_QUESTION = "roles_of_interest"
CONTRACT_PREFIX = "contract_"


def option_counts(frame: pl.DataFrame, question: Question) -> tuple[int, dict[str, int]]:
    """(respondents who answered, count per option) for one question."""
    column = frame.get_column(question.name).drop_nulls()
    base = column.len()
    if base == 0:
        return 0, {}
    if question.type == SELECT_MULTIPLE:
        # a respondent counts once per option however the answer was written
        exploded = column.str.split(" ").list.unique().explode()
    else:
        exploded = column
    counted = exploded.value_counts()
    return base, dict(zip(counted.get_column(question.name).to_list(), counted.get_column("count").to_list(),
                          strict=True))


def cells_for(question: Question, base: int, counts: dict[str, int], *, likert: bool = False) -> list[Cell]:
    counts_only = base < COUNTS_ONLY_BELOW
    out = []
    for position, choice in enumerate(question.choices, start=1):
        n = int(counts.get(choice.name, 0))
        low, high = wilson(n, base)
        out.append(Cell(choice.name, choice.label, n, None if counts_only or not base else 100 * n / base,
                        None if counts_only else low, None if counts_only else high,
                        score=position if likert else None))
    return out


def weighted_average(cells: list[Cell], base: int) -> float | None:
    """sum(k * n_k) / N on the 1..5 scale (computed: the report's own are wrong in places)."""
    if not base:
        return None
    return sum(c.score * c.count for c in cells) / base


def kind_of(question: Question) -> str:
    if question.is_likert:
        return "likert"
    if question.type == SELECT_MULTIPLE:
        return "top3" if question.name.startswith("top_") else "multi"
    return "single"


def question_table(frame: pl.DataFrame, question: Question) -> Table:
    return table_from_counts(question, *option_counts(frame, question))


def table_from_counts(question: Question, base: int, counts: dict[str, int]) -> Table:
    kind = kind_of(question)
    cells = cells_for(question, base, counts, likert=kind == "likert")
    if kind in ("multi", "top3"):
        # ranked, as the report's figures are
        cells.sort(key=lambda c: -(c.count or 0))
    table = Table(key=TableKey(question.name), question=question.name, label=question.label, kind=kind, base_n=base,
                  cells=cells, counts_only=base < COUNTS_ONLY_BELOW)
    if kind == "likert":
        table.weighted_average = weighted_average(cells, base)
    if kind in ("multi", "top3"):
        table.notes.append("respondents could choose more than one option; percentages sum to more than 100")
    return table


def role_contract_interest(frame: pl.DataFrame, instrument: Instrument, plan=None) -> Table:
    """Table 5A: per role, how many were interested (and % of the question's respondents), and of
    those, the % choosing each contract type."""
    def counted(question):
        return plan.overall(question) if plan is not None else option_counts(frame, question)

    roles_question = instrument.question(ROLE_QUESTION)
    base, counts = counted(roles_question)
    counts_only = base < COUNTS_ONLY_BELOW
    rows = []
    for choice in roles_question.choices:
        contract_name = CONTRACT_PREFIX + choice.name
        if contract_name not in instrument.questions:
            continue  # "None of these"
        contract_question = instrument.question(contract_name)
        interested, contract_counts = counted(contract_question)
        interested = int(counts.get(choice.name, interested))
        cells = cells_for(contract_question, interested, contract_counts)
        if interested < COUNTS_ONLY_BELOW:
            for cell in cells:
                cell.percent = cell.ci_low = cell.ci_high = None
        rows.append(ContractRow(choice.name, choice.label, interested,
                                None if counts_only or not base else 100 * interested / base, cells))
    rows.sort(key=lambda r: -r.interested)
    cells = [Cell(r.role, r.label, r.interested, r.percent) for r in rows]
    return Table(key=TableKey(ROLE_QUESTION, measure="role_contract"), question=ROLE_QUESTION,
                 label="Interest in roles and contracts",
                 kind="role_contract", base_n=base, cells=cells, roles=rows, counts_only=counts_only,
                 notes=["contract percentages are of those interested in the role"])
