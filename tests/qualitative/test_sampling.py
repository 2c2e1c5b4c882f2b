"""Interview sampling (report 4.2.3): a grid of professional group by region (vocabulary.yaml) filled from a
synthetic wave's respondents who agreed to be contacted, the cells it cannot fill reported, and a second round
to everyone remaining."""

from collections import Counter

import pytest

from nmahp.errors import NmahpError
from nmahp.instruments import get_instrument
from nmahp.instruments.synth import synthesise
from nmahp.qualitative.sampling import Candidate, Grid, draw, second_round, uptake
from nmahp.study import STUDY


@pytest.fixture(scope="module")
def wave():
    """A synthetic wave of 60 and the grid of the study's dimensions, with the instrument's own levels."""
    instrument = get_instrument("nmahp_survey")
    rows = synthesise(instrument, 60, seed=11)
    consenting = [Candidate(f"P{i:03d}", {d: row.get(d, "") for d in (*STUDY.interview_grid, "career_stage")})
                  for i, row in enumerate(rows, 1) if row.get("contact_consent") == "yes"]
    levels = tuple(STUDY.group_ids if d == "professional_group" else
                   tuple(c.name for c in instrument.questions[d].choices) for d in STUDY.interview_grid)
    return consenting, Grid(STUDY.interview_grid, levels, STUDY.interview_target)


def test_the_grid_is_filled_to_its_target_where_it_can_be_and_short_cells_are_named(wave):
    candidates, grid = wave
    sample = draw(candidates, grid, seed=1)
    in_cell = Counter(grid.cell_of(c) for c in candidates)
    assert sum(grid.targets().values()) == STUDY.interview_target
    for cell, target in grid.targets().items():
        assert len(sample.chosen[cell]) == min(target, in_cell[cell])
        assert all(grid.cell_of(next(c for c in candidates if c.id == i)) == cell for i in sample.chosen[cell])
    assert sample.short == {cell: t - in_cell[cell] for cell, t in grid.targets().items() if in_cell[cell] < t}
    assert sample.short, "a wave of 60 cannot fill every cell of 40 places: the test must see short cells"
    assert len(set(sample.ids)) == len(sample.ids) == STUDY.interview_target - sum(sample.short.values())
    rows = {(r["professional_group"], r["region"]): r for r in sample.rows()}
    assert all(rows[c]["short"] == n for c, n in sample.short.items())


def test_the_same_seed_draws_the_same_sample_and_another_seed_may_not(wave):
    candidates, grid = wave
    assert draw(candidates, grid, seed=4).chosen == draw(list(reversed(candidates)), grid, seed=4).chosen
    assert any(draw(candidates, grid, seed=s).chosen != draw(candidates, grid, seed=4).chosen for s in range(5, 9))


def test_the_second_round_invites_everyone_remaining(wave):
    candidates, grid = wave
    first = draw(candidates, grid, seed=2)
    rest = second_round(candidates, first.ids)
    assert sorted(rest + first.ids) == sorted(c.id for c in candidates) and not set(rest) & set(first.ids)


def test_places_in_a_cell_go_round_a_further_answer_before_any_repeats():
    people = [Candidate(f"n{i}", {"group": "ahp", "region": "north", "stage": "early"}) for i in range(5)]
    people.append(Candidate("late", {"group": "ahp", "region": "north", "stage": "late"}))
    grid = Grid(("group", "region"), (("ahp",), ("north", "south")), 4)
    sample = draw(people, grid, vary_by=("stage",))
    assert "late" in sample.chosen[("ahp", "north")] and len(sample.chosen[("ahp", "north")]) == 2
    assert sample.short == {("ahp", "south"): 2}
    assert sample.outside == [] and draw([Candidate("x", {"group": "nurse", "region": "north"})], grid).outside == ["x"]


def test_uptake_by_cell_and_bad_grids():
    grid = Grid(("group",), (("ahp", "nm"),), 2)
    assert uptake({"a": ("ahp",), "b": ("ahp",), "c": ("nm",)}, ["a"], grid) == [
        {"group": "ahp", "invited": 2, "interviewed": 1}, {"group": "nm", "invited": 1, "interviewed": 0}]
    with pytest.raises(NmahpError, match="target"):
        Grid(("group",), (("ahp",),), 0)
    with pytest.raises(NmahpError, match="listed twice"):
        draw([Candidate("a", {}), Candidate("a", {})], grid)
