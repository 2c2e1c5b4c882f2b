"""Candidate themes for segments nobody has coded yet: TF-IDF and non-negative matrix factorisation
(scikit-learn), each theme with its top terms and three example segments, for a person to accept,
rename or discard. Nothing is downloaded: no models, no data."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.decomposition import NMF
from sklearn.feature_extraction.text import TfidfVectorizer

from .model import Project


@dataclass
class Suggestion:
    terms: list[str]
    examples: list[str]
    size: int


def uncoded_segments(project: Project) -> list[str]:
    out = []
    for document in project.documents.values():
        marks = [h for h in project.highlights if h.document == document.id]
        for segment in document.segments:
            if segment.speaker.lower().startswith("interviewer"):
                continue
            if not any(h.start < segment.end and segment.start < h.end for h in marks):
                out.append(document.text[segment.start:segment.end])
    return out


def suggest_themes(project: Project, *, themes: int = 6, seed: int = 0, method: str = "tfidf") -> list[Suggestion]:
    """`method`: 'tfidf' (TF-IDF + NMF, the default) or 'embeddings' (sentence embeddings from a packaged
    model, clustered with k-means; answers with the same meaning in other words group together)."""
    texts = [t for t in uncoded_segments(project) if len(t.split()) >= 3]
    if len(texts) < themes * 2:
        return []
    if method == "embeddings":
        return _by_embeddings(texts, themes, seed)
    vectoriser = TfidfVectorizer(stop_words="english", max_df=0.8, min_df=2, ngram_range=(1, 2))
    matrix = vectoriser.fit_transform(texts)
    if matrix.shape[1] < themes:
        return []
    model = NMF(n_components=themes, init="nndsvda", random_state=seed, max_iter=400)
    weights = model.fit_transform(matrix)
    vocabulary = np.array(vectoriser.get_feature_names_out())
    assigned = weights.argmax(axis=1)
    out = []
    for k in range(themes):
        members = np.flatnonzero(assigned == k)
        if not len(members):
            continue
        best = members[np.argsort(-weights[members, k])][:3]
        out.append(Suggestion(list(vocabulary[np.argsort(-model.components_[k])][:6]),
                              [texts[i] for i in best], len(members)))
    out.sort(key=lambda s: -s.size)
    return out


def _by_embeddings(texts: list[str], themes: int, seed: int) -> list[Suggestion]:
    from sklearn.cluster import KMeans

    from ..embeddings import embed

    vectors = embed(texts)
    model = KMeans(n_clusters=themes, n_init=4, random_state=seed).fit(vectors)
    tfidf = TfidfVectorizer(stop_words="english", min_df=1)
    words = tfidf.fit_transform(texts)
    vocabulary = np.array(tfidf.get_feature_names_out())
    out = []
    for k in range(themes):
        members = np.flatnonzero(model.labels_ == k)
        if not len(members):
            continue
        centre = model.cluster_centers_[k]
        best = members[np.argsort(-(vectors[members] @ centre))][:3]
        weights = np.asarray(words[members].mean(axis=0)).ravel()
        out.append(Suggestion(list(vocabulary[np.argsort(-weights)][:6]), [texts[i] for i in best], len(members)))
    out.sort(key=lambda s: -s.size)
    return out
