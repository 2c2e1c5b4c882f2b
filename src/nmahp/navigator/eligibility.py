"""One rule engine for every scheme: a person's answers against the conditions written beside each
scheme in schemes.yaml. No scheme has code of its own.

A scheme is *open* when every condition is met; *one step away* when exactly one condition is missed
and that condition says what the step is (for an ordered answer such as a qualification, only when the
person is one level short); otherwise *closed*, with every reason. A condition on an answer the person
did not give makes the scheme *unknown* rather than closed."""

from __future__ import annotations

from dataclasses import dataclass, field

from nmahp.errors import NmahpError

from .model import Content, Rule, Scheme

OPEN, ONE_STEP, CLOSED, UNKNOWN = "open", "one_step", "closed", "unknown"
ASKED_BY = {"professional_group": "profession"}


class AnswerError(NmahpError):
    """Answers that do not fit the checker's questions; `problems` maps question id to message."""

    def __init__(self, problems: dict[str, str]):
        self.problems = problems
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))


@dataclass(frozen=True)
class RuleOutcome:
    rule: Rule
    met: bool | None  # None: the person did not answer this
    steps_short: int = 0


@dataclass(frozen=True)
class Verdict:
    scheme: Scheme
    status: str
    reasons: tuple[str, ...] = ()  # why closed, or what is missing
    step: str = ""  # the one step, when status is one_step
    unconfirmed: tuple[str, ...] = ()  # conditions met, but from facts we could not confirm
    outcomes: tuple[RuleOutcome, ...] = field(default=(), repr=False)

    def as_dict(self) -> dict:
        return {"scheme": self.scheme.id, "name": self.scheme.name, "status": self.status,
                "reasons": list(self.reasons), "step": self.step, "unconfirmed": list(self.unconfirmed)}


def clean_answers(content: Content, answers: dict[str, str]) -> dict[str, str]:
    """Keep known answers, refuse values that are not options; derive the professional group."""
    problems, out = {}, {}
    for qid, question in content.questions.items():
        value = answers.get(qid)
        if value in (None, ""):
            continue
        if not isinstance(value, str) or value not in {o.value for o in question.options}:
            problems[qid] = f"'{str(value)[:60]}' is not one of the answers to '{question.label}'"
            continue
        out[qid] = value
    unknown = sorted(set(answers) - set(content.questions))
    if unknown:
        problems["_"] = f"unknown question(s): {', '.join(u[:40] for u in unknown[:5])}"
    if problems:
        raise AnswerError(problems)
    if "profession" in out:
        out["professional_group"] = content.professions[out["profession"]].group
    return out


def _time_rule(content: Content, scheme: Scheme) -> Rule:
    # every scheme's time commitment is a condition too; it is data (time_commitment), not code
    needs = content.questions["time"].label_for(scheme.time_commitment).lower()
    if scheme.funded:
        step = ("Talk to your manager about being released for it: the award pays for your time, and your "
                "employer can use the money to cover your post (backfill).")
    else:
        step = "Agree protected time with your manager, for example as part of your appraisal."
    return Rule("time", "at_least", (scheme.time_commitment,), f"It needs {needs}.", step)


def rules_for(content: Content, scheme: Scheme) -> tuple[Rule, ...]:
    return (*scheme.rules, _time_rule(content, scheme))


def _evaluate(content: Content, rule: Rule, answers: dict[str, str]) -> RuleOutcome:
    value = answers.get(rule.field)
    if value is None:
        return RuleOutcome(rule, None)
    if rule.op == "in":
        return RuleOutcome(rule, value in rule.values, 1)
    if rule.op == "not_in":
        return RuleOutcome(rule, value not in rule.values, 1)
    question = content.questions[rule.field]
    have, want = question.index(value), question.index(rule.values[0])
    if rule.op == "at_least":
        return RuleOutcome(rule, have >= want, max(0, want - have))
    return RuleOutcome(rule, have <= want, 0 if have <= want else 99)  # at_most: no step undoes experience


def judge(content: Content, scheme: Scheme, answers: dict[str, str]) -> Verdict:
    outcomes = tuple(_evaluate(content, rule, answers) for rule in rules_for(content, scheme))
    unconfirmed = tuple(o.rule.why for o in outcomes if o.met and o.rule.unconfirmed)
    if scheme.is_ended:
        instead = content.schemes[scheme.replaced_by].name if scheme.replaced_by else ""
        reason = "This scheme has ended." + (f" Look at {instead} instead." if instead else "")
        return Verdict(scheme, CLOSED, (reason,), outcomes=outcomes)
    missed = [o for o in outcomes if o.met is False]
    if missed:
        if len(missed) == 1 and missed[0].rule.step and missed[0].steps_short == 1:
            return Verdict(scheme, ONE_STEP, (missed[0].rule.why,), missed[0].rule.step, unconfirmed, outcomes)
        return Verdict(scheme, CLOSED, tuple(o.rule.why for o in missed), outcomes=outcomes)
    unanswered = [o for o in outcomes if o.met is None]
    if unanswered:
        # a derived fact (the professional group) is asked for through the question it comes from
        asks = dict.fromkeys(content.questions[ASKED_BY.get(o.rule.field, o.rule.field)].label for o in unanswered)
        return Verdict(scheme, UNKNOWN, tuple(f"We need your answer to: {a}" for a in asks), outcomes=outcomes)
    return Verdict(scheme, OPEN, (), unconfirmed=unconfirmed, outcomes=outcomes)


@dataclass(frozen=True)
class CheckResult:
    answers: dict[str, str]
    verdicts: tuple[Verdict, ...]

    def with_status(self, status: str) -> list[Verdict]:
        return [v for v in self.verdicts if v.status == status]

    def as_dict(self) -> dict:
        return {"answers": self.answers,
                **{status: [v.as_dict() for v in self.with_status(status)]
                   for status in (OPEN, ONE_STEP, CLOSED, UNKNOWN)}}


def check(content: Content, answers: dict[str, str]) -> CheckResult:
    """Every scheme judged against one person's answers, in pathway order."""
    cleaned = clean_answers(content, answers)
    order = {s.id: s.order for s in content.stages.values()}
    schemes = sorted(content.schemes.values(), key=lambda s: (order.get(s.stage, 99), s.name))
    return CheckResult(cleaned, tuple(judge(content, s, cleaned) for s in schemes))


def open_to_profession(content: Content, scheme: Scheme, profession_id: str) -> bool:
    """The schemes page's profession filter: only the profession conditions, through the same engine."""
    answers = {"profession": profession_id, "professional_group": content.professions[profession_id].group}
    return all(_evaluate(content, rule, answers).met is not False
               for rule in scheme.rules if rule.field in ("profession", "professional_group"))
