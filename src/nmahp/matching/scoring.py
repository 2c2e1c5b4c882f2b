"""Scores that explain themselves. Each acceptable clinician-mentor pair gets a score in [0, 1] made
of named parts (topic, profession, region, career stage, what is wanted against what is offered), so
every match can be told in words. Only each clinician's best `k` mentors are kept, which is what
makes 50,000 x 5,000 feasible."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from ..study import STUDY
from .profiles import Clinician, Mentor


@dataclass(frozen=True)
class Weights:
    topic: float = 0.45
    offer: float = 0.2
    profession: float = 0.15
    region: float = 0.1
    stage: float = 0.1


@dataclass
class Candidates:
    """Per clinician, their acceptable mentors best first, with the parts of each score."""

    clinicians: list[Clinician]
    mentors: list[Mentor]
    mentor_index: np.ndarray  # (n_clinicians, k) mentor positions, -1 where fewer were acceptable
    score: np.ndarray  # (n_clinicians, k)
    parts: dict[str, np.ndarray]  # part name -> (n_clinicians, k)
    weights: Weights

    def exclude(self, pairs: set[tuple[int, int]]) -> None:
        """Drop pairs (clinician, mentor) from the lists, e.g. a match declined in an earlier round."""
        for i, m in pairs:
            slot = self.pair(i, m)
            if slot is None:
                continue
            for table in (self.mentor_index, self.score, *self.parts.values()):
                row = table[i]
                row[slot:-1] = row[slot + 1:].copy()
                row[-1] = -1 if table is self.mentor_index else 0

    def preferences(self, i: int) -> list[int]:
        return [int(m) for m in self.mentor_index[i] if m >= 0]

    def pair(self, i: int, mentor: int) -> int | None:
        hits = np.flatnonzero(self.mentor_index[i] == mentor)
        return int(hits[0]) if len(hits) else None

    def reasons(self, i: int, mentor: int) -> list[str]:
        """The match in words, strongest reason first."""
        slot = self.pair(i, mentor)
        if slot is None:
            return []
        c, m = self.clinicians[i], self.mentors[mentor]
        reasons = []
        topic = self.parts["topic"][i, slot]
        if topic > 0:
            shared = shared_terms(c.interests, m.specialisms)
            reasons.append(f"your interests overlap with their specialisms ({topic:.0%} similar"
                           + (f": {', '.join(shared[:3])})" if shared else ")"))
        wanted = sorted(c.wants & m.offers)
        if wanted:
            labels = {o.id: o.label for o in STUDY.mentoring_offers}
            reasons.append("they offer what you asked for: "
                           + ", ".join(labels.get(w, w)[:1].lower() + labels.get(w, w)[1:] for w in wanted))
        if c.profession == m.profession:
            reasons.append(f"they are a {m.profession.replace('_', ' ')} too"
                           + (", as you asked" if c.same_profession else ""))
        elif c.professional_group == m.professional_group:
            reasons.append("they come from the same professional group")
        if c.region == m.region:
            reasons.append(f"they work in your region ({m.region.replace('_', ' ')})")
        gap = m.career_stage - c.career_stage
        if gap > 0:
            reasons.append(f"they are {gap} career stage{'s' if gap > 1 else ''} ahead of you")
        return reasons


def shared_terms(a: str, b: str) -> list[str]:
    words_a = {w.strip(".,;:()").lower() for w in a.split() if len(w) > 3}
    return sorted(w for w in {w.strip(".,;:()").lower() for w in b.split() if len(w) > 3} if w in words_a)


def _codes(values: list[str]) -> np.ndarray:
    lookup: dict[str, int] = {}
    return np.array([lookup.setdefault(v, len(lookup)) for v in values], dtype=np.int32)


def _topic_vectors(clinicians, mentors, topic: str):
    """(clinician vectors, mentor vectors transposed), whose product is the topic similarity."""
    if topic == "embeddings":
        from ..embeddings import embed

        return embed([c.interests for c in clinicians]), embed([m.specialisms for m in mentors]).T
    if topic != "tfidf":
        raise ValueError("topic must be 'tfidf' or 'embeddings'")
    vectoriser = TfidfVectorizer(stop_words="english", sublinear_tf=True, min_df=1, dtype=np.float32)
    vectoriser.fit([c.interests for c in clinicians] + [m.specialisms for m in mentors])
    return (vectoriser.transform([c.interests for c in clinicians]),
            vectoriser.transform([m.specialisms for m in mentors]).T.tocsc())


def score_candidates(clinicians: list[Clinician], mentors: list[Mentor], *, k: int = 30,
                     weights: Weights = Weights(), chunk: int = 2000, topic: str = "tfidf") -> Candidates:
    """Best `k` acceptable mentors per clinician. `topic`: 'tfidf' (default) or 'embeddings'
    (a packaged sentence-transformer: interests that share meaning but not words still match)."""
    if not clinicians or not mentors:
        empty = np.full((len(clinicians), 0), -1)
        return Candidates(clinicians, mentors, empty, empty.astype(float), {}, weights)
    k = min(k, len(mentors))
    clinician_topics, mentor_topics = _topic_vectors(clinicians, mentors, topic)

    # categorical parts as codes so every comparison is a vectorised equality
    professions = _codes([c.profession for c in clinicians] + [m.profession for m in mentors])
    groups = _codes([c.professional_group for c in clinicians] + [m.professional_group for m in mentors])
    regions = _codes([c.region for c in clinicians] + [m.region for m in mentors])
    n = len(clinicians)
    c_prof, m_prof = professions[:n], professions[n:]
    c_group, m_group = groups[:n], groups[n:]
    c_region, m_region = regions[:n], regions[n:]
    c_stage = np.array([c.career_stage for c in clinicians])
    m_stage = np.array([m.career_stage for m in mentors])
    wants = STUDY.offer_ids
    c_wants = np.array([[w in c.wants for w in wants] for c in clinicians], dtype=np.float32)
    m_offers = np.array([[w in m.offers for w in wants] for m in mentors], dtype=np.float32)
    c_same = np.array([c.same_profession for c in clinicians])
    capacity_ok = np.array([m.capacity > 0 for m in mentors])

    index = np.full((n, k), -1, dtype=np.int64)
    scores = np.zeros((n, k), dtype=np.float32)
    parts = {name: np.zeros((n, k), dtype=np.float32) for name in ("topic", "offer", "profession", "region",
                                                                    "stage")}
    for start in range(0, n, chunk):
        rows = slice(start, min(start + chunk, n))
        product = clinician_topics[rows] @ mentor_topics
        topic = np.clip(product.toarray() if hasattr(product, "toarray") else product, 0, 1)
        wanted = c_wants[rows]
        offer = (wanted @ m_offers.T) / np.maximum(wanted.sum(axis=1, keepdims=True), 1)
        same_prof = c_prof[rows, None] == m_prof[None, :]
        profession = np.where(same_prof, 1.0, np.where(c_group[rows, None] == m_group[None, :], 0.5, 0.0))
        region = (c_region[rows, None] == m_region[None, :]).astype(np.float32)
        gap = m_stage[None, :] - c_stage[rows, None]
        # a mentor one to three stages ahead helps most; level or behind helps little
        stage = np.clip(np.where(gap <= 0, 0.0, 1.0 - (gap - 2).clip(0) * 0.25), 0, 1)
        total = (weights.topic * topic + weights.offer * offer + weights.profession * profession
                 + weights.region * region + weights.stage * stage)
        acceptable = (offer > 0) & capacity_ok[None, :] & (~c_same[rows, None] | same_prof)
        total = np.where(acceptable, total, -1.0)
        top = np.argpartition(-total, k - 1, axis=1)[:, :k]
        top_scores = np.take_along_axis(total, top, axis=1)
        order = np.argsort(-top_scores, axis=1, kind="stable")
        top = np.take_along_axis(top, order, axis=1)
        top_scores = np.take_along_axis(top_scores, order, axis=1)
        valid = top_scores >= 0
        index[rows] = np.where(valid, top, -1)
        scores[rows] = np.where(valid, top_scores, 0)
        for name, values in (("topic", topic), ("offer", offer), ("profession", profession), ("region", region),
                             ("stage", stage)):
            parts[name][rows] = np.where(valid, np.take_along_axis(values, top, axis=1), 0)
    return Candidates(clinicians, mentors, index, scores, parts, weights)
