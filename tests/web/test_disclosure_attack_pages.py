"""Attack the disclosure policy through the pages, as a lead and as an admin (docs/disclosure.md): derived measures
broken down by, and cross-tabulated with, a special-category question; the organisation overview; their JSON twins,
CSV and XLSX downloads; filters that narrow to a handful of people; odd query parameters.

Every number either role is sent is checked against the analyst's exact figure for the same scope: a count, base
or total must be exactly what the policy makes of it (0 to 7 hidden, the rest rounded to 10; everything under a
hidden base hidden), a percentage must be of the shown numbers, and no interval, test or other number may be sent
at all. Differencing what is shown is the integer programs' job (tests/analysis/test_disclosure_attack*.py): here
the shown numbers are pinned, so that those programs' premises hold on every path a browser can take."""

import csv
import html
import io
import itertools
import re

import pytest
from django.contrib.auth import get_user_model
from openpyxl import load_workbook
from typer.testing import CliRunner

from nmahp.analysis.filters import apply_filters
from nmahp.analysis.tables import HIDDEN
from nmahp.app.waves import wave_responses
from nmahp.cli import app
from nmahp.study import STUDY
from nmahp.web.programme.models import Organisation, OrganisationLead, OrganisationLink
from nmahp.web.surveys.models import CollectorLink, Response, Wave

pytestmark = [pytest.mark.db, pytest.mark.django_db]
REGION = "greater_manchester"
PROTECTED = STUDY.protected_characteristics
RULE = STUDY.disclosure
MEASURES = ["highest_qualification", "more_than_one_organisation_type", "interested_in_research_or_teaching", "phd"]
LEAD_FILTERS = [f for f in STUDY.dashboard_filters if f != "region"]
COUNTS = {"count", "base_n", "interested", "respondents", "mentions",
          "base", "before_n", "after_n", "first_respondents", "second_respondents"}  # the last five: comparisons
WITHHELD = {"ci_low", "ci_high", "statistic", "p", "p_adjusted", "difference"}  # functions of exact counts: never sent
FIXED = {"score", "id", "overrides"}  # numbers that say nothing about anyone (a Likert point, a wave's id)


@pytest.fixture
def wave():
    """300 generated responses in all regions; 20 of those in REGION came through Northshire's own link, 5 through
    Tinyshire's (too few to show anything)."""
    CliRunner().invoke(app, ["synth", "--instrument", "nmahp", "--n", "300", "--seed", "9", "--db", "--wave", "w"])
    wave = Wave.objects.get(name="w")
    ours = [r.pk for r in Response.objects.filter(wave=wave, status=Response.COMPLETE).order_by("pk")
            if r.answers.get("region") == REGION]
    assert len(ours) > 40
    for name, chosen in (("Northshire NHS Trust", ours[:20]), ("Tinyshire Trust", ours[20:25])):
        trust = Organisation.objects.create(name=name, region=REGION)
        link = CollectorLink.objects.create(wave=wave, channel=f"{name} email")
        OrganisationLink.objects.create(collector=link, organisation=trust)
        Response.objects.filter(pk__in=chosen).update(collector=link)
    return wave


@pytest.fixture
def roles(signed_in):
    """(lead, admin, analyst) clients; the lead's region is REGION."""
    return signed_in("lead", region=REGION), signed_in("admin"), signed_in("analyst")


def shown(exact: int) -> int | None:
    """The policy, written out here rather than read from the code under test: 0 to 7 hidden, the rest rounded to
    the nearest 10 (a 5 rounded up)."""
    assert (RULE.suppress_at_most, RULE.round_to) == (7, 10)  # docs/disclosure.md's numbers
    return None if exact <= 7 else 10 * ((exact + 5) // 10)


def check(seen, exact, where="", *, hidden=False, base=None, totals=None):
    """Every number in `seen` (what a lead or admin was sent) is what the policy makes of `exact` (the analyst's)."""
    if isinstance(seen, dict):
        assert isinstance(exact, dict), where
        for name in ("base_n", "base"):
            if name in seen:
                hidden = hidden or seen[name] is None
                base = seen[name]
        inner = (hidden, base)  # what the items inside are counted over
        if "interested" in seen and "contracts" in seen:  # a role: its contracts are of those interested in it
            inner = (hidden or seen["interested"] is None, seen["interested"])
        if "groups" in seen and "cells" in seen and seen.get("key", {}).get("measure") == "crosstab":
            totals = {c["option"]: c["count"] for c in seen["cells"]}
        for key, value in seen.items():
            if isinstance(value, str):  # labels, notes, how a measure is made: words, not counts
                continue
            if key in COUNTS and value is not None and not isinstance(exact.get(key), int):
                raise AssertionError(f"{where}.{key}: {value} sent where the analyst has {exact.get(key)}")
            if key in COUNTS and isinstance(exact.get(key), int):
                expected = None if hidden and key not in ("base_n", "base") else shown(exact[key])
                if key == "mentions":  # a coded question's codes given: the sum of its shown counts
                    expected = None if any(c["count"] is None for c in seen["cells"]) else sum(
                        c["count"] for c in seen["cells"])
                assert value == expected, f"{where}.{key}: sent {value}, exact {exact[key]}, policy {expected}"
            elif key in WITHHELD:
                assert value is None, f"{where}.{key}: {value} sent"
            elif key == "percent" and value is not None:
                count = seen["count"] if "count" in seen else seen["interested"]
                assert count is not None and base, f"{where}: a percentage of a hidden number"
                assert value == pytest.approx(100 * count / base), f"{where}.percent"
            elif key == "row_percent" and value is not None:
                total = (totals or {}).get(seen["option"])
                assert seen["count"] is not None and total, f"{where}: a row percentage of a hidden number"
                assert value == pytest.approx(100 * seen["count"] / total), f"{where}.row_percent"
            elif key == "weighted_average" and value is not None:
                cells = seen["cells"]
                assert all(c["count"] is not None for c in cells), f"{where}: an average over hidden counts"
                assert value == pytest.approx(sum(c["score"] * c["count"] for c in cells)
                                              / sum(c["count"] for c in cells)), f"{where}.weighted_average"
            elif key == "agreed_to_contact" and value is not None:
                # the contact question's 'yes' (its base is not sent: the analyst's percentage gives it)
                truth = exact[key]
                assert value["count"] == shown(truth["count"]), f"{where}.{key}"
                assert value["suppressed"] == (value["count"] is None)
                if value["percent"] is not None:
                    asked = shown(round(100 * truth["count"] / truth["percent"]))
                    assert value["percent"] == pytest.approx(100 * value["count"] / asked), f"{where}.{key}"
            elif key == "tests":
                assert value == [], f"{where}: tests sent"
            elif key == "association":
                assert value is None, f"{where}: a test of the whole table sent"
            elif isinstance(value, (dict, list)):
                check(value, exact.get(key), f"{where}.{key}", hidden=inner[0], base=inner[1], totals=totals)
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                assert key in FIXED and value == exact.get(key), f"{where}.{key}: {value} sent"
    elif isinstance(seen, list) and any(isinstance(v, (dict, list, int, float)) for v in seen):
        assert isinstance(exact, list), where
        ident = next((k for k in ("option", "name", "role", "id") if seen and isinstance(seen[0], dict)
                      and k in seen[0]), None)
        if ident is None:
            assert len(seen) == len(exact), where
            pairs = zip(seen, exact, strict=True)
        else:  # every group is listed, even one nobody is in (the analyst's lists only those with someone)
            pairs = ((s, next((e for e in exact if e[ident] == s[ident]), None) or zeroed(s)) for s in seen)
        for i, (s, e) in enumerate(pairs):
            check(s, e, f"{where}[{s[ident] if ident else i}]", hidden=hidden, base=base, totals=totals)
    elif isinstance(seen, (int, float)) and not isinstance(seen, bool):
        assert seen == exact, f"{where}: {seen} sent"


def zeroed(seen):
    """An item the analyst's figures do not list (nobody is in it): every count in it is 0."""
    if isinstance(seen, dict):
        return {k: 0 if k in COUNTS else zeroed(v) for k, v in seen.items()}
    if isinstance(seen, list):
        return [zeroed(v) for v in seen]
    return seen


def both(roles, address, query=""):
    """What the lead and the admin (asking for REGION) are sent, and what the analyst is for the same scope."""
    lead, admin, analyst = roles
    join = "&" if "?" in address else "?"
    extra = f"{join}{query}" if query else ""
    regional = f"{address}{extra}{'&' if extra else join}region={REGION}"  # the last value of a name counts
    return lead.get(address + extra), admin.get(regional), analyst.get(regional)


def small_scope(wave):
    """A combination of the lead's filters that leaves 1 to 7 of REGION's respondents."""
    responses = wave_responses(wave)
    frame = responses.frame.filter(responses.frame["region"] == REGION)
    values = {f: sorted({v for x in frame[f].drop_nulls() for v in x.split(" ")}) for f in LEAD_FILTERS}
    for n in (1, 2):
        for names in itertools.combinations(LEAD_FILTERS, n):
            for chosen in itertools.product(*(values[f] for f in names)):
                wanted = dict(zip(names, chosen, strict=True))
                if 1 <= apply_filters(frame, responses.instrument, wanted)[0].height <= 7:
                    return wanted
    raise AssertionError("no small scope in the generated wave")


def test_a_measure_broken_down_by_a_special_category_question_is_the_policy_of_the_exact_one(wave, roles):
    for measure, question in [*itertools.product(MEASURES[:2], PROTECTED), *zip(MEASURES[2:], PROTECTED[2:], strict=True)]:
        address = f"/dashboard/wave/{wave.pk}/tables/{measure}.json?by={question}"
        *sent, exact = both(roles, address)
        body = exact.json()
        assert body["breakdown"]["by"] == question and body["table"]["source"]["kind"] == "measure"
        for role, response in zip(("lead", "admin"), sent, strict=True):
            data = response.json()
            assert data["filters"]["region"] == REGION and data["by"] == question
            check(data, body, f"{role} {measure} by {question}")
    # the analyst's figures are exact, so the comparison has something to round and hide
    cells = [c for g in body["breakdown"]["groups"] for c in g["cells"]]
    assert any(0 < c["count"] <= 7 for c in cells) and any(c["count"] % 10 for c in cells)


def test_a_measure_crossed_with_a_special_category_question_both_ways(wave, roles):
    hidden = 0
    for measure, question in itertools.product(MEASURES[:2], PROTECTED):
        for rows, columns in ((measure, question), (question, measure)):
            address = f"/dashboard/wave/{wave.pk}/crosstab.json?question={rows}&by={columns}"
            *sent, exact = both(roles, address)
            assert exact.json()["test"] is not None or rows in ("disability",) or columns in ("disability",)
            for role, response in zip(("lead", "admin"), sent, strict=True):
                data = response.json()
                assert data["test"] is None
                check(data, exact.json(), f"{role} crosstab {rows} by {columns}")
                hidden += sum(c["count"] is None for g in data["table"]["groups"] for c in g["cells"])
    assert hidden > 20


def test_the_crosstab_download_is_the_pages_figures(wave, roles):
    lead, admin, analyst = roles
    query = f"question=highest_qualification&by=sexual_orientation&region={REGION}"
    assert lead.get(f"/dashboard/wave/{wave.pk}/crosstab.csv?{query}").status_code == 403
    sent = list(csv.reader(io.StringIO(admin.get(f"/dashboard/wave/{wave.pk}/crosstab.csv?{query}")
                                       .content.decode())))
    exact = list(csv.reader(io.StringIO(analyst.get(f"/dashboard/wave/{wave.pk}/crosstab.csv?{query}")
                                        .content.decode())))
    assert sent[0] == exact[0] and len(sent) == len(exact) - 1  # the test of the whole table is the analyst's only
    head = sent[0]
    for mine, theirs in zip(sent[1:], exact[1:], strict=False):
        row, truth = dict(zip(head, mine, strict=True)), dict(zip(head, theirs, strict=True))
        assert (row["option"], row["group"]) == (truth["option"], truth["group"])
        base = shown(int(truth["group_base_n"]))
        assert row["group_base_n"] == (HIDDEN if base is None else str(base))
        count = None if base is None else shown(int(truth["count"]))
        assert row["count"] == (HIDDEN if count is None else str(count)), (row, truth)


def test_the_wave_downloads_are_the_pages_figures(wave, roles):
    """The download holds every table broken down every way (measures by special-category questions among them);
    the XLSX holds what the CSV does."""
    def rows(response):
        return list(csv.reader(io.StringIO(response.content.decode())))

    lead, admin, analyst = roles
    address = f"/dashboard/wave/{wave.pk}/download.csv?region={REGION}"
    assert lead.get(address).status_code == 403
    sent, exact = rows(admin.get(address)), rows(analyst.get(address))
    head = sent[0]
    truth = {(r[0], r[2], r[3]): dict(zip(head, r, strict=True)) for r in exact[1:]}
    assert len(truth) == len(exact) - 1 and len(sent) >= len(exact)  # every group listed, even an empty one
    zero = {"count": "0", "base_n": "0"}
    measured = 0
    for line in sent[1:]:
        row = dict(zip(head, line, strict=True))
        true = truth.get((row["table"], row["group"], row["option"]), zero)
        base = shown(int(true["base_n"])) if true["base_n"] != HIDDEN else None
        if row["group"]:  # a group's cells are hidden with the group
            assert row["base_n"] == (HIDDEN if base is None else str(base)), row
        count = None if base is None and row["group"] else shown(int(true["count"]))
        assert row["count"] == (HIDDEN if count is None else str(count)), (row, true)
        if row["percent"]:
            assert count is not None and base
            assert float(row["percent"]) == pytest.approx(100 * count / base)
        measured += row["table"] in {f"{m}_by_{q}" for m in MEASURES for q in PROTECTED}
    assert measured > 50
    # the XLSX holds what the CSV does
    address = address.replace(".csv", ".xlsx")
    assert lead.get(address).status_code == 403
    sheet = load_workbook(io.BytesIO(admin.get(address).content), read_only=True).active
    cells = [[_same(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    as_csv = admin.get(address.replace(".xlsx", ".csv")).content.decode()
    assert cells == [[_same(v) for v in row] for row in csv.reader(io.StringIO(as_csv))]


def _same(value):
    """A cell as both files can be compared: a number to 6 places, nothing as empty text."""
    try:
        return round(float(value), 6)
    except (TypeError, ValueError):
        return "" if value is None else value


def test_filters_that_leave_a_handful_show_only_that(wave, roles):
    lead, admin, analyst = roles
    wanted = small_scope(wave)
    query = "&".join(f"{k}={v}" for k, v in wanted.items())
    exact = analyst.get(f"/dashboard/wave/{wave.pk}/tables/phd.json?by=sexual_orientation&region={REGION}&{query}")
    assert 1 <= exact.json()["table"]["base_n"] <= 7  # those few have answered
    for client, region in ((lead, ""), (admin, f"&region={REGION}")):
        base = f"/dashboard/wave/{wave.pk}"
        for address in (f"{base}/tables/phd.json?by=sexual_orientation", f"{base}/tables/sexual_orientation.json?",
                        f"{base}/crosstab.json?question=highest_qualification&by=ethnicity",
                        f"{base}/crosstab.json?question=disability&by=phd"):
            response = client.get(f"{address}&{query}{region}")
            assert response.status_code == 200, (address, response.status_code, response.content[:300])
            data = response.json()
            assert data["respondents"] is None and data["scope_note"].startswith("Fewer than 8 people in scope")
            assert data["table"] is None and data.get("breakdown") is None, address
        page = client.get(f"{base}/tables/phd/?by=sexual_orientation&{query}{region}").content.decode()
        assert "Fewer than 8 people in scope" in page and "nmahp-suppressed" not in page
    assert admin.get(f"/dashboard/wave/{wave.pk}/download.csv?{query}&region={REGION}").content.decode().strip() \
        .splitlines() == ["table,question,group,option,label,count,percent,base_n"]
    note = admin.get(f"/dashboard/wave/{wave.pk}/crosstab.csv?question=phd&by=ethnicity&{query}&region={REGION}")
    assert note.content.decode().startswith("Fewer than 8 people in scope")


ODD = ["region=north_east_yorkshire", "sexual_orientation=bisexual", "ethnicity=white_british&gender=woman",
       "pay_band=no_such_band", "organisation=1", "by=sexual_orientation&by=phd", "rule_breaks=exclude",
       "respondent=1", "exact=1&disclosure=exact&role=analyst", "pay_band=band_6&pay_band=",
       "format=csv"]


def test_odd_query_parameters_change_nothing_the_policy_decides(wave, roles):
    lead, _, analyst = roles
    address = f"/dashboard/wave/{wave.pk}/tables/highest_qualification.json?by=ethnicity"
    plain = lead.get(address).json()
    for query in ODD:
        *sent, exact = both(roles, address, query)
        for role, response in zip(("lead", "admin"), sent, strict=True):
            check(response.json(), exact.json(), f"{role} ?{query}")
        # the lead's region is their own whatever is asked, and what is not a filter filters nothing
        assert sent[0].json()["filters"]["region"] == REGION
        if "pay_band=band_6" not in query and "by=" not in query:
            assert sent[0].json() == plain, query
        crosstab = f"/dashboard/wave/{wave.pk}/crosstab.json?question=phd&by=sexual_orientation&{query}"
        check(lead.get(crosstab).json(), analyst.get(f"{crosstab}&region={REGION}").json(), f"crosstab ?{query}")
    # an analysts' tally of respondents' own words is never crossed for anyone else
    admin = roles[1]
    tally = next(c["name"] for c in analyst.get(f"/dashboard/wave/{wave.pk}/crosstab.json").json()["choices"]
                 if c["name"].endswith("_answers"))
    for client in (lead, admin):
        response = client.get(f"/dashboard/wave/{wave.pk}/crosstab.json?question={tally}&by=ethnicity")
        assert response.status_code == 400 and response.json()["table"] is None


def test_the_overview_and_the_wave_page_are_the_policy_of_the_exact_figures(wave, roles):
    """Every table of the wave at once (measures and special-category questions among them), and the list of them."""
    for address in (f"/dashboard/wave/{wave.pk}/overview.json?pay_band=band_6",
                    f"/dashboard/wave/{wave.pk}.json?professional_group=ahp"):
        *sent, exact = both(roles, address)
        questions = {t["question"] for t in exact.json()["tables"]}
        assert {*PROTECTED, *MEASURES} <= questions
        for role, response in zip(("lead", "admin"), sent, strict=True):
            check(response.json(), exact.json(), f"{role} {address}")


# where a page writes a count: "n=20", "N=100", "130 respondents", "10/40" (a count of a base), a cell of a number
COUNTED = re.compile(r"\b[nN]=(\d+)|(\d+) (?:respondents|people|answered)|(\d+)/(\d+)|<td[^>]*>\s*(\d+)\s*</td>|(\d+); column")


def test_every_number_on_the_pages_is_a_rounded_count_or_a_percentage(wave, roles, organisations):
    """What the pages draw from the same tables: every count written on them is a multiple of 10."""
    lead = roles[0]  # an admin's pages are the same tables (their twins are checked above)
    base = f"/dashboard/wave/{wave.pk}"
    for client, region in ((lead, ""),):
        for address in (f"{base}/tables/highest_qualification/?by=sexual_orientation",
                        f"{base}/tables/research_confidence/?by=disability", f"{base}/crosstab/?question=phd&by=ethnicity",
                        f"{base}/crosstab/?question=disability&by=highest_qualification",
                        f"{base}/overview/?pay_band=band_6", f"{base}/?pay_band=band_6",
                        f"/organisation/?wave={wave.pk}&organisation={organisations[0].pk}"):
            page = client.get(address + region).content.decode()
            main = page[page.index("<main"):page.index("</main>")]
            main = re.sub(r"data:image/svg\+xml;base64,[A-Za-z0-9+/=]+", "", main)
            main = re.sub(r"(fewer than|under) 8", "", html.unescape(main))  # the policy's words
            counts = [int(n) for m in COUNTED.finditer(main) for n in m.groups() if n]
            assert len(counts) >= 3 and [n for n in counts if n % 10] == [], address


def test_comparing_two_waves_is_the_policy_of_the_exact_figures(wave, roles):
    """Every table both waves have, measures and special-category questions among them, side by side."""
    CliRunner().invoke(app, ["synth", "--instrument", "nmahp", "--n", "300", "--seed", "3", "--db", "--wave", "v"])
    other = Wave.objects.get(name="v")
    *sent, exact = both(roles, f"/dashboard/wave/{wave.pk}/compare.json?with={other.pk}&pay_band=band_7")
    compared = {c["question"] for c in exact.json()["comparisons"]}
    assert {*PROTECTED, *MEASURES} <= compared
    for role, response in zip(("lead", "admin"), sent, strict=True):
        check(response.json(), exact.json(), f"{role} compare")


# --- the organisation overview ----------------------------------------------------------------------------
@pytest.fixture
def organisations(wave, roles):
    northshire = Organisation.objects.get(name="Northshire NHS Trust")
    lead = get_user_model().objects.get(username="lead-user")
    OrganisationLead.objects.create(user=lead, organisation=northshire)
    return northshire, Organisation.objects.get(name="Tinyshire Trust")


def test_the_organisation_overview_is_the_policy_of_the_exact_one(wave, roles, organisations):
    lead, admin, analyst = roles
    northshire, _ = organisations
    exact = analyst.get(f"/organisation.json?wave={wave.pk}&organisation={northshire.pk}").json()["overview"]
    assert exact["organisation_scope"]["respondents"] == 20 and exact["disclosure"] == "exact"
    for role, client in (("lead", lead), ("admin", admin)):
        sent = client.get(f"/organisation.json?wave={wave.pk}&organisation={northshire.pk}").json()["overview"]
        assert sent["disclosure"] == "published"
        check(sent, exact, f"{role} organisation")
        assert sent["organisation_scope"]["respondents"] == 20
        agreed = sent["organisation_scope"]["agreed_to_contact"]
        truth = exact["organisation_scope"]["agreed_to_contact"]["count"]
        assert agreed["count"] == shown(truth) and agreed["suppressed"] == (shown(truth) is None)
    hidden = [c for t in sent["organisation_scope"]["tables"].values() if t for c in t["cells"] if c["suppressed"]]
    assert hidden  # 20 people: some answers are few
    # the overview has no filters: nothing in the address narrows it, breaks it down or reaches another scope
    tiny = organisations[1]
    plain = lead.get(f"/organisation.json?wave={wave.pk}").json()
    assert plain["organisation"] == northshire.name
    for query in ("by=sexual_orientation", "sexual_orientation=bisexual", "pay_band=band_6",
                  "professional_group=ahp&organisation_type=acute_trust", "region=north_east_yorkshire",
                  "question=sexual_orientation&table=sexual_orientation", f"organisation={tiny.pk}"):
        assert lead.get(f"/organisation.json?wave={wave.pk}&{query}").json() == plain, query
    tables = plain["overview"]["organisation_scope"]["tables"]
    assert all(t is None or t["by"] is None and t["groups"] == [] for t in tables.values())


def test_an_organisation_of_fewer_than_8_shows_only_that(wave, roles, organisations):
    lead, admin, analyst = roles
    _, tiny = organisations
    assert analyst.get(f"/organisation.json?wave={wave.pk}&organisation={tiny.pk}").json()[
        "overview"]["organisation_scope"]["respondents"] == 5
    OrganisationLead.objects.filter(user__username="lead-user").update(organisation=tiny)
    for client in (lead, admin):
        sent = client.get(f"/organisation.json?wave={wave.pk}&organisation={tiny.pk}").json()["overview"]
        ours = sent["organisation_scope"]
        assert ours["respondents"] is None and ours["note"].startswith("Fewer than 8 people in scope")
        assert ours["agreed_to_contact"] is None and set(ours["tables"].values()) == {None}
        assert sent["region_scope"]["respondents"] % 10 == 0
        page = client.get(f"/organisation/?wave={wave.pk}&organisation={tiny.pk}").content.decode()
        assert "Fewer than 8 people in scope" in page
