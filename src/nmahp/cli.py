"""The one `nmahp` command (Typer + Rich)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from .errors import InstrumentError, NmahpError

app = typer.Typer(help="NMAHP Pathways: the regional NMAHP academic-careers study as a standing service.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
instruments_app = typer.Typer(help="The study's questionnaires as XLSForm instruments.", no_args_is_help=True)
app.add_typer(instruments_app, name="instruments")
console = Console()
err = Console(stderr=True)


def fail(message: str, code: int = 1):
    err.print(f"[bold red]Error:[/] {message}", highlight=False)
    raise typer.Exit(code)


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nmahp.web.settings")
    import django

    django.setup()


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
        form = get_instrument(name)
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
        fail(str(exc))
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
    try:
        form = get_instrument(instrument)
    except NmahpError as exc:
        fail(str(exc))
    synthesiser = Synthesiser(form, seed)
    if out:
        with console.status(f"synthesising {n:,} respondents"):
            count = write_csv(form, synthesiser.stream(n), out)
        console.print(f"wrote {count:,} {form.form_id} respondents to {out}")
        return
    setup_django()
    from .web.surveys import store

    target = store.get_or_create_wave(form.form_id, wave)
    try:
        count = store.bulk_load(target, synthesiser.stream(n), source=f"synth:seed={seed}")
    except NmahpError as exc:
        fail(str(exc))
    console.print(f"stored {count:,} {form.form_id} respondents in wave {wave}")


# --- the service ------------------------------------------------------------------------------------------
@app.command()
def migrate():
    """Create or update the database tables."""
    setup_django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from django.conf import settings

    console.print(f"database ready: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}")


@app.command()
def serve(host: str = typer.Option("127.0.0.1"), port: int = typer.Option(8000)):
    """Serve the web service."""
    setup_django()
    from waitress import serve as waitress_serve

    from .web.wsgi import application

    console.print(f"serving on http://{host}:{port}/ (Ctrl+C to stop)")
    waitress_serve(application, host=host, port=port, threads=8, ident="nmahp")


@app.command()
def demo(
    no_serve: bool = typer.Option(False, "--no-serve", help="load the demo data and stop"),
    host: str = typer.Option("127.0.0.1"),
    port: int = typer.Option(8000),
):
    """Migrate, load a demo wave (174 NMAHP and 16 leads synthetic respondents), then serve."""
    migrate()
    from .web.demo import load_demo

    for line in load_demo():
        console.print(line)
    if not no_serve:
        serve(host=host, port=port)


def main():  # pragma: no cover - console entry for `python -m nmahp`
    try:
        app()
    except NmahpError as exc:
        err.print(f"Error: {exc}")
        sys.exit(1)


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
    console.print(f"rows read: {result.rows_read}; complete and kept: {len(result.respondents)}; "
                  f"excluded: {len(result.excluded)}; duplicates removed: {len(result.duplicates)}")
    for row, reason in result.excluded[:20]:
        console.print(f"  excluded row {row}: {reason}")
    if result.duplicates:
        console.print(f"duplicate rule: {DUPLICATE_RULE}")
        for row, reason in result.duplicates:
            console.print(f"  removed row {row}: {reason}")
    for gate, count in result.inferred.items():
        console.print(f"  {gate}: filled in for {count} respondents from the questions it gates")


def _run_import(path: Path, instrument: str, wave: str, mapping: Path | None, dry_run: bool, layout: str):
    from .importers import ReadError, import_file
    from .importers.mapping import Mapping
    from .instruments import get_instrument

    try:
        form = get_instrument(instrument)
        result = import_file(path, form, layout=layout, mapping=Mapping.load(mapping, form))
    except (ReadError, NmahpError) as exc:
        fail(str(exc), code=2)
    _print_import(result, dry_run)
    if not result.ok:
        fail(result.report(), code=2)
    if dry_run:
        console.print("[yellow]dry run: nothing stored[/]")
        return
    setup_django()
    from .web.surveys import store

    target = store.get_or_create_wave(form.form_id, wave)
    added, present = store.store_import(target, result, source=f"import:{layout}:{path.name}")
    console.print(f"[green]imported {added} responses into {form.form_id} wave {wave}[/]"
                  + (f"; {present} were already there" if present else ""))


@import_app.command("surveymonkey")
def import_surveymonkey(
    file: Path = typer.Argument(..., help="a SurveyMonkey export (.csv or .xlsx)"),
    instrument: str = typer.Option(..., help="nmahp or leads"),
    wave: str = typer.Option(..., help="wave name, e.g. 2023"),
    mapping: Path = typer.Option(None, help="YAML file mapping columns and labels the importer cannot match"),
    dry_run: bool = typer.Option(False, "--dry-run", help="show the mapping and what would be imported"),
):
    """Import a SurveyMonkey export (two header rows)."""
    _run_import(file, instrument, wave, mapping, dry_run, "surveymonkey")


@import_app.command("xlsform")
def import_xlsform(
    file: Path = typer.Argument(..., help="an ODK Central or KoboToolbox CSV export"),
    instrument: str = typer.Option(..., help="nmahp or leads"),
    wave: str = typer.Option(..., help="wave name, e.g. 2023"),
    mapping: Path = typer.Option(None, help="YAML file mapping columns the importer cannot match"),
    dry_run: bool = typer.Option(False, "--dry-run", help="show the mapping and what would be imported"),
):
    """Import an XLSForm-shaped CSV (ODK Central, KoboToolbox)."""
    _run_import(file, instrument, wave, mapping, dry_run, "xlsform")


@app.command()
def analyse(
    out: Path = typer.Option(..., help="folder for tables.json and one CSV per table"),
    wave: str = typer.Option(None, help="analyse a stored wave"),
    input: Path = typer.Option(None, "--input", help="analyse an export file without touching the database"),
    instrument: str = typer.Option(None, help="nmahp or leads (needed with --input)"),
    mapping: Path = typer.Option(None, help="column mapping for --input"),
    by: str = typer.Option(",".join(("professional_group", "region", "pay_band")),
                           help="comma-separated questions to break every table down by"),
    no_suppress: bool = typer.Option(False, "--no-suppress",
                                     help="analyst view: do not suppress small cells in protected breakdowns"),
):
    """Reproduce the report's chapter 5 tables (plus tests and intervals) from raw responses."""
    from .analysis import analyse as run_analysis
    from .analysis import response_frame, summary_lines, write_outputs
    from .importers import ReadError, import_file
    from .importers.mapping import Mapping
    from .importers.pipeline import DUPLICATE_RULE
    from .instruments import get_instrument

    if bool(wave) == bool(input):
        fail("give exactly one of --wave W or --input FILE --instrument NAME")
    notes = []
    try:
        if input:
            if not instrument:
                fail("--input needs --instrument")
            form = get_instrument(instrument)
            result = import_file(input, form, mapping=Mapping.load(mapping, form))
            if not result.ok:
                fail(result.report(), code=2)
            rows = [r.answers for r in result.respondents]
            source = str(input)
            notes.append(f"{len(result.excluded)} incomplete or declined submissions excluded; "
                         f"{len(result.duplicates)} duplicates removed ({DUPLICATE_RULE})")
        else:
            setup_django()
            from .web.surveys import store

            target = store.find_wave(wave, instrument)
            form = get_instrument(target.instrument)
            rows = store.wave_answers(target)
            source = f"wave {target.name} ({target.instrument})"
    except (ReadError, NmahpError) as exc:
        fail(str(exc), code=2)
    groupings = [b.strip() for b in by.split(",") if b.strip()]
    unknown = [b for b in groupings if b not in form.questions]
    if unknown:
        fail(f"--by: {', '.join(unknown)} is not a question of {form.form_id}")
    frame = response_frame(form, rows)
    with console.status(f"analysing {frame.height:,} respondents"):
        tables = run_analysis(frame, form, by=groupings, suppress=not no_suppress)
        path = write_outputs(tables, out, instrument=form, source=source, respondents=frame.height, notes=notes)
    console.print(f"[bold]{form.title}[/]: {frame.height:,} respondents, {len(tables)} tables")
    for line in summary_lines(tables):
        console.print(line, highlight=False)
    console.print(f"wrote {path} and {len(tables)} CSVs under {out / 'csv'}")


@app.command()
def report(
    out: Path = typer.Option(..., help="the file to write"),
    format: str = typer.Option(None, "--format", help="html, docx or pdf (default: from the file name)"),
    wave: str = typer.Option(None, help="report a stored wave (both surveys when both have this wave name)"),
    input: list[Path] = typer.Option(None, "--input", help="an export file; repeat with --instrument for each"),
    instrument: list[str] = typer.Option(None, "--instrument", help="nmahp or leads, one per --input"),
    title: str = typer.Option("NMAHP academic careers: survey findings", help="the report's title"),
):
    """Regenerate the report's chapter 5 (figures, tables, sentences) as HTML, DOCX or PDF."""
    from .analysis import response_frame
    from .importers import ReadError, import_file
    from .instruments import get_instrument
    from .report import SurveyData, build_report, render_docx, render_html, render_pdf

    chosen = (format or out.suffix.lstrip(".")).lower()
    if chosen not in ("html", "docx", "pdf"):
        fail("--format must be html, docx or pdf")
    if bool(wave) == bool(input):
        fail("give exactly one of --wave W or --input FILE --instrument NAME")
    surveys = []
    try:
        if input:
            if len(instrument or []) != len(input):
                fail("give one --instrument for each --input, in the same order")
            for path, name in zip(input, instrument, strict=True):
                form = get_instrument(name)
                result = import_file(path, form)
                if not result.ok:
                    fail(result.report(), code=2)
                surveys.append(SurveyData(form, response_frame(form, [r.answers for r in result.respondents]),
                                          str(path)))
            subtitle = "Regenerated from " + ", ".join(p.name for p in input)
        else:
            setup_django()
            from .web.surveys import store
            from .web.surveys.models import Wave

            waves = list(Wave.objects.filter(name=wave).order_by("-instrument"))
            if not waves:
                fail(f"no wave called '{wave}'")
            from .qualitative.themes import quotes as theme_quotes
            from .qualitative.themes import theme_table
            from .web.coding import bridge
            from .web.coding.models import CodingProject

            for target in waves:
                form = get_instrument(target.instrument)
                survey = SurveyData(form, response_frame(form, store.wave_answers(target)), f"wave {target.name}")
                coding = CodingProject.objects.filter(wave=target).first()
                if coding is not None and coding.codes.exists():
                    domain = bridge.load(coding)
                    survey.themes = theme_table(domain)
                    survey.quotes = {r.code: theme_quotes(domain, r.code, n=2) for r in survey.themes[:5]}
                surveys.append(survey)
            subtitle = f"Regenerated from wave {wave}"
    except (ReadError, NmahpError) as exc:
        fail(str(exc), code=2)
    order = {"nmahp_survey": 0, "leads_survey": 1}
    surveys.sort(key=lambda s: order.get(s.instrument.form_id, 9))
    with console.status("drawing figures and writing the report"):
        document = build_report(surveys, title=title, subtitle=subtitle)
        if chosen == "html":
            out.write_text(render_html(document), encoding="utf-8")
        elif chosen == "docx":
            out.write_bytes(render_docx(document))
        else:
            out.write_bytes(render_pdf(document))
    console.print(f"wrote {out}: {len(document.figures())} figures, {len(document.tables())} tables")


@app.command()
def erase(respondent: str = typer.Option(..., "--respondent", help="the respondent key to erase")):
    """Remove a respondent's answers and contact details, and record that it happened."""
    setup_django()
    from .web.surveys import store

    if not store.erase(respondent, actor="cli"):
        fail(f"no respondent with key '{respondent[:80]}'")
    console.print("erased: answers and contact details removed; recorded in the audit log")


@app.command()
def users(
    username: str = typer.Argument(...),
    role: str = typer.Option(..., help="mentor, lead, analyst or admin"),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
    region: str = typer.Option("", help="for a lead: the region they see (e.g. greater_manchester)"),
):
    """Add an account. Analysts and admins get a TOTP secret for their authenticator app."""
    setup_django()
    import pyotp
    from django.contrib.auth import get_user_model

    from .web.accounts.models import ROLES, SECOND_FACTOR_ROLES, Profile

    if role not in dict(ROLES):
        fail(f"--role must be one of {', '.join(dict(ROLES))}")
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        fail(f"an account called '{username}' exists already")
    user = User.objects.create_user(username=username, password=password, is_staff=role == "admin",
                                    is_superuser=role == "admin")
    secret = pyotp.random_base32() if role in SECOND_FACTOR_ROLES else ""
    Profile.objects.create(user=user, role=role, region=region, totp_secret=secret)
    console.print(f"added {username} ({role})")
    if secret:
        console.print(f"authenticator: {pyotp.TOTP(secret).provisioning_uri(username, issuer_name='NMAHP Pathways')}")


# --- qualitative coding -----------------------------------------------------------------------------------
qual_app = typer.Typer(help="Qualitative coding of open text and transcripts, with REFI-QDA exchange.",
                       no_args_is_help=True)
app.add_typer(qual_app, name="qual")


def _coding_project(wave: str, instrument: str | None):
    setup_django()
    from .web.coding import bridge
    from .web.surveys import store

    try:
        return bridge.build_project(store.find_wave(wave, instrument))
    except NmahpError as exc:
        fail(str(exc))


@qual_app.command("build")
def qual_build(wave: str = typer.Option(...), instrument: str = typer.Option(None)):
    """Make the wave's coding project: a document per open-text question, a segment per respondent."""
    project = _coding_project(wave, instrument)
    console.print(f"coding project '{project.name}': {project.documents.count()} documents")


@qual_app.command("import-transcript")
def qual_import_transcript(
    file: Path = typer.Argument(..., help="a Teams .vtt, a .docx or a .txt transcript"),
    wave: str = typer.Option(...), participant: str = typer.Option(..., help="the participant's number"),
    instrument: str = typer.Option(None), group: str = typer.Option("", help="their professional group"),
    region: str = typer.Option(""),
):
    """Add an interview transcript to the wave's coding project (speakers kept from .vtt)."""
    from .qualitative.documents import from_docx, from_text, from_vtt

    project = _coding_project(wave, instrument)
    from .web.coding import bridge

    if not file.is_file():
        fail(f"{file}: no such file")
    try:
        if file.suffix.lower() == ".vtt":
            document = from_vtt(file.read_text(encoding="utf-8-sig"), file.stem, participant,
                                professional_group=group, region=region)
        elif file.suffix.lower() == ".docx":
            document = from_docx(file, participant, professional_group=group, region=region)
        else:
            document = from_text(file.read_text(encoding="utf-8-sig"), file.stem, participant,
                                 professional_group=group, region=region)
    except (ValueError, UnicodeDecodeError, KeyError) as exc:
        fail(f"{file}: cannot be read as a transcript: {exc}")
    if not document.text:
        fail(f"{file}: the transcript is empty")
    bridge.save_document(project, document)
    console.print(f"added {file.name}: {len(document.segments)} turns, "
                  f"{len({s.speaker for s in document.segments if s.speaker})} speakers")


@qual_app.command("export")
def qual_export(wave: str = typer.Option(...), out: Path = typer.Option(..., help="FILE.qdpx or FILE.qdc"),
                instrument: str = typer.Option(None)):
    """Export the coding project (.qdpx) or its codebook (.qdc) for NVivo, ATLAS.ti, MAXQDA, Taguette."""
    from .qualitative.refi import export_qdc, export_qdpx
    from .web.coding import bridge

    domain = bridge.load(_coding_project(wave, instrument))
    path = export_qdc(domain.codebook, out) if out.suffix == ".qdc" else export_qdpx(domain, out)
    console.print(f"wrote {path}: {len(domain.codebook.codes)} codes, {len(domain.highlights)} highlights")


@qual_app.command("import")
def qual_import(file: Path = typer.Argument(..., help="a REFI-QDA .qdpx project or .qdc codebook"),
                wave: str = typer.Option(...), instrument: str = typer.Option(None)):
    """Bring codes and highlights back from another QDA tool."""
    from .qualitative import Project
    from .qualitative.refi import import_qdc, import_qdpx
    from .web.coding import bridge

    project = _coding_project(wave, instrument)
    try:
        if file.suffix.lower() == ".qdc":
            imported = Project(file.stem, codebook=import_qdc(file))
        else:
            imported = import_qdpx(file)
        added = bridge.merge(project, imported)
    except NmahpError as exc:
        fail(str(exc), code=2)
    console.print(f"imported {len(imported.codebook.codes)} codes, {added['documents']} documents and "
                  f"{added['highlights']} highlights")


@qual_app.command("import-taguette")
def qual_import_taguette(
    wave: str = typer.Option(...), codebook: Path = typer.Option(None, help="Taguette's codebook export (CSV)"),
    highlights: Path = typer.Option(None, help="Taguette's highlights export (CSV)"),
    instrument: str = typer.Option(None),
):
    """Import a Taguette codebook and its highlights (placed by their text in the project's documents)."""
    from .qualitative.taguette import import_codebook, import_highlights
    from .web.coding import bridge

    project = _coding_project(wave, instrument)
    domain = bridge.load(project)
    try:
        if codebook:
            for code in import_codebook(codebook.read_text(encoding="utf-8-sig")).codes.values():
                if not any(c.name == code.name for c in domain.codebook.codes.values()):
                    domain.codebook.codes[code.id] = code
        before = {h.id for h in domain.highlights}
        if highlights:
            import_highlights(highlights.read_text(encoding="utf-8-sig"), domain)
        added = bridge.merge(project, domain)
    except (NmahpError, OSError, UnicodeDecodeError) as exc:
        fail(str(exc), code=2)
    console.print(f"imported {len(domain.highlights) - len(before)} Taguette highlights "
                  f"({added['highlights']} stored)")


@qual_app.command("themes")
def qual_themes(wave: str = typer.Option(...), instrument: str = typer.Option(None)):
    """Themes by how many participants raised them, with quotes."""
    from .qualitative.themes import quotes, theme_table
    from .web.coding import bridge

    domain = bridge.load(_coding_project(wave, instrument))
    table = Table("code", "participants", "highlights", "documents", "by group")
    rows = theme_table(domain)
    for row in rows:
        table.add_row(row.code, str(row.participants), str(row.highlights), str(row.documents),
                      ", ".join(f"{g}: {n}" for g, n in row.by_group.items()))
    console.print(table)
    for row in rows[:5]:
        for quote in quotes(domain, row.code, n=2):
            console.print(f"  {row.code}: {quote}", highlight=False)


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
