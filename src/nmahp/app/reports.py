"""The report: the surveys of a wave (with the themes of its coded open text) or of export files,
built into the report model and rendered as HTML, DOCX or PDF."""

from __future__ import annotations

from pathlib import Path

from ..analysis.disclosure import EXACT, Disclosure
from ..errors import NmahpError
from ..report import SurveyData, build_report, render_docx, render_html, render_pdf
from ..report.model import Report
from . import jobs, ready
from .waves import file_responses, wave_responses

FORMATS = ("html", "docx", "pdf")
# the report's chapter 5 puts the NMAHP survey (5.1) before the leads survey (5.2)
ORDER = {"nmahp_survey": 0, "leads_survey": 1}


def wave_surveys(name: str, compare_with: str | None = None, *, disclosure: Disclosure = EXACT) -> list[SurveyData]:
    """Every survey with a wave called `name` (both, when both surveys ran that wave), with themes and the
    analysts' overrides of coded answers (so the report's coded figures are the dashboard's). Each is compared
    with the wave of its instrument called `compare_with`, or else with the wave made just before it, if any
    (the report then says what moved and what did not), under `disclosure`: the report's own."""
    ready()
    from ..web.surveys.models import Wave
    from .analysis import overrides_for
    from .coding import themes_with_quotes
    from .compare import compare_wave_records, previous_wave

    waves = list(Wave.objects.filter(name=name))
    if not waves:
        raise NmahpError(f"no wave called '{name}'")
    earlier = {}
    if compare_with:
        earlier = {w.instrument: w for w in Wave.objects.filter(name=compare_with)}
        if not any(w.instrument in earlier for w in waves):
            raise NmahpError(f"no wave called '{compare_with}' of the survey{'s' if len(waves) > 1 else ''} of wave "
                             f"'{name}' ({', '.join(sorted(w.instrument for w in waves))}) to compare it with")
    surveys = []
    for wave in waves:
        responses = wave_responses(wave)
        survey = SurveyData(responses.instrument, responses.frame, f"wave {wave.name}",
                            overrides=overrides_for(responses))
        survey.themes, survey.quotes = themes_with_quotes(wave)
        other = earlier.get(wave.instrument) if compare_with else previous_wave(wave)
        if other is not None:
            survey.comparison = compare_wave_records(other, wave, disclosure=disclosure)
        surveys.append(survey)
    return _ordered(surveys)


def file_surveys(files: list[tuple[Path, str]]) -> list[SurveyData]:
    """(export file, instrument) pairs read without the database."""
    surveys = []
    for path, instrument in files:
        responses = file_responses(path, instrument)
        surveys.append(SurveyData(responses.instrument, responses.frame, str(path)))
    return _ordered(surveys)


def _ordered(surveys: list[SurveyData]) -> list[SurveyData]:
    return sorted(surveys, key=lambda s: ORDER.get(s.instrument.form_id, len(ORDER)))


def render(document: Report, fmt: str) -> bytes:
    if fmt == "html":
        return render_html(document).encode("utf-8")
    if fmt == "docx":
        return render_docx(document)
    if fmt == "pdf":
        return render_pdf(document)
    raise NmahpError(f"the report can be html, docx or pdf, not '{fmt}'")


def write_report(surveys: list[SurveyData], out: Path, fmt: str, *, title: str, subtitle: str) -> Report:
    """Build the report and write it to `out` (written whole: a failure leaves no partial file). The
    command line's report is the analysts': exact figures."""
    document = build_report(surveys, title=title, subtitle=subtitle, disclosure=EXACT)
    data = render(document, fmt)
    partial = out.with_name(out.name + ".part")
    partial.write_bytes(data)
    partial.replace(out)
    return document


DEFAULT_TITLE = "NMAHP academic careers: survey findings"


@jobs.task("report", atomic=False, title="the report")  # writes one file, moved into place when whole
def report_job(progress, wave: str, format: str = "docx", title: str = DEFAULT_TITLE, compare_with: str = "") -> dict:
    """The report of a stored wave (both surveys when both ran it), as a file kept with the job; compared with
    the wave called `compare_with`, or else with the wave before it."""
    if format not in FORMATS:
        raise NmahpError(f"the report can be html, docx or pdf, not '{format}'")
    progress(0, 3, f"reading wave {wave}")
    surveys = wave_surveys(wave, compare_with or None)
    progress(1, 3, "drawing the figures and writing the report")
    name = "report-" + "".join(c if c.isalnum() or c in "-_" else "-" for c in wave)[:80] + f".{format}"
    document = write_report(surveys, progress.folder / name, format, title=title,
                            subtitle=f"Regenerated from wave {wave}")
    progress(3, 3, "written")
    figures, tables = len(document.figures()), len(document.tables())
    return {"summary": f"The report of wave {wave} ({format.upper()}): {figures} figures and {tables} tables.",
            "file": name, "format": format, "figures": figures, "tables": tables,
            "respondents": sum(s.frame.height for s in surveys)}
