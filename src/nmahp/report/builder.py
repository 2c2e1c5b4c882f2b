"""The report's items, one method each: take a table from the analysis, draw its figure, write its
sentences, number the figures and tables in order. What a figure says about its base, its tests and
its disclosure control is read from the table it draws."""

from __future__ import annotations

import polars as pl

from ..analysis import Cell, Table, TableKey, share
from ..analysis.disclosure import EXACT, Disclosure
from ..study import STUDY
from . import figures, sentences
from .model import DataTable, Figure, Paragraph, Report

MAX_BARS = 14  # single-choice questions with long option lists show their answered options only


def row_name(question: str, label: str) -> str:
    if "teaching" in question:
        return "Teaching and learning"
    if "research" in question:
        return "Research"
    return label


def _source_note(table: Table, labels: dict[str, str]) -> str:
    """How a derived table was made, as its result says (nmahp.analysis.derived)."""
    source = table.source or {}
    asked = ", ".join(f"\u201c{labels.get(q, q)}\u201d" for q in source.get("from", []))
    if source.get("kind") == "coding_frame":
        changed = source.get("overrides") or 0
        return (f" Coded from the free-text answers to {asked} by the survey's coding frame"
                + (f", with the codes of {changed} answer{'s' if changed != 1 else ''} changed by analysts"
                   if changed else "") + "."
                + (f" {table.mentions} codes were given in all." if table.mentions is not None else ""))
    if source.get("kind") == "measure":
        return f" Counted from the answers: {source.get('definition', '')}."
    if source.get("kind") == "tally":
        return f" The answers to {asked} as given: {source.get('definition', '')}."
    return ""


def _hidden_note(cells: list[Cell], disclosure: Disclosure) -> str:
    """Said under a figure only where disclosure control hid a count in it."""
    if any(c.suppressed for c in cells):
        rule = disclosure.rule
        return f" Counts of {rule.suppress_at_most} or fewer are shown as \u2018{disclosure.hidden_label}\u2019."
    return ""


class Builder:
    def __init__(self, title: str, subtitle: str, disclosure: Disclosure = EXACT):
        self.report = Report(title, subtitle)
        self.disclosure = disclosure
        self.labels: dict[str, str] = {}  # question name -> wording, of the survey being written
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

    def base(self, n: int | None) -> str:
        return sentences.base_text(n, self.disclosure)

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
        base_note = (f"Base: {self.base(table.base_n)} respondents who answered this question."
                     + (" Respondents could choose more than one option." if multi and not table.source else "")
                     + _source_note(table, self.labels)
                     + (" Counts are shown as n/N because N < 50." if counts_only else "")
                     + _hidden_note(cells, self.disclosure))
        xlabel = "Number of respondents" if counts_only else "Percentage of respondents"
        png, svg = figures.bars(table.label, [c.label for c in cells], values, xlabel=xlabel, base_note=base_note,
                                annotations=notes)
        data = DataTable(0, f"Data for Figure {number}", ["Answer", "Respondents" if counts_only else "Share"],
                         [[c.label, notes[i]] for i, c in enumerate(cells)], note=base_note)
        ranked = sorted(cells, key=lambda c: -(c.count or 0))[:5]
        alt = (f"Horizontal bar chart: {table.label} ({self.base(table.base_n)} respondents). "
               + "; ".join(f"{c.label}: {share(c.count, table.base_n, counts_only)}" for c in ranked) + ".")
        chosen_as = "put" if table.kind == "top3" else "selected"
        text = sentences.top_options(table, number, chosen_as=chosen_as, rounded=not self.disclosure.exact)
        self.add(Paragraph(text), Figure(number, table.label, alt, png, svg, data, base_note))
        if compare is not None and len(compare.groups) >= 2:
            self.comparison(table, compare)

    def comparison(self, overall: Table, breakdown: Table, label: str | None = None) -> None:
        groups = [g for g in breakdown.groups if g.name in STUDY.compared_groups and g.base_n]
        if len(groups) < 2:
            return
        number = self.next_figure()
        order = [c.option for c in sorted(overall.cells, key=lambda c: -(c.count or 0)) if c.count][:10]
        labels = [overall.cell(o).label for o in order]
        series = {STUDY.group(g.name).short_label + f" (N={g.base_n})":
                  [100 * (g.cell(o).count or 0) / g.base_n for o in order] for g in groups}
        base_note = sentences.method_note(breakdown, self.disclosure)
        first, second = (STUDY.group(g).in_sentence for g in STUDY.compared_groups)
        label = label or overall.label
        title = f"{label} ({first} compared with {second})"
        png, svg = figures.grouped_bars(title, labels, series,
                                        xlabel="Percentage of respondents in the group", base_note=base_note)
        tests = {t.option: t for t in breakdown.tests}
        header = ["Answer"] + list(series) + (["Test", "Adjusted p", "Marked difference"] if tests else [])
        rows = []
        for option, label in zip(order, labels, strict=True):
            test = tests.get(option)
            row = [label] + [f"{values[order.index(option)]:.0f}%" for values in series.values()]
            if tests:
                row += [sentences.capital(sentences.test_name(test)) if test else "",
                        f"{test.p_adjusted:.3f}" if test and test.p_adjusted is not None else "",
                        "yes" if test and test.marked else "no"]
            rows.append(row)
        data = DataTable(0, f"Data for Figure {number}", header, rows, note=base_note)
        alt = (f"Grouped bar chart comparing {first} with {second} for {label}. "
               + "; ".join(f"{r[0]}: {r[1]} against {r[2]}" for r in rows[:5]) + ".")
        text = sentences.comparison(breakdown, number, self.disclosure)
        if not text:
            text = f"Fig. {number} sets {first} beside {second}."
        self.add(Paragraph(text), Figure(number, title, alt, png, svg, data, base_note))

    def likert(self, tables: list[Table], title: str) -> None:
        if not tables or not tables[0].cells or any(t.base_n is None for t in tables):
            return
        figure_number, table_number = self.next_figure(), self.next_table()
        counts_only = any(t.counts_only for t in tables)
        points = [c.label for c in tables[0].cells]
        names = [row_name(t.question, t.label) for t in tables]
        rows = [(f"{name} (N={t.base_n})", [c.count or 0 for c in t.cells]) for name, t in zip(names, tables,
                                                                                               strict=True)]
        base_note = ("Base: respondents who answered each item." + (
            " Counts are shown because N < 50." if counts_only else "")
                     + _hidden_note([c for t in tables for c in t.cells], self.disclosure))
        png, svg = figures.diverging(title, rows, points, counts_only=counts_only, base_note=base_note)
        header = [""] + [f"{i}. {p}" for i, p in enumerate(points, start=1)] + ["Weighted average"]
        body = []
        for (label, _), table in zip(rows, tables, strict=True):
            cells = [self._likert_cell(c, table) for c in table.cells]
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

    def _likert_cell(self, cell: Cell, table: Table) -> str:
        if cell.count is None:
            return self.disclosure.hidden_label
        if table.counts_only:
            return str(cell.count)
        return f"{100 * cell.count / table.base_n:.2f}% {cell.count}"

    def role_contract(self, table: Table, compare: Table | None) -> None:
        if not table.roles or table.base_n is None:
            return
        figure_number, table_number = self.next_figure(), self.next_table()
        contracts = [c.label for c in table.roles[0].contracts]
        header = ["Role and contract"] + [c.upper() for c in contracts] + ["Total"]
        rows = []
        for role in table.roles:
            cells = [f"{c.percent:.2f}% {c.count}" if c.percent is not None else share(c.count, role.interested, True)
                     for c in role.contracts]
            total = f"{role.interested} ({role.percent:.2f}%)" if role.percent is not None else \
                share(role.interested, table.base_n, True)
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
            self.comparison(roles_as_table(table), compare)

    def grid(self, table: Table, respondents: int) -> None:
        """A matrix question as a whole: one group of bars per row, one bar per column and one for the row
        at all, every percentage over the grid's base (everyone who answered any row), as the study has it."""
        if not table.rows or table.base_n is None:
            return
        number = self.next_figure()
        counts_only = table.counts_only
        columns = [table.cell(c).label[len(table.rows[0].label) + 2:] for c in table.rows[0].columns]
        any_label = "Any of these"
        series: dict[str, list[float]] = {name: [] for name in [*columns, any_label]}
        body = []
        for row in table.rows:
            cells = [table.cell(c) for c in row.columns] + [table.cell(row.any)]
            for name, cell in zip(series, cells, strict=True):
                series[name].append((cell.count or 0) if counts_only or not table.base_n
                                    else 100 * (cell.count or 0) / table.base_n)
            body.append([row.label] + [share(c.count, table.base_n, counts_only) for c in cells])
        base_note = (f"Base: {self.base(table.base_n)} respondents who answered any row of the question; every "
                     f"percentage is over that base. {any_label}: chose at least one column for the row."
                     + _hidden_note(table.cells, self.disclosure))
        title = short_title(table.label)
        png, svg = figures.grouped_bars(title, [r.label for r in table.rows], series,
                                        xlabel="Number of respondents" if counts_only else "Percentage of respondents",
                                        base_note=base_note)
        data = DataTable(0, f"Data for Figure {number}", ["", *columns, any_label], body, note=base_note)
        ranked = sorted(table.rows, key=lambda r: -(table.cell(r.any).count or 0))
        if not self.disclosure.exact:
            respondents = self.disclosure.respondents(respondents)
        who = sentences.quantified(table.base_n, respondents, rounded=not self.disclosure.exact) or "Respondents"
        lead = f"{who} answered the question: {share(table.base_n, respondents, counts_only)}. "
        top = [f"{sentences.quoted(r.label)}: {share(table.cell(r.any).count, table.base_n, counts_only)}"
               for r in ranked[:3]]
        text = lead + f"Most often named, over those who answered, were {sentences.listing(top)} (see Fig. {number})."
        alt = (f"Grouped bar chart: {title} Base {self.base(table.base_n)}. "
               + "; ".join(f"{row[0]}: " + ", ".join(f"{c} {v}" for c, v in zip(series, row[1:], strict=True))
                           for row in body[:6]) + ".")
        self.add(Paragraph(text), Figure(number, title, alt, png, svg, data, base_note))

    def measures(self, tables: list[Table]) -> None:
        """Figures that combine answers (nmahp.analysis.derived measures), each over its own base, in a table."""
        rows = []
        for table in tables:
            if table.base_n is None:
                continue
            yes = next((c for c in table.cells if c.option == "yes"), None)
            if yes is not None:
                rows.append([table.label, share(yes.count, table.base_n, table.counts_only), str(table.base_n),
                             (table.source or {}).get("definition", "")])
            else:
                for cell in table.cells:
                    rows.append([f"{table.label}: {cell.label}", share(cell.count, table.base_n, table.counts_only),
                                 str(table.base_n), (table.source or {}).get("definition", "")])
        if not rows:
            return
        number = self.next_table()
        figures_ = sentences.listing([f"{sentences.quoted(r[0])}: {r[1]}" for r in rows])
        self.add(Paragraph(f"Combining answers, each over those who answered the questions it combines (Table "
                           f"{number}): {figures_}."),
                 DataTable(number, "Answers combined", ["Measure", "Respondents", "Base", "How it is counted"], rows))

    def other_answers(self, table: Table) -> None:
        """The answers written under 'Other', tallied (analysts only: the analysis withholds them otherwise)."""
        shown = [c for c in table.cells if c.count]
        if not shown or table.base_n is None:
            return
        number = self.next_table()
        wrote = "respondent wrote" if table.base_n == 1 else "respondents wrote"
        self.add(Paragraph(f"{self.base(table.base_n)} {wrote} an answer of their own; Table {number} tallies them."),
                 DataTable(number, table.label, ["Answer", "Respondents"],
                           [[c.label, str(c.count)] for c in sorted(shown, key=lambda c: (-c.count, c.label))],
                           note=_source_note(table, self.labels).strip()))

    def crosstab(self, table: Table) -> None:
        """Two questions against each other: percentages of each column (group), the test of the whole table."""
        groups = [g for g in table.groups if g.base_n]
        if not groups or table.base_n is None:
            return
        number = self.next_table()
        header = [table.label] + [f"{g.label} (N={g.base_n})" for g in groups] + [f"All (N={table.base_n})"]
        rows = [[cell.label] + [share(g.cell(cell.option).count, g.base_n, g.counts_only) for g in groups]
                + [share(cell.count, table.base_n, table.counts_only)] for cell in table.cells]
        test = table.association
        if test is not None and test.p is not None:
            p_text = "p < 0.001" if test.p < 0.001 else f"p = {test.p:.3f}"
            tested = f"Test of the whole table: {sentences.test_name(test)}, {p_text}."
        elif not self.disclosure.exact:
            tested = f"Not tested: {sentences.untested_reason(table, self.disclosure)}."
        else:
            tested = "No test of the whole table was run."
        note = f"Percentages are of each column: the respondents in the group who answered both questions. {tested}"
        first = table.cells[0]
        against = sentences.quoted(table.by_label or table.by or "")
        text = (f"Table {number} sets {sentences.quoted(table.label)} against {against}: "
                + sentences.listing([f"{share(g.cell(first.option).count, g.base_n, g.counts_only)} of "
                                     f"{sentences.quoted(g.label)}" for g in groups])
                + f" {first.label.lower() if first.option != 'yes' else 'said yes'}. {tested}")
        self.add(Paragraph(text), DataTable(number, f"{table.label} by {table.by_label}", header, rows, note=note))

    def key_demographics(self, tables: dict[TableKey, Table], questions: list[str]) -> None:
        rows = []
        for name in questions:
            table = tables.get(TableKey(name))
            if table is None or not table.base_n:
                continue
            top = max(table.cells, key=lambda c: c.count or 0)
            rows.append([table.label if name != "professional_group" else "Professional group", top.label,
                         share(top.count, table.base_n, table.counts_only)])
        if not rows:
            return
        number = self.next_table()
        self.add(Paragraph(f"Table {number} summarises the largest group for each characteristic."),
                 DataTable(number, "Key demographics: the largest group for each characteristic",
                           ["Characteristic", "Largest group", "Share"], rows))

    def open_text(self, frame: pl.DataFrame, question: str, label: str) -> None:
        """How many answered a free-text question, counted from the answers."""
        if question not in frame.columns or not frame.height:
            return
        answered = frame.filter(pl.col(question).str.strip_chars().str.len_chars() > 0).height
        shown = answered if self.disclosure.exact else self.disclosure.shown(answered)
        if shown is None:
            self.add(Paragraph(f"{self.disclosure.hidden_label.capitalize()} respondents answered "
                               f"\u201c{label}\u201d."))
            return
        total = frame.height if self.disclosure.exact else self.disclosure.shown(frame.height)
        self.add(Paragraph(sentences.open_text(shown, total, total < STUDY.counts_only_below,
                                               f"answered \u201c{label}\u201d", rounded=not self.disclosure.exact)))

    def themes(self, rows, quotes: dict) -> None:
        """Themes of the coded open text, in order of frequency, with numbered participants' quotes."""
        coded = [r for r in rows if r.highlights]
        if not coded:
            return
        compared = [STUDY.group(g) for g in STUDY.compared_groups]
        table_number = self.next_table()
        self.add(Paragraph(f"The open-text comments were coded into {len(coded)} themes, listed in Table "
                           f"{table_number} by how many participants raised them."),
                 DataTable(table_number, "Open-text themes by frequency",
                           ["Theme", "Participants", *(g.short_label for g in compared), "Comments coded"],
                           [[(f"{r.parent}: " if r.parent else "") + r.code, str(r.participants),
                             *(str(r.by_group.get(g.id, 0)) for g in compared), str(r.highlights)] for r in coded]))
        for row in coded[:5]:
            for quote in quotes.get(row.code, [])[:2]:
                self.add(Paragraph(f"{row.code}: {quote}"))


def short_title(label: str) -> str:
    """A grid's question without its instructions: 'What sparked ...?' of 'What sparked ...? For each, ...'."""
    return label.split("?")[0] + "?" if "?" in label else label


def roles_as_table(table: Table) -> Table:
    """Table 5A's roles as a plain table, for the group comparison figure."""
    cells = [Cell(r.role, r.label, r.interested, r.percent) for r in table.roles]
    return Table(key=TableKey(table.question), question=table.question, label="Interest in roles", kind="multi",
                 base_n=table.base_n, cells=cells)
