"""Demonstration stories and opportunities for `make run`. The stories are illustrative composites of
journeys the study's interviewees described (report 6.3, 6.7 and 6.8), marked as such on the page; the
opportunities are examples with example.org links and dates relative to today."""

from __future__ import annotations

import datetime as dt

from .models import Opportunity, Story

STORIES = [
    dict(title="From audit lead to a pre-doctoral fellowship", person="Illustrative example: a physiotherapist",
         profession="physiotherapist", setting="nhs", stages=["first-steps", "pre-doctoral"],
         schemes=["nihr-hcp-internship", "pcaf"],
         journey="Ran the team's clinical audits for a few years, then joined a journal club. A colleague on an "
                 "internship suggested applying. After the internship, a mentor from the university helped them "
                 "read the PCAF guidance and shape a question from a problem they saw in clinic.",
         contract="NHS substantive contract throughout; the fellowship paid the trust for cover (backfill).",
         time_split="During the fellowship: 80% training and study, 20% clinical.",
         what_helped="An informal mentor who 'translated' the eligibility rules; a manager who agreed release early."),
    dict(title="A midwife in a joint post after a PhD", person="Illustrative example: a midwife",
         profession="midwife", setting="joint", stages=["doctoral", "post-doctoral"], schemes=["dcaf"],
         journey="Did a master's part time while working, then a doctoral fellowship. Now leads a small programme "
                 "of maternity research and supervises students.",
         contract="NHS trust holds the substantive contract (keeping the NHS pension); the university gives an "
                  "honorary contract.",
         time_split="50% clinical, 40% research, 10% teaching.",
         what_helped="A job plan agreed by both employers together, and peers from the same profession."),
    dict(title="Trying teaching without leaving the ward", person="Illustrative example: a mental health nurse",
         profession="mental_health_nurse", setting="nhs", stages=["any-stage", "first-steps"],
         schemes=["sessional-teaching"],
         journey="Was asked to give one guest lecture on their specialty, then a few sessions a year. Is now "
                 "taking a teaching module to see whether a lecturing post would suit.",
         contract="NHS substantive contract; the university pays a sessional fee.",
         time_split="Almost all clinical, plus about six teaching sessions a year.",
         what_helped="A course lead who asked; starting with one-off sessions rather than a job change."),
    dict(title="A research delivery route to leading studies", person="Illustrative example: an adult nurse",
         profession="adult_nurse", setting="nhs", stages=["first-steps", "any-stage"], schemes=["associate-pi"],
         journey="Helped recruit patients to a trial in their unit, then took part in the Associate PI scheme on "
                 "the next study. Now thinking about a master's in research.",
         contract="NHS substantive contract; no change needed.",
         time_split="About 90% clinical, 10% research delivery.",
         what_helped="The local PI as a mentor, and credit in the study's papers."),
]


def opportunities(today: dt.date) -> list[dict]:
    return [
        dict(title="Example: research internship, one day a week", kind="internship",
             organisation="Example NHS Foundation Trust", stage="first-steps", region="nw_greater_manchester",
             summary="Twelve months of protected time for a first research project, with a mentor.",
             url="https://example.org/internship", open_to=[], closes_on=today + dt.timedelta(days=21)),
        dict(title="Example: introduction to research methods workshop", kind="workshop",
             organisation="Example University", stage="first-steps", region="nw_cheshire_merseyside",
             summary="A free half-day session on asking a research question. No experience needed.",
             url="https://example.org/workshop", open_to=[], closes_on=today + dt.timedelta(days=9),
             starts_on=today + dt.timedelta(days=14)),
        dict(title="Example: secondment to a research delivery team", kind="secondment",
             organisation="Example Community Trust", stage="any-stage", region="nw_lancashire_cumbria",
             summary="Six months at two days a week, helping to run studies in community services.",
             url="https://example.org/secondment", open_to=["nursing_midwifery", "ahp"],
             closes_on=today + dt.timedelta(days=30)),
        dict(title="Example: clinical academic lecturer (joint post)", kind="job",
             organisation="Example University and Example Teaching Hospitals", stage="post-doctoral", region="",
             summary="A joint post for a registered AHP with a doctorate: half research and teaching, half clinical.",
             url="https://example.org/job", open_to=["ahp"], closes_on=today + dt.timedelta(days=45)),
    ]


def load_careers_demo(today: dt.date | None = None) -> list[str]:
    today = today or dt.date.today()
    said = []
    for story in STORIES:
        _, created = Story.objects.get_or_create(
            title=story["title"], defaults={**story, "illustrative": True, "published": True})
        if created:
            said.append(f"career story '{story['title']}'")
    for item in opportunities(today):
        _, created = Opportunity.objects.get_or_create(title=item["title"], defaults=item)
        if created:
            said.append(f"opportunity '{item['title']}'")
    return said
