"""Dashboards: leads see their region under the disclosure policy (counts under 8 hidden, the rest rounded
to 5, a scope of fewer than 8 shows nothing); analysts see exact counts and download, audited."""

import pytest
from typer.testing import CliRunner

from nmahp.analysis import TableKey, compute_table, response_frame
from nmahp.analysis.disclosure import EXACT
from nmahp.cli import app
from nmahp.instruments import get_instrument
from nmahp.study import STUDY as _STUDY
from nmahp.web.accounts.models import AuditEvent
from nmahp.web.surveys import store
from nmahp.web.surveys.models import Wave

ROUND = _STUDY.disclosure.round_to  # the policy's rounding (vocabulary.yaml)

pytestmark = [pytest.mark.db, pytest.mark.django_db]


@pytest.fixture
def wave():
    CliRunner().invoke(app, ["synth", "--instrument", "nmahp", "--n", "300", "--seed", "9", "--db", "--wave", "w"])
    return Wave.objects.get(name="w")


def counts(body):
    """Every count of a table page's twin: the table's cells and bases, the breakdown's cells and bases."""
    table, split = body["table"], body["breakdown"] or {"cells": [], "groups": []}
    return ([c["count"] for c in [*table["cells"], *split["cells"]]] + [table["base_n"]]
            + [v for g in split["groups"] for v in [g["base_n"], *(c["count"] for c in g["cells"])]])


def test_lead_sees_only_their_region_hidden_and_rounded(wave, signed_in):
    lead = signed_in("lead", region="lancashire_south_cumbria")
    data = lead.get(f"/dashboard/wave/{wave.pk}/tables/research_interest.json?by=ethnicity&region=greater_manchester")
    body = data.json()
    assert body["filters"] == {"region": "lancashire_south_cumbria"}  # the lead's region, whatever they ask
    total = Wave.objects.get(pk=wave.pk).responses.count()
    assert body["respondents"] < total and body["respondents"] % ROUND == 0
    assert body["table"]["counts_only"] is True  # fewer than 50 in the region answer: n/N
    split = body["breakdown"]
    assert any(c["suppressed"] for g in split["groups"] for c in g["cells"])
    shown = [n for n in counts(body) if n is not None]
    assert shown and all(n % ROUND == 0 and n >= 8 for n in shown)  # nothing under 8, everything rounded
    assert all(c["ci_low"] is None for c in body["table"]["cells"]) and split["tests"] == []
    page = lead.get(f"/dashboard/wave/{wave.pk}/tables/research_interest/?by=ethnicity").content.decode()
    assert '<span class="nmahp-suppressed">fewer than 8</span>' in page and f"rounded to the nearest {ROUND}" in page


def test_a_leads_narrow_scope_shows_only_that_it_is_too_small(wave, signed_in):
    lead = signed_in("lead", region="lancashire_south_cumbria")
    query = "pay_band=band_8a&professional_group=ahp&organisation_type=acute_trust&by=ethnicity"
    body = lead.get(f"/dashboard/wave/{wave.pk}/tables/sexual_orientation.json?{query}").json()
    assert body["scope_note"] == "Fewer than 8 people in scope: nothing is shown."
    assert (body["respondents"], body["table"], body["breakdown"]) == (None, None, None)
    page = lead.get(f"/dashboard/wave/{wave.pk}/tables/sexual_orientation/?{query}").content.decode()
    assert "Fewer than 8 people in scope: nothing is shown." in page and "<table" not in page
    listing = lead.get(f"/dashboard/wave/{wave.pk}.json?{query}").json()
    assert (listing["respondents"], listing["tables"]) == (None, [])


def test_a_breakdown_and_its_transpose_agree_for_a_lead(wave, signed_in):
    lead = signed_in("lead", region="greater_manchester")
    base = f"/dashboard/wave/{wave.pk}/tables"
    by_group = lead.get(f"{base}/ethnicity.json?by=professional_group").json()["breakdown"]
    by_ethnicity = lead.get(f"{base}/professional_group.json?by=ethnicity").json()["breakdown"]
    assert by_group["id"] == "ethnicity_by_professional_group"
    assert by_ethnicity["id"] == "professional_group_by_ethnicity"
    one = {(g["name"], c["option"]): c["count"] for g in by_group["groups"] for c in g["cells"]}
    other = {(c["option"], g["name"]): c["count"] for g in by_ethnicity["groups"] for c in g["cells"]}
    assert one == other  # the same people, shown the same way: neither gives the other's hidden cells away
    assert any(v is None for v in one.values()) and any(v is not None for v in one.values())


def test_analyst_sees_exact_counts_and_filters(wave, signed_in):
    analyst = signed_in("analyst")
    body = analyst.get(f"/dashboard/wave/{wave.pk}/tables/research_interest.json?by=ethnicity"
                       "&professional_group=ahp").json()
    assert body["filters"] == {"professional_group": "ahp"}
    assert not any(c["suppressed"] for g in body["breakdown"]["groups"] for c in g["cells"])
    instrument = get_instrument("nmahp")
    frame = response_frame(instrument, store.wave_answers(wave))
    frame = frame.filter(frame["professional_group"] == "ahp")
    exact = compute_table(frame, instrument, TableKey("research_interest", "ethnicity"), disclosure=EXACT)
    assert body["breakdown"] == exact.to_dict() and body["respondents"] == frame.height
    assert any(n is not None and 0 < n < 8 for n in counts(body))  # small counts, as they are
    ignored = analyst.get(f"/dashboard/wave/{wave.pk}/tables/top_barriers.json?pay_band=<script>").json()
    assert ignored["filters"] == {}


def test_download_and_contacts_are_audited(wave, signed_in):
    analyst = signed_in("analyst")
    csv = analyst.get(f"/dashboard/wave/{wave.pk}/download.csv?region=greater_manchester")
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    assert b"top_barriers" in csv.content
    xlsx = analyst.get(f"/dashboard/wave/{wave.pk}/download.xlsx")
    assert xlsx.content[:2] == b"PK"
    analyst.get(f"/dashboard/wave/{wave.pk}/contacts/")
    actions = list(AuditEvent.objects.order_by("at").values_list("actor", "action"))
    assert actions == [("analyst-user", "download_csv"), ("analyst-user", "download_xlsx"),
                       ("analyst-user", "read_contacts")]
    assert "greater_manchester" in AuditEvent.objects.get(action="download_csv").detail


def test_response_rates_per_channel(signed_in):
    CliRunner().invoke(app, ["demo", "--no-serve"])
    page = signed_in("analyst").get("/dashboard/").content.decode()
    assert "Response and completion rates by channel" in page and "544" in page
