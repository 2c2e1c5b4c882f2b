"""The demo wave `make run` loads: the study's two surveys at the study's size, synthetic."""

from __future__ import annotations

import functools

from nmahp.instruments import get_instrument
from nmahp.instruments.synth import Synthesiser
from nmahp.study import STUDY

from .surveys import store
from .surveys.models import CollectorLink

DEMO_WAVE = "2023-demo"
# the study's channels; 544 opened the first email (4.2.2); other reach is unknown
CHANNELS = [("email", 544), ("twitter", None), ("whatsapp", None), ("web", None)]
# demonstration accounts (never for real data): role, region, password, TOTP secret
DEMO_USERS = [("lead", "lead", "greater_manchester", "demo-lead-password", ""),
              ("analyst", "analyst", "", "demo-analyst-password", "JBSWY3DPEHPK3PXPJBSWY3DP"),
              ("admin", "admin", "", "demo-admin-password", "KRSXG5CTMVRXEZLUKN2XAZLS"),
              ("mentor", "mentor", "", "demo-mentor-password", "")]
# demonstration mentors who have opted in to matching
DEMO_MENTORS = [
    ("mentor", "physiotherapist", "greater_manchester", "University of Manchester", "post-doctoral",
     "musculoskeletal pain rehabilitation physiotherapy trials", ["mentoring", "research_project"], 3),
    ("mentor2", "midwife", "cheshire_merseyside", "Liverpool Women's Hospital", "senior",
     "perinatal mental health maternity care qualitative research", ["mentoring", "teaching_experience"], 2),
    ("mentor3", "adult_nurse", "lancashire_south_cumbria", "University of Central Lancashire", "doctoral",
     "oncology nursing symptom management clinical trials delivery", ["mentoring", "research_project"], 2),
]
SIZES = {"nmahp": 174, "leads": 16}


@functools.lru_cache(maxsize=4)
def _demo_rows(name: str, size: int) -> tuple[dict[str, str], ...]:
    # the same seed gives the same respondents, so a process that loads the demo again (the tests do,
    # into each fresh database) draws them once
    return tuple(Synthesiser(get_instrument(name), seed=2023).stream(size))


def load_demo() -> list[str]:
    said = []
    for name, size in SIZES.items():
        form = get_instrument(name)
        wave = store.get_or_create_wave(form.form_id, DEMO_WAVE)
        for channel, invited in CHANNELS:
            CollectorLink.objects.get_or_create(wave=wave, channel=channel, defaults={"invited": invited})
        if wave.responses.exists():
            said.append(f"{form.form_id} wave {DEMO_WAVE} already has {wave.responses.count()} responses")
            continue
        count = store.bulk_load(wave, (dict(row) for row in _demo_rows(name, size)), source="synth:demo")
        said.append(f"loaded {count} synthetic {form.form_id} respondents into wave {DEMO_WAVE}")
    said += load_demo_users()
    from .careers.demo import load_careers_demo

    said += load_careers_demo()
    return said


def load_demo_users() -> list[str]:
    from django.contrib.auth import get_user_model

    from .accounts.models import Profile

    said = []
    User = get_user_model()
    for username, role, region, password, secret in DEMO_USERS:
        user, created = User.objects.get_or_create(username=username)
        if created:
            user.set_password(password)
            user.is_staff = role == "admin"
            user.is_superuser = role == "admin"
            user.save()
            Profile.objects.create(user=user, role=role, region=region, totp_secret=secret)
            said.append(f"demo account '{username}' ({role}) password '{password}'"
                        + (f", TOTP secret {secret}" if secret else ""))
    from .mentoring.models import MentorProfile

    for username, profession, region, institution, stage, specialisms, offers, capacity in DEMO_MENTORS:
        user, created = User.objects.get_or_create(username=username)
        if created:
            user.set_unusable_password()
            user.save()
            Profile.objects.create(user=user, role="mentor")
        MentorProfile.objects.get_or_create(user=user, defaults={
            "opted_in": True, "profession": profession, "professional_group": STUDY.group_of(profession),
            "region": region, "institution": institution, "career_stage": stage, "specialisms": specialisms,
            "offers": offers, "capacity": capacity})
    return said
