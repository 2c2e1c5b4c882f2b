"""The wave overview: every question's summary with its figure on one page, the dashboard filters applying
to all, under the disclosure policy for everyone but analysts, and its JSON twin."""

import re

import pytest
from typer.testing import CliRunner

from nmahp.analysis import TableKey, compute_table, response_frame
from nmahp.analysis.disclosure import EXACT
from nmahp.cli import app
from nmahp.instruments import get_instrument
from nmahp.study import STUDY
from nmahp.web.surveys import store
from nmahp.web.surveys.models import Wave

pytestmark = [pytest.mark.db, pytest.mark.django_db]
ROUND = STUDY.disclosure.round_to


@pytest.fixture
def wave(tmp_path, monkeypatch, settings):
    monkeypatch.setenv("NMAHP_DATA_DIR", str(tmp_path))
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": str(tmp_path)}}
    CliRunner().invoke(app, ["synth", "--instrument", "nmahp", "--n", "200", "--seed", "9", "--db", "--wave", "o"])
    return Wave.objects.get(name="o")


def test_every_question_with_its_figure_and_the_filters_applying_to_all(wave, signed_in):
    analyst = signed_in("analyst")
    base = f"/dashboard/wave/{wave.pk}/overview"
    everyone = analyst.get(f"{base}.json").json()
    listing = analyst.get(f"/dashboard/wave/{wave.pk}.json").json()
    assert [t["id"] for t in everyone["tables"]] == [t["id"] for t in listing["tables"]]
    page = analyst.get(f"{base}/").content.decode()
    for table in everyone["tables"]:
        assert f'id="summary-{table["id"]}"' in page
    figures = re.findall(r'<img class="nmahp-figure" src="data:image/svg\+xml;base64,', page)
    assert len(figures) >= len([t for t in everyone["tables"] if t["base_n"] and len(t["cells"]) <= 30]) > 20

    ahp = analyst.get(f"{base}.json?professional_group=ahp&by=ignored").json()
    assert ahp["filters"] == {"professional_group": "ahp"} and ahp["respondents"] < everyone["respondents"]
    instrument = get_instrument("nmahp")
    frame = response_frame(instrument, store.wave_answers(wave))
    frame = frame.filter(frame["professional_group"] == "ahp")
    assert ahp["respondents"] == frame.height
    shown = {t["id"]: t for t in ahp["tables"]}
    for question in ("research_interest", "top_barriers", "ethnicity"):
        exact = compute_table(frame, instrument, TableKey(question), disclosure=EXACT).to_dict()
        assert shown[question] == exact  # each summary is the filtered table, exactly
    assert '<option value="ahp" selected>' in analyst.get(f"{base}/?professional_group=ahp").content.decode()


def test_a_lead_sees_their_region_hidden_and_rounded(wave, signed_in):
    lead = signed_in("lead", region="greater_manchester")
    body = lead.get(f"/dashboard/wave/{wave.pk}/overview.json?region=cheshire_merseyside").json()
    assert body["filters"] == {"region": "greater_manchester"}
    tables = {t["id"]: t for t in body["tables"]}
    for protected in STUDY.protected_characteristics:
        if protected in tables:
            cells = tables[protected]["cells"]
            shown = [c["count"] for c in cells if c["count"] is not None]
            assert all(n >= 8 and n % ROUND == 0 for n in shown)
            assert all(c["percent"] is None or c["ci_low"] is None for c in cells)
    assert any(c["suppressed"] for t in body["tables"] for c in t["cells"])
    page = lead.get(f"/dashboard/wave/{wave.pk}/overview/").content.decode()
    assert '<span class="nmahp-suppressed">fewer than 8</span>' in page and 'id="disclosure-note"' in page
    assert 'id="filter-region"' not in page  # a lead's region is not theirs to change


def test_a_scope_too_small_shows_only_that(wave, signed_in):
    lead = signed_in("lead", region="lancashire_south_cumbria")
    query = "pay_band=band_8a&professional_group=ahp&organisation_type=acute_trust"
    body = lead.get(f"/dashboard/wave/{wave.pk}/overview.json?{query}").json()
    assert (body["respondents"], body["tables"]) == (None, [])
    assert body["scope_note"] == "Fewer than 8 people in scope: nothing is shown."
    page = lead.get(f"/dashboard/wave/{wave.pk}/overview/?{query}").content.decode()
    assert "Fewer than 8 people in scope" in page and "<table" not in page
