"""The report's chapter 5, computed from raw responses; then what the study lacked (tests, intervals,
disclosure control). Pure functions over a polars response table."""

from .breakdown import breakdown
from .counts import option_counts, question_table, role_contract_interest, weighted_average
from .crosstab import crosstab
from .derived import derive
from .frame import frame_from_csv, response_frame
from .grids import grid_table, grids_of
from .stats import compare_groups, holm, wilson
from .tables import Cell, Group, Table, TableKey, Test, share
from .wave import DEFAULT_BREAKDOWNS, analyse, compute_table, overall_keys, summary_lines, write_outputs

__all__ = [
    "DEFAULT_BREAKDOWNS", "Cell", "Group", "Table", "Test", "analyse", "breakdown", "compare_groups",
    "frame_from_csv", "holm", "option_counts", "question_table", "response_frame", "role_contract_interest",
    "summary_lines", "weighted_average", "wilson", "write_outputs", "TableKey", "share", "compute_table",
    "overall_keys", "crosstab", "derive", "grid_table", "grids_of",
]
