"""Cohen's kappa and Krippendorff's alpha checked by hand, against Krippendorff's own published example and
against independent implementations (scikit-learn's cohen_kappa_score, the krippendorff package)."""

import math
import random
import warnings

import krippendorff
import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from nmahp.qualitative import Project
from nmahp.qualitative.agreement import agreement, cohen_kappa, krippendorff_alpha
from nmahp.qualitative.documents import from_open_text


def test_kappa_worked_by_hand():
    a = [True, True, False, False, True, False, True, False, False, False]
    b = [True, False, False, False, True, False, True, True, False, False]
    # p_o = 8/10; each coder said yes 4 times in 10: p_e = .4 * .4 + .6 * .6 = .52; (.8 - .52) / .48 = 7/12
    assert cohen_kappa(a, b) == pytest.approx(7 / 12)


def test_kappa_is_undefined_not_one_when_neither_coder_used_the_code():
    assert cohen_kappa([False] * 6, [False] * 6) is None
    assert cohen_kappa([True] * 6, [True] * 6) is None
    # one coder constant, the other not: defined (p_e < 1)
    assert cohen_kappa([False] * 6, [False] * 5 + [True]) == pytest.approx(0.0)


def test_kappa_matches_scikit_learn():
    rng = random.Random(19)
    for _ in range(200):
        n = rng.randint(2, 30)
        rate_a, rate_b = rng.random(), rng.random()
        a = [rng.random() < rate_a for _ in range(n)]
        b = [x if rng.random() < 0.6 else rng.random() < rate_b for x in a]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # sklearn warns and answers nan where kappa is undefined
            theirs = cohen_kappa_score(a, b, labels=[False, True])
        ours = cohen_kappa(a, b)
        if math.isnan(theirs):
            assert ours is None, (a, b)
        else:
            assert ours == pytest.approx(theirs), (a, b)


def test_alpha_worked_by_hand():
    # two coders, four units: coincidences o11 = 2, o10 = o01 = 1, o00 = 4; n = 8, n1 = 3, n0 = 5
    # D_o = 2/8, D_e = 2 * 3 * 5 / (8 * 7) = 30/56; alpha = 1 - (2/8) / (30/56) = 8/15
    assert krippendorff_alpha([[1, 1, 0, 0], [1, 0, 0, 0]]) == pytest.approx(8 / 15)
    assert krippendorff_alpha([[0, 0, 0], [0, 0, 0]]) is None  # no variation: alpha undefined
    assert krippendorff_alpha([[1, None], [None, 0]]) is None  # nothing pairable


def test_alpha_reproduces_krippendorffs_published_example():
    # Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011), section C: 4 observers, 12 units,
    # missing values; nominal alpha = 0.743
    n = None
    data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, n, n, n],
            [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, n, 3],
            [n, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, n],
            [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, n]]
    assert round(krippendorff_alpha(data), 3) == 0.743


def test_alpha_matches_the_krippendorff_package():
    rng = random.Random(7)
    for _ in range(60):
        coders, units = rng.randint(2, 5), rng.randint(3, 25)
        truth = [rng.randint(0, 2) for _ in range(units)]
        data = [[None if rng.random() < 0.2 else (t if rng.random() < 0.7 else rng.randint(0, 2)) for t in truth]
                for _ in range(coders)]
        ours = krippendorff_alpha(data)
        values = {v for row in data for v in row if v is not None}
        pairable = sum(sum(v is not None for v in unit) >= 2 for unit in zip(*data, strict=True))
        if ours is None:
            assert len(values) < 2 or pairable == 0
            continue
        theirs = krippendorff.alpha(reliability_data=np.array(data, dtype=float), level_of_measurement="nominal")
        assert ours == pytest.approx(theirs), data


@pytest.fixture
def project():
    project = Project("blind round")
    answers = project.add_document(from_open_text("enablers_barriers_comments", [
        ("12", "Protected time is what I need most.", "nursing_midwifery", "greater_manchester"),
        ("19", "My manager has been very supportive of my research.", "ahp", "cheshire_merseyside"),
        ("31", "No protected time and no backfill for secondments.", "nursing_midwifery", "greater_manchester"),
        ("44", "I would like a clinical academic role.", "ahp", "lancashire_south_cumbria"),
    ]))
    time = project.codebook.add("Protected time")
    support = project.codebook.add("Host organisation support")
    project.codebook.add("Funding")  # nobody used it
    return project, answers, time, support


def span(document, start, end):
    return document.text.index(start), document.text.index(end) + len(end)


def test_agreement_counts_units_not_characters(project):
    project, answers, time, support = project
    # anna marks two words, ben the whole answer: the same unit, so they agree
    project.highlight(answers, *span(answers, "Protected time", "time"), [time], coder="anna")
    project.highlight(answers, *span(answers, "Protected time", "most."), [time], coder="ben")
    project.highlight(answers, *span(answers, "No protected", "secondments."), [time], coder="anna")
    project.highlight(answers, *span(answers, "No protected", "secondments."), [time], coder="ben")
    project.highlight(answers, *span(answers, "My manager", "research."), [support], coder="ben")
    result = agreement(project)
    assert result["unit"] == "answers" and result["units"] == 4
    pair = result["pairs"][0]
    assert pair["coders"] == ["anna", "ben"] and pair["units"] == 4
    assert pair["kappa"]["Protected time"] == pytest.approx(1.0)
    # ben used support once in four answers, anna never: p_o 3/4, p_e 3/4 -> 0, not left out
    assert pair["kappa"]["Host organisation support"] == pytest.approx(0.0)
    assert result["alpha"]["Protected time"] == pytest.approx(1.0)


def test_a_code_neither_coder_of_a_pair_used_is_undefined(project):
    project, answers, time, support = project
    funding = project.codebook.by_name("Funding")
    project.highlight(answers, *span(answers, "Protected time", "most."), [time], coder="anna")
    project.highlight(answers, *span(answers, "Protected time", "most."), [time], coder="ben")
    project.highlight(answers, *span(answers, "No protected", "secondments."), [funding], coder="cara")
    result = agreement(project, code_ids=[time.id, funding.id, support.id])
    kappas = {tuple(p["coders"]): p["kappa"] for p in result["pairs"]}
    assert kappas[("anna", "ben")]["Funding"] is None  # neither used it: undefined, never 1.0
    assert kappas[("anna", "ben")]["Host organisation support"] is None
    assert kappas[("anna", "ben")]["Protected time"] == pytest.approx(1.0)
    assert kappas[("anna", "cara")]["Protected time"] == pytest.approx(0.0)


def test_a_coder_who_did_not_code_a_document_is_missing_not_no(project):
    project, answers, time, _ = project
    other = project.add_document(from_open_text("area_of_interest", [
        ("12", "Research into wound care.", "nursing_midwifery", "greater_manchester"),
        ("19", "Teaching.", "ahp", "cheshire_merseyside")]))
    project.highlight(answers, *span(answers, "Protected time", "most."), [time], coder="anna")
    project.highlight(answers, *span(answers, "Protected time", "most."), [time], coder="ben")
    project.highlight(answers, *span(answers, "No protected", "secondments."), [time], coder="ben")
    project.highlight(other, 0, 8, [time], coder="anna")
    project.highlight(other, 0, 8, [time], coder="cara")
    result = agreement(project, {"anna": {answers.id, other.id}, "ben": {answers.id}, "cara": {other.id}})
    pairs = {tuple(p["coders"]): p for p in result["pairs"]}
    assert pairs[("anna", "ben")]["units"] == 4 and pairs[("anna", "cara")]["units"] == 2
    assert ("ben", "cara") not in pairs  # no document in common
    # alpha from the same reliability data the krippendorff package gets, with the gaps as missing values
    nan = np.nan
    data = [[1, 0, 0, 0, 1, 0], [1, 0, 1, 0, nan, nan], [nan, nan, nan, nan, 1, 0]]
    expected = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    assert result["alpha"]["Protected time"] == pytest.approx(expected)
