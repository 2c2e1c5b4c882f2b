"""Assemble the report's chapter 5 from a wave's responses: walk the outline, take each table from
the analysis engine, draw its figure, write its sentences, number everything in order."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files

import polars as pl
import yaml

from ..analysis import Table, TableKey, analyse, share
from ..analysis.counts import ROLE_QUESTION
from ..analysis.disclosure import PUBLISHED, Disclosure
from ..analysis.groups import PROFESSIONAL_GROUP
from ..instruments import Instrument
from ..study import STUDY
from . import figures, sentences
from .model import DataTable, Figure, Heading, Paragraph, Report

OUTLINE = files("nmahp.report") / "outline.yaml"  # package data; read through the Traversable, so zips work too
MAX_BARS = 14  # single-choice questions with long option lists show their answered options only


@dataclass
class SurveyData:
    instrument: Instrument
    frame: pl.DataFrame
    source: str
    themes: list | None = None  # theme rows of the wave's coded open text (nmahp.qualitative.themes)
    quotes: dict | None = None  # code name -> quotes in the report's style


def load_outline() -> dict:
    with OUTLINE.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def row_name(question: str, label: str) -> str:
    if "teaching" in question:
        return "Teaching and learning"
    if "research" in question:
        return "Research"
    return label


class Builder:
    def __init__(self, title: str, subtitle: str):
        self.report = Report(title, subtitle)
        self.figure_number = 0
        self.table_number = 0

    # --- numbering -------------------------------------------------------------------------------------
    def next_figure(self) -> int:
        self.figure_number += 1
        return self.figure_number

    def next_table(self) -> int:
        self.table_number += 1
        return self.table_number

    def add(self, *blocks) -> None:
        self.report.blocks.extend(b for b in blocks if b is not None)

    # --- items -----------------------------------------------------------------------------------------
    def question(self, table: Table, compare: Table | None) -> None:
        number = self.next_figure()
        counts_only = table.counts_only
        cells = list(table.cells)
        if len(cells) > MAX_BARS:
            cells = [c for c in cells if c.count]
        values = [(c.count or 0) if counts_only else (c.percent or 0.0) for c in cells]
        notes = [share(c.count, table.base_n, counts_only) for c in cells]
        multi = table.kind in ("multi", "top3")
        base_note = (f"Base: {table.base_n} respondents who answered this question."
                     + (" Respondents could choose more than one option." if multi else "")
                     + (" Counts are shown as n/N because N < 50." if counts_only else ""))
        xlabel = "Number of respondents" if counts_only else "Percentage of respondents"
        png, svg = figures.bars(table.label, [c.label for c in cells], values, xlabel=xlabel, base_note=base_note,
                                annotations=notes)
        data = DataTable(0, f"Data for Figure {number}", ["Answer", "Respondents" if counts_only else "Share"],
                         [[c.label, notes[i]] for i, c in enumerate(cells)], note=base_note)
        ranked = sorted(cells, key=lambda c: -(c.count or 0))[:5]
        alt = (f"Horizontal bar chart: {table.label} ({table.base_n} respondents). "
               + "; ".join(f"{c.label}: {share(c.count, table.base_n, counts_only)}" for c in ranked) + ".")
        chosen_as = "put" if table.kind == "top3" else "selected"
        text = sentences.top_options(table, number, chosen_as=chosen_as)
        if table.kind == "top3":
            text = text.replace(f"(see Fig. {number})", f"among their top three (see Fig. {number})")
        self.add(Paragraph(text), Figure(number, table.label, alt, png, svg, data, base_note))
        if compare is not None and len(compare.groups) >= 2:
            self.comparison(table, compare)

    def comparison(self, overall: Table, breakdown: Table) -> None:
        groups = [g for g in breakdown.groups if g.name in STUDY.compared_groups and g.base_n]
        if len(groups) < 2:
            return
        number = self.next_figure()
        order = [c.option for c in sorted(overall.cells, key=lambda c: -(c.count or 0)) if c.count][:10]
        labels = [overall.cell(o).label for o in order]
        series = {STUDY.group(g.name).short_label + f" (N={g.base_n})":
                  [100 * (g.cell(o).count or 0) / g.base_n for o in order] for g in groups}
        base_note = "Base: respondents in each group who answered. Differences are tested with Fisher's exact test, " \
                    "Holm-corrected across the options."
        first, second = (STUDY.group(g).in_sentence for g in STUDY.compared_groups)
        title = f"{overall.label} ({first} compared with {second})"
        png, svg = figures.grouped_bars(title, labels, series,
                                        xlabel="Percentage of respondents in the group", base_note=base_note)
        tests = {t.option: t for t in breakdown.tests}
        header = ["Answer"] + list(series) + ["Adjusted p", "Marked difference"]
        rows = []
        for option, label in zip(order, labels, strict=True):
            test = tests.get(option)
            rows.append([label] + [f"{values[order.index(option)]:.0f}%" for values in series.values()]
                        + [f"{test.p_adjusted:.3f}" if test and test.p_adjusted is not None else "",
                           "yes" if test and test.marked else "no"])
        data = DataTable(0, f"Data for Figure {number}", header, rows, note=base_note)
        alt = (f"Grouped bar chart comparing {first} with {second} for {overall.label}. "
               + "; ".join(f"{r[0]}: {r[1]} against {r[2]}" for r in rows[:5]) + ".")
        text = sentences.comparison(breakdown, number)
        self.add(Paragraph(text) if text else None,
                 Figure(number, title, alt, png, svg, data, base_note))

    def likert(self, tables: list[Table], title: str) -> None:
        if not tables or not tables[0].cells:
            return
        figure_number, table_number = self.next_figure(), self.next_table()
        counts_only = any(t.counts_only for t in tables)
        points = [c.label for c in tables[0].cells]
        names = [row_name(t.question, t.label) for t in tables]
        rows = [(f"{name} (N={t.base_n})", [c.count or 0 for c in t.cells]) for name, t in zip(names, tables,
                                                                                               strict=True)]
        base_note = "Base: respondents who answered each item." + (
            " Counts are shown because N < 50." if counts_only else "")
        png, svg = figures.diverging(title, rows, points, counts_only=counts_only, base_note=base_note)
        header = [""] + [f"{i}. {p}" for i, p in enumerate(points, start=1)] + ["Weighted average"]
        body = []
        for (label, counts), table in zip(rows, tables, strict=True):
            cells = [str(n) if counts_only else f"{100 * n / table.base_n:.2f}% {n}" for n in counts]
            average = f"{table.weighted_average:.2f}" if table.weighted_average is not None else ""
            body.append([label] + cells + [average])
        data_table = DataTable(table_number, title, header, body,
                               note="Weighted average: sum of (point x count) / N on the 1-5 scale, computed "
                                    "from the counts.")
        alt = f"Diverging stacked bar chart: {title}. " + " ".join(
            f"{label}: " + ", ".join(f"{p} {n}" for p, n in zip(points, counts, strict=True)) + "."
            for label, counts in rows)
        spoken = [n.lower() if n in ("Research", "Teaching and learning") else "this item" for n in names]
        self.add(Paragraph(sentences.likert(tables, table_number, figure_number, spoken)),
                 Figure(figure_number, title, alt, png, svg, DataTable(0, f"Data for Figure {figure_number}", header,
                                                                         body), base_note),
                 data_table)

    def role_contract(self, table: Table, compare: Table | None) -> None:
        if not table.roles:
            return
        figure_number, table_number = self.next_figure(), self.next_table()
        contracts = [c.label for c in table.roles[0].contracts]
        header = ["Role and contract"] + [c.upper() for c in contracts] + ["Total"]
        rows = []
        for role in table.roles:
            cells = [f"{c.percent:.2f}% {c.count}" if c.percent is not None else f"{c.count}/{role.interested}"
                     for c in role.contracts]
            total = f"{role.interested} ({role.percent:.2f}%)" if role.percent is not None else \
                f"{role.interested}/{table.base_n}"
            rows.append([role.label] + cells + [total])
        data_table = DataTable(table_number, "Interest in roles and contracts", header, rows,
                               note=f"Base: {table.base_n} respondents. Contract percentages are of those interested "
                                    "in the role.")
        values = [r.percent or 0 for r in table.roles]
        notes = [share(r.interested, table.base_n, table.counts_only) for r in table.roles]
        base_note = f"Base: {table.base_n} respondents who answered the roles and contracts question."
        png, svg = figures.bars("Interest in roles (any contract)", [r.label for r in table.roles], values,
                                xlabel="Percentage of respondents", base_note=base_note, annotations=notes)
        top = table.roles[0]
        text = (f"{sentences.quoted(top.label)} positions were the most popular overall, with "
                f"{share(top.interested, table.base_n, table.counts_only)} of respondents interested in one or "
                f"more contracts in this role (see Table {table_number} and Fig. {figure_number}). "
                f"{sentences.quoted(table.roles[-1].label)} roles were of least interest "
                f"({share(table.roles[-1].interested, table.base_n, table.counts_only)}).")
        alt = "Horizontal bar chart: interest in roles. " + "; ".join(
            f"{r.label}: {n}" for r, n in zip(table.roles, notes, strict=True)) + "."
        self.add(Paragraph(text), data_table,
                 Figure(figure_number, "Interest in roles (any contract)", alt, png, svg,
                        DataTable(0, f"Data for Figure {figure_number}", ["Role", "Interested"],
                                  [[r.label, n] for r, n in zip(table.roles, notes, strict=True)]), base_note))
        if compare is not None:
            self.comparison(next_overall(table), compare)

    def sparking(self, survey: SurveyData, tables: dict[TableKey, Table]) -> None:
        names = [k.question for k in tables if k.by is None and k.question.startswith("sparked_by_")]
        if not names:
            return
        frame = survey.frame
        base = frame.filter(pl.any_horizontal([pl.col(n).is_not_null() for n in names])).height
        number = self.next_figure()
        rows = [tables[TableKey(n)] for n in names]
        research = [100 * (t.cell("research").count or 0) / base if base else 0 for t in rows]
        teaching = [100 * (t.cell("teaching").count or 0) / base if base else 0 for t in rows]
        labels = [t.label for t in rows]
        base_note = f"Base: {base} respondents who answered. Each could choose research, teaching and learning or both."
        png, svg = figures.grouped_bars("What sparked interest in research and teaching and learning", labels,
                                        {"Research": research, "Teaching and learning": teaching},
                                        xlabel="Percentage of respondents", base_note=base_note)
        either = sorted(rows, key=lambda t: -t.base_n)
        text = ("Nearly all respondents named something that sparked their interest. Most often it was "
                + sentences._listing([_either(t) for t in either[:3]], base, False)
                + f" (see Fig. {number}).")
        data = DataTable(0, f"Data for Figure {number}", ["Sparked by", "Research", "Teaching and learning",
                                                          "Either"],
                         [[t.label, f"{r:.0f}%", f"{te:.0f}%", share(t.base_n, base, False)]
                          for t, r, te in zip(rows, research, teaching, strict=True)], note=base_note)
        alt = "Grouped bar chart of what sparked interest, research against teaching and learning. " + "; ".join(
            f"{t.label}: research {r:.0f}%, teaching {te:.0f}%" for t, r, te in zip(rows, research, teaching,
                                                                                   strict=True)) + "."
        self.add(Paragraph(text), Figure(number, "What sparked interest", alt, png, svg, data, base_note))

    def key_demographics(self, tables: dict[TableKey, Table], questions: list[str]) -> None:
        number = self.next_table()
        rows = []
        for name in questions:
            table = tables.get(TableKey(name))
            if table is None or not table.base_n:
                continue
            top = max(table.cells, key=lambda c: c.count or 0)
            rows.append([table.label if name != "professional_group" else "Professional group", top.label,
                         share(top.count, table.base_n, table.counts_only)])
        self.add(Paragraph(f"Table {number} summarises the largest group for each characteristic."),
                 DataTable(number, "Key demographics: the largest group for each characteristic",
                           ["Characteristic", "Largest group", "Share"], rows))


def _open_text_themes(self, number: str, rows, quotes: dict) -> None:
    """Themes of the coded open text, in order of frequency, with numbered participants' quotes."""
    self.add(Heading(3, number, "Open-text themes"))
    coded = [r for r in rows if r.highlights]
    if not coded:
        return
    compared = [STUDY.group(g) for g in STUDY.compared_groups]
    table_number = self.next_table()
    self.add(Paragraph(f"The open-text comments were coded into {len(coded)} themes, listed in Table {table_number} "
                       "by how many participants raised them."),
             DataTable(table_number, "Open-text themes by frequency",
                       ["Theme", "Participants", *(g.short_label for g in compared), "Comments coded"],
                       [[(f"{r.parent}: " if r.parent else "") + r.code, str(r.participants),
                         *(str(r.by_group.get(g.id, 0)) for g in compared), str(r.highlights)] for r in coded]))
    for row in coded[:5]:
        for quote in quotes.get(row.code, [])[:2]:
            self.add(Paragraph(f"{row.code}: {quote}"))


Builder.open_text_themes = _open_text_themes


def _either(table: Table):
    from ..analysis import Cell

    return Cell(table.question, table.label, table.base_n, None)


def next_overall(table: Table) -> Table:
    """Table 5A's roles as a plain table, for the group comparison figure."""
    from ..analysis import Cell

    cells = [Cell(r.role, r.label, r.interested, r.percent) for r in table.roles]
    return Table(key=TableKey(table.question), question=table.question, label="Interest in roles", kind="multi",
                 base_n=table.base_n, cells=cells)


def build_report(surveys: list[SurveyData], *, title: str = "Survey findings", subtitle: str = "",
                 disclosure: Disclosure = PUBLISHED) -> Report:
    """The report's chapter 5 from the surveys' responses. By default its figures follow the disclosure
    policy, as a report for leads must (docs/disclosure.md); analysts pass `disclosure=EXACT`."""
    outline = load_outline()
    builder = Builder(title, subtitle)
    builder.add(Heading(1, "5", "Survey findings"))
    for survey in surveys:
        form = survey.instrument
        part = outline.get(form.form_id)
        if part is None:
            continue
        tables = {t.key: t for t in analyse(survey.frame, form, by=[PROFESSIONAL_GROUP], disclosure=disclosure)}
        builder.add(Heading(2, part["number"], part["title"]),
                    Paragraph(" ".join(part["intro"].split()).format(respondents=survey.frame.height)))
        for section in part["sections"]:
            builder.add(Heading(3, section["number"], section["title"]))
            for item in section["items"]:
                _item(builder, survey, tables, item, section)
        if survey.themes:
            last = part["sections"][-1]["number"].rsplit(".", 1)
            builder.open_text_themes(f"{last[0]}.{int(last[1]) + 1}", survey.themes, survey.quotes or {})
    return builder.report


def _item(builder: Builder, survey: SurveyData, tables: dict[TableKey, Table], item, section) -> None:
    def table(question: str, by: str | None = None, measure: str = "answers") -> Table | None:
        return tables.get(TableKey(question, by, measure))

    if item == "key_demographics":
        builder.key_demographics(tables, [q for q in STUDY.demographics if TableKey(q) in tables])
    elif item == "role_contract":
        roles = table(ROLE_QUESTION, measure="role_contract")
        if roles is not None:
            builder.role_contract(roles, table(ROLE_QUESTION, PROFESSIONAL_GROUP))
    elif item == "sparking":
        builder.sparking(survey, tables)
    elif isinstance(item, str):
        if table(item) is not None:
            builder.question(table(item), None)
    elif "likert_pair" in item:
        builder.likert([table(q) for q in item["likert_pair"] if table(q) is not None],
                       item.get("title", section["title"]))
    elif "likert_single" in item:
        builder.likert([table(item["likert_single"])], item.get("title", section["title"]))
    elif "question" in item and table(item["question"]) is not None:
        compare = table(item["question"], PROFESSIONAL_GROUP) if item.get("compare") else None
        builder.question(table(item["question"]), compare)
