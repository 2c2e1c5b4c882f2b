"""Assemble the report's chapter 5 from a wave's responses: walk the outline heading by heading (the
study's own numbers and titles, four levels deep), and put each heading's items under it."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files

import polars as pl
import yaml

from ..analysis import Table, TableKey, analyse, compute_table
from ..analysis.counts import ROLE_QUESTION
from ..analysis.disclosure import PUBLISHED, Disclosure
from ..analysis.groups import PROFESSIONAL_GROUP
from ..instruments import Instrument
from ..study import STUDY
from . import changes, sentences
from .builder import Builder, short_title
from .model import Heading, Paragraph, Report

OUTLINE = files("nmahp.report") / "outline.yaml"  # package data; read through the Traversable, so zips work too


@dataclass
class SurveyData:
    instrument: Instrument
    frame: pl.DataFrame
    source: str
    themes: list | None = None  # theme rows of the wave's coded open text (nmahp.qualitative.themes)
    quotes: dict | None = None  # code name -> quotes in the report's style
    overrides: dict | None = None  # analysts' changes to coded answers (nmahp.analysis.derived.Overrides)
    # an earlier wave of the same survey compared with this one (nmahp.app.compare.WaveComparison), computed
    # under the report's disclosure; the report then says what moved and what did not (nmahp.report.changes)
    comparison: object | None = None


def load_outline() -> dict:
    with OUTLINE.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def level_of(number: str) -> int:
    """A heading's level is its number's depth: 5 -> 1, 5.1 -> 2, 5.1.1 -> 3, 5.1.1.1 -> 4."""
    return number.count(".") + 1


def outline_headings(outline: dict | None = None) -> list[tuple[str, str]]:
    """Every (number, title) of the outline in reading order, the chapter's first."""
    outline = outline or load_outline()
    found = [(outline["chapter"]["number"], outline["chapter"]["title"])]

    def walk(node: dict) -> None:
        found.append((node["number"], " ".join(node["title"].split())))
        for child in node.get("sections", []):
            walk(child)

    for key, part in outline.items():
        if key != "chapter":
            walk(part)
    return found


def build_report(surveys: list[SurveyData], *, title: str = "Survey findings", subtitle: str = "",
                 disclosure: Disclosure = PUBLISHED) -> Report:
    """The report's chapter 5 from the surveys' responses. By default its figures follow the disclosure
    policy, as a report for leads must (docs/disclosure.md); analysts pass `disclosure=EXACT`."""
    outline = load_outline()
    if not disclosure.exact and any(c.tested for s in surveys if s.comparison for c in s.comparison.comparisons):
        raise ValueError("a report under disclosure control cannot carry tested comparisons: compare the waves "
                         "under the report's disclosure")
    builder = Builder(title, subtitle, disclosure)
    chapter = outline["chapter"]
    builder.add(Heading(level_of(chapter["number"]), chapter["number"], chapter["title"]),
                Paragraph(sentences.disclosure_statement(disclosure)))
    for survey in surveys:
        form = survey.instrument
        part = outline.get(form.form_id)
        if part is None:
            continue
        tables = {t.key: t for t in analyse(survey.frame, form, by=[PROFESSIONAL_GROUP], disclosure=disclosure,
                                            overrides=survey.overrides)}
        builder.labels = {q.name: q.label for q in form.questions.values() if q.label}
        builder.add(Heading(level_of(part["number"]), part["number"], part["title"]),
                    Paragraph(" ".join(part["intro"].split()).format(respondents=_respondents(survey, disclosure))))
        for section in part["sections"]:
            _section(builder, survey, tables, section)
    compared = [(outline[s.instrument.form_id]["title"], s.comparison) for s in surveys
                if s.comparison is not None and s.instrument.form_id in outline]
    if compared:  # after the surveys' findings, numbered as the next of them (5.3 after 5.1 and 5.2)
        parts = [key for key in outline if key != "chapter"]
        changes.section(builder, f"{chapter['number']}.{len(parts) + 1}", compared)
    return builder.report


def _respondents(survey: SurveyData, disclosure: Disclosure) -> str:
    """How many answered, as the disclosure control lets it be said (rounded, or 'fewer than 8')."""
    shown = disclosure.respondents(survey.frame.height)
    return disclosure.hidden_label if shown is None else str(shown)


def _section(builder: Builder, survey: SurveyData, tables: dict[TableKey, Table], section: dict) -> None:
    builder.add(Heading(level_of(section["number"]), section["number"], " ".join(section["title"].split())))
    for item in section.get("items", []):
        _item(builder, survey, tables, item, section)
    for child in section.get("sections", []):
        _section(builder, survey, tables, child)


def _item(builder: Builder, survey: SurveyData, tables: dict[TableKey, Table], item, section) -> None:
    def table(question: str, by: str | None = None, measure: str = "answers") -> Table | None:
        return tables.get(TableKey(question, by, measure))

    if item == "key_demographics":
        builder.key_demographics(tables, [q for q in STUDY.demographics if TableKey(q) in tables])
    elif item == "role_contract":
        roles = table(ROLE_QUESTION, measure="role_contract")
        if roles is not None:
            builder.role_contract(roles, table(ROLE_QUESTION, PROFESSIONAL_GROUP))
    elif item == "themes":
        if survey.themes:
            builder.themes(survey.themes, survey.quotes or {})
    elif isinstance(item, str):
        found = table(item)
        kind = (found.source or {}).get("kind") if found is not None else None
        if kind == "tally":
            builder.other_answers(found)
        elif kind == "measure" and any(c.option == "yes" for c in found.cells):
            builder.measures([found])
        elif found is not None:
            builder.question(found, None)
    elif "grid" in item:
        grid = table(item["grid"], measure="grid")
        if grid is not None:
            builder.grid(grid, survey.frame.height)
            split = table(item["grid"], PROFESSIONAL_GROUP, "grid") if item.get("compare") else None
            if split is not None and len(split.groups) >= 2:
                builder.comparison(grid, split, short_title(grid.label))
    elif "measures" in item:
        builder.measures([table(q) for q in item["measures"] if table(q) is not None])
    elif "crosstab" in item:
        question, by = item["crosstab"]
        try:
            crossed = compute_table(survey.frame, survey.instrument, TableKey(question, by, "crosstab"),
                                    disclosure=builder.disclosure, overrides=survey.overrides)
        except KeyError:
            return  # a question this wave's instrument does not have
        builder.crosstab(crossed)
    elif "key_demographics" in item:
        builder.key_demographics(tables, [q for q in item["key_demographics"] if TableKey(q) in tables])
    elif "open_text" in item:
        name = item["open_text"]
        if name in survey.instrument.questions:
            builder.open_text(survey.frame, name, survey.instrument.question(name).label)
    elif "likert_pair" in item:
        builder.likert([table(q) for q in item["likert_pair"] if table(q) is not None],
                       item.get("title", section["title"]))
    elif "likert_single" in item:
        if table(item["likert_single"]) is not None:
            builder.likert([table(item["likert_single"])], item.get("title", section["title"]))
    elif "question" in item and table(item["question"]) is not None:
        compare = table(item["question"], PROFESSIONAL_GROUP) if item.get("compare") else None
        builder.question(table(item["question"]), compare)
