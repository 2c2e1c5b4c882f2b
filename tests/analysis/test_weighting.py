"""Raking to workforce denominators: against hand-worked examples, against weightipy run directly, Kish's design
effect, and disclosure judged on unweighted counts whatever the weights."""

import math

import numpy as np
import polars as pl
import pytest

from nmahp.analysis import TableKey, response_frame
from nmahp.analysis.disclosure import EXACT, PUBLISHED
from nmahp.analysis.weighting import (
    design_effect,
    kish_effective_n,
    load_denominators,
    rake,
    weighted_table,
    weighting_summary,
)
from nmahp.errors import NmahpError
from nmahp.instruments import get_instrument
from nmahp.instruments.synth import synthesise


def _frame(rows):
    return pl.DataFrame(rows, schema=["g", "r"], orient="row")


def test_raking_an_independent_table_takes_one_pass_worked_by_hand():
    """Six respondents: group N in X, N in X, N in Y, N in Y, A in X, A in Y. Targets: N 50%, A 50%; X 30%, Y 70%.

    Rake on group: N has 4 of 6 and must hold 3, so each N gets 3/4; A has 2 and must hold 3, so 3/2.
    Now X holds 2 * 3/4 + 3/2 = 3 (of 6) and must hold 1.8: X rows times 0.6; Y holds 3, must hold 4.2: times 1.4.
    N X: 0.75 * 0.6 = 0.45; N Y: 0.75 * 1.4 = 1.05; A X: 1.5 * 0.6 = 0.9; A Y: 1.5 * 1.4 = 2.1.
    Group check: N = 2 * 0.45 + 2 * 1.05 = 3, A = 0.9 + 2.1 = 3: both margins hold, raking stops.
    The weights average 1 (they sum to 6)."""
    frame = _frame([("N", "X"), ("N", "X"), ("N", "Y"), ("N", "Y"), ("A", "X"), ("A", "Y")])
    weights = rake(frame, {"g": {"N": 50, "A": 50}, "r": {"X": 30, "Y": 70}})
    assert weights.values == pytest.approx([0.45, 0.45, 1.05, 1.05, 0.9, 2.1], abs=1e-6)
    assert weights.left_out == 0 and weights.notes == []


def test_raking_keeps_the_samples_odds_ratio_worked_by_hand():
    """Six respondents: N X three times, N Y, A X, A Y once each (odds ratio 3*1 / (1*1) = 3). Targets: every
    option 50%, i.e. 3 of 6 weighted respondents in each.

    Raking keeps the sample's odds ratio (Mosteller 1968), so the raked table is [[a, 3 - a], [3 - a, a]] with
    a^2 / (3 - a)^2 = 3: a = 3 * sqrt(3) / (1 + sqrt(3)) = 1.901924. Each N X respondent weighs a / 3 = 0.633975;
    N Y and A X weigh 3 - a = 1.098076; A Y weighs a = 1.901924. Iterating reaches this only in the limit."""
    frame = _frame([("N", "X")] * 3 + [("N", "Y"), ("A", "X"), ("A", "Y")])
    weights = rake(frame, {"g": {"N": 3, "A": 3}, "r": {"X": 3, "Y": 3}})
    a = 3 * math.sqrt(3) / (1 + math.sqrt(3))
    assert weights.values == pytest.approx([a / 3] * 3 + [3 - a, 3 - a, a], abs=1e-4)


@pytest.fixture(scope="module")
def wave():
    nmahp = get_instrument("nmahp")
    return nmahp, response_frame(nmahp, synthesise(nmahp, 300, seed=5))


def test_raking_a_wave_agrees_with_weightipy_run_directly(wave):
    """The same targets handed to weightipy by hand (pandas, percentages, the respondents the margins cover):
    each respondent's weight is the library's own, and every margin is met."""
    import pandas as pd
    import weightipy

    _, frame = wave
    denominators = load_denominators()
    weights = rake(frame, denominators.margins)
    covered = frame.filter(pl.col("professional_group").is_in(["nursing_midwifery", "ahp"])
                           & pl.col("region").is_in(list(denominators.margins["region"])))
    targets = {q: {o: 100 * n / sum(t.values()) for o, n in t.items()} for q, t in denominators.margins.items()}
    theirs = weightipy.weight(pd.DataFrame(covered.select(list(targets)).to_dict(as_series=False)),
                              weightipy.scheme_from_dict(targets)).to_numpy()
    ours = weights.values[~np.isnan(weights.values)]
    assert len(ours) == covered.height == frame.height - weights.left_out
    assert ours == pytest.approx(theirs / theirs.mean(), rel=1e-9)
    for question, target in targets.items():
        column = covered.get_column(question).to_numpy()
        for option, percent in target.items():
            assert 100 * ours[column == option].sum() / ours.sum() == pytest.approx(percent, abs=0.01)
    assert weightipy.weighting_efficiency(pd.Series(theirs)) == pytest.approx(
        100 / design_effect(weights.values), rel=1e-9)


def test_kish_design_effect_and_effective_n_worked_by_hand():
    """Weights 1, 1, 2, 4: n_eff = (1 + 1 + 2 + 4)^2 / (1 + 1 + 4 + 16) = 64 / 22 = 2.909; deff = 4 / 2.909 =
    1.375, which is 1 + CV^2 (mean 2, population variance (1 + 1 + 0 + 4) / 4 = 1.5, CV^2 = 1.5 / 4)."""
    assert kish_effective_n([1, 1, 2, 4]) == pytest.approx(64 / 22)
    assert design_effect([1, 1, 2, 4]) == pytest.approx(1.375)
    assert design_effect([3, 3, 3]) == pytest.approx(1.0)
    assert kish_effective_n([1, 1, np.nan, 2, 4]) == pytest.approx(64 / 22)  # the left out do not count


def test_respondents_without_a_denominator_are_left_out_and_said_to_be():
    frame = _frame([("N", "X"), ("N", "Y"), ("A", "X"), ("A", "Y"), ("other", "X"), (None, "Y")])
    weights = rake(frame, {"g": {"N": 1, "A": 1}, "r": {"X": 1, "Y": 1}})
    assert np.isnan(weights.values[4:]).all() and not np.isnan(weights.values[:4]).any()
    assert weights.left_out == 2
    assert "2 respondents are left out" in weights.notes[0]


def test_an_option_nobody_chose_is_dropped_and_the_rest_renormalised():
    frame = _frame([("N", "X"), ("N", "Y"), ("A", "X")])
    weights = rake(frame, {"g": {"N": 60, "A": 20, "B": 20}, "r": {"X": 50, "Y": 50}})
    assert weights.margins["g"] == pytest.approx({"N": 0.75, "A": 0.25})
    assert any("no respondent in g = B" in note for note in weights.notes)


def test_margins_no_weights_can_meet_are_refused():
    """Every N is in X and every A in Y: group 50/50 and region 30/70 cannot both hold."""
    frame = _frame([("N", "X"), ("N", "X"), ("A", "Y"), ("A", "Y")])
    with pytest.raises(NmahpError, match="did not converge"):
        rake(frame, {"g": {"N": 50, "A": 50}, "r": {"X": 30, "Y": 70}})


SMALL = """
| survey   |
|          | type            | name   | label              |
|          | select_one grp  | group  | Your group         |
|          | select_one yn   | member | Are you a member?  |
| choices  |
|          | list_name | name | label |
|          | grp       | big  | Big   |
|          | grp       | tiny | Tiny  |
|          | yn        | yes  | Yes   |
|          | yn        | no   | No    |
| settings |
|          | form_id | version |
|          | small   | 1       |
"""


def test_suppression_is_judged_on_unweighted_counts_whatever_the_weights(md_form):
    """95 'big' respondents all say 'no'; 5 'tiny' ones all say 'yes'. Raked to a workforce that is half tiny,
    the five 'yes' answers weigh half the total: weighted, 'yes' is 50%. Five is under the threshold, so outside
    the analyst view 'yes' is hidden and no weighted figure is shown for it (or, since its complement would
    give it away, for any cell of the table); analysts see both."""
    form = md_form(SMALL)
    frame = response_frame(form, [{"group": "big", "member": "no"}] * 95 + [{"group": "tiny", "member": "yes"}] * 5)
    weights = rake(frame, {"group": {"big": 50, "tiny": 50}})
    exact = weighted_table(frame, form, TableKey("member"), weights, disclosure=EXACT)
    yes = next(c for c in exact.cells if c.option == "yes")
    assert yes.count == 5 and yes.percent == pytest.approx(5)
    assert yes.weighted_percent == pytest.approx(50)
    assert exact.design_effect == pytest.approx(100 / kish_effective_n(weights.values))
    shown = weighted_table(frame, form, TableKey("member"), weights, disclosure=PUBLISHED)
    yes = next(c for c in shown.cells if c.option == "yes")
    assert yes.suppressed and yes.count is None and yes.weighted_percent is None
    assert all(c.weighted_percent is None for c in shown.cells)
    assert shown.effective_n is None and shown.design_effect is None
    assert any("withheld" in n for n in shown.notes)


def test_a_large_cell_with_small_weights_is_still_shown(md_form):
    """The reverse: 30 'tiny' respondents say 'yes', weighted down to a few percent; shown, as 30 is shown."""
    form = md_form(SMALL)
    frame = response_frame(form, [{"group": "big", "member": "no"}] * 70 + [{"group": "tiny", "member": "yes"}] * 30)
    weights = rake(frame, {"group": {"big": 97, "tiny": 3}})
    shown = weighted_table(frame, form, TableKey("member"), weights, disclosure=PUBLISHED)
    yes = next(c for c in shown.cells if c.option == "yes")
    assert not yes.suppressed and yes.count == 30 and yes.weighted_percent == 3
    assert shown.base_n == 100 and shown.design_effect is not None


def test_the_packaged_denominators_fit_the_survey_and_say_they_are_illustrative(wave, tmp_path):
    nmahp, frame = wave
    denominators = load_denominators()
    denominators.check(nmahp)
    assert denominators.illustrative and "ILLUSTRATIVE" in denominators.citation()
    assert "NHS Workforce Statistics" in denominators.source
    summary = weighting_summary(rake(frame, denominators.margins), denominators, PUBLISHED)
    assert summary["respondents_weighted"] % 10 == 0 and summary["weight_min"] is None
    bad = tmp_path / "denominators.yaml"
    bad.write_text("status: published\nsource: s\ntable: t\ndate: d\nmargins:\n  region: {mars: 10}\n")
    with pytest.raises(NmahpError, match="denominators.yaml: margins: region: mars is not an option of region"):
        load_denominators(bad).check(nmahp)
    bad.write_text("status: published\nsource: s\ntable: t\ndate: d\nmargins:\n  region: {greater_manchester: -3}\n")
    with pytest.raises(NmahpError, match="greater_manchester: a headcount must be a positive number"):
        load_denominators(bad)
    bad.write_text("status: guessed\nsource: s\ntable: t\ndate: d\nmargins:\n  region: {greater_manchester: 3}\n")
    with pytest.raises(NmahpError, match="status must be"):
        load_denominators(bad)


def test_nmahp_analyse_weighted_from_a_plain_shell(tmp_path):
    """A real subprocess in a clean environment: an export file weighted, no database touched; a broken
    denominators file is one line and exit 2."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    from typer.testing import CliRunner

    from nmahp.cli import app
    from nmahp.instruments.synth import write_csv

    nmahp = get_instrument("nmahp")
    wave = tmp_path / "wave.csv"
    write_csv(nmahp, synthesise(nmahp, 120, seed=3), wave)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "NMAHP_DATA_DIR": str(tmp_path / "var")}
    done = subprocess.run([str(Path(sys.executable).with_name("nmahp")), "analyse", "--input", str(wave),
                           "--instrument", "nmahp", "--weighted", "--out", str(tmp_path / "out")],
                          env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "ILLUSTRATIVE denominators" in done.stdout and "design effect" in done.stdout
    body = json.loads((tmp_path / "out" / "weighted.json").read_text(encoding="utf-8"))
    assert body["weighting"]["design_effect"] >= 1 and body["tables"]
    assert not (tmp_path / "var").exists()  # an export file is weighted without a database
    bad = tmp_path / "bad.yaml"
    bad.write_text("status: published\n")
    refused = CliRunner().invoke(app, ["analyse", "--input", str(wave), "--instrument", "nmahp", "--weighted",
                                       "--denominators", str(bad), "--out", str(tmp_path / "out")])
    assert refused.exit_code == 2 and "'source' is missing" in " ".join(refused.output.split())
