"""Phase 3 interviews (report 4.2.3) from the platform: a purposive first round drawn from a wave's respondents
who agreed to be contacted, over the study's grid (nmahp.qualitative.sampling); invitations by e-mail; each
interviewee's reply, consent form and interview recorded; a second round to everyone remaining when uptake is
short; uptake by cell, under the disclosure policy for everyone but analysts. Interviewees are known by the
wave's participant number, the one coding uses for a transcript's case (its survey answers as attributes);
addresses are read only to send, and each read is audited."""

from __future__ import annotations

from django.utils import timezone

from ..analysis.disclosure import EXACT, PUBLISHED
from ..errors import NmahpError
from ..instruments import get_instrument
from ..qualitative.sampling import Candidate, Grid, draw, second_round, uptake
from ..study import STUDY
from . import mail, ready
from .coding import participant_numbers

ready()

from django.db import transaction  # noqa: E402

from ..web.accounts.models import ANALYST, audit  # noqa: E402
from ..web.outreach.models import Interviewee, InterviewSample  # noqa: E402
from ..web.surveys.models import ContactDetails, Response  # noqa: E402

EMAIL_QUESTION = "contact_email"
STEPS = [s for s, _ in Interviewee.STATUSES]


def _levels(wave, dimension: str) -> tuple[str, ...]:
    if dimension == "professional_group":
        return STUDY.group_ids
    instrument = get_instrument(wave.instrument, version=wave.form_version)
    if dimension not in instrument.questions or not instrument.questions[dimension].choices:
        raise NmahpError(f"the grid's '{dimension}' is not a single-choice question of {wave.instrument}")
    return tuple(c.name for c in instrument.questions[dimension].choices)


def study_grid(wave) -> Grid:
    """The study's grid (vocabulary.yaml: interview_sampling) with this wave's levels."""
    return Grid(STUDY.interview_grid, tuple(_levels(wave, d) for d in STUDY.interview_grid), STUDY.interview_target)


def _attribute(answers: dict, dimension: str) -> str:
    if dimension == "professional_group" and not answers.get(dimension):
        return STUDY.group_of((answers.get("profession") or "").split(" ")[0])
    return str(answers.get(dimension) or "")


def candidates(wave, grid: Grid) -> list[Candidate]:
    """Complete respondents of the wave who agreed to be contacted and left an e-mail address (read as present
    or not: no address leaves the database here)."""
    reachable = set(ContactDetails.objects.filter(details__has_key=EMAIL_QUESTION).exclude(
        **{f"details__{EMAIL_QUESTION}": ""}).values_list("respondent_key", flat=True))
    found = Response.objects.filter(wave=wave, status=Response.COMPLETE, respondent_key__in=reachable,
                                    answers__contact_consent="yes").only("respondent_key", "answers")
    return [Candidate(r.respondent_key, {d: _attribute(r.answers, d) for d in grid.dimensions}) for r in found]


@transaction.atomic
def draw_sample(wave, *, seed: int = 0, actor: str = "") -> InterviewSample:
    """The wave's first round, drawn once; a wave that has a sample keeps it."""
    if InterviewSample.objects.filter(wave=wave).exists():
        raise NmahpError(f"wave {wave.name} already has its interview sample; open the second round instead")
    grid = study_grid(wave)
    people = candidates(wave, grid)
    if not people:
        raise NmahpError(f"no complete respondent of wave {wave.name} agreed to be contacted and left an address")
    drawn = draw(people, grid, seed=seed)
    sample = InterviewSample.objects.create(wave=wave, seed=seed, drawn_by=actor[:150], grid={
        "dimensions": list(grid.dimensions), "levels": [list(levels) for levels in grid.levels],
        "target": grid.target})
    numbers = participant_numbers(wave)
    Interviewee.objects.bulk_create([Interviewee(sample=sample, respondent_key=key, number=numbers[key],
                                                 cell=list(cell), round=1)
                                     for cell, keys in drawn.chosen.items() for key in keys])
    audit(actor, "draw_interview_sample", str(wave), f"{len(drawn.ids)} of {len(people)} who agreed to be "
          f"contacted, seed {seed}; short cells: {len(drawn.short)}")
    return sample


def _grid(sample: InterviewSample) -> Grid:
    g = sample.grid
    return Grid(tuple(g["dimensions"]), tuple(tuple(levels) for levels in g["levels"]), int(g["target"]))


@transaction.atomic
def open_second_round(sample: InterviewSample, *, actor: str = "") -> int:
    """Everyone remaining who agreed to be contacted joins, as the study did when uptake was low."""
    if sample.second_round:
        raise NmahpError("the second round is open already")
    grid = _grid(sample)
    people = candidates(sample.wave, grid)
    rest = set(second_round(people, sample.interviewees.values_list("respondent_key", flat=True)))
    numbers = participant_numbers(sample.wave)
    Interviewee.objects.bulk_create([Interviewee(sample=sample, respondent_key=c.id, number=numbers[c.id],
                                                 cell=list(grid.cell_of(c) or ()), round=2)
                                     for c in people if c.id in rest])
    sample.second_round = timezone.now()
    sample.save(update_fields=["second_round"])
    audit(actor, "open_second_round", str(sample.wave), f"{len(rest)} more respondents")
    return len(rest)


@transaction.atomic
def send_invitations(sample: InterviewSample, *, actor: str = "") -> int:
    waiting = list(sample.interviewees.filter(status="not_invited"))
    Interviewee.objects.filter(pk__in=[i.pk for i in waiting]).update(status="invited", invited=timezone.now())
    for person in waiting:
        mail.send("interview_invitation", "interviewee", person.pk, actor=actor)
    return len(waiting)


@transaction.atomic
def send_reminders(sample: InterviewSample, *, now=None, after_days: int = 7, actor: str = "") -> int:
    """One reminder to each invitee who has not replied `after_days` after their invitation."""
    import datetime as dt

    since = (now or timezone.now()) - dt.timedelta(days=after_days)
    due = list(sample.interviewees.filter(status="invited", reminders=0, invited__lte=since))
    Interviewee.objects.filter(pk__in=[p.pk for p in due]).update(reminders=1)
    for person in due:
        mail.send("interview_invitation", "interviewee", person.pk, {"reminder": True}, actor=actor)
    return len(due)


def record(sample: InterviewSample, participant_id: int, status: str, *, actor: str = "") -> Interviewee:
    """Where one interviewee stands now (replied, consent form received, interviewed, declined)."""
    if status not in STEPS:
        raise NmahpError(f"choose one of: {', '.join(label for _, label in Interviewee.STATUSES)}")
    person = sample.interviewees.filter(pk=participant_id).first()
    if person is None:
        raise NmahpError("no such participant in this sample")
    before, person.status = person.status, status
    person.save(update_fields=["status", "updated"])
    audit(actor, "record_interview_status", f"{sample.wave} {person.participant}", f"{before} -> {status}")
    return person


def overview(sample: InterviewSample, role: str | None) -> dict:
    """The grid filled against its target, uptake by cell (exact for analysts, the disclosure policy for everyone
    else), and each interviewee by participant number."""
    grid = _grid(sample)
    people = list(sample.interviewees.all())
    first: dict[tuple, list[int]] = {}
    for p in people:
        if p.round == 1:
            first.setdefault(tuple(p.cell), []).append(p.pk)
    targets = grid.targets()
    disclosure = EXACT if role == ANALYST else PUBLISHED
    shown = disclosure.shown
    fill = [{**dict(zip(grid.dimensions, cell, strict=True)), "target": targets[cell],
             "chosen": len(first.get(cell, [])), "short": max(0, targets[cell] - len(first.get(cell, [])))}
            for cell in grid.cells]
    rows = uptake({p.pk: tuple(p.cell) for p in people}, [p.pk for p in people if p.status == "interviewed"], grid)
    by_group = [{**r, "invited": shown(r["invited"]), "interviewed": shown(r["interviewed"])} for r in rows]
    return {"wave": sample.wave.name, "seed": sample.seed, "dimensions": list(grid.dimensions),
            "target": grid.target, "grid": fill, "uptake": by_group, "exact": disclosure.exact,
            "second_round": sample.second_round.isoformat() if sample.second_round else None,
            "interviewees": [{"id": p.pk, "participant": p.participant, "round": p.round, "status": p.status,
                              **dict(zip(grid.dimensions, p.cell or [""] * len(grid.dimensions), strict=True))}
                             for p in people]}


@mail.resolver("interviewee")
def _interviewee(recipient_id: int, message) -> mail.Recipient | None:
    person = Interviewee.objects.filter(pk=recipient_id).select_related("sample__wave").first()
    if person is None:
        return None
    details = ContactDetails.objects.filter(respondent_key=person.respondent_key).first()
    if details is None:
        return None
    given = details.details
    return mail.Recipient(str(given.get(EMAIL_QUESTION) or ""), str(given.get("contact_name") or ""),
                          "declined" if person.status == "declined" else "", {"participant": person.participant})
