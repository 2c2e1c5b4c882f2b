"""The landing page, its JSON twin, the demo loader and the security headers."""

import pytest
from typer.testing import CliRunner

from nmahp.cli import app

pytestmark = [pytest.mark.db, pytest.mark.django_db]


def test_demo_loads_the_study_sized_waves_once():
    runner = CliRunner()
    first = runner.invoke(app, ["demo", "--no-serve"])
    assert first.exit_code == 0, first.output
    assert "loaded 174 synthetic nmahp_survey" in first.output
    assert "loaded 16 synthetic leads_survey" in first.output
    again = runner.invoke(app, ["demo", "--no-serve"])
    assert "already has 174 responses" in again.output


def test_landing_lists_instruments_and_waves(client):
    CliRunner().invoke(app, ["demo", "--no-serve"])
    page = client.get("/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "NMAHP academic careers survey" in html and "NMAHP leads survey" in html
    assert "2023-demo" in html and ">174<" in html and ">16<" in html  # counts per wave
    assert "email (544 invited)" in html


def test_landing_json_twin_has_the_same_facts(client):
    CliRunner().invoke(app, ["demo", "--no-serve"])
    data = client.get("/index.json").json()
    assert {i["form_id"] for i in data["instruments"]} == {"nmahp_survey", "leads_survey"}
    counts = {w["instrument"]: w["complete"] for w in data["waves"]}
    assert counts == {"nmahp_survey": 174, "leads_survey": 16}


def test_security_headers(client):
    response = client.get("/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_static_stylesheet_is_served(client):
    assert client.get("/static/web/nhs-extra.css").status_code == 200
