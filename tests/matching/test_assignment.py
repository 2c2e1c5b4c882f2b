"""Stable assignment with capacities: hand-made cases, then random instances (hypothesis)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from nmahp.matching import Clinician, Mentor, blocking_pairs, deferred_acceptance, greedy, score_candidates
from nmahp.matching.scoring import Candidates, Weights


def handmade(scores: list[list[float]], capacities: list[int]) -> Candidates:
    """Candidates straight from a score table (rows clinicians, columns mentors; <0 = not acceptable)."""
    table = np.array(scores, dtype=np.float32)
    n, m = table.shape
    order = np.argsort(-table, axis=1, kind="stable")
    ranked = np.take_along_axis(table, order, axis=1)
    index = np.where(ranked >= 0, order, -1)
    clinicians = [Clinician(f"c{i}", "physiotherapist", "ahp", "gm", 1, "x") for i in range(n)]
    mentors = [Mentor(f"m{j}", "physiotherapist", "ahp", "gm", 4, "x", capacity=c) for j, c in enumerate(capacities)]
    parts = {name: np.zeros_like(ranked) for name in ("topic", "offer", "profession", "region", "stage")}
    return Candidates(clinicians, mentors, index, np.where(ranked >= 0, ranked, 0), parts, Weights())


def test_capacity_is_respected_and_best_pairs_win():
    # both clinicians prefer mentor 0 (capacity 1); mentor 0 prefers clinician 1 (higher pair score)
    candidates = handmade([[0.9, 0.5], [0.95, 0.4]], [1, 1])
    assignment = deferred_acceptance(candidates)
    assert assignment.mentor_of == {1: 0, 0: 1}
    assert blocking_pairs(candidates, assignment) == 0


def test_mentor_with_two_places_takes_two():
    candidates = handmade([[0.9, 0.1], [0.8, 0.2], [0.7, 0.3]], [2, 1])
    assignment = deferred_acceptance(candidates)
    assert sorted(assignment.mentees()[0]) == [0, 1] and assignment.mentor_of[2] == 1


def test_unacceptable_pairs_are_never_made():
    candidates = handmade([[0.9, -1], [0.8, -1]], [1, 5])
    assignment = deferred_acceptance(candidates)
    assert assignment.mentor_of == {0: 0}  # clinician 1 finds nobody acceptable with room


def test_greedy_leaves_a_blocking_pair_that_deferred_acceptance_does_not():
    # the mentor gives priority to the clinician with no mentor (fairness); greedy looks only at scores
    candidates = handmade([[0.9], [0.8]], [1])
    candidates.clinicians[0] = Clinician("c0", "physiotherapist", "ahp", "gm", 1, "x", has_mentor=True)
    assert greedy(candidates).mentor_of == {0: 0}
    assert blocking_pairs(candidates, greedy(candidates), fairness=True) == 1
    assert blocking_pairs(candidates, deferred_acceptance(candidates, fairness=True), fairness=True) == 0


def test_fairness_gives_priority_to_people_without_a_mentor():
    candidates = handmade([[0.9], [0.8]], [1])
    candidates.clinicians[0] = Clinician("c0", "physiotherapist", "ahp", "gm", 1, "x", has_mentor=True)
    assert deferred_acceptance(candidates).mentor_of == {0: 0}
    assert deferred_acceptance(candidates, fairness=True).mentor_of == {1: 0}
    assert blocking_pairs(candidates, deferred_acceptance(candidates, fairness=True), fairness=True) == 0


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 12).flatmap(lambda n: st.tuples(
    st.lists(st.lists(st.one_of(st.just(-1.0), st.floats(0, 1, width=32)), min_size=5, max_size=5),
             min_size=n, max_size=n),
    st.lists(st.integers(0, 3), min_size=5, max_size=5))), st.booleans())
def test_deferred_acceptance_is_always_stable_and_within_capacity(instance, fairness):
    scores, capacities = instance
    candidates = handmade(scores, capacities)
    assignment = deferred_acceptance(candidates, fairness=fairness)
    assert blocking_pairs(candidates, assignment, fairness=fairness) == 0
    for mentor, mentees in assignment.mentees().items():
        assert len(mentees) <= capacities[mentor]
    for clinician, mentor in assignment.mentor_of.items():
        assert scores[clinician][mentor] >= 0  # only acceptable pairs


def test_scores_explain_themselves_and_respect_same_profession():
    clinicians = [Clinician("c0", "dietitian", "ahp", "gm", 1, "malnutrition in older people", frozenset({"mentoring"}),
                            same_profession=True)]
    mentors = [Mentor("m0", "physiotherapist", "ahp", "gm", 4, "malnutrition older people", frozenset({"mentoring"})),
               Mentor("m1", "dietitian", "ahp", "cm", 4, "paediatric allergy", frozenset({"mentoring"})),
               Mentor("m2", "dietitian", "ahp", "gm", 3, "malnutrition", frozenset({"teaching_experience"}))]
    candidates = score_candidates(clinicians, mentors, k=3)
    assert candidates.preferences(0) == [1]  # m0 is not a dietitian; m2 does not offer mentoring
    reasons = candidates.reasons(0, 1)
    assert "they are a dietitian too, as you asked" in reasons
    assert any(r.startswith("they offer what you asked for: mentoring") for r in reasons)


def test_peer_groups_are_four_to_eight_at_a_similar_stage_and_mixed():
    import random

    from nmahp.matching.peers import peer_groups

    rng = random.Random(3)
    topics = ["stroke rehabilitation", "perinatal mental health", "dysphagia", "oncology", "frailty falls"]
    clinicians = [Clinician(f"c{i}", "physiotherapist", "ahp", "gm", rng.randint(0, 6), rng.choice(topics),
                            organisation=rng.choice(["trust_a", "trust_b", "trust_c"])) for i in range(137)]
    groups = peer_groups(clinicians)
    by_id = {c.id: c for c in clinicians}
    assert sorted(i for g in groups for i in g) == sorted(c.id for c in clinicians)  # everyone, once
    assert all(4 <= len(g) <= 8 for g in groups)
    for group in groups:
        stages = [by_id[i].career_stage for i in group]
        assert max(stages) - min(stages) <= 3
    mixed = sum(1 for g in groups if len({by_id[i].organisation for i in g}) >= 2)
    assert mixed >= 0.9 * len(groups)  # interests come first; organisations are dealt out within them
