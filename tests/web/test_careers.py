"""The careers navigator's pages, their JSON twins, filters, the checker, stories, the opportunities
board and its feeds."""

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET

import pytest
from icalendar import Calendar

from nmahp.navigator.catalogue import SchemeFilter, filter_schemes
from nmahp.web.careers.content import get_content
from nmahp.web.careers.demo import load_careers_demo
from nmahp.web.careers.models import Opportunity, Story

pytestmark = [pytest.mark.db, pytest.mark.django_db]

NURSE = ("profession=adult_nurse&registration=registered&qualification=degree&research_experience=none"
         "&employer=nhs&region=nw_greater_manchester&time=half_or_more")
PAGES = ["/careers/", "/careers/schemes/", "/careers/schemes/pcaf/", "/careers/glossary/", "/careers/pathway/",
         "/careers/check/", "/careers/start-small/", "/careers/employment/", "/careers/stories/",
         "/careers/opportunities/"]


@pytest.fixture
def demo_content(db):
    load_careers_demo()


@pytest.mark.parametrize("url", PAGES)
def test_every_page_renders_and_has_a_json_twin(client, demo_content, url):
    page = client.get(url)
    assert page.status_code == 200
    assert page["Content-Type"].startswith("text/html")
    twin = url.rstrip("/") + ".json" if url != "/careers/" else "/careers/index.json"
    data = client.get(twin)
    assert data.status_code == 200 and data["Content-Type"] == "application/json"
    assert data.json()


def test_schemes_page_lists_what_the_domain_filter_returns(client):
    content = get_content()
    page = client.get("/careers/schemes/?profession=midwife&stage=doctoral&funded=yes")
    expected = filter_schemes(content, SchemeFilter(profession="midwife", stage="doctoral", funded="yes"))
    shown = re.findall(r'data-scheme="([^"]+)"', page.content.decode())
    assert shown == [s.id for s in expected] == ["dcaf", "nihr-doctoral-fellowship"]
    twin = client.get("/careers/schemes.json?profession=midwife&stage=doctoral&funded=yes").json()
    assert [s["id"] for s in twin["schemes"]] == shown


def test_profession_filter_uses_the_eligibility_rules(client):
    twin = client.get("/careers/schemes.json?profession=physiotherapist").json()
    ids = {s["id"] for s in twin["schemes"]}
    assert "nihr-nm-incubator" not in ids and "rfpb-nurses-midwives" not in ids and "pcaf" in ids
    nurses = {s["id"] for s in client.get("/careers/schemes.json?profession=midwife").json()["schemes"]}
    assert {"nihr-nm-incubator", "rfpb-nurses-midwives"} <= nurses


def test_time_filter_keeps_schemes_needing_no_more_than_that(client):
    content = get_content()
    order = [o.value for o in content.questions["time"].options]
    twin = client.get("/careers/schemes.json?time=day_week").json()
    assert twin["schemes"]
    assert all(order.index(s["time_commitment"]) <= order.index("day_week") for s in twin["schemes"])
    assert "dcaf" not in {s["id"] for s in twin["schemes"]}


def test_ended_schemes_are_hidden_unless_asked_for(client):
    default = {s["id"] for s in client.get("/careers/schemes.json").json()["schemes"]}
    with_ended = {s["id"] for s in client.get("/careers/schemes.json?ended=1").json()["schemes"]}
    assert with_ended - default == {"ica-clinical-lectureship", "ica-senior-clinical-lectureship", "nihr-70at70"}


@pytest.mark.parametrize("query", ["stage=phd", "time=forever", "funded=maybe",
                                   "profession=%3Cscript%3Ealert(1)%3C%2Fscript%3E"])
def test_bad_filter_values_get_a_clear_error(client, query):
    page = client.get(f"/careers/schemes/?{query}")
    assert page.status_code == 400
    html = page.content.decode()
    assert "There is a problem" in html and "Choose" in html
    assert "<script>alert(1)</script>" not in html
    assert client.get(f"/careers/schemes.json?{query}").status_code == 400


def test_scheme_page_shows_facts_sources_conditions_and_last_checked(client):
    html = client.get("/careers/schemes/acaf/").content.decode()
    assert "Not confirmed" in html  # duration is unconfirmed
    assert "Last checked: 25 November 2026" in html
    assert "beta.nihr.ac.uk/documents/advanced-clinical-and-practitioner-academic-fellowship" in html
    assert "You need a doctorate." in html and "It needs half the working week or more." in html
    data = client.get("/careers/schemes/acaf.json").json()
    assert data["unconfirmed"] == ["duration", "time_commitment"]
    assert client.get("/careers/schemes/no-such-scheme/").status_code == 404


def test_an_ended_scheme_says_so_and_points_on(client):
    html = client.get("/careers/schemes/nihr-70at70/").content.decode()
    assert "This scheme has ended" in html and 'href="/careers/schemes/nihr-senior-research-leader/"' in html


def test_checker_results_group_open_one_step_and_closed(client):
    html = client.get(f"/careers/check/?{NURSE}").content.decode()
    assert "You can apply now" in html and "One step away" in html and "Not open to you now" in html
    open_part = html.split('id="open-now"')[1].split('id="one-step"')[0]
    step_part = html.split('id="one-step"')[1].split('id="closed"')[0]
    assert 'data-scheme="pcaf"' in open_part
    assert 'data-scheme="dcaf"' in step_part and "Complete a master&#x27;s" in step_part
    data = client.get(f"/careers/check.json?{NURSE}").json()["result"]
    assert "pcaf" in [v["scheme"] for v in data["open"]]
    assert {"scheme": "dcaf"}.items() <= next(v for v in data["one_step"] if v["scheme"] == "dcaf").items()


def test_checker_asks_for_missing_answers_and_keeps_the_given_ones(client):
    page = client.get("/careers/check/?profession=midwife&qualification=masters")
    assert page.status_code == 400
    html = page.content.decode()
    assert "There is a problem" in html and "Answer &#x27;Where do you work?&#x27;" in html
    assert '<option value="midwife" selected>' in html
    assert re.search(r'value="masters" checked', html)
    # the JSON twin answers partial questions with 'unknown' rather than refusing
    data = client.get("/careers/check.json?profession=midwife").json()
    assert data["result"]["unknown"]


def test_change_your_answers_shows_the_form_filled_in(client):
    results = client.get(f"/careers/check/?{NURSE}").content.decode()
    link = re.search(r'href="(/careers/check/\?[^"]+)" class="nmahp-edit-link"', results).group(1)
    form = client.get(link.replace("&amp;", "&"))
    assert form.status_code == 200
    html = form.content.decode()
    assert "Show what I can apply for" in html and "You can apply now" not in html
    assert '<option value="adult_nurse" selected>' in html and re.search(r'value="half_or_more" checked', html)


def test_submitting_the_checker_empty_lists_every_question(client):
    page = client.get("/careers/check/?profession=")
    assert page.status_code == 400
    assert page.content.decode().count('<li><a href="#') == 7


@pytest.mark.parametrize("query", ["profession=wizard", "time=%3Cimg%20src=x%3E", "pay_band=7"])
def test_checker_refuses_answers_that_are_not_options(client, query):
    page = client.get(f"/careers/check/?{NURSE}&{query}".replace("profession=adult_nurse&", "")
                      if "profession" in query else f"/careers/check/?{NURSE}&{query}")
    assert page.status_code == 400
    assert "<img src=x>" not in page.content.decode()


def test_oversized_queries_are_refused(client):
    page = client.get("/careers/check/?profession=" + "x" * 5000)
    assert page.status_code == 400 and "too long" in page.content.decode()
    assert client.get("/careers/schemes/?stage=" + "y" * 5000).status_code == 400


def test_glossary_has_an_anchor_for_every_term_and_pages_link_into_it(client):
    content = get_content()
    glossary = client.get("/careers/glossary/").content.decode()
    for term in content.glossary.values():
        assert f'id="{term.id}"' in glossary
    for url in PAGES:
        html = client.get(url).content.decode()
        for target in re.findall(r'class="nmahp-term" href="/careers/glossary/#([^"]+)"', html):
            assert target in content.glossary, (url, target)
    assert 'href="/careers/glossary/#pcaf"' in client.get("/careers/schemes/").content.decode()


def test_pathway_map_places_every_current_scheme_in_one_stage(client, demo_content):
    data = client.get("/careers/pathway.json").json()
    placed = [sid for stage in data["stages"] for sid in stage["schemes"]]
    current = [s.id for s in get_content().schemes.values() if not s.is_ended]
    assert sorted(placed) == sorted(current)
    assert data["stages"][0]["id"] == "pre-registration" and data["stages"][5]["id"] == "senior"
    pre_doc = next(s for s in data["stages"] if s["id"] == "pre-doctoral")
    assert pre_doc["stories"]  # the illustrative physio story is attached there


def test_stories_filter_by_profession_setting_and_stage(client, demo_content):
    all_stories = client.get("/careers/stories.json").json()["stories"]
    assert len(all_stories) == 4 and all(s["illustrative"] for s in all_stories)
    midwives = client.get("/careers/stories.json?profession=midwife").json()["stories"]
    assert [s["profession"] for s in midwives] == ["midwife"]
    joint = client.get("/careers/stories.json?setting=joint").json()["stories"]
    assert [s["setting"] for s in joint] == ["joint"]
    staged = client.get("/careers/stories.json?stage=pre-doctoral").json()["stories"]
    assert all("pre-doctoral" in s["stages"] for s in staged) and staged
    Story.objects.create(title="Unpublished", person="x", profession="midwife", setting="nhs",
                         stages=["senior"], journey="x", contract="x", time_split="x", what_helped="x")
    assert len(client.get("/careers/stories.json").json()["stories"]) == 4


def test_opportunities_hide_closed_ones_and_filter(client, demo_content):
    Opportunity.objects.create(title="Long gone", kind="job", organisation="x", summary="x",
                               url="https://example.org/old", closes_on=dt.date.today() - dt.timedelta(days=1))
    titles = [o["title"] for o in client.get("/careers/opportunities.json").json()["opportunities"]]
    assert "Long gone" not in titles and len(titles) == 4
    assert "Long gone" in [o["title"] for o in client.get("/careers/opportunities.json?closed=1").json()["opportunities"]]
    ahp = [o["title"] for o in client.get("/careers/opportunities.json?group=ahp").json()["opportunities"]]
    nm = [o["title"] for o in client.get("/careers/opportunities.json?group=nursing_midwifery").json()["opportunities"]]
    assert "Example: clinical academic lecturer (joint post)" in ahp
    assert "Example: clinical academic lecturer (joint post)" not in nm
    post_doc = client.get("/careers/opportunities.json?stage=post-doctoral").json()["opportunities"]
    assert [o["stage"] for o in post_doc] == ["post-doctoral"]
    workshops = client.get("/careers/opportunities.json?kind=workshop").json()["opportunities"]
    assert [o["kind"] for o in workshops] == ["workshop"]


def test_feeds_carry_the_same_filters(client, demo_content):
    atom = client.get("/careers/opportunities/feed.atom?kind=workshop")
    assert atom.status_code == 200 and "atom" in atom["Content-Type"]
    entries = ET.fromstring(atom.content).findall("{http://www.w3.org/2005/Atom}entry")
    assert len(entries) == 1 and "workshop" in entries[0].find("{http://www.w3.org/2005/Atom}title").text.lower()
    rss = ET.fromstring(client.get("/careers/opportunities/feed.rss").content)
    assert len(rss.findall("./channel/item")) == 4
    ics = client.get("/careers/opportunities/deadlines.ics?kind=workshop")
    assert ics["Content-Type"].startswith("text/calendar")
    events = Calendar.from_ical(ics.content).walk("VEVENT")
    summaries = sorted(str(e["SUMMARY"]) for e in events)
    assert summaries == ["Closing date: Example: introduction to research methods workshop",
                         "Workshop: Example: introduction to research methods workshop"]
    page = client.get("/careers/opportunities/?kind=workshop").content.decode()
    assert 'href="/careers/opportunities/feed.atom?kind=workshop"' in page
    assert 'href="/careers/opportunities/deadlines.ics?kind=workshop"' in page


def test_programme_staff_add_a_story_through_the_admin(signed_in):
    admin = signed_in("admin")
    form = admin.get("/admin/careers/story/add/")
    assert form.status_code == 200 and b"Getting ready for a PhD" in form.content
    response = admin.post("/admin/careers/story/add/", {
        "title": "From ward to lectureship", "person": "A. N. Other", "profession": "dietitian",
        "setting": "university", "stages": ["any-stage"], "journey": "Guest lectures, then a PGCert.",
        "contract": "University contract, NHS honorary", "time_split": "80% teaching, 20% clinical",
        "what_helped": "A course lead who asked.", "consent_confirmed": "on", "published": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    client = signed_in("mentor")
    stories = client.get("/careers/stories.json?profession=dietitian").json()["stories"]
    assert [s["title"] for s in stories] == ["From ward to lectureship"]


def test_the_admin_refuses_a_real_story_without_consent_and_unknown_stages(signed_in):
    admin = signed_in("admin")
    response = admin.post("/admin/careers/story/add/", {
        "title": "No consent", "person": "B", "profession": "midwife", "setting": "nhs", "stages": ["phd"],
        "journey": "x", "contract": "x", "time_split": "x", "what_helped": "x", "published": "on"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Select a valid choice. phd is not one of the available choices." in html
    assert not Story.objects.filter(title="No consent").exists()
    response = admin.post("/admin/careers/story/add/", {
        "title": "No consent", "person": "B", "profession": "midwife", "setting": "nhs", "stages": ["senior"],
        "journey": "x", "contract": "x", "time_split": "x", "what_helped": "x", "published": "on"})
    assert "Confirm the person" in response.content.decode()
    assert not Story.objects.filter(title="No consent").exists()


def test_programme_staff_post_an_opportunity_and_it_reaches_the_feed(signed_in, client):
    admin = signed_in("admin")
    closes = dt.date.today() + dt.timedelta(days=10)
    response = admin.post("/admin/careers/opportunity/add/", {
        "title": "Band 6 research nurse secondment", "kind": "secondment", "organisation": "A trust",
        "summary": "Twelve months.", "url": "https://example.org/s", "region": "nw_greater_manchester",
        "open_to": ["nursing_midwifery"], "stage": "first-steps", "closes_on": closes.isoformat(),
        "published": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    feed = client.get("/careers/opportunities/feed.atom?region=nw_greater_manchester").content.decode()
    assert "Band 6 research nurse secondment" in feed


def test_json_twin_of_the_glossary_lists_every_term(client):
    data = json.loads(client.get("/careers/glossary.json").content)
    assert data["count"] == len(get_content().glossary) >= 60


def test_every_acronym_on_every_navigator_page_is_in_the_glossary(client, demo_content):
    import html as html_lib

    from nmahp.navigator.glossary import unexplained_acronyms

    content = get_content()
    pages = [*PAGES, "/careers/schemes/?ended=1", f"/careers/check/?{NURSE}",
             *[f"/careers/schemes/{s}/" for s in content.schemes]]
    for url in pages:
        page = client.get(url).content.decode()
        main = page[page.index("<main"):page.index("</main>")]
        text = html_lib.unescape(re.sub(r"<[^>]+>", " ", main))
        assert unexplained_acronyms(text, content.glossary) == [], url


@pytest.mark.parametrize("url", ["/careers/stories/?setting=moon", "/careers/stories/?profession=%3Cb%3Ex",
                                 "/careers/opportunities/?kind=party", "/careers/opportunities/?region=mars",
                                 "/careers/opportunities/?stage=retired&group=doctors"])
def test_story_and_opportunity_filters_refuse_values_that_are_not_choices(client, demo_content, url):
    page = client.get(url)
    assert page.status_code == 400
    html = page.content.decode()
    assert "There is a problem" in html and "Choose" in html and "<b>x" not in html
    path, query = url.split("?")
    assert client.get(f"{path.rstrip('/')}.json?{query}").status_code == 400


def test_feeds_refuse_filters_that_are_not_choices(client):
    assert client.get("/careers/opportunities/feed.atom?kind=party").status_code == 400
    assert client.get("/careers/opportunities/deadlines.ics?region=mars").status_code == 400
