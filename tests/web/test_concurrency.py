"""Many respondents at once against a real server (`nmahp serve`, waitress, as `make run` uses), and the
race between the final submit and a page save of the same respondent.

The database is the pass's: a file-backed SQLite database in a temporary data folder (the embedded
default), or, in the PostgreSQL pass (DATABASE_URL set to a postgres:// address), a fresh database
`nmahp_concurrency_<random>` created on that server and dropped afterwards.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests

from ..surveyplan import PLAN

pytestmark = pytest.mark.db

RESPONDENTS = 50
RACES = 10
CHANGED = "Clinical academic"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SETUP = """
from nmahp.app import service
service.migrate()
from nmahp.web.surveys import store
from nmahp.web.surveys.models import CollectorLink
wave = store.get_or_create_wave("nmahp", "concurrency")
print(CollectorLink.objects.create(wave=wave, channel="load", invited=100).token)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Database:
    """The server's database, as the test sees it: a SQLite file or a scratch PostgreSQL database."""

    def __init__(self, tmp: Path):
        configured = os.environ.get("DATABASE_URL", "")
        self.postgres = configured.startswith(("postgres://", "postgresql://"))
        if self.postgres:
            parts = urlsplit(configured)
            self.name = f"nmahp_concurrency_{secrets.token_hex(4)}"
            self.admin = urlunsplit(("postgresql", parts.netloc, parts.path or "/postgres", "", ""))
            self.url = urlunsplit(("postgres", parts.netloc, f"/{self.name}", "", ""))
        else:
            self.path = tmp / "nmahp.sqlite3"

    def create(self) -> None:
        if self.postgres:
            import psycopg

            with psycopg.connect(self.admin, autocommit=True) as conn:
                conn.execute(f"CREATE DATABASE {self.name}")

    def drop(self) -> None:
        if self.postgres:
            import psycopg

            with psycopg.connect(self.admin, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")

    def env(self, env: dict) -> dict:
        env = dict(env)
        env.pop("DATABASE_URL", None)
        if self.postgres:
            env["DATABASE_URL"] = self.url
        return env

    def rows(self, sql: str, params=()) -> list[tuple]:
        if self.postgres:
            import psycopg

            with psycopg.connect(self.url.replace("postgres://", "postgresql://", 1)) as conn:
                return conn.execute(sql.replace("?", "%s"), params).fetchall()
        with sqlite3.connect(self.path, timeout=30) as conn:
            return conn.execute(sql, params).fetchall()

    def stored(self, key: str) -> tuple[str, str] | None:
        """A response's status and the job title it holds."""
        found = self.rows("SELECT status, answers FROM surveys_response WHERE respondent_key = ?", (key,))
        if not found:
            return None
        status, answers = found[0]
        return status, (answers if isinstance(answers, dict) else json.loads(answers)).get("job_title", "")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("concurrency")
    database = Database(tmp)
    database.create()
    env = database.env({**os.environ, "NMAHP_DATA_DIR": str(tmp), "DJANGO_SETTINGS_MODULE": "nmahp.web.settings",
                        "NMAHP_ALLOWED_HOSTS": "127.0.0.1"})
    process = None
    try:
        setup = subprocess.run([sys.executable, "-c", SETUP], env=env, capture_output=True, text=True, timeout=120)
        assert setup.returncode == 0, setup.stderr
        token = setup.stdout.strip().splitlines()[-1]
        port = free_port()
        cli = Path(sys.executable).parent / "nmahp"
        log = open(tmp / "server.log", "wb")  # a file, not a pipe: a full pipe would stall the server
        process = subprocess.Popen([str(cli), "serve", "--port", str(port)], env=env, stdout=log,
                                   stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        for _ in range(120):
            try:
                requests.get(base, timeout=5)
                break
            except requests.RequestException:
                if process.poll() is not None:
                    raise AssertionError((tmp / "server.log").read_text()) from None
                time.sleep(0.25)
        yield base, token, database
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=20)
            log.close()
        database.drop()


class Respondent:
    """One person's browser: a session with its CSRF cookie, walking the survey's pages."""

    def __init__(self, base: str, token: str):
        self.base, self.token = base, token
        self.session = requests.Session()
        self.statuses: list[int] = []
        self.key = ""

    def send(self, method: str, path: str, data: dict | None = None) -> requests.Response:
        if data is not None:
            data = {**data, "csrfmiddlewaretoken": self.session.cookies.get("csrftoken", "")}
        response = self.session.request(method, f"{self.base}{path}", data=data, timeout=120,
                                        allow_redirects=False)
        self.statuses.append(response.status_code)
        return response

    def form(self, path: str) -> requests.Response:
        page = self.send("GET", path)
        assert TOKEN.search(page.text), f"no form at {path}: HTTP {page.status_code}"
        return page

    def to_check(self) -> str:
        """Consent and every page up to 'check your answers'; returns the check page's path."""
        self.form(f"/survey/{self.token}/")
        location = self.send("POST", f"/survey/{self.token}/", {"consent": "yes"}).headers["Location"]
        self.key = location.split("/")[2]
        while "/check/" not in location:
            self.form(location)
            section = location.rstrip("/").split("/")[-1]
            response = self.send("POST", location, PLAN.get(section, {}))
            assert response.status_code == 302, f"{section}: HTTP {response.status_code}"
            location = response.headers["Location"]
        self.form(location)
        return location

    def submit(self, check: str) -> requests.Response:
        return self.send("POST", check, {})

    def complete(self) -> bool:
        try:
            done = self.submit(self.to_check())
        except (AssertionError, KeyError, requests.RequestException):
            return False
        return done.status_code == 302 and done.headers["Location"].endswith("/done/")


def test_fifty_respondents_complete_the_survey_at_once(server):
    base, token, database = server
    people = [Respondent(base, token) for _ in range(RESPONDENTS)]
    start = threading.Barrier(RESPONDENTS)

    def run(person: Respondent) -> bool:
        start.wait()
        return person.complete()

    with ThreadPoolExecutor(max_workers=RESPONDENTS) as pool:
        finished = list(pool.map(run, people))
    errors = [s for p in people for s in p.statuses if s >= 500]
    keys = [p.key for p in people]
    marks = ",".join("?" * len(keys))
    stored = dict(database.rows(
        f"SELECT status, count(*) FROM surveys_response WHERE respondent_key IN ({marks}) GROUP BY status", keys))
    assert (len(errors), sum(finished), stored) == (0, RESPONDENTS, {"complete": RESPONDENTS})
    if not database.postgres:
        assert database.rows("PRAGMA journal_mode") == [("wal",)]


def race(base: str, token: str) -> tuple:
    """A respondent on 'check your answers' sends the survey while a page save of theirs (another tab,
    a slow network) arrives at the same moment."""
    person = Respondent(base, token)
    check = person.to_check()
    change = {**PLAN["about_you"], "job_title": CHANGED}  # changes nothing the check depends on
    both = threading.Barrier(2)

    def at_once(send, *args):
        both.wait()
        return send(*args)

    with ThreadPoolExecutor(max_workers=2) as pool:
        submitted = pool.submit(at_once, person.submit, check)
        saved = pool.submit(at_once, person.send, "POST", f"/respond/{person.key}/about_you/", change)
        submitted, saved = submitted.result(), saved.result()
    return (submitted.status_code, submitted.headers.get("Location", "").endswith("/done/"),
            saved.status_code, person.key)


def test_a_page_saved_while_submitting_never_undoes_the_submission(server):
    base, token, database = server
    outcomes = []
    for _ in range(RACES):
        submit_status, done, save_status, key = race(base, token)
        outcomes.append((submit_status, done, save_status, database.stored(key)))
    # the page save lands first (302 to the next page, and the submit sends the changed answer too) or
    # is refused because the answers were already sent (409, the answer as sent); the response ends
    # complete either way
    expected = {302: ("complete", CHANGED), 409: ("complete", PLAN["about_you"]["job_title"])}
    failed = [o for o in outcomes if o[:2] != (302, True) or expected.get(o[2]) != o[3]]
    assert failed == [], f"{len(failed)} of {RACES} trials failed: {outcomes}"
