"""Assignment with mentor capacities, stable for both sides' rankings: clinician-proposing deferred
acceptance (the hospitals/residents algorithm). Mentors rank clinicians by the same pair score, or,
with the fairness option, first by priority (no current mentor; under-represented group)."""

from __future__ import annotations

import heapq
from dataclasses import dataclass

from .scoring import Candidates


@dataclass
class Assignment:
    mentor_of: dict[int, int]  # clinician position -> mentor position
    method: str

    def mentees(self) -> dict[int, list[int]]:
        out: dict[int, list[int]] = {}
        for clinician, mentor in self.mentor_of.items():
            out.setdefault(mentor, []).append(clinician)
        return out

    def total_score(self, candidates: Candidates) -> float:
        total = 0.0
        for clinician, mentor in self.mentor_of.items():
            total += float(candidates.score[clinician, candidates.pair(clinician, mentor)])
        return total


def mentor_rank(candidates: Candidates, fairness: bool):
    """How mentor m ranks clinician i: a sortable key, larger is better."""
    def key(i: int, slot: int) -> tuple:
        score = float(candidates.score[i, slot])
        if not fairness:
            return (score, -i)
        c = candidates.clinicians[i]
        return (int(not c.has_mentor) + int(c.under_represented), score, -i)
    return key


def deferred_acceptance(candidates: Candidates, *, fairness: bool = False) -> Assignment:
    rank = mentor_rank(candidates, fairness)
    capacity = [m.capacity for m in candidates.mentors]
    held: dict[int, list[tuple]] = {}  # mentor -> min-heap of (rank key, clinician)
    next_choice = [0] * len(candidates.clinicians)
    free = list(range(len(candidates.clinicians)))
    mentor_of: dict[int, int] = {}
    while free:
        i = free.pop()
        preferences = candidates.mentor_index[i]
        while next_choice[i] < len(preferences):
            slot = next_choice[i]
            next_choice[i] += 1
            m = int(preferences[slot])
            if m < 0:
                break
            heap = held.setdefault(m, [])
            entry = (rank(i, slot), i)
            if len(heap) < capacity[m]:
                heapq.heappush(heap, entry)
                mentor_of[i] = m
                break
            if heap and entry > heap[0]:
                _, bumped = heapq.heapreplace(heap, entry)
                del mentor_of[bumped]
                mentor_of[i] = m
                free.append(bumped)
                break
    return Assignment(mentor_of, "deferred acceptance" + (" with fairness priority" if fairness else ""))


def greedy(candidates: Candidates) -> Assignment:
    """The obvious baseline: take the highest-scoring pairs first while capacity lasts."""
    capacity = [m.capacity for m in candidates.mentors]
    pairs = [(-float(candidates.score[i, slot]), i, int(m))
             for i in range(len(candidates.clinicians))
             for slot, m in enumerate(candidates.mentor_index[i]) if m >= 0]
    pairs.sort()
    mentor_of: dict[int, int] = {}
    for _, i, m in pairs:
        if i not in mentor_of and capacity[m] > 0:
            mentor_of[i] = m
            capacity[m] -= 1
    return Assignment(mentor_of, "greedy")


def blocking_pairs(candidates: Candidates, assignment: Assignment, *, fairness: bool = False) -> int:
    """Pairs who would both rather have each other than what they were given."""
    rank = mentor_rank(candidates, fairness)
    capacity = [m.capacity for m in candidates.mentors]
    worst: dict[int, tuple] = {}
    load: dict[int, int] = {}
    for i, m in assignment.mentor_of.items():
        key = rank(i, candidates.pair(i, m))
        load[m] = load.get(m, 0) + 1
        worst[m] = min(worst.get(m, key), key)
    count = 0
    for i in range(len(candidates.clinicians)):
        current = assignment.mentor_of.get(i)
        for slot, m in enumerate(candidates.mentor_index[i]):
            m = int(m)
            if m < 0 or m == current:
                break  # everyone after this slot is liked less than the current mentor
            if capacity[m] == 0:
                continue  # a mentor with no places can block nobody
            if load.get(m, 0) < capacity[m] or rank(i, slot) > worst[m]:
                count += 1
    return count
