"""Matching at scale: 50,000 clinicians and 5,000 mentors (target: at most 60 s and 4 GB here).

Scores every pair in chunks (TF-IDF topic similarity plus the named parts), keeps each clinician's
best 30, then runs deferred acceptance (with and without the fairness priority) and the greedy
baseline, reporting total score and blocking pairs for each.

Run: .venv/bin/python benchmarks/matching_scale.py [clinicians mentors]
Results are appended to benchmarks/results/matching_scale.txt.
"""

from __future__ import annotations

import random
import resource
import sys
import time

from _results import header, record

from nmahp.matching import Clinician, Mentor, blocking_pairs, deferred_acceptance, greedy, score_candidates

TOPICS = ["stroke rehabilitation", "musculoskeletal pain", "perinatal mental health", "dysphagia", "oncology",
          "frailty and falls", "paediatric asthma", "critical care delirium", "learning disability", "infection",
          "diabetes foot care", "dementia", "cardiac rehabilitation", "wound care", "breastfeeding", "sepsis",
          "chronic pain", "neurology", "eating disorders", "respiratory physiotherapy", "clinical trials delivery",
          "simulation teaching", "patient safety", "health inequalities", "digital health", "medicines safety"]
PROFESSIONS = [("physiotherapist", "ahp"), ("occupational_therapist", "ahp"), ("adult_nurse", "nursing_midwifery"),
               ("midwife", "nursing_midwifery"), ("dietitian", "ahp"), ("speech_and_language_therapist", "ahp")]
REGIONS = ["greater_manchester", "cheshire_merseyside", "lancashire_south_cumbria"]


def people(n_clinicians: int, n_mentors: int, seed: int = 1):
    rng = random.Random(seed)
    clinicians = []
    for i in range(n_clinicians):
        profession, group = rng.choice(PROFESSIONS)
        clinicians.append(Clinician(f"c{i}", profession, group, rng.choice(REGIONS), rng.randint(0, 3),
                                    " ".join(rng.sample(TOPICS, 2)), frozenset(rng.sample(
                                        ["mentoring", "research_project", "teaching_experience"], rng.randint(1, 2))),
                                    same_profession=rng.random() < 0.2, has_mentor=rng.random() < 0.3,
                                    under_represented=rng.random() < 0.15))
    mentors = []
    for j in range(n_mentors):
        profession, group = rng.choice(PROFESSIONS)
        mentors.append(Mentor(f"m{j}", profession, group, rng.choice(REGIONS), rng.randint(3, 6),
                              " ".join(rng.sample(TOPICS, 3)), frozenset(rng.sample(
                                  ["mentoring", "research_project", "teaching_experience"], rng.randint(1, 3))),
                              capacity=rng.randint(1, 10)))
    return clinicians, mentors


def main(n_clinicians: int = 50_000, n_mentors: int = 5_000) -> None:
    clinicians, mentors = people(n_clinicians, n_mentors)
    start = time.perf_counter()
    candidates = score_candidates(clinicians, mentors, k=30)
    scored = time.perf_counter() - start
    lines = [header(),
             f"{n_clinicians:,} clinicians x {n_mentors:,} mentors: scoring and top-30 {scored:.1f} s"]
    for label, run in (("deferred acceptance", lambda: deferred_acceptance(candidates)),
                       ("deferred acceptance, fairness", lambda: deferred_acceptance(candidates, fairness=True)),
                       ("greedy", lambda: greedy(candidates))):
        t = time.perf_counter()
        assignment = run()
        took = time.perf_counter() - t
        fair = "fairness" in label
        lines.append(f"  {label}: {took:.1f} s, matched {len(assignment.mentor_of):,}, total score "
                     f"{assignment.total_score(candidates):,.0f}, blocking pairs "
                     f"{blocking_pairs(candidates, assignment, fairness=fair):,}")
        print(lines[-1], flush=True)
    total = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines.append(f"  whole run {total:.1f} s, peak RSS {peak:.0f} MiB")
    print("\n".join(lines))
    record("matching_scale", lines)


if __name__ == "__main__":
    main(*[int(a) for a in sys.argv[1:]])
