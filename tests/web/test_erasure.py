"""Erasure reaches everything derived from a respondent: one respondent is given every artefact the
service can derive (answers with contact details and consent, open text coded in the wave's coding
project, a participant number, an interview transcript, a mentoring profile with a match and a peer
group, a report quoting them), then erased through `nmahp erase` in a real subprocess, or through the
admin; afterwards no table holds their key or their words, the regenerated report does not quote them,
and another respondent's highlight still covers exactly the same text.

The module's top imports no Django, so `build_world` and `leftovers` also run in the subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NMAHP = str(Path(sys.executable).with_name("nmahp"))
WAVE = "erasure"
THEIR_COMMENT = "Zebrafinch grant letters vanished twice in my trust, and nobody could tell me where they went"
THEIR_INTEREST = "Quokka tendon rehabilitation"
THEIR_NAME, THEIR_EMAIL = "Marigold Quennell", "marigold.quennell@example.nhs.uk"
THEIR_INTERVIEW = "I remember the ptarmigan audit that started it all"
OTHER_COMMENT = "Protected afternoons kept my audit alive"
VTT = f"""WEBVTT

00:00:01.000 --> 00:00:03.000
<v Interviewer>What got you started?</v>

00:00:03.500 --> 00:00:07.000
<v {THEIR_NAME}>{THEIR_INTERVIEW}.</v>
"""


def build_world(folder: str) -> dict:
    """A wave of 40 respondents in which one (the 6th) has every derived artefact; returns what to look for."""
    from nmahp.app import ready

    ready()
    from django.contrib.auth import get_user_model

    from nmahp.app import coding, matching, reports
    from nmahp.instruments import get_instrument
    from nmahp.instruments.synth import synthesise
    from nmahp.web.coding.models import CodeItem, CodingDocument, HighlightItem, ParticipantNumber
    from nmahp.web.mentoring.models import Match, MatchingRound, MentorProfile
    from nmahp.web.surveys import store

    folder = Path(folder)
    wave = store.get_or_create_wave("nmahp", WAVE)
    rows = synthesise(get_instrument("nmahp"), 40, seed=1)
    rows[5].update({"consent": "yes", "enablers_barriers_comments": THEIR_COMMENT, "area_of_interest": THEIR_INTEREST,
                    "contact_consent": "yes", "contact_name": THEIR_NAME, "contact_email": THEIR_EMAIL})
    rows[6].update({"consent": "yes", "enablers_barriers_comments": OTHER_COMMENT})
    saved = [store.save_response(wave, row) for row in rows]
    key, other_key = saved[5].respondent_key, saved[6].respondent_key
    assert store.ContactDetails.objects.filter(respondent_key=key).exists()

    project = coding.build_project(wave)
    number = ParticipantNumber.objects.get(wave=wave, respondent_key=key).number
    other_number = ParticipantNumber.objects.get(wave=wave, respondent_key=other_key).number
    comments = CodingDocument.objects.get(project=project, name="enablers_barriers_comments")
    mine = next(s for s in comments.segments if s["participant"] == str(number))
    theirs = next(s for s in comments.segments if s["participant"] == str(other_number))
    assert mine["end"] < theirs["start"]  # the other respondent's answer comes after theirs
    paperwork = CodeItem.objects.create(project=project, name="Paperwork")
    lost = CodeItem.objects.create(project=project, name="Lost letters")
    whole = HighlightItem.objects.create(document=comments, start=mine["start"], end=mine["end"], coder="anna")
    whole.codes.set([paperwork])
    words = comments.text.index("grant letters", mine["start"])
    part = HighlightItem.objects.create(document=comments, start=words, end=words + len("grant letters"), coder="ben")
    part.codes.set([lost])
    other = HighlightItem.objects.create(document=comments, start=theirs["start"], end=theirs["end"], coder="anna")
    other.codes.set([paperwork])

    transcript = folder / "interview.vtt"
    transcript.write_text(VTT, encoding="utf-8")
    coding.add_transcript(project, transcript, str(number))

    profile = matching.join({"name": THEIR_NAME, "email": THEIR_EMAIL, "profession": "dietitian",
                             "region": "cheshire_merseyside", "organisation": "", "career_stage": "first-steps",
                             "interests": THEIR_INTEREST, "wants": ["mentoring", "peer_group"],
                             "same_profession": False, "has_mentor": False, "under_represented": False,
                             "availability": ""}, from_respondent=key)
    user = get_user_model().objects.create_user(username="mentor-erasure", password="a-long-test-password")
    mentor = MentorProfile.objects.create(user=user, opted_in=True, profession="dietitian",
                                          professional_group="ahp", region="cheshire_merseyside",
                                          specialisms="tendons", offers=["mentoring"])
    matching_round = MatchingRound.objects.create(run_by="analyst", peer_groups=[[str(profile.pk), "999"]])
    Match.objects.create(round=matching_round, clinician=profile, mentor=mentor, score=0.5, reasons=["tendons"])

    report = folder / "before.html"
    reports.write_report(reports.wave_surveys(WAVE), report, "html", title="t", subtitle="s")
    assert THEIR_COMMENT[:40] in report.read_text(encoding="utf-8")  # the report quotes them
    return {"key": key, "profile_key": profile.key, "other_highlight": other.pk,
            "other_text": comments.text[theirs["start"]:theirs["end"]],
            "needles": [key, profile.key, THEIR_COMMENT, "Zebrafinch", THEIR_INTEREST, THEIR_NAME, THEIR_EMAIL,
                        THEIR_INTERVIEW]}


def leftovers(needles: list[str]) -> list[str]:
    """Where any needle is still found: every model's text and JSON fields, then every table, row by row."""
    from nmahp.app import ready

    ready()
    from django.apps import apps
    from django.db import connection, models

    found = []
    for model in apps.get_models(include_auto_created=True):
        fields = [f for f in model._meta.concrete_fields
                  if isinstance(f, models.CharField | models.TextField | models.JSONField)]
        for row in model.objects.values_list("pk", *[f.name for f in fields]):
            for field, value in zip(fields, row[1:], strict=True):
                text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                found += [f"{model._meta.db_table}.{field.name} {row[0]}: {n}" for n in needles if n in text]
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608  (a name from the database itself)
            for row in cursor.fetchall():
                cells = " ".join(v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v) for v in row)
                found += [f"{table}: {n}" for n in needles if n in cells]
    return found


def after(world: dict, folder: str) -> dict:
    """What is left: leftovers, the other highlight's text, the erase audit entries, the regenerated report."""
    from nmahp.app import ready, reports

    ready()
    from nmahp.web.accounts.models import AuditEvent
    from nmahp.web.coding.models import HighlightItem

    other = HighlightItem.objects.get(pk=world["other_highlight"])
    out = Path(folder) / "after.html"
    reports.write_report(reports.wave_surveys(WAVE), out, "html", title="t", subtitle="s")
    return {"leftovers": leftovers(world["needles"]),
            "other_text": other.document.text[other.start:other.end],
            "highlights": HighlightItem.objects.count(),
            "audit": [(e.actor, e.target, e.detail) for e in AuditEvent.objects.filter(action="erase")],
            "report": out.read_text(encoding="utf-8")}


def _check(world: dict, left: dict, actor: str) -> None:
    import hashlib

    assert left["leftovers"] == []
    assert left["other_text"] == world["other_text"] == OTHER_COMMENT
    assert THEIR_COMMENT[:40] not in left["report"] and "Zebrafinch" not in left["report"]
    assert OTHER_COMMENT in left["report"]  # the other respondent is still quoted
    digest = hashlib.sha256(world["key"].encode()).hexdigest()[:16]
    assert [(a, t) for a, t, _ in left["audit"]] == [(actor, f"respondent {digest}")]
    assert "transcripts 1" in left["audit"][0][2] and "mentoring profiles 1" in left["audit"][0][2]


# --- through the command line, in a subprocess on its own database -----------------------------------------
def _run(folder: Path, *args: str) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(folder), "NMAHP_DATA_DIR": str(folder),
           "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}", "COLUMNS": "250", "LANG": "C.UTF-8"}
    return subprocess.run(args, cwd=folder, env=env, capture_output=True, text=True, timeout=300)


def _python(folder: Path, call: str) -> dict:
    code = f"import json, sys; from tests.web import test_erasure as t; print('\\n' + json.dumps({call}))"
    done = _run(folder, sys.executable, "-c", code, str(folder))
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_nmahp_erase_removes_everything_derived_from_the_respondent(tmp_path):
    assert _run(tmp_path, NMAHP, "migrate").returncode == 0
    world = _python(tmp_path, "t.build_world(sys.argv[1])")
    erased = _run(tmp_path, NMAHP, "erase", "--respondent", world["key"])
    assert erased.returncode == 0, erased.stdout + erased.stderr
    said = " ".join(erased.stdout.split())
    for kind in ("answers: 1", "contact details: 1", "open-text answers:", "transcripts: 1", "highlights: 2",
                 "participant numbers: 1", "mentoring profiles: 1", "matches: 1", "peer group places: 1"):
        assert kind in said, said
    (tmp_path / "world.json").write_text(json.dumps(world))
    left = _python(tmp_path, "t.after(json.load(open('world.json')), sys.argv[1])")
    _check(world, left, "cli")
    again = _run(tmp_path, NMAHP, "erase", "--respondent", world["key"])
    assert again.returncode == 2 and "no respondent" in again.stderr


# --- through the admin ------------------------------------------------------------------------------------
@pytest.mark.db
@pytest.mark.django_db
def test_the_admin_erases_through_the_same_path(signed_in, tmp_path, settings):
    from nmahp.web.surveys.models import Response

    world = build_world(str(tmp_path))
    admin = signed_in("admin")
    listing = admin.get("/admin/surveys/response/").content.decode()
    assert world["key"] not in listing and 'value="delete_selected"' not in listing
    response = Response.objects.get(respondent_key=world["key"])
    done = admin.post("/admin/surveys/response/", {"action": "erase_selected", "_selected_action": [response.pk]})
    assert done.status_code == 302
    _check(world, after(world, str(tmp_path)), "admin-user")


@pytest.mark.db
@pytest.mark.django_db
def test_the_admins_delete_page_erases_and_records(signed_in):
    from nmahp.web.accounts.models import AuditEvent
    from nmahp.web.mentoring.models import ClinicianProfile
    from nmahp.web.surveys import store
    from nmahp.web.surveys.models import ContactDetails, Response

    wave = store.get_or_create_wave("nmahp", WAVE)
    response = store.save_response(wave, {"consent": "yes", "contact_consent": "yes", "contact_name": THEIR_NAME},
                                   complete=False)
    ClinicianProfile.objects.create(name=THEIR_NAME, email=THEIR_EMAIL, profession="dietitian",
                                    professional_group="ahp", region="x", career_stage="first-steps",
                                    interests="x", from_respondent=response.respondent_key)
    admin = signed_in("admin")
    page = admin.get(f"/admin/surveys/response/{response.pk}/change/").content.decode()
    assert response.respondent_key not in page
    assert admin.post(f"/admin/surveys/response/{response.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not Response.objects.exists() and not ContactDetails.objects.exists()
    assert not ClinicianProfile.objects.exists()
    assert AuditEvent.objects.filter(action="erase", actor="admin-user").count() == 1
