"""Synthetic respondents: valid submissions that follow skip logic and constraints.

Answers are drawn question by question for the whole batch (numpy), with the study's published
marginals from `<instrument>.marginals.yaml` beside the workbook; every draw is then held to the
instrument's own relevance and constraint expressions, so nothing the form would refuse comes out.
"""

from __future__ import annotations

import csv
import string
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import yaml

from ..errors import NmahpError
from .expressions import ExpressionError
from .model import SELECT_MULTIPLE, SELECT_ONE, Instrument, Question
from .validation import is_relevant

DEFAULT_ANSWER_RATE = 0.96  # share of optional questions answered, as in the study's item bases


def load_marginals(instrument: Instrument) -> dict:
    path = Path(instrument.path).with_suffix(".marginals.yaml")
    if not path.exists():
        return {}
    with path.open(encoding="utf-8") as handle:
        # every scalar as text: YAML 1.1 would read `yes` as True and `0_5` as the number 5
        data = yaml.load(handle, Loader=yaml.BaseLoader) or {}
    for name in (data.get("questions") or {}):
        if name not in instrument.questions:
            raise NmahpError(f"{path.name}: '{name}' is not a question of {instrument.name}")
    return data


def _calibrate(wanted: np.ndarray) -> np.ndarray:
    """Tick chances that give the published shares among people who ticked something.

    Published percentages are over the question's respondents, and every respondent ticked at least
    one option; solve q_i = p_i * (1 - P(no tick)) by fixed-point iteration.
    """
    q = wanted.copy()
    for _ in range(200):
        none_ticked = float(np.prod(1 - np.clip(q, 0, 1)))
        q = wanted * (1 - none_ticked)
    return np.clip(q, 0, 1)


def _top_k(rng: np.random.Generator, weights: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Weighted sampling without replacement for many rows at once (the Gumbel-top-k trick)."""
    keys = np.log(weights)[None, :] + rng.gumbel(size=(len(sizes), len(weights)))
    ranks = np.argsort(np.argsort(-keys, axis=1), axis=1)
    return ranks < sizes[:, None]


class Synthesiser:
    def __init__(self, instrument: Instrument, seed: int = 0, marginals: dict | None = None):
        self.instrument = instrument
        self.rng = np.random.default_rng(seed)
        self.marginals = load_marginals(instrument) if marginals is None else marginals
        self.spec = self.marginals.get("questions") or {}
        self.text = self.marginals.get("text") or {}
        self.answer_rate = float(self.marginals.get("answer_rate", DEFAULT_ANSWER_RATE))
        self._calibrated: dict[str, np.ndarray] = {}

    def _pick_weights(self, name, wanted, size_values, size_p) -> np.ndarray:
        """Sampling weights whose top-N picks reproduce the published shares (found by simulation)."""
        if name not in self._calibrated:
            rng = np.random.default_rng(0)
            weights = np.clip(wanted, 1e-3, None)
            for _ in range(12):
                sizes = rng.choice(size_values, size=20_000, p=size_p)
                observed = _top_k(rng, weights, sizes).mean(axis=0)
                weights = weights * np.clip(wanted, 1e-3, None) / np.clip(observed, 1e-3, None)
            self._calibrated[name] = weights
        return self._calibrated[name]

    # --- drawing ---------------------------------------------------------------------------------------
    def _select_one_weights(self, q: Question) -> np.ndarray:
        spec = self.spec.get(q.name) or {}
        weights = np.array([float(spec.get(c, 0 if spec else 1)) for c in q.choice_names()])
        if weights.sum() <= 0:
            weights = np.ones(len(q.choices))
        return weights / weights.sum()

    def _draw_select_one(self, q: Question, k: int) -> list[str]:
        names = q.choice_names()
        return [names[i] for i in self.rng.choice(len(names), size=k, p=self._select_one_weights(q))]

    def _draw_select_multiple(self, q: Question, k: int) -> list[str]:
        names = q.choice_names()
        spec = self.spec.get(q.name) or {}
        if "pick" in spec:  # "top 3" questions: up to N options, weighted, without replacement
            wanted = np.array([float(spec["weights"].get(c, 0.01)) for c in names])
            sizes = spec.get("sizes", {spec["pick"]: 1})
            size_values = np.array([int(s) for s in sizes])
            size_p = np.array([float(v) for v in sizes.values()])
            size_p = size_p / size_p.sum()
            weights = self._pick_weights(q.name, wanted, size_values, size_p)
            chosen = self.rng.choice(size_values, size=k, p=size_p)
            ticks = _top_k(self.rng, weights, chosen)
            return _joined(names, ticks)
        wanted = np.array([float(spec.get(c, 0.0 if spec else 0.3)) for c in names])
        if q.name not in self._calibrated:
            self._calibrated[q.name] = _calibrate(wanted)
        probs = self._calibrated[q.name]
        ticks = self.rng.random((k, len(names))) < probs
        empty = ~ticks.any(axis=1)
        if empty.any():  # an answered multi-select has at least one tick
            fill = self.rng.choice(len(names), size=int(empty.sum()), p=wanted / wanted.sum())
            ticks[np.flatnonzero(empty), fill] = True
        return _joined(names, ticks)

    def _draw_filtered(self, q: Question, row: dict[str, str]) -> str | None:
        """One answer among the choices the choice_filter leaves this respondent, or None when it leaves none."""
        names = q.available_names(row)
        if not names:
            return None
        spec = self.spec.get(q.name) or {}
        weights = np.array([float(spec.get(c, 1)) if isinstance(spec.get(c, 1), str | int | float) else 1.0
                            for c in names])
        weights = weights / weights.sum() if weights.sum() > 0 else np.full(len(names), 1 / len(names))
        if q.type == SELECT_ONE:
            return names[int(self.rng.choice(len(names), p=weights))]
        ticks = self.rng.random(len(names)) < 0.3
        if not ticks.any():
            ticks[int(self.rng.choice(len(names), p=weights))] = True
        return " ".join(names[i] for i in np.flatnonzero(ticks))

    def _draw_text(self, q: Question, k: int) -> list[str]:
        pool = self.text.get(q.name)
        if not pool:
            if q.name == "contact_email":
                return [f"respondent.{''.join(self.rng.choice(list(string.ascii_lowercase), 8))}@example.nhs.uk"
                        for _ in range(k)]
            if q.name == "contact_phone":
                return [f"0161 {self.rng.integers(100, 999)} {self.rng.integers(1000, 9999)}" for _ in range(k)]
            if q.name == "contact_name":
                pool = ["Alex Taylor", "Sam Patel", "Jo Williams", "Chris Ahmed", "Pat Jones", "Kim Evans"]
            else:
                pool = ["No further comment", "Not applicable"]
        return [pool[i] for i in self.rng.integers(0, len(pool), size=k)]

    def _draw(self, q: Question, k: int) -> list[str]:
        if q.type == SELECT_ONE:
            return self._draw_select_one(q, k)
        if q.type == SELECT_MULTIPLE:
            return self._draw_select_multiple(q, k)
        if q.type == "integer":
            return [str(v) for v in self.rng.integers(0, 40, size=k)]
        if q.type == "decimal":
            return [f"{v:.1f}" for v in self.rng.random(k) * 100]
        if q.type == "date":
            return [f"2023-0{m}-1{d}" for m, d in zip(self.rng.integers(2, 4, k), self.rng.integers(0, 9, k),
                                                    strict=True)]
        return self._draw_text(q, k)

    def _passes(self, q: Question, row: dict[str, str], value: str) -> bool:
        if q.constraint is None:
            return True
        try:
            return q.constraint.is_true(row, value)
        except ExpressionError:
            return False

    def _passes_memo(self, q: Question):
        """`_passes` for one question over a batch, remembered by the answers its constraint reads and the
        value: a batch repeats the same few combinations, and the call per respondent was most of its time."""
        if q.constraint is None:
            return lambda row, value: True
        references, seen = q.constraint.references, {}

        def passes(row: dict[str, str], value: str) -> bool:
            key = (tuple(map(row.get, references)), value)
            found = seen.get(key)
            if found is None:
                found = seen[key] = self._passes(q, row, value)
            return found
        return passes

    def _repair(self, q: Question, row: dict[str, str]) -> str | None:
        for _ in range(20):
            value = self._draw_filtered(q, row) if q.choice_filter is not None else self._draw(q, 1)[0]
            if value is not None and self._passes(q, row, value):
                return value
        for choice in q.available_names(row):  # a single option is the simplest answer most forms accept
            if self._passes(q, row, choice):
                return choice
        return None

    # --- the batch ------------------------------------------------------------------------------------
    def batch(self, n: int) -> list[dict[str, str]]:
        rows: list[dict[str, str]] = [{} for _ in range(n)]
        for q in self.instrument.questions.values():
            if q.type in ("note", "metadata"):
                continue
            live = _relevant_rows(q, rows)
            if not live:
                continue
            if q.type == "calculate":
                for i in live:
                    value = q.calculation.as_text(rows[i]) if q.calculation else ""
                    if value:
                        rows[i][q.name] = value
                continue
            if not q.required:
                rate = float((self.spec.get(q.name) or {}).get("answer_rate", self.answer_rate)) \
                    if isinstance(self.spec.get(q.name), dict) else self.answer_rate
                live = [i for i, keep in zip(live, self.rng.random(len(live)) < rate, strict=True) if keep]
            values = self._draw(q, len(live)) if q.choice_filter is None else [None] * len(live)
            passes = self._passes_memo(q)
            for i, value in zip(live, values, strict=True):
                row = rows[i]
                if value is None:  # a choice_filter: drawn among what this respondent's answers leave
                    value = self._draw_filtered(q, row)
                if value is None or not passes(row, value):
                    value = self._repair(q, row)
                    if value is None:
                        continue
                row[q.name] = value
        return rows

    def stream(self, n: int, batch_size: int = 20_000) -> Iterator[dict[str, str]]:
        done = 0
        while done < n:
            size = min(batch_size, n - done)
            yield from self.batch(size)
            done += size


def _relevant_rows(q: Question, rows: list[dict[str, str]]) -> list[int]:
    """The rows `q` is relevant to: each combination of the answers its relevance reads is evaluated once."""
    expressions = [*q.group_relevant, *([q.relevant] if q.relevant is not None else [])]
    if not expressions:
        return list(range(len(rows)))
    references = tuple(dict.fromkeys(name for e in expressions for name in e.references))
    seen: dict = {}
    live = []
    only = references[0] if len(references) == 1 else None  # the usual case: one earlier answer decides
    for i, row in enumerate(rows):
        key = row.get(only) if only is not None else tuple(map(row.get, references))
        relevant = seen.get(key)
        if relevant is None:
            relevant = seen[key] = is_relevant(q, row)
        if relevant:
            live.append(i)
    return live


def _joined(names: list[str], ticks: np.ndarray) -> list[str]:
    """Each row of ticked options as an answer ("a b c"); with allow_choice_duplicates two choices may share
    a name, and an answer holds it once. Rows are numbered by their ticks, so each distinct set is joined once."""
    width = ticks.shape[1]
    if width >= 63:
        return [" ".join(dict.fromkeys(names[i] for i in np.flatnonzero(row))) for row in ticks]
    codes = (ticks.astype(np.int64) @ (np.int64(1) << np.arange(width, dtype=np.int64))).tolist()
    joined: dict[int, str] = {}
    out = []
    for row, code in enumerate(codes):
        answer = joined.get(code)
        if answer is None:
            answer = joined[code] = " ".join(dict.fromkeys(names[i] for i in np.flatnonzero(ticks[row])))
        out.append(answer)
    return out


def synthesise(instrument: Instrument, n: int, seed: int = 0) -> list[dict[str, str]]:
    return list(Synthesiser(instrument, seed).stream(n))


def csv_columns(instrument: Instrument) -> list[str]:
    return [q.name for q in instrument.questions.values() if q.holds_answer or q.type == "calculate"]


def write_csv(instrument: Instrument, rows, path: str | Path) -> int:
    """Write rows as an XLSForm-shaped CSV (ODK Central style: a column per question name)."""
    columns = ["respondent_key", *csv_columns(instrument)]
    count = 0
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for count, row in enumerate(rows, start=1):
            writer.writerow({"respondent_key": f"synth-{count:07d}", **row})
    return count
