"""Mentoring pages: a clinician opts in and answers their match; a mentor keeps a profile; an
analyst runs, reviews and publishes a round. Nobody sees a profile its owner has not opted in."""

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_http_methods

from nmahp.app import jobs, matching

from ..accounts.access import role_required
from ..accounts.models import ADMIN, ANALYST, MENTOR
from ..pages import form_dict, respond
from .forms import ClinicianForm, MentorForm
from .models import ClinicianProfile, MatchingRound, MentorProfile

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


@require_http_methods(["GET", "POST"])
def join(request, as_json=False):
    if request.method == "POST":
        form = ClinicianForm(request.POST)
        if form.is_valid():
            profile = matching.join(form.cleaned_data, from_respondent=request.GET.get("from", ""))
            return redirect("mentoring-me", key=profile.key)
    else:
        form = ClinicianForm(initial=matching.survey_start(request.GET.get("from", "")))
    data = {"form": form_dict(form, withheld=CONTACT_FIELDS)}
    return respond(request, "web/mentoring/join.html", {"form": form, "error_items": _error_items(form)}, data,
                   as_json=as_json, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def me(request, key, as_json=False):
    profile = ClinicianProfile.objects.filter(key=key).first()
    if profile is None:
        raise Http404("No profile for this link")
    if request.method == "POST":
        matching.clinician_says(profile, request.POST.get("action", ""))
        return redirect("mentoring-me", key=key)
    match = matching.current_match(profile)
    return respond(request, "web/mentoring/me.html", {"profile": profile, "match": match},
                   _me_dict(profile, match), as_json=as_json)


@require_http_methods(["GET", "POST"])
@role_required(MENTOR)
def mentor(request, as_json=False):
    profile = MentorProfile.objects.filter(user=request.user).first()
    if request.method == "POST":
        form = MentorForm(request.POST)
        if form.is_valid():
            matching.save_mentor(request.user, form.cleaned_data)
            return redirect("mentoring-mentor")
    else:
        initial = {f: getattr(profile, f) for f in MentorForm.base_fields} if profile else {}
        form = MentorForm(initial=initial)
    mentees, proposed = matching.mentor_matches(profile)
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
    if not matching.mentor_declines(request.user, match_id):
        raise Http404("No such proposal")
    return redirect("mentoring-mentor")


@require_http_methods(["GET", "POST"])
@role_required(ANALYST, ADMIN)
def rounds(request, as_json=False):
    if request.method == "POST":  # a round over every opted-in profile is long work: a background job
        job = jobs.submit("matching_round", {
            "fairness": request.POST.get("fairness") == "yes", "run_by": request.user.get_username(),
            "topic": "embeddings" if request.POST.get("topic") == "embeddings" else "tfidf"}, user=request.user)
        return redirect(f"/jobs/{job.pk}/?next=1")
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
