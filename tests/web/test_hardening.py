"""Hardening: HTTPS redirect, HSTS and secure cookies with NMAHP_HTTPS; Cache-Control: no-store on every
page that may carry answers, contact details or downloads (static files stay cacheable); the data folder
and the SQLite file readable by the service's user only."""

import json
import os
import stat
import subprocess
import sys

import pytest
from django.test import Client, override_settings
from typer.testing import CliRunner

from nmahp.cli import app
from nmahp.web import config
from nmahp.web.surveys.models import CollectorLink, Wave

pytestmark = [pytest.mark.db, pytest.mark.django_db]


def https_settings(monkeypatch, **env):
    for name, value in {"NMAHP_HTTPS": "1", **env}.items():
        monkeypatch.setenv(name, value)
    return config.https_settings()


def test_https_redirect_hsts_and_secure_cookies(monkeypatch):
    with override_settings(**https_settings(monkeypatch)):
        client = Client()
        plain = client.get("/sign-in/?next=/dashboard/")
        assert plain.status_code == 301 and plain["Location"] == "https://testserver/sign-in/?next=/dashboard/"
        secure = client.get("/sign-in/", secure=True)
        assert secure.status_code == 200
        assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
        assert secure.cookies["csrftoken"]["secure"] is True
        # a proxy's header is not trusted unless NMAHP_PROXY_COUNT says there is a proxy
        assert client.get("/", HTTP_X_FORWARDED_PROTO="https").status_code == 301


def test_https_behind_a_proxy_trusts_its_header(monkeypatch):
    with override_settings(**https_settings(monkeypatch, NMAHP_PROXY_COUNT="1", NMAHP_HSTS_SECONDS="600")):
        response = Client().get("/", HTTP_X_FORWARDED_PROTO="https")
        assert response.status_code == 200
        assert response["Strict-Transport-Security"] == "max-age=600; includeSubDomains"


def test_no_https_settings_without_nmahp_https(monkeypatch):
    monkeypatch.delenv("NMAHP_HTTPS", raising=False)
    with override_settings(**config.https_settings()):
        response = Client().get("/")
        assert response.status_code == 200 and "Strict-Transport-Security" not in response


@pytest.fixture
def demo():
    CliRunner().invoke(app, ["demo", "--no-serve"])
    return Wave.objects.get(instrument="nmahp_survey")


def test_no_store_on_everything_but_static_files(demo, signed_in):
    analyst = signed_in("analyst")
    respondent = Client()
    link = f"/survey/{CollectorLink.objects.get(wave=demo, channel='web').token}/"
    started = respondent.post(link, {"consent": "yes"})
    key_page = started["Location"]
    assert "/respond/" in key_page
    assert "no-store" in respondent.get(link)["Cache-Control"]
    urls = [f"/dashboard/wave/{demo.pk}/", f"/dashboard/wave/{demo.pk}/contacts/",
            f"/dashboard/wave/{demo.pk}/contacts.json", f"/dashboard/wave/{demo.pk}/download.csv",
            f"/dashboard/wave/{demo.pk}/download.xlsx", "/coding/", "/mentoring/rounds/", "/dashboard/"]
    for url in urls:
        response = analyst.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
    assert "no-store" in started["Cache-Control"]
    for url in (key_page, "/mentoring/me/not-a-key/", "/sign-in/", "/"):
        assert "no-store" in respondent.get(url, follow=True)["Cache-Control"], url
    static = Client().get("/static/web/init.js")
    assert static.status_code == 200 and "no-store" not in static.get("Cache-Control", "")


def test_data_folder_and_database_are_private(tmp_path):
    data = tmp_path / "new" / "data"
    env = {**os.environ, "NMAHP_DATA_DIR": str(data), "NMAHP_HTTPS": "1"}
    env.pop("DATABASE_URL", None)
    env.pop("NMAHP_SECRET_KEY", None)
    names = ["SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
             "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_PROXY_SSL_HEADER"]
    script = ("import os, json; os.umask(0o022); import nmahp.web.settings as s; "
              f"print(json.dumps([getattr(s, n, None) for n in {names!r}]))")
    run = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr

    def mode(path):
        return stat.S_IMODE(os.stat(path).st_mode)

    assert mode(data) == 0o700
    assert mode(data / "nmahp.sqlite3") == 0o600  # created before SQLite opens it
    assert mode(data / "secret_key") == 0o600
    # and the settings module takes NMAHP_HTTPS at its word
    assert json.loads(run.stdout) == [True, 31_536_000, True, True, True, None]
    # an existing folder and database left open by an older version are closed
    os.chmod(data, 0o755)
    os.chmod(data / "nmahp.sqlite3", 0o644)
    run = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert mode(data) == 0o700 and mode(data / "nmahp.sqlite3") == 0o600
