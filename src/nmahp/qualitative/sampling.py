"""Purposive sampling for interviews (report 4.2.3): from respondents who agreed to be contacted, a first round
spread over a grid of answers (professional group by region, vocabulary.yaml) so the interviews vary as widely
as the respondents do, the grid filled against its target, the cells it cannot fill named; then, when uptake is
short, a second round to everyone remaining, as the study did. Plain data in and out; no Django."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ..errors import NmahpError

Cell = tuple[str, ...]


@dataclass(frozen=True)
class Candidate:
    id: str  # the respondent's participant number or key: never a name or an address
    attributes: Mapping[str, str]


@dataclass(frozen=True)
class Grid:
    """Cells = every combination of the dimensions' levels; `target` places spread over them as evenly as whole
    numbers allow (the first cells in order take the one left over)."""

    dimensions: tuple[str, ...]
    levels: tuple[tuple[str, ...], ...]
    target: int

    def __post_init__(self):
        if not self.dimensions or len(self.dimensions) != len(self.levels):
            raise NmahpError("a sampling grid needs one list of levels per dimension")
        if any(not levels for levels in self.levels):
            raise NmahpError("every dimension of a sampling grid needs at least one level")
        if self.target < 1:
            raise NmahpError("a sampling grid's target must be at least 1")

    @property
    def cells(self) -> list[Cell]:
        return list(itertools.product(*self.levels))

    def targets(self) -> dict[Cell, int]:
        cells = self.cells
        each, left = divmod(self.target, len(cells))
        return {cell: each + (1 if i < left else 0) for i, cell in enumerate(cells)}

    def cell_of(self, candidate: Candidate) -> Cell | None:
        cell = tuple(str(candidate.attributes.get(d, "") or "") for d in self.dimensions)
        return cell if all(v in levels for v, levels in zip(cell, self.levels, strict=True)) else None


@dataclass
class Draw:
    """A round drawn over a grid: who was chosen in each cell, what each cell aimed at and had to choose from."""

    grid: Grid
    chosen: dict[Cell, list[str]]
    targets: dict[Cell, int]
    available: dict[Cell, int]
    outside: list[str] = field(default_factory=list)  # candidates whose answers fall in no cell

    @property
    def ids(self) -> list[str]:
        return [i for ids in self.chosen.values() for i in ids]

    @property
    def short(self) -> dict[Cell, int]:
        """Cells the round cannot fill, with how many places are missing (too few candidates there)."""
        return {c: t - len(self.chosen[c]) for c, t in self.targets.items() if len(self.chosen[c]) < t}

    def rows(self) -> list[dict]:
        """The grid filled against its target, a row per cell: for the page, its twin and the CLI."""
        return [{**dict(zip(self.grid.dimensions, cell, strict=True)), "target": self.targets[cell],
                 "chosen": len(self.chosen[cell]), "available": self.available[cell],
                 "short": max(0, self.targets[cell] - len(self.chosen[cell]))} for cell in self.grid.cells]


def draw(candidates: Iterable[Candidate], grid: Grid, *, seed: int = 0, vary_by: Sequence[str] = ()) -> Draw:
    """Up to each cell's target from the candidates in it, in an order fixed by `seed`. With `vary_by` (e.g.
    career stage), a cell's places go round its candidates' answers to those questions in turn, so no one
    answer fills a cell while another is left out. Places a cell cannot fill are not moved to another cell:
    they are reported (`short`), and the second round is how the study made up for them."""
    rng = random.Random(seed)
    pools: dict[Cell, list[Candidate]] = {cell: [] for cell in grid.cells}
    outside, seen = [], set()
    for candidate in candidates:
        if candidate.id in seen:
            raise NmahpError(f"candidate {candidate.id} is listed twice")
        seen.add(candidate.id)
        cell = grid.cell_of(candidate)
        if cell is None:
            outside.append(candidate.id)
        else:
            pools[cell].append(candidate)
    targets = grid.targets()
    chosen = {cell: _spread(sorted(pool, key=lambda c: c.id), targets[cell], rng, vary_by)
              for cell, pool in pools.items()}
    return Draw(grid, chosen, targets, {cell: len(pool) for cell, pool in pools.items()}, outside)


def _spread(pool: list[Candidate], places: int, rng: random.Random, vary_by: Sequence[str]) -> list[str]:
    rng.shuffle(pool)
    if not vary_by:
        return [c.id for c in pool[:places]]
    groups: dict[tuple, list[Candidate]] = {}
    for candidate in pool:
        groups.setdefault(tuple(candidate.attributes.get(v, "") for v in vary_by), []).append(candidate)
    picked: list[str] = []
    queues = list(groups.values())
    while len(picked) < places and any(queues):
        for queue in queues:
            if queue and len(picked) < places:
                picked.append(queue.pop(0).id)
    return picked


def second_round(candidates: Iterable[Candidate], already: Iterable[str]) -> list[str]:
    """Everyone who agreed to be contacted and has not been invited yet (the study's answer to low uptake)."""
    invited = set(already)
    return [c.id for c in candidates if c.id not in invited]


def uptake(invited: Mapping[str, Cell | None], interviewed: Iterable[str], grid: Grid) -> list[dict]:
    """Per cell: invited and interviewed, for the uptake-by-group dashboard (disclosure is applied by the caller)."""
    done = set(interviewed)
    counts = {cell: [0, 0] for cell in grid.cells}
    for person, cell in invited.items():
        if cell in counts:
            counts[cell][0] += 1
            counts[cell][1] += person in done
    return [{**dict(zip(grid.dimensions, cell, strict=True)), "invited": n, "interviewed": k}
            for cell, (n, k) in counts.items()]
