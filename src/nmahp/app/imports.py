"""Importing an export into a wave: read and check everything first, then store all of it or nothing,
with the policy it ran under, what it counted and who ran it recorded beside the wave. Re-importing the
same file adds nothing. One function does a whole import (`import_export`), so a background job can run it."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..importers import STRICT, ImportResult, import_file
from ..importers.mapping import Mapping
from ..importers.pipeline import open_import
from ..importers.problems import report_csv
from ..instruments import Instrument, get_instrument, registered
from . import ready
from .waves import open_wave


@dataclass
class Imported:
    result: ImportResult
    added: int = 0
    already_present: int = 0
    stored: bool = False
    report_lines: int = 0


def read_export(path: Path, instrument: str | Instrument, *, mapping: Path | None = None, layout: str = "auto",
                policy: str = STRICT) -> ImportResult:
    """Read, map and check an export file; nothing is stored. Raises ReadError or NmahpError."""
    form = instrument if isinstance(instrument, Instrument) else get_instrument(instrument, allow_path=True)
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
    form = _pinned(instrument, wave)
    if dry_run:
        result = read_export(path, form, mapping=mapping, layout=layout, policy=policy)
        outcome = Imported(result)
        if report is not None:
            outcome.report_lines = report_csv(result.problems, report)
        say(1.0, "checked; nothing stored")
        return outcome
    ready()
    from django.db import transaction

    from ..web.surveys import store

    # read, checked and stored a part at a time in one transaction: a refusal found anywhere in the file
    # undoes it all, the wave included when this import made it
    form = form if isinstance(form, Instrument) else get_instrument(form, allow_path=True)
    streamed = open_import(path, form, layout=layout, mapping=Mapping.load(mapping, form), policy=policy)
    result = streamed.result
    outcome = Imported(result)
    try:
        with transaction.atomic():
            target = open_wave(instrument, wave)
            outcome.added, outcome.already_present = store.store_streamed(
                target, streamed, source=f"import:{result.layout}:{path.name}",
                progress=lambda rows: say(0.5, f"{rows:,} rows read, checked and stored"))
            _record(outcome, target, path, mapping, policy, actor, len(streamed.flagged_rows))
    except store.ImportRefused:
        if report is not None:
            outcome.report_lines = report_csv(result.problems, report)
        say(1.0, "checked; nothing stored")
        return outcome
    if report is not None:
        outcome.report_lines = report_csv(result.problems, report)
    outcome.stored = True
    say(1.0, f"imported {outcome.added} responses")
    return outcome


def _record(outcome: Imported, target, path: Path, mapping: Path | None, policy: str, actor: str,
            flagged: int) -> None:
    """The import beside the wave (what it read, kept, counted and flagged) and in the audit log."""
    from ..web.accounts.models import audit
    from ..web.surveys.models import ImportRecord

    result = outcome.result
    record = ImportRecord.objects.create(
        wave=target, file_name=path.name[:255], layout=result.layout, policy=policy, rows_read=result.rows_read,
        added=outcome.added, already_present=outcome.already_present, excluded=len(result.excluded),
        duplicates=len(result.duplicates), flagged=flagged, actor=actor[:150],
        breaks=[{"question": q, "rule": rule, "rows": n} for (q, rule), n in sorted(result.breaks.items())],
        mapping=Path(mapping).read_text(encoding="utf-8-sig")[:100_000] if mapping else "")
    audit(actor, "import", f"wave {target.name} ({target.instrument})",
          f"{path.name}: policy {policy}, {outcome.added} added, {outcome.already_present} already present, "
          f"{flagged} flagged; import record {record.pk}")


def _pinned(instrument: str, wave: str) -> str | Instrument:
    """The instrument version the wave called `wave` is pinned to, when it exists (an export into it is read
    as the version its respondents answered); else `instrument` as named, a workbook's path included."""
    if registered(instrument) is None:
        return instrument
    ready()
    from django.db import DatabaseError

    from ..web.surveys import store
    from ..web.surveys.models import Wave

    form = get_instrument(instrument, allow_path=True)
    try:
        existing = Wave.objects.filter(instrument=form.form_id, name=wave).first()
    except DatabaseError:  # a database not set up yet (a dry run from a bare shell) has no waves
        return instrument
    return store.instrument_for(existing) if existing is not None else instrument


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

    return rule_breaks(store.instrument_for(wave), store.wave_answers(wave))


# --- imports from the browser: a draft per upload, then a background job ------------------------------------
IMPORT_JOB = "survey_import"
UPLOAD_SUFFIXES = (".csv", ".xlsx")


def _drafts():
    from ..web import config

    path = config.data_dir() / "imports"
    path.mkdir(mode=config.PRIVATE_DIR, parents=True, exist_ok=True)
    return path


@dataclass
class Draft:
    """An uploaded export waiting to be imported: the file, the mapping being corrected, who uploaded it."""

    token: str
    folder: Path
    meta: dict

    @property
    def export(self) -> Path:
        return self.folder / f"export{self.meta['suffix']}"

    @property
    def mapping_file(self) -> Path:
        return self.folder / "mapping.yaml"

    def rows(self) -> list[dict]:
        """The proposed (or corrected) mapping as a table: column, target as written, confidence."""
        import yaml

        data = yaml.load(self.mapping_file.read_text(encoding="utf-8"), Loader=yaml.BaseLoader) or {}
        confidence = self.meta.get("confidence", {})
        out = []
        for column, target in (data.get("columns") or {}).items():
            text = target if isinstance(target, str) else "{" + ", ".join(f"{k}: {v}" for k, v in target.items()) + "}"
            score = confidence.get(column)
            out.append({"column": column, "target": text, "confidence": score,
                        "review": score is not None and score < 75})
        return out

    def extra_yaml(self) -> str:
        """The mapping's `values` and `constants`, as YAML a person edits in one box."""
        import yaml

        data = yaml.load(self.mapping_file.read_text(encoding="utf-8"), Loader=yaml.BaseLoader) or {}
        rest = {k: data[k] for k in ("values", "constants") if data.get(k)}
        return yaml.safe_dump(rest, allow_unicode=True, sort_keys=False) if rest else ""


def start_draft(name: str, chunks, instrument: str, wave: str, policy: str, actor: str) -> Draft:
    """Keep an upload (within NMAHP_MAX_IMPORT_MB; CSV or XLSX) and propose its mapping."""
    import json
    import secrets

    from .. import limits
    from ..errors import NmahpError
    from ..importers import POLICIES

    suffix = Path(name or "").suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise NmahpError("upload a CSV (.csv) or Excel (.xlsx) export")
    if policy not in POLICIES:
        raise NmahpError(f"choose a policy: {' or '.join(POLICIES)}")
    form = get_instrument(instrument)
    token = secrets.token_urlsafe(12)
    folder = _drafts() / token
    folder.mkdir(mode=0o700)
    cap, size = limits.limit("import_bytes"), 0
    target = folder / f"export{suffix}"
    with open(target, "wb") as out:
        for chunk in chunks:
            size += len(chunk)
            if size > cap:
                out.close()
                _remove(folder)
                raise limits.too_big(name, size, "import_bytes")
            out.write(chunk)
    try:
        suggestion = suggest_mapping(target, form.name, folder / "mapping.yaml")
    except NmahpError:
        _remove(folder)
        raise
    meta = {"name": Path(name).name[:200], "suffix": suffix, "instrument": form.name, "wave": wave,
            "policy": policy, "actor": actor, "confidence": {e.column: e.confidence for e in suggestion.entries}}
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    return Draft(token, folder, meta)


def _remove(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


def get_draft(token: str, actor: str) -> Draft | None:
    """The draft, for the person who uploaded it only."""
    import json

    if not token.replace("-", "").replace("_", "").isalnum():
        return None
    folder = _drafts() / token
    meta_file = folder / "meta.json"
    if not meta_file.is_file():
        return None
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    return Draft(token, folder, meta) if meta.get("actor") == actor else None


def correct_draft(draft: Draft, targets: dict[str, str], extra: str, policy: str | None = None) -> None:
    """Write the table's corrections (and the values/constants box) as the draft's mapping, checked
    against the instrument first: a mistake is an NmahpError naming the entry, and nothing changes."""
    import json

    import yaml

    from ..errors import NmahpError
    from ..importers import POLICIES

    columns = {}
    for column, text in targets.items():
        text = " ".join(text.split())
        match = re.fullmatch(r"\{\s*(other|join)\s*:\s*(\w+)\s*\}", text)
        columns[column] = {match.group(1): match.group(2)} if match else text
    try:
        rest = yaml.load(extra or "", Loader=yaml.BaseLoader) or {}
    except yaml.YAMLError as exc:
        raise NmahpError(f"values and constants: not valid YAML: {' '.join(str(exc).split())[:200]}") from None
    if not isinstance(rest, dict) or not set(rest) <= {"values", "constants"}:
        raise NmahpError("values and constants: write 'values:' and/or 'constants:' sections")
    data = {"columns": columns, **rest}
    Mapping.from_data(data, get_instrument(draft.meta["instrument"]), "the mapping")
    draft.mapping_file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    if policy:
        if policy not in POLICIES:
            raise NmahpError(f"choose a policy: {' or '.join(POLICIES)}")
        draft.meta["policy"] = policy
        (draft.folder / "meta.json").write_text(json.dumps(draft.meta), encoding="utf-8")


def dry_run(draft: Draft) -> ImportResult:
    return read_export(draft.export, draft.meta["instrument"], mapping=draft.mapping_file,
                       policy=draft.meta["policy"])


def submit_import(draft: Draft, user=None):
    """The import as a background job (nmahp.app.jobs); its page follows its progress."""
    from . import jobs

    return jobs.submit(IMPORT_JOB, {"path": str(draft.export), "mapping": str(draft.mapping_file),
                                    "instrument": draft.meta["instrument"], "wave": draft.meta["wave"],
                                    "policy": draft.meta["policy"], "actor": draft.meta["actor"]}, user=user)


def _register_job() -> None:
    from . import jobs

    @jobs.task(IMPORT_JOB, atomic=False, title="an import")  # import_export stores all or nothing itself
    def run_import(progress, *, path: str, mapping: str, instrument: str, wave: str, policy: str, actor: str):
        from ..errors import NmahpError

        outcome = import_export(Path(path), instrument, wave, mapping=Path(mapping), policy=policy, actor=actor,
                                progress=lambda fraction, what: progress(int(fraction * 100), 100, what))
        if not outcome.result.ok:
            raise NmahpError(outcome.result.report(limit=20))
        result = outcome.result
        return {"wave": wave, "added": outcome.added, "already_present": outcome.already_present,
                "excluded": len(result.excluded), "duplicates": len(result.duplicates), "policy": policy,
                "breaks": result.break_lines()}


_register_job()
