"""A matching round: opted-in profiles to the domain's matching, and the result back to the database."""

from django.db import transaction

from nmahp.matching import Clinician, Mentor, blocking_pairs, deferred_acceptance, greedy, score_candidates
from nmahp.matching.peers import peer_groups
from nmahp.study import STUDY

from .models import ClinicianProfile, Match, MatchingRound, MentorProfile


def _rank(stage_id: str) -> int:
    return STUDY.stage(stage_id).rank


def _clinician(p: ClinicianProfile) -> Clinician:
    return Clinician(str(p.pk), p.profession, p.professional_group, p.region, _rank(p.career_stage), p.interests,
                     frozenset(p.wants), same_profession=p.same_profession, has_mentor=p.has_mentor,
                     under_represented=p.under_represented, organisation=p.organisation)


def _mentor(p: MentorProfile, load: int) -> Mentor:
    return Mentor(str(p.pk), p.profession, p.professional_group, p.region, _rank(p.career_stage), p.specialisms,
                  frozenset(p.offers), capacity=max(0, p.capacity - load), institution=p.institution)


@transaction.atomic
def run_round(*, fairness: bool, run_by: str, topic: str = "tfidf") -> MatchingRound:
    """Match everyone opted in who has no accepted match; declined pairs are never proposed again."""
    accepted = Match.objects.filter(status=Match.ACCEPTED)
    matched = set(accepted.values_list("clinician_id", flat=True))
    clinicians = list(ClinicianProfile.objects.filter(opted_in=True).exclude(pk__in=matched).order_by("pk"))
    mentors = list(MentorProfile.objects.filter(opted_in=True).order_by("pk"))
    load = {}
    for mentor_id in accepted.values_list("mentor_id", flat=True):
        load[mentor_id] = load.get(mentor_id, 0) + 1
    candidates = score_candidates([_clinician(c) for c in clinicians], [_mentor(m, load.get(m.pk, 0))
                                                                         for m in mentors], k=30, topic=topic)
    position_c = {c.pk: i for i, c in enumerate(clinicians)}
    position_m = {m.pk: j for j, m in enumerate(mentors)}
    declined = {(position_c[c], position_m[m]) for c, m in Match.objects.filter(status=Match.DECLINED)
                .values_list("clinician_id", "mentor_id") if c in position_c and m in position_m}
    candidates.exclude(declined)
    stable = deferred_acceptance(candidates, fairness=fairness)
    baseline = greedy(candidates)
    wanting_peers = [_clinician(c) for c in clinicians if "peer_group" in c.wants]
    matching_round = MatchingRound.objects.create(
        fairness=fairness, run_by=run_by, total_score=stable.total_score(candidates),
        blocking_pairs=blocking_pairs(candidates, stable, fairness=fairness),
        greedy_total_score=baseline.total_score(candidates),
        greedy_blocking_pairs=blocking_pairs(candidates, baseline, fairness=fairness),
        peer_groups=peer_groups(wanting_peers) if len(wanting_peers) >= 4 else [])
    Match.objects.bulk_create([
        Match(round=matching_round, clinician=clinicians[i], mentor=mentors[m],
              score=float(candidates.score[i, candidates.pair(i, m)]), reasons=candidates.reasons(i, m))
        for i, m in stable.mentor_of.items()])
    return matching_round
