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
# the demo lead's organisation: its own link, through which the first of its region's demo respondents answered
DEMO_ORGANISATION = {"name": "Northshire NHS Foundation Trust (demo)", "region": "greater_manchester",
                     "channel": "northshire staff email", "invited": 900, "respondents": 60}


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
    said += load_demo_organisation()
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


def load_demo_organisation() -> list[str]:
    """The demo lead's organisation, so the lead's overview (/organisation/) has something to show."""
    from django.contrib.auth import get_user_model

    from .programme.models import Organisation, OrganisationLead, OrganisationLink
    from .surveys.models import Response, Wave

    wave = Wave.objects.filter(instrument=get_instrument("nmahp").form_id, name=DEMO_WAVE).first()
    lead = get_user_model().objects.filter(username="lead").first()
    if wave is None or lead is None:
        return []
    spec = DEMO_ORGANISATION
    organisation, _ = Organisation.objects.get_or_create(name=spec["name"], defaults={"region": spec["region"]})
    link, _ = CollectorLink.objects.get_or_create(wave=wave, channel=spec["channel"],
                                                  defaults={"invited": spec["invited"]})
    OrganisationLink.objects.get_or_create(collector=link, defaults={"organisation": organisation})
    OrganisationLead.objects.get_or_create(user=lead, defaults={"organisation": organisation})
    if link.responses.exists():
        return []
    ids = list(Response.objects.filter(wave=wave, collector=None, status=Response.COMPLETE,
                                       answers__region=spec["region"]).order_by("pk")
               .values_list("pk", flat=True)[:spec["respondents"]])
    Response.objects.filter(pk__in=ids).update(collector=link)
    return [f"demo organisation '{organisation.name}' ({len(ids)} respondents through its link), led by 'lead'"]
