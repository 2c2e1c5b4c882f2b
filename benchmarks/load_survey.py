"""Load on loopback: 200 simulated respondents completing the NMAHP survey concurrently against the
app served by gunicorn with PostgreSQL. Afterwards the database must hold exactly the responses that
were submitted (none lost, none doubled). Reports p50/p95 latency of a page submit.

Run: .venv/bin/python benchmarks/load_survey.py [respondents] [concurrency]
Needs PostgreSQL at 127.0.0.1:5432 (trust auth); uses a scratch database `nmahp_load`.
Results are appended to benchmarks/results/load_survey.txt.
"""

from __future__ import annotations

import concurrent.futures
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import requests
from _results import header, record

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.surveyplan import PLAN  # noqa: E402

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DATABASE = "nmahp_load"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
PORT = 8765
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def csrf_of(page) -> str:
    found = TOKEN.search(page.text)
    if not found:
        raise RuntimeError(f"no form in {page.url}: HTTP {page.status_code}: {page.text[:200]!r}")
    return found.group(1)


def prepare(env):
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        conn.execute(f"CREATE DATABASE {DATABASE}")
    cli = str(Path(sys.executable).parent / "nmahp")
    subprocess.run([cli, "migrate"], env=env, check=True, capture_output=True)
    script = ("from nmahp.web.surveys import store; from nmahp.web.surveys.models import CollectorLink;"
              "w = store.get_or_create_wave('nmahp', 'load');"
              "print(CollectorLink.objects.create(wave=w, channel='load', invited=200).token)")
    out = subprocess.run([sys.executable, "-c", f"import django, os; django.setup(); {script}"], env=env,
                         check=True, capture_output=True, text=True)
    return out.stdout.strip().splitlines()[-1]


def respondent(base: str, token: str) -> tuple[list[float], bool]:
    session = requests.Session()
    timings = []
    page = session.get(f"{base}/survey/{token}/", timeout=30)
    csrf = csrf_of(page)
    response = session.post(f"{base}/survey/{token}/", data={"consent": "yes", "csrfmiddlewaretoken": csrf},
                            timeout=30, allow_redirects=False)
    location = response.headers["Location"]
    while "/check/" not in location:
        section = location.rstrip("/").split("/")[-1]
        form = session.get(f"{base}{location}", timeout=30)
        csrf = csrf_of(form)
        start = time.perf_counter()
        response = session.post(f"{base}{location}", data={**PLAN.get(section, {}), "csrfmiddlewaretoken": csrf},
                                timeout=30, allow_redirects=False)
        timings.append(time.perf_counter() - start)
        if response.status_code != 302:
            return timings, False
        location = response.headers["Location"]
    form = session.get(f"{base}{location}", timeout=30)
    csrf = csrf_of(form)
    start = time.perf_counter()
    done = session.post(f"{base}{location}", data={"csrfmiddlewaretoken": csrf}, timeout=30, allow_redirects=False)
    timings.append(time.perf_counter() - start)
    return timings, done.status_code == 302 and done.headers["Location"].endswith("/done/")


def main(count: int = 200, concurrency: int = 50) -> None:
    data_dir = tempfile.mkdtemp()
    env = {**os.environ, "DATABASE_URL": DATABASE_URL, "NMAHP_DATA_DIR": data_dir,
           "DJANGO_SETTINGS_MODULE": "nmahp.web.settings", "NMAHP_ALLOWED_HOSTS": "127.0.0.1"}
    token = prepare(env)
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    server = subprocess.Popen([gunicorn, "nmahp.web.wsgi:application", "-b", f"127.0.0.1:{PORT}", "-w", "4",
                               "--threads", "4", "--log-level", "warning"],
                              env={**env, "NMAHP_DEBUG": os.environ.get("LOAD_DEBUG", "")})
    base = f"http://127.0.0.1:{PORT}"
    try:
        for _ in range(100):
            try:
                requests.get(base, timeout=15)
                break
            except requests.RequestException:
                time.sleep(0.1)
        start = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(max_workers=concurrency) as pool:
            results = list(pool.map(lambda _: respondent(base, token), range(count)))
        elapsed = time.perf_counter() - start
    finally:
        server.terminate()
        server.wait(timeout=10)
    timings = sorted(t for ts, _ in results for t in ts)
    completed = sum(1 for _, ok in results if ok)
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{DATABASE}") as conn:
        stored = conn.execute("SELECT count(*), count(DISTINCT respondent_key) FROM surveys_response "
                              "WHERE status = 'complete'").fetchone()
        partial = conn.execute("SELECT count(*) FROM surveys_response WHERE status = 'partial'").fetchone()[0]
    p50 = statistics.median(timings) * 1000
    p95 = timings[int(len(timings) * 0.95) - 1] * 1000
    line = (f"{count} respondents, {concurrency} at a time, gunicorn 4x4 + PostgreSQL: {elapsed:.1f} s, "
            f"{len(timings)} page submits, p50 {p50:.0f} ms, p95 {p95:.0f} ms; completed {completed}, "
            f"stored complete {stored[0]} (distinct {stored[1]}), left partial {partial}")
    first = header()
    print(first)
    print(line)
    assert stored[0] == stored[1] == completed == count, "responses lost or doubled"
    record("load_survey", [first, line])


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    main(*args)
