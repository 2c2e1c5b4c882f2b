"""The dashboard's cross-tabulation: any two questions of a wave with row and column percentages and the test
that ran, for analysts exactly and for leads (their region only) under the disclosure policy: no count under
the threshold and no test, on the page, its twin or a download."""

import csv
import html
import io
import re

import pytest
from typer.testing import CliRunner

from nmahp.analysis.crosstab import crosstab
from nmahp.analysis.disclosure import EXACT
from nmahp.analysis.tables import HIDDEN
from nmahp.app import snapshots
from nmahp.cli import app
from nmahp.instruments import get_instrument
from nmahp.study import STUDY
from nmahp.web.surveys.models import Wave

pytestmark = [pytest.mark.db, pytest.mark.django_db]
ROUND = STUDY.disclosure.round_to
SMALLEST_SHOWN = STUDY.disclosure.suppress_at_most + 1
REGION = "lancashire_south_cumbria"


@pytest.fixture
def wave():
    CliRunner().invoke(app, ["synth", "--instrument", "nmahp", "--n", "300", "--seed", "9", "--db", "--wave", "w"])
    return Wave.objects.get(name="w")


def cross(wave, question, by):
    from nmahp.app.waves import wave_responses

    responses = wave_responses(wave)
    return crosstab(responses.frame, responses.instrument, question, by, disclosure=EXACT)


def test_an_analyst_sees_exact_counts_row_and_column_percentages_and_the_test(wave, signed_in):
    analyst = signed_in("analyst")
    assert f'href="/dashboard/wave/{wave.pk}/crosstab/?' in analyst.get(f"/dashboard/wave/{wave.pk}/").content.decode()
    address = f"/dashboard/wave/{wave.pk}/crosstab.json?question=research_interest&by=professional_group"
    before = snapshots.STATS["computed crosstab"]
    body = analyst.get(address).json()
    expected = cross(wave, "research_interest", "professional_group")
    table = body["table"]
    assert [(g["name"], g["base_n"]) for g in table["groups"]] == [(g.name, g.base_n) for g in expected.groups]
    for group, mine in zip(table["groups"], expected.groups, strict=True):
        for cell in group["cells"]:
            theirs = mine.cell(cell["option"])
            assert cell["count"] == theirs.count
            total = expected.cell(cell["option"]).count
            assert cell["row_percent"] == (pytest.approx(100 * theirs.count / total) if total else None)
    assert body["test"]["method"] == expected.association.method and body["test"]["p"] == pytest.approx(
        expected.association.p)
    analyst.get(address)  # the same question again is read from the cache
    assert snapshots.STATS["computed crosstab"] == before + 1
    page = analyst.get(address.replace("crosstab.json", "crosstab/")).content.decode()
    assert f"Test of the whole table: {expected.association.method}" in page and 'id="crosstab"' in page
    # the chosen columns are named in the form, the calculated professional group by its label from the study
    assert '<option value="professional_group" selected>Professional group</option>' in page
    download = analyst.get(address.replace("crosstab.json", "crosstab.csv"))
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    assert rows[0][:3] == ["question", "option", "label"] and rows[-1][1] == expected.association.method
    # consent opens every page, so every respondent gave the same answer: it is not offered
    offered = [c["name"] for c in body["choices"]]
    assert "consent" not in offered and {"research_interest", "professional_group"} <= set(offered)
    # a question not offered, or the same one twice, is refused and says what to do
    for query in ("question=no_such&by=region", "question=region&by=region", "question=consent&by=region"):
        refused = analyst.get(f"/dashboard/wave/{wave.pk}/crosstab.json?{query}")
        assert refused.status_code == 400 and "choose two different questions" in refused.json()["error"]


def published(count) -> bool:
    return count is None or (count >= SMALLEST_SHOWN and count % ROUND == 0)


def test_a_lead_sees_a_special_category_crosstab_with_nothing_under_the_threshold(wave, signed_in):
    exact = cross(wave, "sexual_orientation", "ethnicity")
    assert any(0 < c.count < SMALLEST_SHOWN for g in exact.groups for c in g.cells)  # something to hide
    lead = signed_in("lead", region=REGION)
    query = "question=sexual_orientation&by=ethnicity&region=greater_manchester"
    body = lead.get(f"/dashboard/wave/{wave.pk}/crosstab.json?{query}").json()
    assert body["filters"] == {"region": REGION} and body["test"] is None
    table = body["table"]
    assert table["association"] is None and not table["tests"]
    counts = [c["count"] for c in table["cells"]] + [g["base_n"] for g in table["groups"]]
    counts += [c["count"] for g in table["groups"] for c in g["cells"]]
    assert all(published(c) for c in counts) and any(c is None for c in counts)
    page = lead.get(f"/dashboard/wave/{wave.pk}/crosstab/?{query}").content.decode()
    assert "Test of the whole table" not in page and 'id="disclosure-note"' in page
    # the scope line names the filter as a person reads it, not by its codes
    region = get_instrument("nmahp").questions["region"]
    place = next(c.label for c in region.choices if c.name == REGION)
    assert f"(filtered: {html.escape(region.label)} = {html.escape(place)})" in page and f"= {REGION}" not in page
    shown = re.findall(r'<td class="nhsuk-table__cell">(\d+);', page)
    assert shown and all(published(int(n)) for n in shown)
    assert lead.get(f"/dashboard/wave/{wave.pk}/crosstab.csv?{query}").status_code == 403
    # an admin downloads what the policy shows: no small count there either, and no test
    admin = signed_in("admin")
    rows = list(csv.reader(io.StringIO(admin.get(f"/dashboard/wave/{wave.pk}/crosstab.csv?{query}")
                                       .content.decode())))
    cells = [r for r in rows[1:] if r[0] == "sexual_orientation"]
    assert cells and all(r[6] == HIDDEN or published(int(r[6])) for r in cells)
    assert not any(r[0].startswith("test") for r in rows)
