"""Synthetic respondents are valid, reproducible and look like the study."""

import csv
from collections import Counter

from typer.testing import CliRunner

from nmahp.cli import app
from nmahp.instruments import validate
from nmahp.instruments.synth import synthesise


def test_ten_thousand_synthetic_respondents_all_pass_validate(nmahp):
    rows = synthesise(nmahp, 10_000, seed=7)
    failures = [(i, validate(nmahp, row).errors) for i, row in enumerate(rows)]
    failures = [f for f in failures if f[1]]
    assert not failures, failures[:3]
    # and they are complete submissions: validation stores exactly what synth produced
    assert all(validate(nmahp, row).answers == row for row in rows[:500])


def test_leads_synthetic_respondents_pass_validate(leads):
    rows = synthesise(leads, 2_000, seed=3)
    assert not [row for row in rows if not validate(leads, row).ok]


def test_same_seed_same_respondents(nmahp):
    assert synthesise(nmahp, 50, seed=11) == synthesise(nmahp, 50, seed=11)
    assert synthesise(nmahp, 50, seed=11) != synthesise(nmahp, 50, seed=12)


def share(rows, question, option):
    answered = [r[question].split() for r in rows if question in r]
    return sum(option in a for a in answered) / len(answered)


def test_marginals_are_close_to_the_study(nmahp):
    rows = synthesise(nmahp, 20_000, seed=1)
    groups = Counter(r["professional_group"] for r in rows)
    assert abs(groups["nursing_midwifery"] / len(rows) - 0.49) < 0.03  # 5.1.1.1: 49% nurses and midwives
    assert abs(groups["ahp"] / len(rows) - 0.45) < 0.03  # 45% AHPs
    assert abs(share(rows, "region", "greater_manchester") - 0.49) < 0.03  # 5.1.1.9
    assert abs(share(rows, "organisation_type", "acute_trust") - 0.75) < 0.03  # 5.1.1.10
    assert abs(share(rows, "top_enablers", "financial_support") - 0.60) < 0.06  # 5.1.8
    assert abs(share(rows, "research_interest", "very_interested") - 0.42) < 0.03  # Table 4A
    assert all(len(r.get("top_barriers", "").split()) <= 3 for r in rows)


def test_skip_logic_is_followed_in_synthetic_data(nmahp):
    for row in synthesise(nmahp, 2_000, seed=5):
        if row["time_last_12_months"] == "neither":
            assert "time_proportion_teaching" not in row
        if row["contact_consent"] == "no":
            assert "contact_email" not in row
        for role in ("clinical_research", "teaching_only"):
            assert (f"contract_{role}" in row) == (role in row.get("roles_of_interest", "").split())


def test_cli_synth_writes_an_xlsform_shaped_csv(tmp_path, nmahp):
    out = tmp_path / "wave.csv"
    result = CliRunner().invoke(app, ["synth", "--instrument", "nmahp", "--n", "120", "--seed", "4", "--out", str(out)])
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 120
    assert rows[0]["respondent_key"] == "synth-0000001"
    answers = {k: v for k, v in rows[0].items() if v and k != "respondent_key"}
    assert validate(nmahp, answers).ok


def test_cli_synth_needs_a_destination():
    result = CliRunner().invoke(app, ["synth", "--instrument", "nmahp", "--n", "5"])
    assert result.exit_code == 2
    assert "give exactly one of --out" in result.output


def test_cli_synth_unknown_instrument(tmp_path):
    result = CliRunner().invoke(app, ["synth", "--instrument", "nope", "--n", "5", "--out", str(tmp_path / "x.csv")])
    assert result.exit_code == 2
    assert "no instrument called 'nope'" in result.output
