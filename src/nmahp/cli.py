"""The one `nmahp` command (Typer + Rich)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from typer.core import TyperGroup

from .errors import InstrumentError, NmahpError
from .study import STUDY

console = Console()
err = Console(stderr=True)


def _fit_width() -> None:
    """COLUMNS when it is set, else a terminal's own width; output piped to a file or another program is not cut
    at rich's 80 columns (a mapping or a skip-logic table would lose its text to ellipses)."""
    columns = os.environ.get("COLUMNS", "").strip()
    for stream in (console, err):
        if columns.isdigit() and int(columns) > 0:
            stream.width = int(columns)
        elif stream.file.isatty():
            stream.width = shutil.get_terminal_size().columns
        else:
            stream.width = 200


class _Commands(TyperGroup):
    """Every command's errors a user can act on (bad files, unknown waves, refused imports, a database that
    cannot be reached) end the same way: one line on stderr and exit code 2, never a traceback."""

    def invoke(self, ctx):
        _fit_width()
        try:
            return super().invoke(ctx)
        except NmahpError as exc:
            err.print(f"[bold red]Error:[/] {escape(str(exc))}", highlight=False)
            raise typer.Exit(2) from None
        except Exception as exc:
            # a database that cannot be reached (or has no tables yet): one line naming the engine and host,
            # never the password; anything else is a bug and keeps its traceback
            from .app.service import database_problem

            problem = database_problem(exc)
            if problem is None:
                raise
            err.print(f"[bold red]Error:[/] {escape(problem)}", highlight=False)
            raise typer.Exit(2) from None


app = typer.Typer(help="NMAHP Pathways: the regional NMAHP academic-careers study as a standing service.",
                  no_args_is_help=True, pretty_exceptions_enable=False, cls=_Commands)
instruments_app = typer.Typer(help="The study's questionnaires as XLSForm instruments.", no_args_is_help=True)
app.add_typer(instruments_app, name="instruments")


def fail(message: str, code: int = 2):
    """Stop with a message a user can act on. 2: the input was wrong; 1: a check ran and found problems."""
    err.print(f"[bold red]Error:[/] {escape(message)}", highlight=False)
    raise typer.Exit(code)


# --- instruments ------------------------------------------------------------------------------------------
@instruments_app.command("list")
def instruments_list():
    """List the instruments: the workbooks shipped in the package, or those in NMAHP_INSTRUMENTS_DIR."""
    from .instruments import available, get_instrument

    table = Table("name", "form_id", "version", "sections", "questions", "title")
    for name in available():
        form = get_instrument(name)
        table.add_row(form.name, form.form_id, form.version, str(len(form.pages())),
                      str(len(form.answer_questions())), form.title)
    console.print(table)


@instruments_app.command("show")
def instruments_show(name: str = typer.Argument(..., help="nmahp, leads, or a workbook path")):
    """Show every question of an instrument with its type, options and skip logic."""
    from .instruments import get_instrument

    try:
        form = get_instrument(name, allow_path=True)
    except NmahpError as exc:
        fail(str(exc))
    console.print(f"[bold]{form.title}[/] ({form.form_id}, version {form.version})")
    table = Table("page", "name", "type", "required", "relevant", "constraint / calculation", "options")
    for q in form.questions.values():
        if q.type == "note":
            continue
        rule = q.calculation.source if q.calculation else (q.constraint.source if q.constraint else "")
        table.add_row(q.group or "", q.name, q.type + (" (likert)" if q.is_likert else ""),
                      "yes" if q.required else "", q.relevant.source if q.relevant else "", rule,
                      ", ".join(q.choice_names()))
    console.print(table)


@instruments_app.command("validate")
def instruments_validate(path: Path = typer.Argument(..., help="an XLSForm workbook (.xlsx)")):
    """Check a workbook: every problem is reported with its sheet, row and column."""
    from .instruments import load_instrument

    try:
        form = load_instrument(path)
    except InstrumentError as exc:
        fail(str(exc), code=1)
    console.print(f"[green]OK[/] {path}: {form.form_id} version {form.version}, "
                  f"{len(form.answer_questions())} questions in {len(form.pages())} sections")


# --- synthetic respondents --------------------------------------------------------------------------------
@app.command()
def synth(
    instrument: str = typer.Option(..., help="nmahp, leads, or a workbook path"),
    n: int = typer.Option(..., "--n", min=1, max=10_000_000, help="how many respondents"),
    seed: int = typer.Option(0, help="random seed; the same seed gives the same respondents"),
    out: Path = typer.Option(None, help="write an XLSForm-shaped CSV here"),
    db: bool = typer.Option(False, "--db", help="store in the database instead"),
    wave: str = typer.Option(None, help="wave name when storing in the database, e.g. 2023"),
):
    """Make valid synthetic submissions that follow the instrument's skip logic and constraints."""
    from .instruments import get_instrument
    from .instruments.synth import Synthesiser, write_csv

    if bool(out) == db:
        fail("give exactly one of --out FILE.csv or --db --wave W")
    if db and not wave:
        fail("--db needs --wave")
    form = get_instrument(instrument, allow_path=True)
    if out:
        with console.status(f"synthesising {n:,} respondents"):
            count = write_csv(form, Synthesiser(form, seed).stream(n), out)
        console.print(f"wrote {count:,} {form.form_id} respondents to {out}")
        return
    from rich.progress import Progress

    from .app.waves import store_synthetic

    with Progress(console=console, transient=True) as bar:
        drawing = bar.add_task("drawing synthetic respondents", total=n)
        count = store_synthetic(instrument, wave, n, seed, progress=lambda done, total, message="": bar.update(
            drawing, completed=done, total=total, description=message or "drawing synthetic respondents"))
    console.print(f"stored {count:,} {form.form_id} respondents in wave {wave}")


# --- the service ------------------------------------------------------------------------------------------
@app.command()
def migrate():
    """Create or update the database tables."""
    from .app import service

    console.print(f"database ready: {service.migrate()}")


@app.command()
def serve(host: str = typer.Option("127.0.0.1"), port: int = typer.Option(8000),
          worker: bool = typer.Option(False, "--worker/--no-worker", help="run a background worker beside it")):
    """Serve the web service (run `nmahp worker` beside it for background jobs, or give --worker)."""
    from .app import service

    console.print(f"serving on http://{host}:{port}/" + (" with a background worker" if worker else "")
                  + " (Ctrl+C to stop)")
    service.serve(host, port, worker=worker)


@app.command()
def demo(
    no_serve: bool = typer.Option(False, "--no-serve", help="load the demo data and stop"),
    host: str = typer.Option("127.0.0.1"),
    port: int = typer.Option(8000),
    worker: bool = typer.Option(True, "--worker/--no-worker", help="run a background worker beside the server"),
):
    """Migrate, load a demo wave (174 NMAHP and 16 leads synthetic respondents), then serve with a worker."""
    from .app import service

    migrate()
    for line in service.load_demo():
        console.print(line)
    if not no_serve:
        serve(host=host, port=port, worker=worker)


@app.command()
def worker(
    workers: int = typer.Option(2, min=1, max=32, help="jobs run at once (threads)"),
    with_parent: int = typer.Option(None, "--with-parent", hidden=True, help="stop when this process ends"),
):
    """Run background jobs (reports, matching rounds, suggested themes, imports) from the queue (NMAHP_QUEUE)."""
    from .app import jobs

    console.print(f"worker taking jobs from the {jobs.queue_setting().split('@')[-1]} queue (Ctrl+C to stop)")
    jobs.work(workers, parent=with_parent)


jobs_app = typer.Typer(help="Background jobs: submit, show, retry.", no_args_is_help=True)
app.add_typer(jobs_app, name="jobs")


@jobs_app.command("submit")
def jobs_submit(kind: str = typer.Argument(..., help="the kind of job, e.g. report"),
                params: str = typer.Option("{}", help='its parameters as JSON, e.g. {"wave": "2023"}')):
    """Put a job on the queue; a worker (nmahp worker) runs it."""
    import json

    from .app import jobs

    try:
        given = json.loads(params)
    except json.JSONDecodeError as exc:
        fail(f"--params must be a JSON object: {exc}")
    if not isinstance(given, dict):
        fail("--params must be a JSON object, e.g. '{\"wave\": \"2023\"}'")
    job = jobs.submit(kind, given)
    console.print(f"job {job.pk} ({job.kind}) {job.status}")


@jobs_app.command("show")
def jobs_show(job_id: int = typer.Argument(...), as_json: bool = typer.Option(False, "--json", help="as JSON")):
    """A job's status, progress, and result or reason for failing."""
    import json

    from .app import jobs

    info = jobs.describe(jobs.get(job_id))
    if as_json:
        print(json.dumps(info, ensure_ascii=False))
        return
    progress = info["progress"]
    console.print(f"job {info['id']} ({info['kind']}): {info['status']}, {progress['done']}"
                  + (f" of {progress['total']}" if progress["total"] is not None else "")
                  + (f" ({progress['message']})" if progress["message"] else ""), highlight=False)
    if info["error"]:
        console.print(f"failed: {info['error']}", highlight=False)
    if info["result"] is not None:
        console.print(json.dumps(info["result"], ensure_ascii=False, indent=2), highlight=False)


@jobs_app.command("retry")
def jobs_retry(job_id: int = typer.Argument(...),
               force: bool = typer.Option(False, help="retry a job running on another host whose worker is gone")):
    """Put a failed job, or one left running by a worker that was stopped, back on the queue."""
    from .app import jobs

    job = jobs.retry(job_id, force=force)
    console.print(f"job {job.pk} ({job.kind}) is {job.status} again")


def main():  # pragma: no cover - console entry for `python -m nmahp`
    try:
        app()
    except NmahpError as exc:
        err.print(f"Error: {exc}", highlight=False, markup=False)
        sys.exit(2)


# --- imports and analysis ---------------------------------------------------------------------------------
import_app = typer.Typer(help="Import survey exports into a wave (all-or-nothing).", no_args_is_help=True)
app.add_typer(import_app, name="import")


def _print_import(result, dry_run: bool):
    from .importers.pipeline import DUPLICATE_RULE

    if dry_run or not result.ok:
        table = Table("column", "question", title=f"column mapping ({result.layout}, {result.encoding})")
        for column, target in result.mapping:
            table.add_row(column, target)
        console.print(table)
    console.print(f"rows read: {result.rows_read}; complete and kept: {result.kept}; "
                  f"excluded: {len(result.excluded)}; duplicates removed: {len(result.duplicates)}")
    for row, reason in result.excluded[:20]:
        console.print(f"  excluded row {row}: {reason}")
    if result.duplicates:
        console.print(f"duplicate rule: {DUPLICATE_RULE}")
        for row, reason in result.duplicates:
            console.print(f"  removed row {row}: {reason}")
    for gate, count in result.inferred.items():
        console.print(f"  {gate}: filled in for {count} respondents from the questions it gates")
    if result.breaks:
        console.print(f"disagreements with the instrument (policy {result.policy}):", highlight=False)
        for line in result.break_lines():
            console.print(f"  {escape(line)}", highlight=False)
    for problem in result.flagged[:50]:
        console.print(f"  kept and flagged: {escape(str(problem))}", highlight=False)


def _run_import(path: Path, instrument: str, wave: str, mapping: Path | None, dry_run: bool, layout: str,
                policy: str = "strict", report: Path | None = None):
    from .app.imports import import_export
    from .importers import POLICIES

    if policy not in POLICIES:
        fail(f"--policy must be one of {', '.join(POLICIES)}, not '{policy}'")
    outcome = import_export(path, instrument, wave, layout=layout, mapping=mapping, dry_run=dry_run, policy=policy,
                            report=report)
    result = outcome.result
    _print_import(result, dry_run)
    if report is not None:
        console.print(f"every problem, one line per row: {report} ({outcome.report_lines} lines)")
    if not result.ok:
        fail(result.report(), code=2)
    if dry_run:
        console.print("[yellow]dry run: nothing stored[/]")
        return
    console.print(f"[green]imported {outcome.added} responses into wave {wave}[/]"
                  + (f"; {outcome.already_present} were already there" if outcome.already_present else ""))


POLICY_HELP = ("strict: any answer that disagrees with the instrument (skip logic, constraint, a required answer "
               "missing) refuses the import; as-recorded: kept as answered and the response flagged")
REPORT_HELP = "write every problem, one line per row, to this CSV file"


@import_app.command("surveymonkey")
def import_surveymonkey(
    file: Path = typer.Argument(..., help="a SurveyMonkey export (.csv or .xlsx)"),
    instrument: str = typer.Option(..., help="nmahp or leads"),
    wave: str = typer.Option(..., help="wave name, e.g. 2023"),
    mapping: Path = typer.Option(None, help="YAML mapping (docs/importing.md); `suggest-mapping` proposes one"),
    dry_run: bool = typer.Option(False, "--dry-run", help="show the mapping and what would be imported"),
    policy: str = typer.Option("strict", help=POLICY_HELP),
    report: Path = typer.Option(None, help=REPORT_HELP),
):
    """Import a SurveyMonkey export (two header rows)."""
    _run_import(file, instrument, wave, mapping, dry_run, "surveymonkey", policy, report)


@import_app.command("xlsform")
def import_xlsform(
    file: Path = typer.Argument(..., help="an ODK Central or KoboToolbox CSV export"),
    instrument: str = typer.Option(..., help="nmahp or leads"),
    wave: str = typer.Option(..., help="wave name, e.g. 2023"),
    mapping: Path = typer.Option(None, help="YAML mapping (docs/importing.md)"),
    dry_run: bool = typer.Option(False, "--dry-run", help="show the mapping and what would be imported"),
    policy: str = typer.Option("strict", help=POLICY_HELP),
    report: Path = typer.Option(None, help=REPORT_HELP),
):
    """Import an XLSForm-shaped CSV (ODK Central, KoboToolbox)."""
    _run_import(file, instrument, wave, mapping, dry_run, "xlsform", policy, report)


@import_app.command("suggest-mapping")
def import_suggest_mapping(
    file: Path = typer.Argument(..., help="an export (.csv or .xlsx) whose wording someone else wrote"),
    instrument: str = typer.Option(..., help="nmahp or leads"),
    out: Path = typer.Option(None, help="write the mapping here (YAML) instead of printing it"),
):
    """Propose a complete mapping, with a confidence per entry; entries marked REVIEW need a look."""
    from .app.imports import suggest_mapping

    suggestion = suggest_mapping(file, instrument, out)
    if out is None:
        sys.stdout.write(suggestion.to_yaml())
        return
    console.print(f"wrote {out}: {len(suggestion.entries)} columns, {suggestion.review()} entries marked REVIEW")


def _responses(wave: str | None, input: Path | None, instrument: str | None, mapping: Path | None = None):
    from .app.waves import ImportRefused, file_responses, responses_of

    if bool(wave) == bool(input):
        fail("give exactly one of --wave W or --input FILE --instrument NAME")
    if input and not instrument:
        fail("--input needs --instrument")
    try:
        return file_responses(input, instrument, mapping=mapping) if input else responses_of(wave, instrument)
    except ImportRefused as exc:
        fail(str(exc), code=2)


@app.command()
def analyse(
    out: Path = typer.Option(..., help="folder for tables.json and one CSV per table"),
    wave: str = typer.Option(None, help="analyse a stored wave"),
    input: Path = typer.Option(None, "--input", help="analyse an export file without touching the database"),
    instrument: str = typer.Option(None, help="nmahp or leads (needed with --input)"),
    mapping: Path = typer.Option(None, help="column mapping for --input"),
    by: str = typer.Option(",".join(STUDY.default_breakdowns),
                           help="comma-separated questions to break every table down by"),
    published: bool = typer.Option(False, "--published",
                                   help="the figures a non-analyst sees (docs/disclosure.md): counts under the "
                                        "threshold hidden, every other count rounded; by default, exact figures"),
    crosstab: tuple[str, str] = typer.Option(None, "--crosstab", metavar="A B",
                                             help="only the cross-tabulation of question A (rows) by B (columns)"),
    compare: tuple[str, str] = typer.Option(None, "--compare", metavar="W1 W2",
                                            help="compare stored wave W1 with W2 (of one instrument) table by "
                                                 "table: what moved and what did not (comparison.json)"),
    weighted: bool = typer.Option(False, "--weighted",
                                  help="also rake to the workforce denominators and write every table weighted "
                                       "beside unweighted, with design effect and effective n (weighted.json)"),
    denominators: Path = typer.Option(None, help="with --weighted: a denominators YAML instead of the package's "
                                                 "study/workforce_denominators.yaml (docs/weighting.md)"),
    exclude_rule_breaks: bool = typer.Option(False, "--exclude-rule-breaks",
                                             help="leave out answers an as-recorded import kept although they "
                                                  "break the workbook's current rules (docs/importing.md)"),
):
    """Reproduce the report's chapter 5 tables (plus tests and intervals) from raw responses."""
    from .analysis import analyse as run_analysis
    from .analysis import summary_lines, write_outputs
    from .analysis.disclosure import EXACT, PUBLISHED

    if compare and compare[0]:
        if wave or input:
            fail("--compare W1 W2 names both waves: give it without --wave or --input")
        _analyse_compare(compare, instrument, out, PUBLISHED if published else EXACT)
        return
    responses = _responses(wave, input, instrument, mapping)
    from .app import rule_breaks

    as_stored = responses
    if exclude_rule_breaks:
        responses = rule_breaks.without_rule_breaks(responses)
    if weighted:
        _analyse_weighted(responses, out, PUBLISHED if published else EXACT, denominators)
        return
    form, frame = responses.instrument, responses.frame
    if crosstab and crosstab[0]:
        from .app.analysis import crosstab_of

        try:
            table = crosstab_of(responses, *crosstab, disclosure=PUBLISHED if published else EXACT)
        except KeyError as exc:
            fail(f"--crosstab: {exc.args[0]} is not a question with options (or a coded variable or measure) of "
                 f"{form.form_id}")
        path = write_outputs([table], out, instrument=form, source=responses.source, respondents=frame.height,
                             notes=responses.notes)
        _print_crosstab(table)
        console.print(f"wrote {path} and {out / 'csv' / (table.id + '.csv')}")
        return
    groupings = [b.strip() for b in by.split(",") if b.strip()]
    unknown = [b for b in groupings if b not in form.questions]
    if unknown:
        fail(f"--by: {', '.join(unknown)} is not a question of {form.form_id}")
    with console.status(f"analysing {frame.height:,} respondents"):
        from .app.analysis import overrides_for

        tables = run_analysis(frame, form, by=groupings, disclosure=PUBLISHED if published else EXACT,
                              overrides=overrides_for(responses))
        path = write_outputs(tables, out, instrument=form, source=responses.source, respondents=frame.height,
                             notes=responses.notes)
    console.print(f"[bold]{form.title}[/]: {frame.height:,} respondents, {len(tables)} tables")
    breaks = rule_breaks.responses_rule_breaks(as_stored)
    said = "left out" if exclude_rule_breaks else "kept; --exclude-rule-breaks leaves them out"
    for table in tables:  # under each table, how many of its answers break the workbook's rules
        for line in summary_lines([table]) + [f"  {b} ({said})" for b in rule_breaks.table_lines([table], breaks)]:
            console.print(line, highlight=False)
    console.print(f"wrote {path} and {len(tables)} CSVs under {out / 'csv'}")


def _analyse_compare(names: tuple[str, str], instrument: str | None, out: Path, disclosure) -> None:
    import json

    from .app.compare import compare_named

    result = compare_named(*names, instrument, disclosure=disclosure)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "comparison.json"
    path.write_text(json.dumps(result.to_dict(), indent=1, ensure_ascii=False), encoding="utf-8")
    console.print(f"[bold]{result.instrument}[/]: wave {result.first} ({result.first_n} respondents) against wave "
                  f"{result.second} ({result.second_n}), {len(result.comparisons)} tables", highlight=False)
    for line in result.notes + ([result.scope_note] if result.scope_note else []) + result.lines():
        console.print(line, highlight=False)
    console.print(f"wrote {path}")


def _analyse_weighted(responses, out: Path, disclosure, denominators: Path | None) -> None:
    import json

    from .analysis.weighting import load_denominators
    from .app.compare import weigh

    result = weigh(responses, disclosure=disclosure,
                   denominators=load_denominators(denominators) if denominators else None)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "weighted.json"
    path.write_text(json.dumps(result.to_dict(), indent=1, ensure_ascii=False), encoding="utf-8")
    summary = result.summary
    console.print(summary["denominators"], highlight=False)
    console.print(f"{summary['respondents_weighted']} respondents weighted ({summary['left_out']} left out); "
                  f"design effect {summary['design_effect']}, effective sample size {summary['effective_n']}",
                  highlight=False)
    for note in summary["notes"]:
        console.print(f"  {note}", highlight=False)
    console.print(f"wrote {path}: {len(result.tables)} tables, weighted beside unweighted")


def _print_crosstab(table) -> None:
    from .analysis.tables import share

    grid = Table(title=f"{table.label} by {table.by_label} (N={table.base_n})")
    grid.add_column("")
    for group in table.groups:
        grid.add_column(f"{group.label} (n={group.base_n})")
    grid.add_column("All")
    for cell in table.cells:
        row = [cell.label]
        for group in table.groups:
            found = group.cell(cell.option)
            row_share = f"; {found.row_percent:.0f}% of row" if found.row_percent is not None else ""
            row.append(share(found.count, group.base_n, group.counts_only) + row_share)
        row.append(share(cell.count, table.base_n, table.counts_only))
        grid.add_row(*row)
    console.print(grid)
    if table.association is not None:
        console.print(f"{table.association.method}: p = {table.association.p:.3g}", highlight=False)
    for note in table.notes:
        console.print(f"  {note}", highlight=False)


@app.command()
def report(
    out: Path = typer.Option(..., help="the file to write"),
    format: str = typer.Option(None, "--format", help="html, docx or pdf (default: from the file name)"),
    wave: str = typer.Option(None, help="report a stored wave (both surveys when both have this wave name)"),
    input: list[Path] = typer.Option(None, "--input", help="an export file; repeat with --instrument for each"),
    instrument: list[str] = typer.Option(None, "--instrument", help="nmahp or leads, one per --input"),
    title: str = typer.Option("NMAHP academic careers: survey findings", help="the report's title"),
    compare_with: str = typer.Option(None, "--compare-with", help="with --wave: say what moved since this wave "
                                     "(default: the wave of the same survey made before it, if any)"),
):
    """Regenerate the report's chapter 5 (figures, tables, sentences) as HTML, DOCX or PDF."""
    from .app.reports import FORMATS, file_surveys, wave_surveys, write_report
    from .app.waves import ImportRefused

    chosen = (format or out.suffix.lstrip(".")).lower()
    if chosen not in FORMATS:
        fail("--format must be html, docx or pdf")
    if bool(wave) == bool(input):
        fail("give exactly one of --wave W or --input FILE --instrument NAME")
    if input and len(instrument or []) != len(input):
        fail("give one --instrument for each --input, in the same order")
    if compare_with and not wave:
        fail("--compare-with compares stored waves: give it with --wave W")
    try:
        if input:
            surveys = file_surveys(list(zip(input, instrument, strict=True)))
            subtitle = "Regenerated from " + ", ".join(p.name for p in input)
        else:
            surveys = wave_surveys(wave, compare_with)
            subtitle = f"Regenerated from wave {wave}"
    except ImportRefused as exc:
        fail(str(exc), code=2)
    with console.status("drawing figures and writing the report"):
        document = write_report(surveys, out, chosen, title=title, subtitle=subtitle)
    console.print(f"wrote {out}: {len(document.figures())} figures, {len(document.tables())} tables")


@app.command()
def erase(respondent: str = typer.Option(..., "--respondent", help="the respondent key to erase")):
    """Remove a respondent and everything derived from them (answers, contact details, their open text in
    the coding projects, transcripts, participant number, mentoring profile), and record that it happened."""
    from .app.people import erase_respondent

    removed = erase_respondent(respondent, actor="cli")
    if not removed:
        fail(f"no respondent with key '{respondent[:80]}'")
    console.print("erased: " + "; ".join(f"{kind}: {n}" for kind, n in removed.items()))
    console.print("recorded in the audit log (by a hash of the key)")


@app.command()
def users(
    username: str = typer.Argument(...),
    role: str = typer.Option(..., help="mentor, lead, analyst or admin"),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
    region: str = typer.Option("", help="for a lead: the region they see (e.g. greater_manchester)"),
):
    """Add an account. Analysts and admins get a TOTP secret for their authenticator app."""
    from .app.people import add_account

    authenticator = add_account(username, role, password, region)
    console.print(f"added {username} ({role})")
    if authenticator:
        console.print(f"authenticator: {authenticator}", highlight=False)


# --- qualitative coding -----------------------------------------------------------------------------------
qual_app = typer.Typer(help="Qualitative coding of open text and transcripts, with REFI-QDA exchange.",
                       no_args_is_help=True)
app.add_typer(qual_app, name="qual")


@qual_app.command("build")
def qual_build(wave: str = typer.Option(...), instrument: str = typer.Option(None)):
    """Make the wave's coding project: a document per open-text question, a segment per respondent."""
    from .app import coding

    project = coding.project_for(wave, instrument)
    console.print(f"coding project '{project.name}': {project.documents.count()} documents")


@qual_app.command("import-transcript")
def qual_import_transcript(
    file: Path = typer.Argument(..., help="a Teams .vtt, a .docx or a .txt transcript"),
    wave: str = typer.Option(...), participant: str = typer.Option(..., help="the participant's number"),
    instrument: str = typer.Option(None), group: str = typer.Option("", help="their professional group"),
    region: str = typer.Option(""),
):
    """Add an interview transcript to the wave's coding project (speakers kept from .vtt)."""
    from .app import coding

    if group and group not in STUDY.group_ids:
        fail(f"--group must be one of {', '.join(STUDY.group_ids)}")
    document = coding.add_transcript(coding.project_for(wave, instrument), file, participant,
                                     group=group, region=region)
    console.print(f"added {file.name}: {len(document.segments)} turns, "
                  f"{len({s.speaker for s in document.segments if s.speaker})} speakers")


@qual_app.command("export")
def qual_export(wave: str = typer.Option(...), out: Path = typer.Option(..., help="FILE.qdpx or FILE.qdc"),
                instrument: str = typer.Option(None)):
    """Export the coding project (.qdpx) or its codebook (.qdc) for NVivo, ATLAS.ti, MAXQDA, Taguette."""
    from .app import coding

    fmt = out.suffix.lower().lstrip(".")
    if fmt not in ("qdpx", "qdc"):
        fail("--out must end in .qdpx (the project) or .qdc (the codebook)")
    project = coding.project_for(wave, instrument)
    out.write_bytes(coding.export(project, fmt))
    domain = coding.load(project)
    console.print(f"wrote {out}: {len(domain.codebook.codes)} codes, {len(domain.highlights)} highlights")


@qual_app.command("import")
def qual_import(file: Path = typer.Argument(..., help="a REFI-QDA .qdpx project or .qdc codebook"),
                wave: str = typer.Option(...), instrument: str = typer.Option(None)):
    """Bring codes and highlights back from another QDA tool."""
    from .app import coding

    summary = coding.import_refi(coding.project_for(wave, instrument), file)
    console.print(coding.describe_import(summary), highlight=False)


@qual_app.command("import-taguette")
def qual_import_taguette(
    wave: str = typer.Option(...), codebook: Path = typer.Option(None, help="Taguette's codebook export (CSV)"),
    highlights: Path = typer.Option(None, help="Taguette's highlights export (CSV)"),
    instrument: str = typer.Option(None),
):
    """Import a Taguette codebook and its highlights (placed by their text in the project's documents)."""
    from .app import coding

    if not (codebook or highlights):
        fail("give --codebook, --highlights or both")
    added = coding.import_taguette(coding.project_for(wave, instrument), codebook=codebook, highlights=highlights)
    console.print(f"imported {added['placed']} Taguette highlights ({added['highlights']} stored)")


@qual_app.command("themes")
def qual_themes(wave: str = typer.Option(...), instrument: str = typer.Option(None)):
    """Themes by how many participants raised them, with quotes."""
    from .app import coding

    rows, quotes = coding.themes(coding.project_for(wave, instrument))
    table = Table("code", "participants", "highlights", "documents", "by group")
    for row in rows:
        table.add_row(row.code, str(row.participants), str(row.highlights), str(row.documents),
                      ", ".join(f"{g}: {n}" for g, n in row.by_group.items()))
    console.print(table)
    for code, said in quotes.items():
        for quote in said:
            console.print(f"  {code}: {quote}", highlight=False)


@qual_app.command("agreement")
def qual_agreement(wave: str = typer.Option(...), instrument: str = typer.Option(None),
                   round_name: str = typer.Option(None, "--round", help="a closed blind-coding round, by name")):
    """Cohen's kappa per code for every pair of coders and Krippendorff's alpha, on answers or turns."""
    from .app import coding, coding_rounds

    result = coding_rounds.project_agreement(coding.project_for(wave, instrument), round_name)

    def shown(value):
        return "not defined" if value is None else f"{value:.2f}"

    console.print(f"{len(result['coders'])} coders, {result['units']} {result['unit']}", highlight=False)
    table = Table("coders", "units", "code", "kappa")
    for pair in result["pairs"]:
        for code, kappa in pair["kappa"].items():
            table.add_row(" and ".join(pair["coders"]), str(pair["units"]), code, shown(kappa))
    console.print(table)
    alpha = Table("code", "Krippendorff's alpha")
    for code, value in result["alpha"].items():
        alpha.add_row(code, shown(value))
    alpha.add_row("every code together", shown(result["alpha_all_codes"]))
    console.print(alpha)


# --- matching ---------------------------------------------------------------------------------------------
match_app = typer.Typer(help="Matching rounds of clinicians with mentors, and peer groups.", no_args_is_help=True)
app.add_typer(match_app, name="match")


def _print_round(review: dict) -> None:
    r = review["round"]
    console.print(f"round {r['id']} ({r['status']}), run by {r['run_by']} on {r['created'][:16]}: "
                  f"{len(review['matches'])} matches; total score {r['total_score']:.2f} with "
                  f"{r['blocking_pairs']} blocking pairs, against {r['greedy_total_score']:.2f} with "
                  f"{r['greedy_blocking_pairs']} for the greedy baseline"
                  + ("; fairness priority on" if r["fairness"] else ""), highlight=False)
    table = Table("match", "clinician", "profession", "mentor", "score", "status", "why")
    for m in review["matches"]:
        table.add_row(str(m["id"]), str(m["clinician"]), m["profession"], m["mentor"], f"{m['score']:.2f}",
                      m["status"], "; ".join(m["reasons"]))
    console.print(table)
    for number, group in enumerate(r["peer_groups"], start=1):
        console.print(f"peer group {number}: clinicians {', '.join(group)}", highlight=False)


@match_app.command("run")
def match_run(
    fairness: bool = typer.Option(False, "--fairness", help="priority to people with no mentor or from "
                                                              "under-represented groups"),
    topic: str = typer.Option("tfidf", help="how interests are compared: tfidf or embeddings"),
    run_by: str = typer.Option("cli", help="who ran the round, for the record"),
):
    """Match everyone opted in who has no accepted match; the round is a draft until published."""
    from .app import matching

    if topic not in ("tfidf", "embeddings"):
        fail("--topic must be tfidf or embeddings")
    matching_round = matching.run_round(fairness=fairness, run_by=run_by, topic=topic)
    _print_round(matching.round_review(matching_round))
    console.print(f"review it, then: nmahp match publish {matching_round.pk}")


@match_app.command("review")
def match_review(round_id: int = typer.Argument(None, help="the round (default: the latest)")):
    """A round's matches, scores and reasons, and its peer groups."""
    from .app import matching

    overview = matching.rounds_overview(limit=20)
    if round_id is None:
        if not overview["rounds"]:
            fail("no matching round has been run yet: nmahp match run")
        round_id = overview["rounds"][0].pk
    console.print(f"{overview['clinicians']} clinicians and {overview['mentors']} mentors opted in")
    _print_round(matching.round_review(matching.get_round(round_id)))


@match_app.command("publish")
def match_publish(round_id: int = typer.Argument(..., help="the draft round to publish")):
    """Publish a draft round: clinicians and mentors see their matches on their pages."""
    from .app import matching

    if not matching.publish_round(matching.get_round(round_id)):
        fail(f"round {round_id} is published already")
    console.print(f"round {round_id} published")


@match_app.command("peers")
def match_peers(round_id: int = typer.Option(None, "--round", help="record the groups on this draft round")):
    """Form peer groups of 4-8 at a similar stage among opted-in clinicians who asked for one."""
    from .app import matching

    target = matching.get_round(round_id) if round_id is not None else None
    groups = matching.form_peer_groups(target)
    if not groups:
        console.print("fewer than four opted-in clinicians asked for a peer group: no groups formed")
        return
    for number, group in enumerate(groups, start=1):
        console.print(f"peer group {number}: clinicians {', '.join(group)}", highlight=False)
    if target is not None:
        console.print(f"recorded on round {target.pk}")


# --- careers navigator ------------------------------------------------------------------------------------
careers_app = typer.Typer(help="The careers navigator's content: schemes, glossary, eligibility.",
                          no_args_is_help=True)
app.add_typer(careers_app, name="careers")


@careers_app.command("check")
def careers_check(directory: Path = typer.Option(None, "--dir", help="a content folder (default: NMAHP_CONTENT_DIR, "
                                                "else the content shipped in the package)")):
    """Check the content YAML and the plain-English standard, as programme staff edit it."""
    from .navigator.content import load_content
    from .navigator.plain import plain_english_problems

    try:
        content = load_content(directory)
    except NmahpError as exc:
        fail(str(exc), code=2)
    problems = plain_english_problems(content)
    console.print(f"{len(content.schemes)} schemes, {len(content.glossary)} glossary terms, "
                  f"{len(content.stages)} stages, {len(content.starts)} ways to start small, "
                  f"{len(content.explainers)} employment explainers")
    for problem in problems:
        err.print(f"  - {problem}", highlight=False)
    if problems:
        fail(f"{len(problems)} text(s) fall short of the plain-English standard", code=1)
    console.print("content is valid and every summary and definition is in plain English")


@careers_app.command("eligibility")
def careers_eligibility(answers: list[str] = typer.Argument(..., help="question=answer pairs, e.g. "
                                                            "profession=midwife qualification=masters"),
                        as_json: bool = typer.Option(False, "--json", help="print JSON")):
    """What a person can apply for now, after one step, and why the rest is closed."""
    import json

    from .navigator.content import load_content
    from .navigator.eligibility import CLOSED, ONE_STEP, OPEN, UNKNOWN, check

    pairs = {}
    for item in answers:
        key, sep, value = item.partition("=")
        if not sep:
            fail(f"'{item}' is not question=answer", code=2)
        pairs[key.strip()] = value.strip()
    try:
        content = load_content()
        result = check(content, pairs)
    except NmahpError as exc:
        fail(str(exc), code=2)
    if as_json:
        console.print_json(json.dumps(result.as_dict()))
        return
    titles = {OPEN: "Open now", ONE_STEP: "One step away", CLOSED: "Closed", UNKNOWN: "Need more answers"}
    for status in (OPEN, ONE_STEP, CLOSED, UNKNOWN):
        verdicts = result.with_status(status)
        if not verdicts:
            continue
        console.print(f"[bold]{titles[status]}[/] ({len(verdicts)})")
        for v in verdicts:
            extra = f" -> {v.step}" if v.step else (f": {' '.join(v.reasons)}" if v.reasons else "")
            console.print(f"  {v.scheme.name}{extra}", highlight=False)
