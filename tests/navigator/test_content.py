"""The content files load, hold what the issue asks for, and a broken file is refused with an error
naming the file, the entry and the field."""

import json
import re
from pathlib import Path

import pytest
import yaml

from nmahp.navigator.content import ContentError, load_content

# facts of the study report and of the pages the content was written from (tests/fixtures/reference/README.md)
REFERENCE = Path(__file__).resolve().parents[1] / "fixtures" / "reference"


def test_the_content_has_every_kind_of_scheme_the_pathway_needs(content):
    kinds = {s.kind for s in content.schemes.values()}
    stages = {s.stage for s in content.schemes.values()}
    assert {"Internship", "Fellowship", "Bridging award", "Support network", "Development scheme",
            "Studentship and student programme", "University teaching route", "Secondment",
            "Joint appointment"} <= kinds
    assert stages == set(content.stages)  # every stage of the map has at least one scheme
    assert {"pcaf", "dcaf", "acaf", "scpra", "associate-pi", "nihr-insight", "nihr-nm-incubator"} <= set(
        content.schemes)


def test_glossary_has_at_least_sixty_terms_including_the_reports_acronyms(content):
    spellings = {s for t in content.glossary.values() for s in t.spellings}
    assert len(content.glossary) >= 60
    assert {"ICA", "PCAF", "DCAF", "HEI", "ICS", "CRN", "ACP", "AfC band", "REF", "Follett principles",
            "Honorary contract", "Backfill"} <= spellings


def test_career_stages_run_from_first_interest_to_senior(content):
    names = [s.id for s in content.stages_in_order()]
    assert names[:6] == ["pre-registration", "first-steps", "pre-doctoral", "doctoral", "post-doctoral", "senior"]


def test_every_scheme_names_a_source_and_a_last_checked_date(content):
    for scheme in content.schemes.values():
        assert scheme.sources, scheme.id
        assert scheme.last_checked.year >= 2024, scheme.id
        for source in scheme.sources:
            assert source.url.startswith("http") or re.fullmatch(r"\d+(\.\d+)*", source.report_section)


def test_ended_schemes_point_to_what_replaced_them(content):
    ended = [s for s in content.schemes.values() if s.is_ended]
    assert {s.id for s in ended} == {"ica-clinical-lectureship", "ica-senior-clinical-lectureship", "nihr-70at70"}
    assert all(s.replaced_by in content.schemes for s in ended)


def _reference(name: str) -> dict:
    return json.loads((REFERENCE / name).read_text(encoding="utf-8"))


def test_every_linked_source_is_one_the_reference_facts_came_from(content):
    # facts come from the report or a named public source: each link in the content must be one of the
    # pages the reference facts were gathered from, so no scheme cites a page nobody read
    known = {url.lower().rstrip("/") for url in _reference("careers_reference.json")["source_urls"]}
    entries = [*content.schemes.values(), *content.starts.values(), *content.explainers.values()]
    links = [(e.id, s.url) for e in entries for s in e.sources if s.url]
    links += [(t.id, t.source) for t in content.glossary.values() if t.source]
    assert len(links) > 40
    for entry, url in links:
        assert url.lower().rstrip("/") in known, (entry, url)


def _edit(folder, name, change):
    path = folder / f"{name}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def _problems(folder) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load_content(folder)
    return [str(p) for p in caught.value.problems]


def _scheme(data, ident):
    return next(s for s in data["schemes"] if s["id"] == ident)


@pytest.mark.parametrize("change, expected", [
    (lambda d: _scheme(d, "pcaf").pop("summary"), "schemes.yaml, entry 'pcaf', field 'summary': is missing"),
    (lambda d: _scheme(d, "dcaf").update(stage="phd"), "schemes.yaml, entry 'dcaf', field 'stage': 'phd' is not one of"),
    (lambda d: _scheme(d, "acaf").update(last_checked="last week"),
     "schemes.yaml, entry 'acaf', field 'last_checked': 'last week' is not a date"),
    (lambda d: _scheme(d, "acaf").update(funded="yes please"), "entry 'acaf', field 'funded': should be true or false"),
    (lambda d: _scheme(d, "pcaf")["rules"].append({"field": "band", "in": ["7"], "why": "x"}),
     "entry 'pcaf', field 'rules[6].field': 'band' is not a checker question"),
    (lambda d: _scheme(d, "pcaf")["rules"].append({"field": "qualification", "at_least": "bsc", "why": "x"}),
     "entry 'pcaf', field 'rules[6].at_least': bsc not among the answers to 'qualification'"),
    (lambda d: _scheme(d, "pcaf")["rules"].append({"field": "employer", "at_least": "nhs", "why": "x"}),
     "'at_least' needs one answer of an ordered question"),
    (lambda d: _scheme(d, "pcaf")["rules"].append({"field": "region", "in": ["england_other"]}),
     "entry 'pcaf', field 'rules[6].why': say in plain words"),
    (lambda d: _scheme(d, "pcaf").update(sources=[{"title": "x", "url": "javascript:alert(1)"}]),
     "entry 'pcaf', field 'sources[1]': url 'javascript:alert(1)' should start with https://"),
    (lambda d: _scheme(d, "pcaf").update(sources=[]), "entry 'pcaf', field 'sources': every entry needs"),
    (lambda d: _scheme(d, "pcaf").update(salary="lots"), "entry 'pcaf', field 'salary': is not a scheme field"),
    (lambda d: _scheme(d, "acaf").update(replaced_by="nothing"), "entry 'acaf', field 'replaced_by'"),
    (lambda d: _scheme(d, "pcaf").update(unconfirmed=["vibes"]), "'vibes' is not a field of this scheme"),
    (lambda d: d["schemes"].append(dict(_scheme(d, "pcaf"))), "entry 'pcaf', field 'id': is used twice"),
    (lambda d: d["schemes"].append({"id": "Bad Id!"}), "entry '#30', field 'id'"),
])
def test_a_broken_scheme_is_refused_naming_file_entry_and_field(content_copy, change, expected):
    _edit(content_copy, "schemes", change)
    problems = _problems(content_copy)
    assert any(expected in p for p in problems), problems


def test_broken_glossary_and_explainers_name_their_entry(content_copy):
    _edit(content_copy, "glossary", lambda d: d["terms"][0].pop("means"))
    _edit(content_copy, "glossary", lambda d: d["terms"].append({"id": "pcaf-again", "term": "PCAF", "means": "x"}))
    _edit(content_copy, "employment", lambda d: d["explainers"][0].update(hr_questions=[]))
    problems = _problems(content_copy)
    assert "glossary.yaml, entry 'nmahp', field 'means': is missing; write it as plain text" in problems
    assert any("entry 'pcaf-again', field 'term': 'PCAF' is already explained in entry 'pcaf'" in p for p in problems)
    assert any("employment.yaml, entry 'joint-posts', field 'hr_questions'" in p for p in problems)


def test_text_with_a_colon_gets_a_fix_not_a_type_error(content_copy):
    path = content_copy / "employment.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "      - Research posts are often paid by a grant",
        "      - Note: research posts are often paid by a grant", 1)
    path.write_text(text, encoding="utf-8")
    problems = _problems(content_copy)
    assert any("entry 'fixed-term', field 'body[1]'" in p and "put the text in double quotes" in p for p in problems)


def test_invalid_yaml_is_refused_with_the_line(content_copy):
    (content_copy / "stages.yaml").write_text("stages:\n  - id: first\n    name: [unclosed\n", encoding="utf-8")
    problems = _problems(content_copy)
    assert any(p.startswith("stages.yaml: is not valid YAML at line") for p in problems), problems


def test_missing_and_non_utf8_files_are_named(content_copy):
    (content_copy / "starts.yaml").unlink()
    (content_copy / "glossary.yaml").write_bytes(b"terms:\n  - id: x\n    term: \xff\xfe\n")
    problems = _problems(content_copy)
    assert any(p.startswith("starts.yaml: file not found") for p in problems)
    assert "glossary.yaml: is not UTF-8 text" in problems


def test_a_file_that_is_not_a_list_is_refused(content_copy):
    (content_copy / "schemes.yaml").write_text("just some text\n", encoding="utf-8")
    assert any("schemes.yaml, field 'schemes': the file should hold a list under 'schemes:'" in p
               for p in _problems(content_copy))


def test_every_report_section_cited_is_a_section_of_the_report(content):
    sections = {s["section"] for s in _reference("report_sections.json")["sections"]}
    entries = [*content.schemes.values(), *content.starts.values(), *content.explainers.values()]
    cited = {s.report_section for e in entries for s in e.sources if s.report_section}
    assert len(cited) > 15
    assert not cited - sections, "cited sections the report does not have"
