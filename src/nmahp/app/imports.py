"""Importing an export into a wave: read and check everything first, then store all of it or nothing,
with the policy it ran under, what it counted and who ran it recorded beside the wave. Re-importing the
same file adds nothing. One function does a whole import (`import_export`), so a background job can run it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..importers import STRICT, ImportResult, import_file
from ..importers.mapping import Mapping
from ..importers.problems import report_csv
from ..instruments import get_instrument
from . import ready
from .waves import open_wave


@dataclass
class Imported:
    result: ImportResult
    added: int = 0
    already_present: int = 0
    stored: bool = False
    report_lines: int = 0


def read_export(path: Path, instrument: str, *, mapping: Path | None = None, layout: str = "auto",
                policy: str = STRICT) -> ImportResult:
    """Read, map and check an export file; nothing is stored. Raises ReadError or NmahpError."""
    form = get_instrument(instrument, allow_path=True)
    return import_file(path, form, layout=layout, mapping=Mapping.load(mapping, form), policy=policy)


def import_export(path: Path, instrument: str, wave: str, *, layout: str = "auto", mapping: Path | None = None,
                  dry_run: bool = False, policy: str = STRICT, report: Path | None = None, actor: str = "cli",
                  progress: Callable[[float, str], None] | None = None) -> Imported:
    """Read `path` as an export of `instrument` and store its respondents in `wave` under `policy`
    (strict: any disagreement with the instrument refuses the import; as-recorded: kept and flagged).
    A result with errors, or a dry run, stores nothing. `report` receives every problem as CSV.
    Raises ReadError or NmahpError for unreadable files and mappings."""
    say = progress or (lambda fraction, what: None)
    say(0.05, "reading and checking the export")
    result = read_export(path, instrument, mapping=mapping, layout=layout, policy=policy)
    outcome = Imported(result)
    if report is not None:
        outcome.report_lines = report_csv(result.problems, report)
    if dry_run or not result.ok:
        say(1.0, "checked; nothing stored")
        return outcome
    ready()
    from django.db import transaction

    from ..web.accounts.models import audit
    from ..web.surveys import store
    from ..web.surveys.models import ImportRecord

    say(0.6, "writing responses")
    target = open_wave(instrument, wave)
    with transaction.atomic():
        outcome.added, outcome.already_present = store.store_import(target, result,
                                                                    source=f"import:{result.layout}:{path.name}")
        flagged = result.frame.filter(result.frame["_flags"] != "[]").height if result.frame is not None else 0
        record = ImportRecord.objects.create(
            wave=target, file_name=path.name[:255], layout=result.layout, policy=policy, rows_read=result.rows_read,
            added=outcome.added, already_present=outcome.already_present, excluded=len(result.excluded),
            duplicates=len(result.duplicates), flagged=flagged, actor=actor[:150],
            breaks=[{"question": q, "rule": rule, "rows": n} for (q, rule), n in sorted(result.breaks.items())],
            mapping=Path(mapping).read_text(encoding="utf-8-sig")[:100_000] if mapping else "")
        audit(actor, "import", f"wave {target.name} ({target.instrument})",
              f"{path.name}: policy {policy}, {outcome.added} added, {outcome.already_present} already present, "
              f"{flagged} flagged; import record {record.pk}")
    outcome.stored = True
    say(1.0, f"imported {outcome.added} responses")
    return outcome


def suggest_mapping(path: Path, instrument: str, out: Path | None = None):
    """A complete proposed mapping for an export (see nmahp.importers.suggest), written as YAML to `out`."""
    from ..importers.suggest import suggest

    form = get_instrument(instrument, allow_path=True)
    suggestion = suggest(path, form)
    if out is not None:
        Path(out).write_text(suggestion.to_yaml(), encoding="utf-8")
    return suggestion


def wave_rule_breaks(wave) -> dict[str, dict[str, int]]:
    """How many of a stored wave's answers break the workbook's current skip logic or constraints, by
    question and rule (answers an as-recorded import kept); `nmahp.analysis.rule_breaks.without_rule_breaks`
    leaves them out of a table."""
    ready()
    from ..analysis.rule_breaks import rule_breaks
    from ..web.surveys import store

    return rule_breaks(get_instrument(wave.instrument), store.wave_answers(wave))
