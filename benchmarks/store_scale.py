"""Synthetic respondents stored in PostgreSQL (target: 100,000 in at most 30 s), as a user runs it:
`nmahp synth --db` in a plain shell against a scratch database, then the same as a background job
(`nmahp jobs submit synthetic_respondents` taken by `nmahp worker`), and the demo's load (`nmahp demo
--no-serve`). Each figure is wall-clock time of the command or job, process start included; the rows are
counted afterwards.

Run: .venv/bin/python benchmarks/store_scale.py [N ...]  (default 100000)
Needs PostgreSQL at 127.0.0.1:5432 (trust auth); uses a scratch database `nmahp_store_scale`, dropped after.
Results are appended to benchmarks/results/store_scale.txt.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
from _results import header, record

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DATABASE = "nmahp_store_scale"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
NMAHP = str(Path(sys.executable).with_name("nmahp"))


def fresh_database() -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DATABASE}")


def drop_database() -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


def count(wave: str) -> int:
    with psycopg.connect(DATABASE_URL.replace("postgres://", "postgresql://", 1)) as conn:
        return conn.execute("SELECT count(*) FROM surveys_response r JOIN surveys_wave w ON r.wave_id = w.id "
                            "WHERE w.name = %s", (wave,)).fetchone()[0]


def cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def timed(env: dict, *args: str) -> tuple[float, float]:
    """Wall-clock seconds, and the CPU seconds the command itself used (PostgreSQL's own work not included):
    on a busy machine the second says what the first would be on an idle one, roughly."""
    start, used = time.perf_counter(), cpu()
    subprocess.run([NMAHP, *args], env=env, check=True, capture_output=True)
    return time.perf_counter() - start, cpu() - used


# store_synthetic in one process, with the CPU seconds it used and those of its PostgreSQL backend (read from
# /proc: the server runs on this machine): their sum is roughly what the wall time would be on an idle machine
MEASURED = """
import json, os, time
from nmahp.app import ready, waves
ready()
from django.db import connection
connection.ensure_connection()
with connection.cursor() as cursor:
    cursor.execute("SELECT pg_backend_pid()")
    backend = cursor.fetchone()[0]
def backend_cpu():
    fields = open(f"/proc/{backend}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
start, own, theirs = time.perf_counter(), time.process_time(), backend_cpu()
stored = waves.store_synthetic("nmahp", "measured", N, 3)
print(json.dumps({"stored": stored, "wall": time.perf_counter() - start, "own": time.process_time() - own,
                  "backend": backend_cpu() - theirs}))
"""


def measured(env: dict, n: int) -> dict:
    out = subprocess.run([sys.executable, "-c", MEASURED.replace("N, 3", f"{n}, 3")], env=env, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def as_job(env: dict, n: int) -> float:
    """Submitted, then taken by a worker started for it; timed from the submit to the job's end."""
    worker = subprocess.Popen([NMAHP, "worker", "--workers", "1"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        time.sleep(5)  # the worker's own start is not the job's time
        start = time.perf_counter()
        out = subprocess.run([NMAHP, "jobs", "submit", "synthetic_respondents", "--params",
                              json.dumps({"instrument": "nmahp", "wave": "job", "n": n, "seed": 2})],
                             env=env, check=True, capture_output=True, text=True).stdout
        job = int(out.split()[1])
        with psycopg.connect(DATABASE_URL.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
            while True:
                status, error = conn.execute("SELECT status, error FROM jobs_job WHERE id = %s", (job,)).fetchone()
                if status in ("done", "failed"):
                    break
                time.sleep(0.2)
        assert status == "done", error
        return time.perf_counter() - start
    finally:
        worker.terminate()
        worker.wait(timeout=60)


def main(sizes: list[int]) -> None:
    lines = [header() + f", load average {os.getloadavg()[0]:.1f} at the start"]
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "DATABASE_URL": DATABASE_URL, "NMAHP_DATA_DIR": tmp,
               "NMAHP_QUEUE": f"sqlite:///{tmp}/queue.sqlite3"}
        try:
            fresh_database()
            subprocess.run([NMAHP, "migrate"], env=env, check=True, capture_output=True)
            elapsed, used = timed(env, "demo", "--no-serve")
            lines.append(f"nmahp demo --no-serve (174 + 16 respondents, accounts, content): {elapsed:6.1f} s "
                         f"(CPU {used:.1f} s)")
            print(lines[-1], flush=True)
            for n in sizes:
                wave = f"synth-{n}"
                elapsed, used = timed(env, "synth", "--instrument", "nmahp", "--n", str(n), "--seed", "1", "--db",
                                      "--wave", wave)
                assert count(wave) == n, f"expected {n} rows in {wave}, found {count(wave)}"
                lines.append(f"nmahp synth --db --n {n:>9,} into PostgreSQL: {elapsed:6.1f} s "
                             f"({n / elapsed:,.0f} respondents/s, {1000 * elapsed / n:.2f} ms a row; CPU {used:.1f} s)")
                print(lines[-1], flush=True)
            n = sizes[-1]
            cost = measured(env, n)
            assert cost["stored"] == n
            lines.append(f"store_synthetic, n {n:>9,}, PostgreSQL: {cost['wall']:6.1f} s wall; CPU {cost['own']:.1f} s "
                         f"in nmahp + {cost['backend']:.1f} s in its PostgreSQL backend = "
                         f"{cost['own'] + cost['backend']:.1f} s of work")
            print(lines[-1], flush=True)
            elapsed = as_job(env, n)
            assert count("job") == n
            lines.append(f"synthetic_respondents job, n {n:>9,}, PostgreSQL: {elapsed:6.1f} s from submit to done")
            print(lines[-1], flush=True)
        finally:
            drop_database()
    lines.append(f"(load average {os.getloadavg()[0]:.1f} at the end: other work on this machine slows every figure)")
    record("store_scale", lines)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [100_000])
