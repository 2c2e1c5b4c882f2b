"""The report's section on what moved since the earlier wave: two small synthetic stored waves of the leads
survey with a change planted in one question, reported as an analyst reads it (HTML through the command line,
DOCX through python-docx, PDF through its text and bookmarks) and as a lead would (no tests, rounded counts)."""

import re

import polars as pl
import pytest
from docx import Document
from pypdf import PdfReader
from typer.testing import CliRunner

from nmahp.analysis.disclosure import EXACT, PUBLISHED
from nmahp.app import reports
from nmahp.app.waves import store_synthetic
from nmahp.cli import app
from nmahp.instruments import get_instrument
from nmahp.report import DataTable, Heading, Paragraph, build_report, render_docx, render_pdf

# every test: the waves are stored once for the module, and pytest-django only sets the test database up for a
# selection that holds a database test
pytestmark = [pytest.mark.db, pytest.mark.django_db]

PLANTED = "research_confidence"  # half of those who answered it in the second wave now say 'very_confident'
UNCHANGED = "teaching_confidence"  # the same scale, left alone
FIRST, SECOND = "cmp-before", "cmp-after"
SECTION = "5.3 What moved since the earlier wave, and what did not"
SURVEY = f"5.3.1 NMAHP Leads survey: wave {SECOND} against wave {FIRST}"


def _label(name: str) -> str:
    return get_instrument("leads").question(name).label


@pytest.fixture(scope="module")
def stored(django_db_setup, django_db_blocker, tmp_path_factory):
    """Two waves of 150 stored once for the module (and removed after it), the plant made in the second as a
    respondent's edited answer would be; both reports (analyst and published) built once."""
    from nmahp.web.surveys import store
    from nmahp.web.surveys.models import ContactDetails, Response, Wave

    with django_db_blocker.unblock():
        store_synthetic("leads", FIRST, 150, seed=41)
        store_synthetic("leads", SECOND, 150, seed=42)
        second = Wave.objects.get(name=SECOND)
        answered = [r for r in second.responses.filter(status=Response.COMPLETE).order_by("pk")
                    if r.answers.get(PLANTED)]
        for response in answered[::2]:
            response.answers[PLANTED] = "very_confident"
            response.save(update_fields=["answers"])
        store.changed(second)
        frames = {name: reports.wave_surveys(name)[0].frame for name in (FIRST,)}
        analyst = reports.wave_surveys(SECOND)  # compared with the wave before it, by default
        frames[SECOND] = analyst[0].frame
        published = reports.wave_surveys(SECOND, FIRST, disclosure=PUBLISHED)
        model = build_report(analyst, title="Findings", disclosure=EXACT)
        lead_model = build_report(published, title="Findings", disclosure=PUBLISHED)
        folder = tmp_path_factory.mktemp("compared")
        paths = {"docx": folder / "r.docx", "pdf": folder / "r.pdf", "html": folder / "r.html"}
        paths["docx"].write_bytes(render_docx(model))
        paths["pdf"].write_bytes(render_pdf(model))
        yield {"model": model, "lead": lead_model, "paths": paths, "frames": frames, "analyst": analyst}
        # the module's rows outlive each test's rollback, so they go by hand, contact details included (they are
        # kept apart from answers, by respondent key), or later tests on this database would find them
        keys = list(Response.objects.filter(wave__name__in=[FIRST, SECOND]).values_list("respondent_key", flat=True))
        ContactDetails.objects.filter(respondent_key__in=keys).delete()
        Response.objects.filter(wave__name__in=[FIRST, SECOND]).delete()  # responses protect their wave
        Wave.objects.filter(name__in=[FIRST, SECOND]).delete()


def _share(frame: pl.DataFrame, question: str, option: str) -> float:
    answers = frame.get_column(question).drop_nulls()
    return 100 * (answers == option).sum() / answers.len()


def _under(model, number: str) -> list:
    blocks = model.blocks
    start = next(i for i, b in enumerate(blocks) if isinstance(b, Heading) and b.number == number)
    end = next((i for i in range(start + 1, len(blocks)) if isinstance(blocks[i], Heading)), len(blocks))
    return blocks[start + 1:end]


def test_the_section_follows_the_findings_and_names_what_moved_with_its_test_and_interval(stored):
    model, frames = stored["model"], stored["frames"]
    headings = [f"{h.number} {h.text}" for h in model.headings()]
    assert headings[-4:] == [SECTION, SURVEY, "5.3.1.1 What moved", "5.3.1.2 What did not move"]
    assert headings.index(SECTION) > max(i for i, h in enumerate(headings) if h.startswith("5.2"))
    moved = next(b for b in _under(model, "5.3.1.1") if isinstance(b, DataTable))
    assert moved.header[:4] == ["Question", "Answer", f"Wave {FIRST}", f"Wave {SECOND}"]
    row = next(r for r in moved.rows if r[0] == _label(PLANTED) and r[1] == "Very confident")
    expected = _share(frames[SECOND], PLANTED, "very_confident") - _share(frames[FIRST], PLANTED, "very_confident")
    assert expected > 20  # the plant: the test below reads the engine's figure, this one the answers
    assert row[4] == f"{expected:+.0f}"
    low, high = (float(x) for x in re.fullmatch(r"([+-]\d+) to ([+-]\d+)", row[5]).groups())
    assert 0 < low < expected < high
    ran = {o.method for c in stored["analyst"][0].comparison.comparisons if c.question == PLANTED
           for o in c.options if o.option == "very_confident"}
    assert row[6].lower() == ran.pop().lower()  # the test named is the one that ran
    assert row[7] == "< 0.001" or float(row[7]) < 0.05
    assert any(r[1] == "Mean rating (1 to 5)" for r in moved.rows if r[0] == _label(PLANTED))
    steady = " ".join(b.text for b in _under(model, "5.3.1.2") if isinstance(b, Paragraph))
    assert f"\u201c{_label(UNCHANGED)}\u201d" in steady
    assert _label(UNCHANGED) not in {r[0] for r in moved.rows}
    intro = " ".join(b.text for b in _under(model, "5.3") if isinstance(b, Paragraph))
    assert "Holm" in intro and "Newcombe" in intro


def test_docx_headings_reach_the_navigation_pane_and_the_table_reads_back(stored):
    document = Document(stored["paths"]["docx"])
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert ("Heading 2", SECTION) in headings and ("Heading 3", SURVEY) in headings
    assert ("Heading 4", "5.3.1.1 What moved") in headings and ("Heading 4", "5.3.1.2 What did not move") in headings
    cells = {c.text for t in document.tables for r in t.rows for c in r.cells}
    assert _label(PLANTED) in cells and "Holm-adjusted p" in cells


def test_pdf_text_and_bookmarks_carry_the_section(stored):
    reader = PdfReader(stored["paths"]["pdf"])
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    assert "What moved since the earlier wave" in text and "What did not move" in text
    assert "Holm-adjusted p" in text

    def titles(items):
        for item in items:
            if isinstance(item, list):
                yield from titles(item)
            else:
                yield item.title

    assert SECTION in list(titles(reader.outline))


def test_the_published_report_shows_rounded_figures_and_no_test(stored):
    model = stored["lead"]
    assert [f"{h.number} {h.text}" for h in model.headings()][-3:] == [SECTION, SURVEY, "5.3.1.1 Each wave's figures"]
    blocks = [b for h in ("5.3", "5.3.1", "5.3.1.1") for b in _under(model, h)]
    text = " ".join(b.text for b in blocks if isinstance(b, Paragraph))
    assert "analysts only" in text and "moved" not in text.replace("whether any of them moved", "")
    table = next(b for b in blocks if isinstance(b, DataTable))
    assert table.header == ["Question", "Answer", f"Wave {FIRST}", f"Wave {SECOND}"]
    counts = [int(n) for r in table.rows for cell in r[2:] for n in re.findall(r"n=(\d+)|(\d+)/", cell)
              for n in n if n]
    assert counts and all(n % 10 == 0 for n in counts)
    assert not re.search(r"\bp\b|z-test|Fisher|Welch|95% interval|points", text + " ".join(" ".join(r) for r in table.rows))


def test_a_published_report_refuses_a_tested_comparison(stored):
    with pytest.raises(ValueError, match="disclosure"):
        build_report(stored["analyst"], disclosure=PUBLISHED)


def test_report_compare_with_on_the_command_line(stored):
    out = stored["paths"]["html"]
    result = CliRunner().invoke(app, ["report", "--wave", SECOND, "--compare-with", FIRST, "--out", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert SECTION in html and "5.3.1.1 What moved" in html
    unknown = CliRunner().invoke(app, ["report", "--wave", SECOND, "--compare-with", "no-such", "--out", str(out)])
    assert unknown.exit_code == 2 and "no wave called 'no-such'" in unknown.output
    assert "Traceback" not in unknown.output
    itself = CliRunner().invoke(app, ["report", "--wave", SECOND, "--compare-with", SECOND, "--out", str(out)])
    assert itself.exit_code == 2 and "itself" in itself.output
    files = CliRunner().invoke(app, ["report", "--input", "x.csv", "--instrument", "leads", "--compare-with", FIRST,
                                     "--out", str(out)])
    assert files.exit_code == 2 and "--wave" in files.output
