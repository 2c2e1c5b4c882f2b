"""Mentoring pages: a clinician opts in and answers their match; a mentor keeps a profile; an
analyst runs, reviews and publishes a round. Nobody sees a profile its owner has not opted in."""

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from nmahp.app import matching

from ..accounts.access import role_required
from ..accounts.models import ADMIN, ANALYST, MENTOR
from ..pages import form_dict, respond
from ..surveys.models import ContactDetails, Response
from .forms import ClinicianForm, MentorForm, group_of
from .models import ClinicianProfile, Match, MatchingRound, MentorProfile

CONTACT_FIELDS = ("name", "email")  # from the survey's contact details: on the form, never in JSON


def _me_dict(profile: ClinicianProfile, match) -> dict:
    out = {"opted_in": profile.opted_in,
           "profile": {"profession": profile.profession, "profession_label": profile.profession_label,
                       "career_stage": profile.career_stage,
                       "career_stage_label": profile.career_stage_name, "interests": profile.interests},
           "match": None}
    if profile.opted_in and match:
        out["match"] = {"status": match.status, "reasons": match.reasons,
                        "mentor": {"profession": match.mentor.profession,
                                   "profession_label": match.mentor.profession_label,
                                   "institution": match.mentor.institution,
                                   "specialisms": match.mentor.specialisms}}
    return out


def _error_items(form) -> list[tuple[str, str]]:
    return [(f"#id_{name}", errors[0]) for name, errors in form.errors.items()]


def _from_survey(key: str) -> dict:
    """Start from the survey, only where the respondent agreed to be contacted."""
    response = Response.objects.filter(respondent_key=key, status=Response.COMPLETE).first()
    if response is None or response.answers.get("contact_consent") != "yes":
        return {}
    answers = response.answers
    contact = ContactDetails.objects.filter(respondent_key=key).first()
    details = contact.details if contact else {}
    return {"profession": (answers.get("profession") or "").split(" ")[0], "region": answers.get("region", ""),
            "interests": answers.get("area_of_interest", ""), "name": details.get("contact_name", ""),
            "email": details.get("contact_email", "")}


@require_http_methods(["GET", "POST"])
def join(request, as_json=False):
    if request.method == "POST":
        form = ClinicianForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            profile = ClinicianProfile.objects.create(
                opted_in=True, name=data["name"], email=data["email"], profession=data["profession"],
                professional_group=group_of(data["profession"]), region=data["region"],
                organisation=data["organisation"], career_stage=data["career_stage"], interests=data["interests"],
                wants=data["wants"], same_profession=data["same_profession"], has_mentor=data["has_mentor"],
                under_represented=data["under_represented"], availability=data["availability"],
                from_respondent=request.GET.get("from", "")[:64])
            return redirect("mentoring-me", key=profile.key)
    else:
        form = ClinicianForm(initial=_from_survey(request.GET.get("from", "")))
    data = {"form": form_dict(form, withheld=CONTACT_FIELDS)}
    return respond(request, "web/mentoring/join.html", {"form": form, "error_items": _error_items(form)}, data,
                   as_json=as_json, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def me(request, key, as_json=False):
    profile = ClinicianProfile.objects.filter(key=key).first()
    if profile is None:
        raise Http404("No profile for this link")
    match = (profile.matches.filter(round__status=MatchingRound.PUBLISHED)
             .exclude(status=Match.DECLINED).select_related("mentor__user").order_by("-round__created").first())
    if request.method == "POST":
        action = request.POST.get("action")
        if action in ("accept", "decline") and match and match.status == Match.PROPOSED:
            match.status = Match.ACCEPTED if action == "accept" else Match.DECLINED
            match.responded = timezone.now()
            match.save()
        elif action == "withdraw":
            profile.opted_in = False
            profile.save()
            Match.objects.filter(clinician=profile, status=Match.PROPOSED).delete()
        return redirect("mentoring-me", key=key)
    return respond(request, "web/mentoring/me.html", {"profile": profile, "match": match},
                   _me_dict(profile, match), as_json=as_json)


@require_http_methods(["GET", "POST"])
@role_required(MENTOR)
def mentor(request, as_json=False):
    profile = MentorProfile.objects.filter(user=request.user).first()
    if request.method == "POST":
        form = MentorForm(request.POST)
        if form.is_valid():
            data = {**form.cleaned_data, "professional_group": group_of(form.cleaned_data["profession"])}
            MentorProfile.objects.update_or_create(user=request.user, defaults=data)
            return redirect("mentoring-mentor")
    else:
        initial = {f: getattr(profile, f) for f in MentorForm.base_fields} if profile else {}
        form = MentorForm(initial=initial)
    mentees = (Match.objects.filter(mentor=profile, status=Match.ACCEPTED, clinician__opted_in=True)
               .select_related("clinician") if profile else [])
    proposed = (Match.objects.filter(mentor=profile, status=Match.PROPOSED, clinician__opted_in=True,
                                     round__status=MatchingRound.PUBLISHED).select_related("clinician")
                if profile else [])
    data = {"form": form_dict(form), "has_profile": profile is not None,
            # mentees' names and emails are on the page (for the mentor to contact them), never in JSON
            "mentees": [{"match": m.pk, "profession": m.clinician.profession,
                         "profession_label": m.clinician.profession_label, "interests": m.clinician.interests}
                        for m in mentees],
            "proposed": [{"match": m.pk, "profession": m.clinician.profession,
                          "profession_label": m.clinician.profession_label,
                          "career_stage": m.clinician.career_stage,
                          "career_stage_label": m.clinician.career_stage_name,
                          "interests": m.clinician.interests, "reasons": m.reasons} for m in proposed]}
    return respond(request, "web/mentoring/mentor.html", {
        "form": form, "profile": profile, "mentees": mentees, "proposed": proposed,
        "error_items": _error_items(form)}, data, as_json=as_json, status=400 if form.errors else 200)


@require_http_methods(["POST"])
@role_required(MENTOR)
def mentor_decline(request, match_id):
    match = get_object_or_404(Match, pk=match_id, mentor__user=request.user, status=Match.PROPOSED)
    match.status = Match.DECLINED  # the pair is never proposed again; the clinician joins the next round
    match.responded = timezone.now()
    match.save()
    return redirect("mentoring-mentor")


@require_http_methods(["GET", "POST"])
@role_required(ANALYST, ADMIN)
def rounds(request, as_json=False):
    if request.method == "POST":
        matching_round = matching.run_round(
            fairness=request.POST.get("fairness") == "yes", run_by=request.user.get_username(),
            topic="embeddings" if request.POST.get("topic") == "embeddings" else "tfidf")
        return redirect("mentoring-round", round_id=matching_round.pk)
    overview = matching.rounds_overview()
    data = {"clinicians": overview["clinicians"], "mentors": overview["mentors"], "rounds": overview["rounds_data"]}
    return respond(request, "web/mentoring/rounds.html", overview, data, as_json=as_json)


@require_http_methods(["GET", "POST"])
@role_required(ANALYST, ADMIN)
def round_detail(request, round_id, as_json=False):
    matching_round = get_object_or_404(MatchingRound, pk=round_id)
    if request.method == "POST":
        matching.publish_round(matching_round)
        return redirect("mentoring-round", round_id=round_id)
    review = matching.round_review(matching_round)
    data = {"round": review["round"], "matches": review["matches"]}
    return respond(request, "web/mentoring/round.html", {"round": matching_round, "matches": review["match_objects"]},
                   data, as_json=as_json)
