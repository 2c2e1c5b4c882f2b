"""Matching clinicians with academics, mentors and peers: explainable scores, stable assignment with
capacities (deferred acceptance), a greedy baseline to compare, and peer groups."""

from .assignment import Assignment, blocking_pairs, deferred_acceptance, greedy
from .profiles import Clinician, Mentor
from .scoring import Candidates, Weights, score_candidates

__all__ = ["Assignment", "Candidates", "Clinician", "Mentor", "Weights", "blocking_pairs", "deferred_acceptance",
           "greedy", "score_candidates"]
