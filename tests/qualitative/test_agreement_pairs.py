"""Agreement for every pair of coders, not just the first two alphabetically."""

import pytest

from nmahp.qualitative import Project
from nmahp.qualitative.agreement import agreement_table, coders_of, kappa_by_code, kappa_by_pair
from nmahp.qualitative.documents import from_open_text, from_text


@pytest.fixture
def project():
    project = Project("three coders")
    comments = project.add_document(from_open_text("enablers_barriers_comments", [
        ("12", "Protected time is what I need most.", "nursing_midwifery", "greater_manchester"),
        ("19", "My manager has been very supportive of my research.", "ahp", "cheshire_merseyside"),
        ("31", "No protected time and no backfill for secondments.", "nursing_midwifery", "greater_manchester"),
    ]))
    project.add_document(from_text("Nobody coded this one.", "Notes", "5"))
    support = project.codebook.add("Host organisation support")
    time = project.codebook.add("Protected time")
    text = comments.text

    def span(start, end):
        return text.index(start), text.index(end) + len(end)

    # units: answers 12, 19, 31
    project.highlight(comments, *span("Protected time", "most."), [time], coder="anna")
    project.highlight(comments, *span("No protected", "secondments."), [time, support], coder="anna")
    project.highlight(comments, *span("My manager", "research."), [support], coder="ben")
    project.highlight(comments, *span("Protected time", "most."), [time], coder="cara")
    project.highlight(comments, *span("My manager", "research."), [support], coder="cara")
    project.highlight(comments, *span("No protected", "secondments."), [support], coder="cara")
    return project, comments


def test_every_pair_of_three_coders(project):
    project, comments = project
    assert coders_of(project, comments.id) == ["anna", "ben", "cara"]
    pairs = kappa_by_pair(project, comments.id)
    assert list(pairs) == [("anna", "ben"), ("anna", "cara"), ("ben", "cara")]
    # the first pair is what the two-coder function gives
    assert pairs[("anna", "ben")] == kappa_by_code(project, comments.id, "anna", "ben")
    assert pairs[("anna", "ben")]["Host organisation support"] == pytest.approx(-0.5)
    # anna [no, no, yes] / cara [no, yes, yes]: p_o 2/3, p_e 4/9 -> 0.4; time [yes, no, yes] / [yes, no, no] -> 0.4
    assert pairs[("anna", "cara")] == pytest.approx({"Host organisation support": 0.4, "Protected time": 0.4})
    # ben never used 'Protected time', cara once: p_o 2/3 = p_e -> 0
    assert pairs[("ben", "cara")] == pytest.approx({"Host organisation support": 0.4, "Protected time": 0.0})


def test_agreement_table_lists_only_documents_with_two_coders(project):
    project, _ = project
    table = agreement_table(project)
    assert [row["document"] for row in table] == ["enablers_barriers_comments"]
    assert [pair["coders"] for pair in table[0]["pairs"]] == [["anna", "ben"], ["anna", "cara"], ["ben", "cara"]]
