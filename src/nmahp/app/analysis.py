"""Analyses a person asks for by name (a cross-tabulation from the CLI or a dashboard), with the analysts'
coding overrides of a stored wave applied, so every face shows the same coded figures."""

from __future__ import annotations

from ..analysis.crosstab import crosstab
from ..analysis.derived import Overrides
from ..analysis.disclosure import EXACT, Disclosure
from ..analysis.tables import Table


def overrides_for(responses) -> Overrides | None:
    """The coding overrides of the stored wave the responses came from (None for an export file)."""
    if getattr(responses, "wave", None) is None:
        return None
    from .coding_frames import frame_overrides

    return frame_overrides(responses.wave)


def crosstab_of(responses, question: str, by: str, *, disclosure: Disclosure = EXACT) -> Table:
    """`question` by `by` over a wave's (or an export's) responses. Raises KeyError naming a question that
    has no options."""
    from ..analysis.derived import derive

    frame, instrument = derive(responses.frame, responses.instrument, overrides_for(responses))
    return crosstab(frame, instrument, question, by, disclosure=disclosure)
