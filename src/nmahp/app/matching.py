"""Matching rounds: opted-in profiles to the domain's matching and the result back to the database;
reviewing a round, publishing it, and forming peer groups. The mentoring pages and `nmahp match` both
call these."""

from __future__ import annotations

from ..errors import NmahpError
from ..matching import Clinician, Mentor, blocking_pairs, deferred_acceptance, greedy, score_candidates
from ..matching.peers import MIN_SIZE, peer_groups
from ..study import STUDY
from . import jobs, mail, ready

ready()

from django.db import transaction  # noqa: E402  (after Django is set up, for a plain shell)
from django.db.models import Count  # noqa: E402

from ..web.mentoring.models import ClinicianProfile, Match, MatchingRound, MentorProfile  # noqa: E402

PEER_GROUP = "peer_group"  # the mentoring offer that asks for a peer group rather than a mentor


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
    wanting_peers = [_clinician(c) for c in clinicians if PEER_GROUP in c.wants]
    matching_round = MatchingRound.objects.create(
        fairness=fairness, run_by=run_by, total_score=stable.total_score(candidates),
        blocking_pairs=blocking_pairs(candidates, stable, fairness=fairness),
        greedy_total_score=baseline.total_score(candidates),
        greedy_blocking_pairs=blocking_pairs(candidates, baseline, fairness=fairness),
        peer_groups=peer_groups(wanting_peers) if len(wanting_peers) >= MIN_SIZE else [])
    Match.objects.bulk_create([
        Match(round=matching_round, clinician=clinicians[i], mentor=mentors[m],
              score=float(candidates.score[i, candidates.pair(i, m)]), reasons=candidates.reasons(i, m))
        for i, m in stable.mentor_of.items()])
    return matching_round


# run_round is one transaction of its own, so the job opens none around it
@jobs.task("matching_round", atomic=False, title="a matching round")
def matching_round_job(progress, fairness: bool = False, topic: str = "tfidf", run_by: str = "") -> dict:
    if topic not in ("tfidf", "embeddings"):
        raise NmahpError(f"interests are compared by tfidf or embeddings, not '{topic}'")
    progress(0, 1, "scoring every clinician against every mentor")
    matching_round = run_round(fairness=bool(fairness), run_by=run_by or "a background job", topic=topic)
    matches = matching_round.matches.count()
    progress(1, 1, "matched")
    return {"summary": f"Round {matching_round.pk} is a draft with {matches} matches: review it, then publish it.",
            "url": f"/mentoring/rounds/{matching_round.pk}/", "round": matching_round.pk, "matches": matches,
            "blocking_pairs": matching_round.blocking_pairs}


def rounds_overview(limit: int = 50) -> dict:
    """Who is opted in, and the latest rounds with their size."""
    rounds = list(MatchingRound.objects.annotate(match_count=Count("matches"))[:limit])
    return {"clinicians": ClinicianProfile.objects.filter(opted_in=True).count(),
            "mentors": MentorProfile.objects.filter(opted_in=True).count(),
            "rounds": rounds,
            "rounds_data": [{"id": r.pk, "created": r.created.isoformat(), "run_by": r.run_by, "status": r.status,
                             "matches": r.match_count, "blocking_pairs": r.blocking_pairs} for r in rounds]}


def get_round(round_id: int) -> MatchingRound:
    found = MatchingRound.objects.filter(pk=round_id).first()
    if found is None:
        raise NmahpError(f"no matching round {round_id}")
    return found


def round_review(matching_round: MatchingRound) -> dict:
    """A round for review: its scores against the greedy baseline, peer groups, and every match still
    open on both sides with its score and reasons, best first."""
    matches = list(matching_round.matches.filter(clinician__opted_in=True, mentor__opted_in=True)
                   .select_related("clinician", "mentor__user").order_by("-score"))
    r = matching_round
    return {"round": {"id": r.pk, "created": r.created.isoformat(), "run_by": r.run_by, "status": r.status,
                      "fairness": r.fairness, "total_score": r.total_score, "blocking_pairs": r.blocking_pairs,
                      "greedy_total_score": r.greedy_total_score, "greedy_blocking_pairs": r.greedy_blocking_pairs,
                      "peer_groups": r.peer_groups},
            "matches": [{"id": m.pk, "clinician": m.clinician.pk, "profession": m.clinician.profession,
                         "mentor": m.mentor.user.get_username(), "score": m.score, "reasons": m.reasons,
                         "status": m.status} for m in matches],
            "match_objects": matches}


def publish_round(matching_round: MatchingRound) -> bool:
    """Publish a draft round so clinicians and mentors see their matches; False if it was published already."""
    if matching_round.status != MatchingRound.DRAFT:
        return False
    matching_round.status = MatchingRound.PUBLISHED
    matching_round.save(update_fields=["status"])
    # both people of each match hear of it by e-mail (sent by the queue once this commits)
    mail.mentoring_notices(matching_round.matches.filter(status=Match.PROPOSED, clinician__opted_in=True,
                                                         mentor__opted_in=True), "published")
    return True


def form_peer_groups(matching_round: MatchingRound | None = None) -> list[list[str]]:
    """Peer groups of 4-8 among opted-in clinicians who asked for one (ids are profile ids). With a
    draft round, the groups are recorded on it, replacing what it had."""
    wanting = [_clinician(c) for c in ClinicianProfile.objects.filter(opted_in=True).order_by("pk")
               if PEER_GROUP in c.wants]
    groups = peer_groups(wanting) if len(wanting) >= MIN_SIZE else []
    if matching_round is not None:
        if matching_round.status != MatchingRound.DRAFT:
            raise NmahpError(f"round {matching_round.pk} is published; its peer groups are fixed")
        matching_round.peer_groups = groups
        matching_round.save(update_fields=["peer_groups"])
    return groups


# --- clinicians and mentors ----------------------------------------------------------------------------
def survey_start(respondent_key: str) -> dict:
    """What a survey respondent's opt-in form starts from, only where they agreed to be contacted: their
    profession, region and area of interest. Never their name or email: the key travels in a link, and
    whoever holds it must not learn who answered; contact details are read only on the analysts' audited
    contacts page. The clinician types their name and email into the form themselves."""
    from ..web.surveys.models import Response

    response = Response.objects.filter(respondent_key=respondent_key, status=Response.COMPLETE).first()
    if response is None or response.answers.get("contact_consent") != "yes":
        return {}
    answers = response.answers
    return {"profession": (answers.get("profession") or "").split(" ")[0], "region": answers.get("region", ""),
            "interests": answers.get("area_of_interest", "")}


def join(answers: dict, *, from_respondent: str = "") -> ClinicianProfile:
    """A clinician opts in (answers already validated by the opt-in form); their group is the study's."""
    fields = ("name", "email", "profession", "region", "organisation", "career_stage", "interests", "wants",
              "same_profession", "has_mentor", "under_represented", "availability")
    return ClinicianProfile.objects.create(
        opted_in=True, professional_group=STUDY.group_of(answers["profession"]),
        from_respondent=from_respondent[:64], **{f: answers[f] for f in fields})


def current_match(profile: ClinicianProfile) -> Match | None:
    """The clinician's latest published match they have not declined."""
    return (profile.matches.filter(round__status=MatchingRound.PUBLISHED).exclude(status=Match.DECLINED)
            .select_related("mentor__user").order_by("-round__created").first())


@transaction.atomic
def clinician_says(profile: ClinicianProfile, action: str) -> None:
    """'accept' or 'decline' the proposed match, or 'withdraw' from matching altogether."""
    from django.utils import timezone

    match = current_match(profile)
    if action in ("accept", "decline") and match and match.status == Match.PROPOSED:
        match.status = Match.ACCEPTED if action == "accept" else Match.DECLINED
        match.responded = timezone.now()
        match.save(update_fields=["status", "responded"])
        if action == "decline":
            mail.mentoring_notices([match], "declined_by_clinician")
    elif action == "withdraw":
        profile.opted_in = False
        profile.save(update_fields=["opted_in"])
        Match.objects.filter(clinician=profile, status=Match.PROPOSED).delete()


def save_mentor(user, answers: dict) -> MentorProfile:
    """A mentor's profile (answers already validated by the mentor form), made or updated."""
    profile, _ = MentorProfile.objects.update_or_create(
        user=user, defaults={**answers, "professional_group": STUDY.group_of(answers["profession"])})
    return profile


def mentor_matches(profile: MentorProfile | None) -> tuple[list[Match], list[Match]]:
    """(accepted mentees, proposals of published rounds awaiting an answer) of opted-in clinicians."""
    if profile is None:
        return [], []
    mentees = (Match.objects.filter(mentor=profile, status=Match.ACCEPTED, clinician__opted_in=True)
               .select_related("clinician"))
    proposed = (Match.objects.filter(mentor=profile, status=Match.PROPOSED, clinician__opted_in=True,
                                     round__status=MatchingRound.PUBLISHED).select_related("clinician"))
    return list(mentees), list(proposed)


def mentor_declines(user, match_id: int) -> bool:
    """The pair is never proposed again; the clinician joins the next round. False if no such proposal."""
    from django.utils import timezone

    match = Match.objects.filter(pk=match_id, mentor__user=user, status=Match.PROPOSED).first()
    if match is None or not Match.objects.filter(pk=match.pk, status=Match.PROPOSED).update(
            status=Match.DECLINED, responded=timezone.now()):
        return False
    mail.mentoring_notices([match], "declined_by_mentor")
    return True
