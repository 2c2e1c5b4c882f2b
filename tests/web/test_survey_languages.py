"""A workbook in two languages through the web survey: the wave's language first, the respondent's choice
kept for their link, and a choice_filter applied on the server to the options a page offers."""

import pytest
from django.test import Client

from nmahp.web.surveys.models import CollectorLink, Response, Wave

from ..formtools import workbook_from_md

pytestmark = [pytest.mark.db, pytest.mark.django_db]

FORM = """
| survey |
| | type               | name                    | label::English (en)  | label::Cymraeg (cy)       | choice_filter        | required |
| | begin group        | participant_information | Information          | Gwybodaeth                |                      |          |
| | note               | info                    | About the study      | Am yr astudiaeth          |                      |          |
| | select_one yn      | consent                 | Do you agree?        | Ydych chi'n cytuno?       |                      | yes      |
| | end group          |                         |                      |                           |                      |          |
| | begin group        | where                   | Where you work       | Ble rydych chi'n gweithio |                      |          |
| | select_one nation  | nation                  | Nation               | Gwlad                     |                      | yes      |
| | end group          |                         |                      |                           |                      |          |
| | begin group        | board                   | Your board           | Eich bwrdd                |                      |          |
| | select_one board   | health_board            | Health board         | Bwrdd iechyd              | nation = ${nation}   | yes      |
| | end group          |                         |                      |                           |                      |          |
| choices |
| | list name | name   | label::English (en) | label::Cymraeg (cy) | nation |
| | yn        | yes    | Yes                 | Ydw                 |        |
| | yn        | no     | No                  | Nac ydw             |        |
| | nation    | wales  | Wales               | Cymru               |        |
| | nation    | eng    | England             | Lloegr              |        |
| | board     | bcu    | Betsi Cadwaladr     | Betsi Cadwaladr     | wales  |
| | board     | cav    | Cardiff and Vale    | Caerdydd a'r Fro    | wales  |
| | board     | nw     | NHS North West      | GIG Gogledd Orllewin | eng   |
"""


@pytest.fixture
def link(tmp_path, monkeypatch):
    folder = tmp_path / "workbooks"
    folder.mkdir()
    workbook_from_md(FORM, folder / "two_nations.xlsx")
    monkeypatch.setenv("NMAHP_INSTRUMENTS_DIR", str(folder))
    wave = Wave.objects.create(name="2025", instrument="two_nations", form_version="1", language="Cymraeg (cy)")
    return CollectorLink.objects.create(wave=wave, channel="web")


def test_the_waves_language_first_and_the_respondents_choice_kept(link):
    client = Client()
    first = client.get(f"/survey/{link.token}/").content.decode()
    assert "Ydych chi&#x27;n cytuno?" in first and "Do you agree?" not in first
    assert "?language=English%20%28en%29" in first
    english = client.get(f"/survey/{link.token}/", {"language": "English (en)"}).content.decode()
    assert "Do you agree?" in english
    started = client.post(f"/survey/{link.token}/", {"consent": "yes", "language": "English (en)"})
    page = client.get(started["Location"])
    assert "Nation" in page.content.decode() and "Gwlad" not in page.content.decode()
    twin = client.get(started["Location"].rstrip("/") + ".json").json()
    assert (twin["language"], twin["languages"]) == ("English (en)", ["English (en)", "Cymraeg (cy)"])
    welsh = client.get(started["Location"], {"language": "Cymraeg (cy)"}).content.decode()
    assert "Gwlad" in welsh
    ignored = client.get(started["Location"], {"language": "Klingon"}).content.decode()
    assert "Gwlad" in ignored  # a language the workbook lacks changes nothing


def test_choice_filter_limits_the_options_a_page_offers(link):
    client = Client()
    started = client.post(f"/survey/{link.token}/", {"consent": "yes", "language": "English (en)"})
    key = started["Location"].split("/")[2]
    to_board = client.post(started["Location"], {"nation": "wales"})
    board = client.get(to_board["Location"]).content.decode()
    assert "Cardiff and Vale" in board and "NHS North West" not in board
    refused = client.post(to_board["Location"], {"health_board": "nw"})
    assert refused.status_code == 400
    assert "not one of the options" in refused.content.decode()
    client.post(to_board["Location"], {"health_board": "cav"})
    assert Response.objects.get(respondent_key=key).answers["health_board"] == "cav"


def test_a_wave_language_the_workbook_lacks_is_refused(link):
    from django.core.exceptions import ValidationError

    wave = link.wave
    wave.language = "Deutsch (de)"
    with pytest.raises(ValidationError, match="no language 'Deutsch"):
        wave.full_clean()
