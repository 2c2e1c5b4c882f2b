"""Every page has a JSON twin (/x/ and /x.json) over the same view: the routes are walked so a new page
without a twin fails here; then one page per app is fetched as HTML and as JSON, with the right role,
and the twin must say what the page says, with the same status, and hide what the page hides."""

import csv
import io
import json
import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver
from typer.testing import CliRunner

from nmahp.cli import app
from nmahp.study import STUDY as _STUDY
from nmahp.web.careers.demo import load_careers_demo
from nmahp.web.coding.models import CodeItem, CodingDocument, CodingProject, HighlightItem
from nmahp.web.surveys import store
from nmahp.web.surveys.models import CollectorLink, Wave
from nmahp.web.urls import urlpatterns

ROUND = _STUDY.disclosure.round_to  # the policy's rounding (vocabulary.yaml)

# What is not a page, and so has no twin; each with the reason.
EXEMPT = {
    "sign-in": "signing in: a form that starts a session, with nothing to read as data",
    "sign-in-code": "the second sign-in step (TOTP code): a form, not data",
    "sign-out": "signing out: an action",
    "download": "a file download (CSV/XLSX) of the tables the table pages and their twins show",
    "crosstab-download": "a file download (CSV) of the cross-tabulation its page and twin show",
    "mentoring-mentor-decline": "POST-only action (a mentor declines a proposed match)",
    "coding-export": "a file download (.qdpx project, .qdc codebook)",
    "coding-import": "POST-only action (upload a .qdpx); its result page answers that POST",
    "careers-atom": "a feed (Atom) of the opportunities page, which has its twin",
    "careers-rss": "a feed (RSS) of the opportunities page, which has its twin",
    "careers-ics": "a calendar feed (iCalendar) of the opportunities' closing dates",
    "job-file": "a file download (a finished job's report) of the file its job page and twin name",
    "import-mapping": "a file download (the mapping YAML) of the mapping its import page and twin show",
}
EXEMPT_INCLUDES = {"admin/": "the Django admin (admins only; its own pages and forms)"}


def _routes():
    for entry in urlpatterns:
        if isinstance(entry, URLResolver):
            yield "include", str(entry.pattern), entry
        else:
            assert isinstance(entry, URLPattern)
            yield "twin" if entry.default_args.get("as_json") else "page", str(entry.pattern), entry


def test_every_page_has_a_json_twin():
    names = {entry.name for _, _, entry in _routes() if isinstance(entry, URLPattern)}
    missing = []
    for kind, route, entry in _routes():
        if kind == "include":
            assert route in EXEMPT_INCLUDES, f"{route}: an included URLconf with no twins and no exemption"
        elif kind == "page":
            assert entry.name, f"{route}: every page needs a name (its twin is name-json)"
            if entry.name not in EXEMPT and f"{entry.name}-json" not in names:
                missing.append(f"{route} ({entry.name})")
    assert not missing, f"pages without a JSON twin (add one with page_and_twin, or exempt with a reason): {missing}"
    assert set(EXEMPT) <= names, "an exemption for a route that no longer exists"


def test_each_twin_runs_its_pages_view():
    pages = {entry.name: entry.callback for kind, _, entry in _routes() if kind == "page"}
    for kind, route, entry in _routes():
        if kind != "twin":
            continue
        assert str(entry.pattern).endswith(".json"), route
        view = getattr(entry.callback, "__wrapped__", None)
        assert view is not None, f"{route}: not made by page_and_twin"
        if entry.name:
            assert view is pages[entry.name.removesuffix("-json")], route
        else:  # an older address of a twin
            assert view in pages.values(), route


def fetch(client, page_url, twin_url, status=200):
    """The page and its twin: same status, the twin JSON (and valid JSON)."""
    page = client.get(page_url)
    twin = client.get(twin_url)
    assert page.status_code == status, (page_url, page.status_code)
    assert twin.status_code == status, (twin_url, twin.status_code)
    assert twin["Content-Type"].startswith("application/json")
    return page.content.decode(), json.loads(twin.content)


@pytest.fixture
def wave(db):
    CliRunner().invoke(app, ["synth", "--instrument", "nmahp", "--n", "300", "--seed", "9", "--db", "--wave", "w"])
    return Wave.objects.get(name="w")


@pytest.fixture
def links(wave):
    """A web link (with 20 of the wave's responses) and an email link sent to 544 people (with 30)."""
    web = CollectorLink.objects.create(wave=wave, channel="web")
    email = CollectorLink.objects.create(wave=wave, channel="email", invited=544)
    keys = list(wave.responses.order_by("pk").values_list("pk", flat=True))
    wave.responses.filter(pk__in=keys[:20]).update(collector=web)
    wave.responses.filter(pk__in=keys[20:50]).update(collector=email)
    return web, email


pytestmark = [pytest.mark.db, pytest.mark.django_db]


def test_landing_and_its_twin(links):
    html, data = fetch(Client(), "/", "/index.json")
    assert data["waves"] and data["waves"][0]["survey_url"] == f"/survey/{links[0].token}/"
    for wave in data["waves"]:
        assert f">{wave['complete']}<" in html
        assert wave["survey_url"] is None or wave["survey_url"] in html


def test_careers_scheme_count(db):
    load_careers_demo()
    html, data = fetch(Client(), "/careers/schemes/?profession=midwife", "/careers/schemes.json?profession=midwife")
    assert f"Showing {data['count']} of {data['total']} schemes" in html
    html, data = fetch(Client(), "/careers/schemes/?stage=nonsense", "/careers/schemes.json?stage=nonsense", 400)
    assert data["problems"] and "There is a problem" in html


def test_survey_page_twin_shows_questions_answers_and_progress(db):
    link = CollectorLink.objects.create(wave=store.get_or_create_wave("nmahp", "survey-wave"), channel="web")
    client = Client()
    html, data = fetch(client, f"/survey/{link.token}/", f"/survey/{link.token}.json")
    assert data["consent"]["label"] in html.replace("&#x27;", "'")
    location = client.post(f"/survey/{link.token}/", {"consent": "yes"})["Location"]
    html, data = fetch(client, location, location.rstrip("/") + ".json")
    assert f"Section {data['position']} of {data['total']}" in html
    assert data["questions"] and all(f'id="q-{q["name"]}' in html for q in data["questions"])
    key = location.split("/")[2]
    assert client.post(location.rstrip("/") + ".json", {}).status_code == 405  # answers go to the page
    resumed = client.get(f"/respond/{key}.json")
    assert resumed.status_code == 302 and resumed["Location"].endswith(".json")
    fetch(client, "/respond/no-such-key/check/", "/respond/no-such-key/check.json", 404)


def test_dashboard_index_and_wave_pages(wave, links, signed_in):
    analyst = signed_in("analyst")
    html, data = fetch(analyst, "/dashboard/", "/dashboard.json")
    assert [w["name"] for w in data["waves"]] == ["w"]
    email = next(c for c in data["waves"][0]["collectors"] if c["channel"] == "email")
    assert (email["invited"], email["started"], email["response_rate"]) == (544, 30, round(100 * 30 / 544, 1))
    assert f"<td class=\"nhsuk-table__cell\">{email['response_rate']}%</td>" in html
    html, data = fetch(analyst, f"/dashboard/wave/{wave.pk}/?region=greater_manchester",
                       f"/dashboard/wave/{wave.pk}.json?region=greater_manchester")
    assert re.search(r"<p>(\d+) respondents", html).group(1) == str(data["respondents"])
    assert data["filters"] == {"region": "greater_manchester"}
    assert data["respondents"] < wave.responses.count()
    assert len(re.findall(r'href="/dashboard/wave/\d+/tables/', html)) == len(data["tables"])
    fetch(analyst, "/dashboard/wave/99999/", "/dashboard/wave/99999.json", 404)


def _suppressed_in(body):
    cells = [*body["table"]["cells"], *(c for g in body["breakdown"]["groups"] for c in g["cells"])]
    return sum(c["suppressed"] for c in cells)


def test_a_leads_twin_hides_what_their_page_hides(wave, signed_in):
    lead = signed_in("lead", region="lancashire_south_cumbria")
    url = f"/dashboard/wave/{wave.pk}/tables/research_interest"
    html, data = fetch(lead, f"{url}/?by=ethnicity&region=greater_manchester",
                       f"{url}.json?by=ethnicity&region=greater_manchester")
    assert data["filters"] == {"region": "lancashire_south_cumbria"}
    assert f"{data['respondents']} respondents in scope" in html
    assert _suppressed_in(data) > 0
    assert html.count('class="nmahp-suppressed"') == _suppressed_in(data)
    html, data = fetch(lead, f"/dashboard/wave/{wave.pk}/contacts/", f"/dashboard/wave/{wave.pk}/contacts.json", 403)
    assert data["status"] == 403 and "contact" not in data
    assert lead.get(f"/dashboard/wave/{wave.pk}/download.csv").status_code == 403


def test_an_admins_page_twin_and_download_agree_on_suppression(wave, signed_in):
    admin = signed_in("admin")
    url = f"/dashboard/wave/{wave.pk}/tables/research_interest"
    html, data = fetch(admin, f"{url}/?by=ethnicity", f"{url}.json?by=ethnicity")
    assert _suppressed_in(data) > 0
    assert html.count('class="nmahp-suppressed"') == _suppressed_in(data)
    hidden = {(g["name"], c["option"]) for g in data["breakdown"]["groups"] for c in g["cells"] if c["suppressed"]}
    rows = list(csv.DictReader(io.StringIO(admin.get(f"/dashboard/wave/{wave.pk}/download.csv").content.decode())))
    split = [r for r in rows if r["table"] == data["breakdown"]["id"]]
    assert split
    assert {(r["group"], r["option"]) for r in split if r["count"] == "fewer than 8"} == hidden
    shown = {(g["name"], c["option"]): str(c["count"]) for g in data["breakdown"]["groups"] for c in g["cells"]
             if not c["suppressed"]}
    assert {(r["group"], r["option"]): r["count"] for r in split if r["group"] and r["count"] != "fewer than 8"} == shown
    assert all(int(n) % ROUND == 0 for n in shown.values())  # rounded, as on the page
    # an analyst, and only an analyst, sees the small cells
    analyst_rows = list(csv.DictReader(io.StringIO(
        signed_in("analyst").get(f"/dashboard/wave/{wave.pk}/download.csv").content.decode())))
    assert not any(r["count"] == "fewer than 8" for r in analyst_rows if r["table"] == data["breakdown"]["id"])


def test_mentoring_rounds_twin_and_roles(signed_in):
    html, data = fetch(signed_in("analyst"), "/mentoring/rounds/", "/mentoring/rounds.json")
    assert f"{data['clinicians']} clinicians and {data['mentors']} mentors" in html
    fetch(signed_in("lead"), "/mentoring/rounds/", "/mentoring/rounds.json", 403)
    mentor = signed_in("mentor")
    html, data = fetch(mentor, "/mentoring/mentor/", "/mentoring/mentor.json")
    fields = {f["name"]: f for f in data["form"]["fields"]}
    assert ["physiotherapist", "Physiotherapist"] in fields["profession"]["choices"]
    assert "csrf" not in json.dumps(data).lower()


def test_mentoring_join_twin_leaves_contact_details_out(db):
    client = Client()
    html, data = fetch(client, "/mentoring/join/", "/mentoring/join.json")
    fields = {f["name"]: f for f in data["form"]["fields"]}
    assert set(fields) >= {"name", "email", "profession", "interests"}
    assert all(f'name="{name}"' in html for name in fields)
    joined = client.post("/mentoring/join/", {  # answered from the twin's choices
        "name": "Sam Patel", "email": "sam@example.nhs.uk", "profession": "physiotherapist",
        "region": fields["region"]["choices"][0][0], "career_stage": fields["career_stage"]["choices"][1][0],
        "interests": "musculoskeletal pain rehabilitation", "wants": [fields["wants"]["choices"][0][0]],
        "opted_in": "on"})
    assert joined.status_code == 302, joined.content.decode()[:2000]
    me = joined["Location"]
    html, data = fetch(client, me, me.rstrip("/") + ".json")
    assert data["profile"]["interests"] in html and data["profile"]["profession_label"] in html
    assert "sam@example" not in json.dumps(data) and "Sam Patel" not in json.dumps(data)


@pytest.fixture
def coded(db):
    wave = store.get_or_create_wave("nmahp", "coding-wave")
    project = CodingProject.objects.create(wave=wave, name="Three coders")
    answers = ["Protected time is what I need most.", "My manager supports my research.", "No backfill at all."]
    text, segments = "", []
    for number, answer in enumerate(answers, 1):
        segments.append({"start": len(text), "end": len(text) + len(answer), "participant": str(number),
                         "speaker": "", "professional_group": "ahp", "region": ""})
        text += answer + "\n\n"
    document = CodingDocument.objects.create(project=project, name="comments", kind="open_text", text=text,
                                             segments=segments)
    time = CodeItem.objects.create(project=project, name="Protected time")
    for coder, units in [("anna", [0, 2]), ("ben", [0]), ("cara", [1, 2])]:
        for unit in units:
            item = HighlightItem.objects.create(document=document, start=segments[unit]["start"],
                                                end=segments[unit]["end"], coder=coder)
            item.codes.set([time])
    return project


def test_coding_project_twin_has_every_pair_of_coders(coded, signed_in):
    analyst = signed_in("analyst")
    html, data = fetch(analyst, f"/coding/{coded.pk}/", f"/coding/{coded.pk}.json")
    assert data["coders"] == ["anna", "ben", "cara"]
    pairs = [p["coders"] for p in data["agreement"][0]["pairs"]]
    assert pairs == [["anna", "ben"], ["anna", "cara"], ["ben", "cara"]]
    for a, b in pairs:
        assert f"{a} and {b}, Protected time" in html
    assert analyst.get(f"/coding/{coded.pk}/themes.json").json() == data  # the older address, the same twin
    assert [t["code"] for t in data["themes"]] == ["Protected time"]
    fetch(signed_in("lead"), f"/coding/{coded.pk}/", f"/coding/{coded.pk}.json", 403)


def test_collector_rates_take_two_queries_however_many_collectors(links, django_assert_max_num_queries):
    from nmahp.app.dashboards import collector_rates

    CollectorLink.objects.create(wave=links[0].wave, channel="twitter")
    with django_assert_max_num_queries(2):
        waves = collector_rates()
    rates = {c["channel"]: c for c in waves[0]["collectors"]}
    assert set(rates) == {"web", "email", "twitter"}
    complete = links[1].responses.filter(status="complete").count()
    assert (rates["email"]["started"], rates["email"]["completed"]) == (30, complete)
    assert rates["twitter"]["started"] == 0 and rates["twitter"]["completion_rate"] is None
