"""Wave on wave and weighted: the application functions the CLI (`nmahp analyse --compare`, `--weighted`) and
the comparison page call, so both show the same figures under the same disclosure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import polars as pl

from ..analysis.compare import Comparison, compare_waves, summary_lines
from ..analysis.derived import derive
from ..analysis.disclosure import EXACT, Disclosure, scope_note
from ..analysis.filters import apply_filters
from ..analysis.wave import overall_keys
from ..analysis.weighting import (
    Denominators,
    WeightedTable,
    load_denominators,
    rake,
    weighted_tables,
    weighting_summary,
)
from ..errors import NmahpError
from ..instruments.diff import diff
from .analysis import overrides_for
from .waves import Responses, wave_responses


@dataclass
class WaveComparison:
    """Two waves of one instrument compared table by table, as one role may see them."""

    first: str
    second: str
    instrument: str
    comparisons: list[Comparison]
    first_n: int | None
    second_n: int | None
    notes: list[str] = field(default_factory=list)
    scope_note: str | None = None
    filters: dict[str, str] = field(default_factory=dict)

    def lines(self) -> list[str]:
        return summary_lines(self.comparisons)

    def to_dict(self) -> dict:
        return {"first": self.first, "second": self.second, "instrument": self.instrument,
                "first_respondents": self.first_n, "second_respondents": self.second_n, "filters": self.filters,
                "scope_note": self.scope_note, "notes": self.notes, "summary": self.lines(),
                "comparisons": [c.to_dict() for c in self.comparisons]}


def _derived(responses: Responses):
    return derive(responses.frame, responses.instrument, overrides_for(responses))


def compare_responses(first: Responses, second: Responses, *, disclosure: Disclosure = EXACT,
                      questions: list[str] | None = None, filters: Mapping[str, str] | None = None,
                      allowed=None, forced: Mapping[str, str] | None = None,
                      renames: Mapping[str, str] | None = None) -> WaveComparison:
    """Every table both waves have, compared (or those of `questions`). Questions are linked by name; when
    the waves are of different versions of the instrument, the version diff maps renamed questions and names
    the re-optioned ones (`renames`, old name: new name, declares renames the wording alone would not show).
    `filters` narrow both waves alike (`forced` ones, e.g. a lead's region, always);
    a scope of fewer than the threshold in either wave shows nothing but that."""
    a, b = first.instrument, second.instrument
    if a.form_id != b.form_id:
        raise NmahpError(f"{first.source} and {second.source} are waves of two instruments ({a.form_id}, "
                         f"{b.form_id}); only waves of one instrument can be compared")
    notes = [f"first: {first.source}; second: {second.source}"]
    names, reoptioned = None, frozenset()
    if a.version != b.version:
        try:
            changes = diff(a, b, dict(renames or {}))
        except NmahpError as exc:  # renames declared along the versions that do not hold between these two
            changes = diff(a, b)
            notes.append(f"declared renames not used ({exc}); renames found by wording only")
        names, reoptioned = changes.names(), frozenset(changes.reoptioned)
        notes.append(f"versions {a.version or '(none)'} and {b.version or '(none)'}: questions linked through the "
                     "version diff (renamed ones compared with themselves, re-optioned ones marked)")
    else:
        notes.append("both waves ask the same version: questions linked by name")
    frames = []
    applied: dict[str, str] = {}
    for responses in (first, second):
        frame = responses.frame
        for name, value in (forced or {}).items():
            frame = frame.filter(pl.col(name) == value) if name in frame.columns else frame.clear()
        frame, applied = apply_filters(frame, responses.instrument, filters or {}, allowed=allowed)
        frames.append(frame)
    applied = {**(forced or {}), **applied}
    sizes = [f.height for f in frames]
    result = WaveComparison(first.wave.name if first.wave else first.source,
                            second.wave.name if second.wave else second.source, a.form_id, [],
                            disclosure.respondents(sizes[0]), disclosure.respondents(sizes[1]), notes,
                            filters=applied)
    if not all(disclosure.scope_shown(n) for n in sizes):
        result.first_n = result.second_n = None
        result.scope_note = scope_note(disclosure)
        return result
    before = derive(frames[0], a, overrides_for(first))
    after = derive(frames[1], b, overrides_for(second))
    result.comparisons = compare_waves(*before, *after, names=names, reoptioned=reoptioned, questions=questions,
                                       disclosure=disclosure)
    return result


def compare_wave_records(first, second, *, disclosure: Disclosure = EXACT, **options) -> WaveComparison:
    """Two stored waves compared (`compare_responses`); they must be of one instrument."""
    if first.pk == second.pk:
        raise NmahpError(f"wave {first.name} cannot be compared with itself")
    if first.instrument != second.instrument:
        raise NmahpError(f"waves {first.name} ({first.instrument}) and {second.name} ({second.instrument}) are of "
                         "two instruments; only waves of one instrument can be compared")
    if (second.created, second.pk) < (first.created, first.pk):
        first, second = second, first
    if first.form_version != second.form_version and "renames" not in options:
        options["renames"] = declared_renames(first.instrument, first.form_version, second.form_version)
    return compare_responses(_pinned(first), _pinned(second), disclosure=disclosure, **options)


def declared_renames(instrument: str, old: str, new: str) -> dict[str, str]:
    """The renames declared when the kept versions from `old` to `new` were uploaded, composed along the chain
    of versions (old name in `old`: name in `new`); empty when the versions are not one chain."""
    from ..web.programme.models import InstrumentVersion

    kept = {v.pk: v for v in InstrumentVersion.objects.filter(instrument=instrument)}
    step = next((v for v in kept.values() if v.version == new), None)
    chain = []
    while step is not None and step.version != old:
        chain.append(step.renames or {})
        step = kept.get(step.previous_id)
    if step is None:
        return {}
    names: dict[str, str] = {}  # each question renamed so far, by its name in `old`: its name now
    for renames in reversed(chain):
        renamed_before = set(names.values())  # their current names: renamed again, not renamed anew
        names = {first: renames.get(now, now) for first, now in names.items()}
        names.update({was: to for was, to in renames.items() if was not in renamed_before and was not in names})
    return {was: now for was, now in names.items() if was != now}


def _pinned(wave) -> Responses:
    """A stored wave's responses read with the instrument version the wave is pinned to, so a wave of an older
    version keeps the questions it asked (the version diff then links them to the newer wave's)."""
    from ..analysis import response_frame
    from ..web.surveys import store

    responses = wave_responses(wave)
    pinned = store.instrument_for(wave)
    if pinned.version == responses.instrument.version:
        return responses
    return Responses(pinned, response_frame(pinned, store.wave_answers(wave)), responses.source,
                     [f"read as version {pinned.version}, the version wave {wave.name} is pinned to"], wave=wave)


def compare_named(first: str, second: str, instrument: str | None = None, *,
                  disclosure: Disclosure = EXACT) -> WaveComparison:
    """`nmahp analyse --compare W1 W2`: two stored waves by name."""
    from .waves import find_wave

    return compare_wave_records(find_wave(first, instrument), find_wave(second, instrument), disclosure=disclosure)


def previous_wave(wave):
    """The wave of the same instrument made just before this one (what a new wave is compared with first)."""
    from ..web.surveys.models import Wave

    return (Wave.objects.filter(instrument=wave.instrument, created__lt=wave.created).order_by("-created", "-pk")
            .first())


def other_waves(wave) -> list:
    """The other waves of the instrument, newest first (what the comparison page offers)."""
    from ..web.surveys.models import Wave

    return list(Wave.objects.filter(instrument=wave.instrument).exclude(pk=wave.pk).order_by("-created", "-pk"))


@dataclass
class WeightedWave:
    """A wave's tables weighted beside unweighted, with what the weighting did."""

    source: str
    summary: dict
    tables: list[WeightedTable]

    def to_dict(self) -> dict:
        return {"source": self.source, "weighting": self.summary, "tables": [t.to_dict() for t in self.tables]}


def weigh(responses: Responses, *, disclosure: Disclosure = EXACT, denominators: Denominators | None = None
          ) -> WeightedWave:
    """Rake the responses to the workforce denominators and weigh every overall table."""
    denominators = denominators or load_denominators()
    denominators.check(responses.instrument)
    frame, instrument = _derived(responses)
    weights = rake(frame, denominators.margins)
    keys = overall_keys(instrument, disclosure)
    tables = weighted_tables(frame, instrument, keys, weights, disclosure=disclosure)
    return WeightedWave(responses.source, weighting_summary(weights, denominators, disclosure), tables)


def compare_for(first, second, *, role: str | None, region: str = "", query: Mapping[str, str] | None = None
                ) -> WaveComparison:
    """Two stored waves compared as a role may see them (the comparison page and its twin): the earlier wave
    first; analysts exact, everyone else under the disclosure policy; a lead their region only, whatever the
    query asks; the dashboard's filters from the query."""
    from ..web.accounts.models import LEAD
    from .dashboards import FILTERS, disclosure_for

    if (second.created, second.pk) < (first.created, first.pk):
        first, second = second, first
    wanted = {name: (query or {}).get(name, "") for name in FILTERS}
    forced = {}
    if role == LEAD:
        forced = {"region": region}
        wanted.pop("region", None)
    return compare_wave_records(first, second, disclosure=disclosure_for(role), filters=wanted, allowed=FILTERS,
                                forced=forced)
