"""What changed between two versions of one instrument: questions added, removed, renamed (found by their
wording or declared), relabelled or retyped, and each select question's options added, removed or relabelled.

A wave-on-wave comparison links questions by name; `VersionDiff.names()` maps each of the old version's
questions to its name in the new one, so a renamed question is still compared with itself, and
`VersionDiff.reoptioned` says which questions offer different options (a change in a table may then be the
question's own doing)."""

from __future__ import annotations

from dataclasses import dataclass, field
from difflib import SequenceMatcher

from ..errors import NmahpError
from .model import ANSWER_TYPES, Instrument, Question

# a question is compared when it holds an answer or is worked out from answers (professional_group)
COMPARED = ANSWER_TYPES | {"calculate"}
# how alike two labels must be (difflib's ratio, on lower-cased words) for a removed and an added question
# of the same type to be taken as one question renamed
RENAME_SIMILARITY = 0.85
DECLARED, DETECTED = "declared", "detected"


@dataclass(frozen=True)
class Rename:
    old: str
    new: str
    how: str  # DECLARED by whoever uploaded the version, or DETECTED from the wording
    similarity: float = 1.0


@dataclass(frozen=True)
class OptionChanges:
    """One select question's options, old version against new."""

    question: str  # its name in the new version
    added: tuple[tuple[str, str], ...] = ()  # (name, label)
    removed: tuple[tuple[str, str], ...] = ()
    relabelled: tuple[tuple[str, str, str], ...] = ()  # (name, old label, new label)

    @property
    def reoptioned(self) -> bool:
        """Options were added or removed: the question offers a different set of answers."""
        return bool(self.added or self.removed)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.relabelled)


@dataclass
class VersionDiff:
    instrument: str
    old_version: str
    new_version: str
    added: list[tuple[str, str]] = field(default_factory=list)  # (name, label) of questions only the new one has
    removed: list[tuple[str, str]] = field(default_factory=list)
    renamed: list[Rename] = field(default_factory=list)
    relabelled: list[tuple[str, str, str]] = field(default_factory=list)  # (new name, old label, new label)
    retyped: list[tuple[str, str, str]] = field(default_factory=list)  # (new name, old type, new type)
    options: list[OptionChanges] = field(default_factory=list)

    @property
    def reoptioned(self) -> list[str]:
        return [o.question for o in self.options if o.reoptioned]

    @property
    def unchanged(self) -> bool:
        return not (self.added or self.removed or self.renamed or self.relabelled or self.retyped or self.options)

    def names(self) -> dict[str, str]:
        """Each question of the old version that the new one still asks, by its old name: its new name."""
        moved = {r.old: r.new for r in self.renamed}
        gone = {name for name, _ in self.removed}
        return {old: moved.get(old, old) for old in self._old_names if old not in gone}

    _old_names: list[str] = field(default_factory=list, repr=False)

    def lines(self) -> list[str]:
        """The changes as short sentences, in the order a reader checks them."""
        out = [f"Renamed: {r.old} is now {r.new} ({r.how})" for r in self.renamed]
        out += [f"Added: {name} ({_short(label)})" for name, label in self.added]
        out += [f"Removed: {name} ({_short(label)})" for name, label in self.removed]
        out += [f"Reworded: {name}: '{_short(old)}' is now '{_short(new)}'" for name, old, new in self.relabelled]
        out += [f"Type changed: {name}: {old} is now {new}" for name, old, new in self.retyped]
        for o in self.options:
            out += [f"Option added to {o.question}: {n} ({_short(label)})" for n, label in o.added]
            out += [f"Option removed from {o.question}: {n} ({_short(label)})" for n, label in o.removed]
            out += [f"Option reworded in {o.question}: {n}: '{_short(old)}' is now '{_short(new)}'"
                    for n, old, new in o.relabelled]
        return out or ["No change to any question or option."]

    def as_dict(self) -> dict:
        return {"instrument": self.instrument, "old_version": self.old_version, "new_version": self.new_version,
                "unchanged": self.unchanged,
                "added": [{"name": n, "label": label} for n, label in self.added],
                "removed": [{"name": n, "label": label} for n, label in self.removed],
                "renamed": [{"old": r.old, "new": r.new, "how": r.how, "similarity": round(r.similarity, 3)}
                            for r in self.renamed],
                "relabelled": [{"name": n, "old": o, "new": w} for n, o, w in self.relabelled],
                "retyped": [{"name": n, "old": o, "new": w} for n, o, w in self.retyped],
                "options": [{"question": o.question, "reoptioned": o.reoptioned,
                             "added": [{"name": n, "label": label} for n, label in o.added],
                             "removed": [{"name": n, "label": label} for n, label in o.removed],
                             "relabelled": [{"name": n, "old": a, "new": b} for n, a, b in o.relabelled]}
                            for o in self.options],
                "names": self.names()}


def _short(text: str, width: int = 70) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[:width - 1] + "…"


def _compared(instrument: Instrument) -> dict[str, Question]:
    return {name: q for name, q in instrument.questions.items() if q.type in COMPARED}


def _words(label: str) -> str:
    return " ".join(label.lower().split())


def _similarity(a: Question, b: Question) -> float:
    return SequenceMatcher(None, _words(a.label), _words(b.label)).ratio()


def _detect_renames(old: dict[str, Question], new: dict[str, Question], gone: list[str],
                    came: list[str]) -> list[Rename]:
    """Pair removed and added questions of one type whose wording is alike, best pairs first, each once. A
    calculate has no wording a person reads: its calculation stands in for it."""
    scored = []
    for o in gone:
        for n in came:
            a, b = old[o], new[n]
            if a.type != b.type:
                continue
            if a.type == "calculate":
                same = (a.calculation and b.calculation and str(a.calculation) == str(b.calculation))
                score = 1.0 if same else 0.0
            else:
                score = _similarity(a, b)
            if score >= RENAME_SIMILARITY:
                scored.append((score, o, n))
    pairs, used_old, used_new = [], set(), set()
    for score, o, n in sorted(scored, key=lambda s: (-s[0], s[1], s[2])):
        if o not in used_old and n not in used_new:
            pairs.append(Rename(o, n, DETECTED, score))
            used_old.add(o)
            used_new.add(n)
    return pairs


def _options(name: str, a: Question, b: Question) -> OptionChanges:
    before = {c.name: c.label for c in a.choices}
    after = {c.name: c.label for c in b.choices}
    return OptionChanges(
        question=name,
        added=tuple((n, after[n]) for n in after if n not in before),
        removed=tuple((n, before[n]) for n in before if n not in after),
        relabelled=tuple((n, before[n], after[n]) for n in after
                         if n in before and _words(before[n]) != _words(after[n])))


def diff(old: Instrument, new: Instrument, renames: dict[str, str] | None = None) -> VersionDiff:
    """What changed from `old` to `new` (two versions of one instrument). `renames` declares questions renamed
    (old name: new name); the others are detected from their wording. A declared rename naming a question
    either version lacks is refused."""
    if old.form_id != new.form_id:
        raise NmahpError(f"these are two instruments ({old.form_id} and {new.form_id}), not two versions of one")
    before, after = _compared(old), _compared(new)
    declared = dict(renames or {})
    for o, n in declared.items():
        if o not in before:
            raise NmahpError(f"a rename names '{o}', which version {old.version or '(none)'} does not ask")
        if n not in after:
            raise NmahpError(f"a rename names '{n}', which version {new.version or '(none)'} does not ask")
        if o in after and o != n:
            raise NmahpError(f"'{o}' cannot be renamed to '{n}': version {new.version or '(none)'} still asks '{o}'")
    if len(set(declared.values())) != len(declared):
        raise NmahpError("two questions are declared renamed to one name")
    renamed = [Rename(o, n, DECLARED) for o, n in declared.items() if o != n]
    gone = [q for q in before if q not in after and q not in declared]
    came = [q for q in after if q not in before and q not in declared.values()]
    renamed += _detect_renames(before, after, gone, came)
    moved_old = {r.old for r in renamed}
    moved_new = {r.new for r in renamed}
    result = VersionDiff(old.form_id, old.version, new.version, renamed=renamed, _old_names=list(before))
    result.added = [(q, after[q].label) for q in after if q not in before and q not in moved_new]
    result.removed = [(q, before[q].label) for q in before if q not in after and q not in moved_old]
    pairs = [(r.old, r.new) for r in renamed] + [(q, q) for q in before if q in after and q not in moved_new]
    order = {name: i for i, name in enumerate(after)}
    for o, n in sorted(pairs, key=lambda p: order[p[1]]):
        a, b = before[o], after[n]
        if _words(a.label) != _words(b.label):
            result.relabelled.append((n, a.label, b.label))
        if a.type != b.type:
            result.retyped.append((n, a.type, b.type))
        if a.is_select or b.is_select:
            changes = _options(n, a, b)
            if changes:
                result.options.append(changes)
    return result
