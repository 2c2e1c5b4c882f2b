"""Dashboards at the scale of a national wave: 100,000 synthetic respondents stored in PostgreSQL, the service
served by gunicorn (4 workers x 4 threads, Redis as the cache), 20 concurrent analysts reading the wave
overview, the wave page, a table, a filtered table, a breakdown, a JSON twin and the all-tables CSV. Each
page's p50/p95 is set beside DuckDB computing the same counts over the same snapshot file (the ratio says
what the service adds: HTTP, sign-in, disclosure, statistics, rendering, the cache).

Each reader is a process of its own. The first read of each address (the snapshot made from the database,
the table computed and cached) is timed and reported apart, before the 20 readers start.

Run: .venv/bin/python benchmarks/dashboard_scale.py [respondents] [readers] [rounds]
Needs PostgreSQL at 127.0.0.1:5432 (trust auth; scratch database `nmahp_dashboards`) and Redis at
127.0.0.1:6379 (database 14). Results are appended to benchmarks/results/dashboard_scale.txt.
"""

from __future__ import annotations

import concurrent.futures
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import psycopg
import requests
from _results import header, record

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DATABASE = "nmahp_dashboards"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
CACHE_URL = "redis://127.0.0.1:6379/14"
PORT = 8766
WAVE = "national"
QUESTIONS = ["research_interest", "teaching_interest", "top_barriers", "top_enablers", "pay_band", "ethnicity",
             "research_confidence", "careers_advice_received"]
FILTERS = ["", "professional_group=ahp", "professional_group=nursing_midwifery&region=greater_manchester",
           "pay_band=band_6", "organisation_type=acute_trust"]
BREAKDOWNS = ["professional_group", "region", "pay_band"]

SESSION_SCRIPT = """
import django, os
django.setup()
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from nmahp.web.accounts.models import Profile
from nmahp.web.surveys.models import Wave
user = get_user_model().objects.create_user(username="bench-analyst", password="a-long-benchmark-password")
Profile.objects.create(user=user, role="analyst")
session = SessionStore()
session["_auth_user_id"] = str(user.pk)
session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
session["_auth_user_hash"] = user.get_session_auth_hash()
session["second_factor"] = True
session.create()
print(session.session_key, Wave.objects.get(name="WAVE").pk)
""".replace("WAVE", WAVE)


def prepare(env: dict, respondents: int) -> tuple[str, int, float]:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        conn.execute(f"CREATE DATABASE {DATABASE}")
    cli = str(Path(sys.executable).parent / "nmahp")
    subprocess.run([cli, "migrate"], env=env, check=True, capture_output=True)
    start = time.perf_counter()
    subprocess.run([cli, "synth", "--instrument", "nmahp", "--n", str(respondents), "--seed", "1", "--db",
                    "--wave", WAVE], env=env, check=True, capture_output=True)
    stored = time.perf_counter() - start
    out = subprocess.run([sys.executable, "-c", SESSION_SCRIPT], env=env, check=True, capture_output=True, text=True)
    key, wave = out.stdout.split()
    return key, int(wave), stored


def addresses(wave: int) -> dict[str, list[str]]:
    base = f"/dashboard/wave/{wave}"
    return {
        "overview": [f"{base}/overview/?{f}" for f in FILTERS],
        "wave": [f"{base}/?{f}" for f in FILTERS],
        "table": [f"{base}/tables/{q}/" for q in QUESTIONS],
        "filtered table": [f"{base}/tables/{q}/?{f}" for q in QUESTIONS for f in FILTERS[1:]],
        "breakdown": [f"{base}/tables/{q}/?by={b}" for q in QUESTIONS for b in BREAKDOWNS],
        "JSON twin": [f"{base}/tables/{q}.json?by={b}&{f}" for q in QUESTIONS[:4] for b in BREAKDOWNS
                      for f in FILTERS[:3]],
        "all-tables CSV": [f"{base}/download.csv?{f}" for f in FILTERS[:2]],
    }


def fetch(session: requests.Session, base: str, address: str) -> float:
    start = time.perf_counter()
    response = session.get(base + address, timeout=120)
    elapsed = time.perf_counter() - start
    if response.status_code != 200:
        raise RuntimeError(f"{address}: HTTP {response.status_code}: {response.text[:300]!r}")
    return elapsed


def reader(base: str, cookie: str, plan: list[tuple[str, str]]) -> list[tuple[str, float]]:
    session = requests.Session()
    session.cookies.set("sessionid", cookie)
    return [(kind, fetch(session, base, address)) for kind, address in plan]


# --- DuckDB over the same snapshot ---------------------------------------------------------------------------
def duck_counts(con, path: str, question: str, by: str | None, where: str, multiple: set[str]) -> None:
    answer = f"unnest(string_split({question}, ' '))" if question in multiple else question
    group = f"{by}, " if by else ""
    condition = (f"{question} IS NOT NULL" + (f" AND {by} IS NOT NULL" if by else "")
                 + (f" AND {where}" if where else ""))
    con.execute(f"SELECT {group}a, count(*) FROM (SELECT {group}{answer} AS a FROM read_parquet('{path}') "
                f"WHERE {condition}) GROUP BY ALL").fetchall()
    con.execute(f"SELECT {group}count(*) FROM read_parquet('{path}') WHERE {condition} GROUP BY ALL").fetchall()


def duck_where(query: str) -> str:
    parts = [p.split("=") for p in query.split("&") if "=" in p and not p.startswith("by=")]
    return " AND ".join(f"{k} = '{v}'" for k, v in parts)


def duckdb_times(path: str, wave_questions: list[str], multiple: set[str]) -> dict[str, float]:
    """The median time DuckDB takes to count what each page shows, over the same Parquet snapshot."""
    con = duckdb.connect()
    jobs = {
        "overview": lambda: [duck_counts(con, path, q, None, "", multiple) for q in wave_questions],
        "wave": lambda: [duck_counts(con, path, q, None, "", multiple) for q in wave_questions],
        "table": lambda: [duck_counts(con, path, QUESTIONS[0], None, "", multiple),
                          duck_counts(con, path, QUESTIONS[0], "professional_group", "", multiple)],
        "filtered table": lambda: [duck_counts(con, path, QUESTIONS[0], b, duck_where(FILTERS[2]), multiple)
                                   for b in (None, "professional_group")],
        "breakdown": lambda: [duck_counts(con, path, "top_barriers", b, "", multiple) for b in (None, "pay_band")],
        "JSON twin": lambda: [duck_counts(con, path, "top_barriers", b, duck_where(FILTERS[1]), multiple)
                              for b in (None, "region")],
        "all-tables CSV": lambda: [duck_counts(con, path, q, b, "", multiple) for q in wave_questions
                                   for b in (None, *BREAKDOWNS) if b != q],
    }
    out = {}
    for kind, job in jobs.items():
        job()
        runs = []
        for _ in range(3):
            start = time.perf_counter()
            job()
            runs.append(time.perf_counter() - start)
        out[kind] = statistics.median(runs)
    return out


def snapshot_columns(env: dict) -> tuple[list[str], set[str]]:
    script = ("from nmahp.instruments import get_instrument; from nmahp.analysis.wave import analysable;"
              "from nmahp.instruments.model import SELECT_MULTIPLE; i = get_instrument('nmahp');"
              "qs = [q for q in analysable(i) if q.name in i.questions];"
              "print(' '.join(q.name for q in qs)); print(' '.join(q.name for q in qs if q.type == SELECT_MULTIPLE))")
    out = subprocess.run([sys.executable, "-c", script], env=env, check=True, capture_output=True, text=True)
    names, multiple = out.stdout.splitlines()[-2:]
    return names.split(), set(multiple.split())


def main(respondents: int = 100_000, readers: int = 20, rounds: int = 6) -> None:
    data_dir = tempfile.mkdtemp()
    env = {**os.environ, "DATABASE_URL": DATABASE_URL, "NMAHP_DATA_DIR": data_dir, "NMAHP_CACHE_URL": CACHE_URL,
           "DJANGO_SETTINGS_MODULE": "nmahp.web.settings", "NMAHP_ALLOWED_HOSTS": "127.0.0.1"}
    cookie, wave, stored = prepare(env, respondents)
    print(f"stored {respondents:,} synthetic respondents in {stored:.1f} s", flush=True)
    import redis

    redis.Redis.from_url(CACHE_URL).flushdb()
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    server = subprocess.Popen([gunicorn, "nmahp.web.wsgi:application", "-b", f"127.0.0.1:{PORT}", "-w", "4",
                               "--threads", "4", "--timeout", "300", "--log-level", "warning"], env=env)
    base = f"http://127.0.0.1:{PORT}"
    pages = addresses(wave)
    first: dict[str, list[float]] = {kind: [] for kind in pages}
    try:
        for _ in range(100):
            try:
                requests.get(base, timeout=15)
                break
            except requests.RequestException:
                time.sleep(0.2)
        warm = requests.Session()
        warm.cookies.set("sessionid", cookie)
        made = fetch(warm, base, f"/dashboard/wave/{wave}.json")  # makes the snapshot from PostgreSQL
        print(f"first read (snapshot made from the database, listing computed): {made:.2f} s", flush=True)
        for kind, urls in pages.items():
            for address in urls:
                first[kind].append(fetch(warm, base, address))
            print(f"first reads, {kind}: {len(urls)} addresses, median {statistics.median(first[kind]) * 1000:.0f} ms, "
                  f"max {max(first[kind]) * 1000:.0f} ms", flush=True)
        plans = []
        rng = random.Random(1)
        for _ in range(readers):
            plan = [(kind, rng.choice(urls)) for _ in range(rounds) for kind, urls in pages.items()]
            rng.shuffle(plan)
            plans.append(plan)
        start = time.perf_counter()
        # a process per reader: 20 client threads in one interpreter would queue on its lock and add that
        # wait to every timing
        with concurrent.futures.ProcessPoolExecutor(max_workers=readers) as pool:
            results = list(pool.map(reader, [base] * readers, [cookie] * readers, plans))
        elapsed = time.perf_counter() - start
    finally:
        server.terminate()
        server.wait(timeout=30)
    snapshot = max(Path(data_dir, "snapshots").glob("wave-*/v*.parquet"), key=lambda p: p.stat().st_mtime)
    questions, multiple = snapshot_columns(env)
    duck = duckdb_times(str(snapshot), questions, multiple)
    timings: dict[str, list[float]] = {kind: [] for kind in pages}
    for result in results:
        for kind, seconds in result:
            timings[kind].append(seconds)
    lines = [header(),
             f"{respondents:,} respondents stored (nmahp synth --db, PostgreSQL) in {stored:.1f} s; snapshot "
             f"{snapshot.stat().st_size / 1e6:.1f} MB; first read (snapshot made) {made:.2f} s",
             f"{readers} concurrent analysts, gunicorn 4x4 + PostgreSQL + Redis cache: "
             f"{sum(map(len, timings.values()))} requests in {elapsed:.1f} s"]
    for kind, values in timings.items():
        values.sort()
        p50, p95 = statistics.median(values), values[max(0, int(len(values) * 0.95) - 1)]
        target = 2.0 if kind == "all-tables CSV" else 0.2
        lines.append(f"  {kind:15s} p50 {p50 * 1000:6.0f} ms  p95 {p95 * 1000:6.0f} ms (target {target * 1000:.0f}; "
                     f"{'met' if p95 <= target else 'MISSED'})  first read median "
                     f"{statistics.median(first[kind]) * 1000:6.0f} ms  | DuckDB same counts "
                     f"{duck[kind] * 1000:7.1f} ms, p95/DuckDB {p95 / duck[kind]:5.1f}x")
    print("\n".join(lines))
    record("dashboard_scale", lines)


if __name__ == "__main__":
    main(*[int(a) for a in sys.argv[1:]])
