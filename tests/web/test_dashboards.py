"""Dashboards: leads see their region with small cells suppressed; analysts download, audited."""

import pytest
from typer.testing import CliRunner

from nmahp.cli import app
from nmahp.web.accounts.models import AuditEvent
from nmahp.web.surveys.models import Wave

pytestmark = [pytest.mark.db, pytest.mark.django_db]


@pytest.fixture
def wave():
    CliRunner().invoke(app, ["synth", "--instrument", "nmahp", "--n", "300", "--seed", "9", "--db", "--wave", "w"])
    return Wave.objects.get(name="w")


def test_lead_sees_only_their_region_with_suppression(wave, signed_in):
    lead = signed_in("lead", region="lancashire_south_cumbria")
    data = lead.get(f"/dashboard/wave/{wave.pk}/tables/research_interest.json?by=ethnicity&region=greater_manchester")
    body = data.json()
    assert body["filters"] == {"region": "lancashire_south_cumbria"}  # the lead's region, whatever they ask
    total = Wave.objects.get(pk=wave.pk).responses.count()
    assert body["respondents"] < total
    assert body["table"]["counts_only"] is True  # fewer than 50 in the region answer: n/N
    split = body["breakdown"]
    assert any(c["suppressed"] for g in split["groups"] for c in g["cells"])
    page = lead.get(f"/dashboard/wave/{wave.pk}/tables/research_interest/?by=ethnicity").content.decode()
    assert "suppressed" in page


def test_analyst_sees_unsuppressed_and_filters(wave, signed_in):
    analyst = signed_in("analyst")
    body = analyst.get(f"/dashboard/wave/{wave.pk}/tables/research_interest.json?by=ethnicity"
                       "&professional_group=ahp").json()
    assert body["filters"] == {"professional_group": "ahp"}
    assert not any(c["suppressed"] for g in body["breakdown"]["groups"] for c in g["cells"])
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
