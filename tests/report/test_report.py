"""The generated report, read back: DOCX through python-docx, PDF through text extraction and its
outline, HTML through a strict HTML5 parser. Headings (the study's chapter 5, four levels deep), every
figure and table, and numbers equal to the analysis."""

import io
import json
import re
from pathlib import Path

import html5lib
import pytest
from docx import Document
from docx.oxml.ns import qn
from pypdf import PdfReader
from typer.testing import CliRunner

from nmahp.analysis import TableKey, analyse, compute_table, response_frame, share
from nmahp.analysis.coding_frames import normalise
from nmahp.analysis.disclosure import EXACT
from nmahp.cli import app
from nmahp.importers import import_file
from nmahp.instruments import get_instrument
from nmahp.report import Figure, Heading, Paragraph, SurveyData, build_report, document, render_docx, render_pdf
from nmahp.report.model import DataTable

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
INPUTS = ["--input", str(FIXTURES / "report_nmahp_surveymonkey.csv"), "--instrument", "nmahp",
          "--input", str(FIXTURES / "report_leads_surveymonkey.csv"), "--instrument", "leads"]
# the study's chapter 5 headings, numbers and titles as the study has them (tests/fixtures/reference)
SECTIONS = json.loads((FIXTURES / "reference" / "report_sections.json").read_text(encoding="utf-8"))["sections"]
STUDY_HEADINGS = [(s["section"].count(".") + 1, f"{s['section']} {s['heading']}") for s in SECTIONS
                  if s["section"].split(".")[0] == "5"]
HEADINGS = [text for _, text in STUDY_HEADINGS]


def surveys():
    out = []
    for name, file in (("nmahp", "report_nmahp_surveymonkey.csv"), ("leads", "report_leads_surveymonkey.csv")):
        form = get_instrument(name)
        result = import_file(FIXTURES / file, form)
        out.append(SurveyData(form, response_frame(form, [r.answers for r in result.respondents]), file))
    return out


@pytest.fixture(scope="module")
def inputs():
    return surveys()


@pytest.fixture(scope="module")
def model(inputs):
    return build_report(inputs, title="Survey findings", disclosure=EXACT)  # the analysts' report


def under(model, number: str) -> list:
    """The blocks under heading `number`, up to the next heading."""
    blocks = model.blocks
    start = next(i for i, b in enumerate(blocks) if isinstance(b, Heading) and b.number == number)
    end = next((i for i in range(start + 1, len(blocks)) if isinstance(blocks[i], Heading)), len(blocks))
    return blocks[start + 1:end]


@pytest.fixture(scope="module")
def written(tmp_path_factory, model):
    """The HTML through the command line (what an analyst runs); the DOCX and PDF of the same model
    through their renderers (one build of the report for all three, to keep the suite fast)."""
    folder = tmp_path_factory.mktemp("report")
    paths = {fmt: folder / f"report.{fmt}" for fmt in ("html", "docx", "pdf")}
    result = CliRunner().invoke(app, ["report", *INPUTS, "--out", str(paths["html"])])
    assert result.exit_code == 0, result.output
    paths["docx"].write_bytes(render_docx(model))
    paths["pdf"].write_bytes(render_pdf(model))
    return paths


def _outline(items, depth=1):
    out = []
    for item in items:
        if isinstance(item, list):
            out += _outline(item, depth + 1)
        else:
            out.append((depth, item.title))
    return out


def test_figures_and_tables_are_numbered_in_order(model):
    assert [f.number for f in model.figures()] == list(range(1, len(model.figures()) + 1))
    assert [t.number for t in model.tables()] == list(range(1, len(model.tables()) + 1))
    assert len(model.figures()) >= 50 and len(model.tables()) >= 12


def test_every_reference_in_the_text_points_at_a_real_figure_or_table(model):
    figures = {f.number for f in model.figures()}
    tables = {t.number for t in model.tables()}
    cited_figures, cited_tables = set(), set()
    for block in model.blocks:
        if isinstance(block, Paragraph):
            cited_figures |= {int(n) for n in re.findall(r"Fig\. (\d+)", block.text)}
            cited_tables |= {int(n) for n in re.findall(r"Table (\d+)", block.text)}
    assert cited_figures <= figures and cited_tables <= tables
    assert cited_figures == figures  # every figure is cited from the text


def test_every_figure_has_alt_text_title_and_base(model):
    for figure in model.figures():
        assert len(figure.alt) > 40 and figure.title
        assert "Base:" in figure.base_note
        assert figure.png.startswith(b"\x89PNG") and figure.svg.lstrip().startswith("<?xml")


def test_sentences_use_the_analysis_numbers(model):
    text = " ".join(b.text for b in model.blocks if isinstance(b, Paragraph))
    assert "75% (n=129) of respondents chose interested/very interested for research" in text  # 5.1.7
    assert "compared with 65% (n=110) for teaching and learning" in text
    # computed, not the report's 5.58 / 5.15
    assert "The weighted averages were 3.96 for research and 3.66 for teaching and learning" in text
    assert "“Clinical and research” positions were the most popular overall, with 71% (n=105)" in text
    assert ": 9/16" in text and "9/16 (" not in text  # leads: counts as n/N, never a percentage


def test_markedly_only_where_the_analysis_flags_it(model, inputs):
    nmahp = inputs[0]
    tables = {t.id: t for t in analyse(nmahp.frame, nmahp.instrument, by=["professional_group"], disclosure=EXACT)}
    claims = [b.text for b in model.blocks if isinstance(b, Paragraph) and "markedly" in b.text]
    for claim in claims:
        for label in re.findall(r"chose “([^”]+)”", claim):
            flagged = [t for t in tables.values() if t.by == "professional_group"
                       for test in t.tests if test.marked and t.cell(test.option).label == label]
            assert flagged, f"'markedly' said of {label!r} without a marked difference"
    # and the report's own unsupported claim (teaching only, 52% vs 36%) is not repeated
    assert not any("Teaching only" in c for c in claims)


def test_likert_tables_match_the_analysis(model):
    table = next(t for t in model.tables() if t.caption == "Knowledge and skills")
    research = table.rows[0]
    assert research[0] == "Research (N=166)"
    assert research[1:6] == ["5.42% 9", "16.87% 28", "27.71% 46", "40.36% 67", "9.64% 16"]  # Table 1A
    assert research[6] == "3.32"
    leads = [t for t in model.tables() if t.caption == "Knowledge and skills"][1]
    assert leads.rows[0] == ["Research (N=15)", "2", "2", "5", "5", "1", "3.07"]  # Table 6A, counts only


def test_table_5a_in_the_report(model):
    table = next(t for t in model.tables() if t.caption == "Interest in roles and contracts")
    assert table.rows[0] == ["Clinical and research", "55.24% 58", "52.38% 55", "8.57% 9", "23.81% 25",
                             "12.38% 13", "105 (71.43%)"]


def test_the_report_has_every_heading_of_the_studys_chapter_5(model):
    assert {level for level, _ in STUDY_HEADINGS} == {1, 2, 3, 4}  # the reference reaches 5.1.1.1
    assert [(h.level, f"{h.number} {h.text}") for h in model.headings()] == STUDY_HEADINGS


def test_docx_headings_are_word_heading_styles_at_the_studys_levels(written):
    document = Document(written["docx"])
    headings = [(int(p.style.name.removeprefix("Heading ")), p.text) for p in document.paragraphs
                if re.fullmatch(r"Heading \d", p.style.name)]
    assert headings == STUDY_HEADINGS  # the navigation pane lists every question, at its level
    assert {level for level, _ in headings} == {1, 2, 3, 4}
    instructions = [i.text for i in document.element.body.iter(qn("w:instrText"))]
    assert any('TOC \\o "1-4"' in i for i in instructions)  # the contents go down to 5.1.1.1


def test_pdf_bookmarks_are_the_studys_headings(written):
    reader = PdfReader(written["pdf"])
    assert _outline(reader.outline) == STUDY_HEADINGS


def test_docx_has_word_headings_captions_toc_and_alt_text(written, model):
    document = Document(written["docx"])
    captions = [p.text for p in document.paragraphs if p.style.name == "Caption"]
    figure_captions = [c for c in captions if c.startswith("Figure ")]
    assert [int(re.match(r"Figure (\d+)", c).group(1)) for c in figure_captions] == \
        [f.number for f in model.figures()]
    assert len([c for c in captions if c.startswith("Table ")]) == len(model.tables())
    body = document.element.body
    instructions = [i.text for i in body.iter(qn("w:instrText"))]
    assert any(i.strip().startswith("TOC") for i in instructions)
    assert sum(1 for i in instructions if "SEQ Figure" in i) == len(model.figures())
    pictures = list(body.iter(qn("wp:docPr")))
    assert len(pictures) == len(model.figures()) and all(len(p.get("descr", "")) > 40 for p in pictures)
    assert len(document.inline_shapes) == len(model.figures())
    grid = next(t for t in document.tables if t.rows[1].cells[0].text == "Research (N=166)")
    assert [c.text for c in grid.rows[1].cells][1:] == ["5.42% 9", "16.87% 28", "27.71% 46", "40.36% 67",
                                                        "9.64% 16", "3.32"]


def test_pdf_has_page_numbers_headings_figures_and_numbers(written, model):
    reader = PdfReader(written["pdf"])
    pages = [page.extract_text() for page in reader.pages]
    text = "\n".join(pages)
    flat = " ".join(text.split())
    assert "Page 1 of" in pages[0] and f"Page {len(pages)} of {len(pages)}" in pages[-1]
    for heading in HEADINGS:
        assert " ".join(heading.split()) in flat, heading
    for figure in model.figures():
        assert f"Figure {figure.number}:" in flat
    for table in model.tables():
        assert f"Table {table.number}:" in flat
    assert "75% (n=129)" in flat and "3.96" in flat


def test_html_is_valid_and_every_image_has_alt_text(written, model):
    html = written["html"].read_text(encoding="utf-8")
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    tree = parser.parse(io.StringIO(html))  # raises on any parse error
    images = tree.findall(".//img")
    assert len(images) == len(model.figures())
    assert all(len(img.get("alt", "")) > 40 for img in images)
    ids = [e.get("id") for e in tree.iter() if e.get("id")]
    assert len(ids) == len(set(ids))  # anchors are unique
    for link in tree.iter("a"):
        href = link.get("href")
        assert href.startswith("#") and href[1:] in ids
    figure_tables = tree.findall(".//figure//table")
    assert len(figure_tables) == len(model.figures())  # the data beside every figure
    headings = [(int(e.tag[1]) - 1, "".join(e.itertext())) for e in tree.find(".//main").iter()
                if e.tag in ("h2", "h3", "h4", "h5", "h6")]
    assert headings == STUDY_HEADINGS  # h2 the chapter ... h5 5.1.1.1


def test_report_refuses_a_bad_format(tmp_path):
    result = CliRunner().invoke(app, ["report", *INPUTS, "--out", str(tmp_path / "r.txt")])
    assert result.exit_code == 2 and "--format must be html, docx or pdf" in result.output
    assert not (tmp_path / "r.txt").exists()


def test_figure_blocks_are_figures(model):
    assert all(isinstance(f, Figure) for f in model.figures())


@pytest.mark.db
@pytest.mark.django_db
def test_report_from_a_stored_wave_covers_both_surveys(tmp_path):
    runner = CliRunner()
    for name, file in (("nmahp", "report_nmahp_surveymonkey.csv"), ("leads", "report_leads_surveymonkey.csv")):
        result = runner.invoke(app, ["import", "surveymonkey", str(FIXTURES / file), "--instrument", name,
                                     "--wave", "2023"])
        assert result.exit_code == 0, result.output
    out = tmp_path / "wave.html"
    result = runner.invoke(app, ["report", "--wave", "2023", "--out", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "5.1 NMAHP survey" in html and "5.2 NMAHP Leads survey" in html
    assert "In total, 174 clinicians" in html and "In total, 16 NMAHP leads" in html
    assert "Regenerated from wave 2023" in html


def test_the_sparking_grid_is_one_figure_over_everyone_who_answered_any_row(model, inputs):
    nmahp = inputs[0]
    grid = compute_table(nmahp.frame, nmahp.instrument, TableKey("sparking_interest", measure="grid"), disclosure=EXACT)
    figure = next(b for b in under(model, "5.1.7.1") if isinstance(b, Figure))
    assert f"Base: {grid.base_n} respondents who answered any row" in figure.base_note
    assert figure.data.header == ["", "Research", "Teaching and learning", "Any of these"]
    assert [r[0] for r in figure.data.rows] == [r.label for r in grid.rows]  # every row, every column
    for row, shown in zip(grid.rows, figure.data.rows, strict=True):
        cells = [grid.cell(c) for c in row.columns] + [grid.cell(row.any)]
        assert shown[1:] == [share(c.count, grid.base_n, False) for c in cells]  # each over the grid's base


def test_coded_text_measures_tallies_and_crosstab_sit_under_their_headings(model, inputs):
    nmahp = inputs[0]
    tables = {t.key: t for t in analyse(nmahp.frame, nmahp.instrument, by=[], disclosure=EXACT)}
    titles = next(b for b in under(model, "5.1.1.1") if isinstance(b, Figure) and "Job titles" in b.title)
    coded = tables[TableKey("job_title_category")]
    assert f"{coded.mentions} codes were given in all" in titles.base_note
    assert f"Base: {coded.base_n} respondents" in titles.base_note
    combined = next(b for b in under(model, "5.1.1.10") if isinstance(b, DataTable) and b.caption == "Answers combined")
    more = tables[TableKey("more_than_one_organisation_type")]
    assert combined.rows[0][:3] == [more.label, share(more.cell("yes").count, more.base_n, False), str(more.base_n)]
    tally = next(b for b in under(model, "5.1.1.1") if isinstance(b, DataTable) and "answers given" in b.caption)
    other = tables[TableKey("profession_other_answers")]
    assert sum(int(r[1]) for r in tally.rows) == sum(c.count for c in other.cells)
    crossed = next(b for b in under(model, "5.1.2.2") if isinstance(b, DataTable) and " by " in b.caption)
    assert crossed.note.startswith("Percentages are of each column") and "Test of the whole table:" in crossed.note


def test_an_analysts_override_of_a_coded_answer_changes_the_report(inputs, monkeypatch):
    outline = {"chapter": {"number": "5", "title": "Survey findings"},
               "nmahp_survey": {"number": "5.1", "title": "NMAHP survey", "intro": "{respondents}",
                                "sections": [{"number": "5.1.1", "title": "Profession",
                                              "items": ["job_title_category"]}]}}
    monkeypatch.setattr(document, "load_outline", lambda: outline)
    nmahp = inputs[0]
    title = next(t for t in nmahp.frame.get_column("job_title").drop_nulls()
                 if "physio" in t.lower() and not re.search("[/;]|research", t, re.I))

    def research(overrides):
        survey = SurveyData(nmahp.instrument, nmahp.frame, nmahp.source, overrides=overrides)
        figure = build_report([survey], disclosure=EXACT).figures()[0]
        return next(r[1] for r in figure.data.rows if r[0] == "Research-related"), figure.base_note

    before, _ = research(None)
    after, note = research({"job_title_category": {normalise(title): ("research",)}})
    assert before != after and "with the codes of 1 answer changed by analysts" in note
