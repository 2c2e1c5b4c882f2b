"""Peer groups: 4 to 8 clinicians at a similar career stage with overlapping interests, spread
across organisations so a group is not one team talking to itself."""

from __future__ import annotations

import numpy as np
from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import TfidfVectorizer

from .profiles import Clinician

MIN_SIZE, MAX_SIZE, TARGET = 4, 8, 6


def _split(members: list[int], organisation: list[str]) -> list[list[int]]:
    """Cut a list into groups of 4-8, dealing people out so organisations mix."""
    if len(members) < MIN_SIZE:
        return [members] if members else []
    count = max(1, round(len(members) / TARGET))
    while len(members) / count > MAX_SIZE:
        count += 1
    while count > 1 and len(members) / count < MIN_SIZE:
        count -= 1
    by_org: dict[str, list[int]] = {}
    for i in members:
        by_org.setdefault(organisation[i], []).append(i)
    # round-robin over organisations: the largest organisation is spread over every group
    ordered = []
    queues = sorted(by_org.values(), key=len, reverse=True)
    while any(queues):
        for queue in queues:
            if queue:
                ordered.append(queue.pop(0))
    # consecutive runs of the interleaved list: each run holds several organisations
    sizes = [len(ordered) // count + (1 if k < len(ordered) % count else 0) for k in range(count)]
    groups, start = [], 0
    for size in sizes:
        groups.append(ordered[start:start + size])
        start += size
    return groups


def peer_groups(clinicians: list[Clinician], *, seed: int = 0) -> list[list[str]]:
    """Groups of clinician ids. Stage ranks are banded in pairs (0-1, 2-3, 4 and up); within a band, interests are
    clustered; each cluster is cut into groups of 4-8. Bands too small to fill a group are merged
    into a neighbouring band rather than leaving people alone."""
    if not clinicians:
        return []
    bands: dict[int, list[int]] = {}
    for i, c in enumerate(clinicians):
        bands.setdefault(min(c.career_stage // 2, 2), []).append(i)
    for band in sorted(bands):
        if len(bands[band]) < MIN_SIZE and len(bands) > 1:
            target = min((b for b in bands if b != band), key=lambda b: abs(b - band))
            bands[target].extend(bands.pop(band))
    organisation = [c.organisation or c.id for c in clinicians]
    groups = []
    for members in bands.values():
        if len(members) <= MAX_SIZE:
            groups.extend(_split(members, organisation))
            continue
        texts = [clinicians[i].interests for i in members]
        vectors = TfidfVectorizer(stop_words="english").fit_transform(texts)
        clusters = max(1, len(members) // (TARGET * 2))
        labels = KMeans(n_clusters=clusters, n_init=4, random_state=seed).fit_predict(vectors)
        leftovers = []
        for label in np.unique(labels):
            cluster = [members[k] for k in np.flatnonzero(labels == label)]
            if len(cluster) < MIN_SIZE:
                leftovers.extend(cluster)
            else:
                groups.extend(_split(cluster, organisation))
        if leftovers:
            if len(leftovers) >= MIN_SIZE:
                groups.extend(_split(leftovers, organisation))
            else:  # too few to form a group: add them to the smallest groups that have room
                for i in leftovers:
                    room = [g for g in groups if len(g) < MAX_SIZE]
                    (min(room, key=len) if room else groups[-1]).append(i)
    return [[clinicians[i].id for i in group] for group in groups]
