"""The survey as pages: which page comes next, what each page shows, what a POST means. Skip logic
is the instrument's, evaluated here on the server; nothing the browser sends is trusted."""

from __future__ import annotations

from dataclasses import dataclass, field

from nmahp.instruments import Instrument, Question, is_relevant, validate
from nmahp.instruments.model import SELECT_MULTIPLE, SELECT_ONE
from nmahp.instruments.validation import MAX_TEXT

CONSENT_PAGE = "participant_information"


@dataclass
class Field:
    question: Question
    value: str = ""
    error: str = ""
    always_shown: bool = False  # depends on an answer on the same page: shown, used only if relevant
    choices: tuple = ()  # the options offered: what the question's choice_filter leaves (all without one)

    @property
    def id(self) -> str:
        return f"q-{self.question.name}"

    @property
    def selected(self) -> set[str]:
        return set(self.value.split()) if self.question.type == SELECT_MULTIPLE else {self.value}

    @property
    def widget(self) -> str:
        q = self.question
        if q.type == SELECT_ONE:
            return "radios"
        if q.type == SELECT_MULTIPLE:
            return "checkboxes"
        if q.type == "date":
            return "date"
        if q.type in ("integer", "decimal"):
            return "number"
        return "textarea" if "multiline" in q.appearance or "comment" in q.name or q.name.endswith(
            ("_challenges", "_collaboration")) else "text"

    date_parts = (("day", 2), ("month", 2), ("year", 4))

    @property
    def max_length(self) -> int | None:
        source = self.question.constraint.source if self.question.constraint else ""
        if "string-length(.) <=" in source:
            try:
                return int(source.split("<=")[1].split()[0].strip(" )"))
            except (IndexError, ValueError):
                return None
        return None

    @property
    def echo(self) -> str:
        # never send a megabyte back into the page
        return self.value if len(self.value) <= MAX_TEXT else ""


@dataclass
class Page:
    name: str
    title: str
    fields: list[Field] = field(default_factory=list)


def pages(instrument: Instrument) -> list[str]:
    return [g.name for g in instrument.pages() if g.name != CONSENT_PAGE]


def page_is_relevant(instrument: Instrument, name: str, answers: dict) -> bool:
    group = instrument.groups[name]
    return group.relevant is None or group.relevant.is_true(answers)


def relevant_pages(instrument: Instrument, answers: dict) -> list[str]:
    return [p for p in pages(instrument) if page_is_relevant(instrument, p, answers)]


def page_questions(instrument: Instrument, name: str) -> list[Question]:
    return [q for q in instrument.questions_in_group(name) if q.holds_answer]


def build_page(instrument: Instrument, name: str, answers: dict, errors: dict | None = None) -> Page:
    page = Page(name, instrument.groups[name].label)
    on_page = {q.name for q in page_questions(instrument, name)}
    for question in page_questions(instrument, name):
        refs = set(question.relevant.references) if question.relevant else set()
        same_page = bool(refs & on_page)
        if not same_page and not is_relevant(question, answers):
            continue
        # a choice_filter reading an answer on an earlier page is applied here, on the server; one reading an answer
        # on this page cannot be (no script runs): every option is shown and the server refuses what the filter does
        filters_here = bool(question.choice_filter and set(question.choice_filter.references) & on_page)
        choices = question.choices if filters_here else question.available_choices(answers)
        page.fields.append(Field(question, answers.get(question.name, ""), (errors or {}).get(question.name, ""),
                                 always_shown=same_page, choices=choices))
    return page


def read_post(instrument: Instrument, name: str, post) -> dict[str, str]:
    """The page's answers from a form POST, as XLSForm text. Unticked boxes are absent, so absent."""
    out = {}
    for question in page_questions(instrument, name):
        values = [v for v in post.getlist(question.name) if v is not None]
        if question.type == SELECT_MULTIPLE:
            out[question.name] = " ".join(v.strip() for v in values if v.strip())
        elif question.type == "date" and f"{question.name}-year" in post:
            parts = [post.get(f"{question.name}-{p}", "").strip() for p in ("year", "month", "day")]
            out[question.name] = "-".join([parts[0], parts[1].zfill(2), parts[2].zfill(2)]) if any(parts) else ""
        elif len(values) > 1:
            out[question.name] = "\x00multiple"  # refused below: one answer expected
        else:
            out[question.name] = (values[0] if values else "").strip()
    return out


def check_page(instrument: Instrument, name: str, stored: dict, posted: dict) -> tuple[dict, dict]:
    """Merge a page's answers into what is stored; return (answers to store, errors for this page)."""
    errors = {q: "Select one answer" for q, v in posted.items() if v == "\x00multiple"}
    merged = {k: v for k, v in stored.items() if k not in posted}
    merged.update({k: v for k, v in posted.items() if v and v != "\x00multiple"})
    result = validate(instrument, merged, only={q.name for q in page_questions(instrument, name)})
    on_page = {q.name for q in page_questions(instrument, name)}
    for problem in result.errors:
        if problem.question in on_page:
            errors.setdefault(problem.question, problem.message)
        elif problem.question not in instrument.questions:
            errors.setdefault("form", "The form sent answers this survey does not ask")
    return result.answers, errors


def first_unfinished(instrument: Instrument, answers: dict) -> str | None:
    for name in relevant_pages(instrument, answers):
        for question in page_questions(instrument, name):
            if question.required and is_relevant(question, answers) and not answers.get(question.name):
                return name
        if not any(answers.get(q.name) for q in page_questions(instrument, name)):
            return name
    return None


def next_page(instrument: Instrument, name: str, answers: dict) -> str | None:
    order = relevant_pages(instrument, answers)
    everything = pages(instrument)
    after = everything[everything.index(name) + 1:] if name in everything else everything
    for candidate in after:
        if candidate in order:
            return candidate
    return None


def previous_page(instrument: Instrument, name: str, answers: dict) -> str | None:
    order = relevant_pages(instrument, answers)
    everything = pages(instrument)
    before = everything[: everything.index(name)] if name in everything else []
    for candidate in reversed(before):
        if candidate in order:
            return candidate
    return None


def summary(instrument: Instrument, answers: dict) -> list[tuple[Page, list[tuple[Question, str]]]]:
    """What 'check your answers' lists: every relevant page and its answered questions, as labels."""
    out = []
    for name in relevant_pages(instrument, answers):
        rows = []
        for question in page_questions(instrument, name):
            if not is_relevant(question, answers):
                continue
            value = answers.get(question.name, "")
            if question.is_select:
                shown = ", ".join(question.choice_label(v) for v in value.split()) if value else ""
            else:
                shown = value
            rows.append((question, shown or "Not answered"))
        out.append((Page(name, instrument.groups[name].label), rows))
    return out
