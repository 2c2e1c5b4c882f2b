"""Scale of `nmahp import surveymonkey`: a SurveyMonkey-layout export of N rows (two header rows, a column per
option, labels in the cells, as tests/exportwriter.py writes it) imported into PostgreSQL under the strict
policy: read, map and check every rule of the workbook a batch of rows at a time while the batch before is
COPYed into the responses and contact-details tables, the duplicate rule settled over the whole file. Beside
it, the reference: DuckDB reading the same file into a table. Printed as a ratio. Target on the 2-core
machine: 1,000,000 rows in <= 60 s and <= 4 GB.

Rows past the first 20,000 synthetic respondents repeat them with a new respondent ID and job title (the
importer would otherwise, rightly, remove them as duplicates). Each step runs in its own process, so peak
memory is that step's own; the import runs as the real command (`nmahp import surveymonkey`).

Needs PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/nmahp_bench_import, made afresh).

Run: .venv/bin/python benchmarks/import_scale.py [N ...]   (default 1000000)
Results are appended to benchmarks/results/import_scale.txt.
"""

from __future__ import annotations

import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _results import header, record

ROOT = Path(__file__).resolve().parents[1]
BASE = 20_000
DATABASE = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/nmahp_bench_import")


def make_export(n: int, folder: Path) -> Path:
    """A SurveyMonkey-layout export of n rows, written by polars from a base of synthetic respondents."""
    import polars as pl

    sys.path.insert(0, str(ROOT))
    from tests.exportwriter import write_surveymonkey

    from nmahp.instruments import get_instrument
    from nmahp.instruments.synth import Synthesiser

    form = get_instrument("nmahp")
    base = folder / "base.csv"
    write_surveymonkey(form, Synthesiser(form, seed=3).stream(min(n, BASE)), base)
    with base.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        heads = [next(reader), next(reader)]
    frame = pl.read_csv(base, has_header=False, skip_rows=2, infer_schema=False)
    frame.columns = [f"c{i}" for i in range(frame.width)]
    job = next(i for i, (h, s) in enumerate(zip(*heads, strict=True)) if h == "What is your job title?")
    copies = -(-n // frame.height)
    big = pl.concat([frame] * copies).head(n).with_row_index("_i")
    big = big.with_columns((pl.lit(114_000_000_000) + pl.col("_i")).cast(pl.String).alias("c0"),
                           (pl.lit("Staff nurse ") + pl.col("_i").cast(pl.String)).alias(f"c{job}"))
    path = folder / f"export_{n}.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out, lineterminator="\n").writerows(heads)
    with path.open("ab") as out:
        big.drop("_i").write_csv(out, include_header=False)
    return path


DUCKDB = r"""
import json, resource, sys, time
import duckdb
start = time.perf_counter()
con = duckdb.connect()
options = "header=false, skip=2, all_varchar=true, delim=',', quote='\"', escape='\"'"
con.execute(f"CREATE TABLE r AS SELECT * FROM read_csv('{sys.argv[1]}', {options})")
rows = con.execute("SELECT count(*) FROM r").fetchone()[0]
print(json.dumps({"seconds": time.perf_counter() - start, "rows": rows,
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def scratch_database(env: dict) -> None:
    import psycopg

    name = DATABASE.rsplit("/", 1)[1]
    server = DATABASE.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(server, autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}"')
        con.execute(f'CREATE DATABASE "{name}"')
    subprocess.run([str(Path(sys.executable).with_name("nmahp")), "migrate"], env=env, check=True,
                   capture_output=True)


def run_import(path: Path, env: dict) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([str(Path(sys.executable).with_name("nmahp")), "import", "surveymonkey", str(path),
                           "--instrument", "nmahp", "--wave", "bench"], env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(done.stdout[-3000:] + done.stderr[-3000:])
    added = next(line for line in done.stdout.splitlines() if "imported" in line)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    # ru_maxrss of the children is the largest child so far: the import is the largest this script starts
    return {"seconds": seconds, "cpu": cpu, "peak_mib": after.ru_maxrss / 1024, "said": added.strip()}


def stored(env: dict) -> int:
    import psycopg

    with psycopg.connect(DATABASE) as con:
        return con.execute("SELECT count(*) FROM surveys_response").fetchone()[0]


def main(sizes: list[int]) -> None:
    lines = [header()]
    print(lines[0], flush=True)
    env = {**os.environ, "DATABASE_URL": DATABASE, "NMAHP_MAX_IMPORT_MB": "8000",
           "NMAHP_MAX_IMPORT_ROWS": str(max(sizes) + 10), "COLUMNS": "200"}
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            path = make_export(n, Path(tmp))
            size_mb = path.stat().st_size / 1e6
            scratch_database(env)
            imported = run_import(path, env)
            count = stored(env)
            done = subprocess.run([sys.executable, "-c", DUCKDB, str(path)], check=True, capture_output=True,
                                  text=True)
            reference = json.loads(done.stdout.strip().splitlines()[-1])
            load = os.getloadavg()[0]
            text = (f"n={n:>9,} ({size_mb:,.0f} MB) import into PostgreSQL {imported['seconds']:6.1f} s "
                    f"(CPU {imported['cpu']:.1f} s) {imported['peak_mib']:6.0f} MiB peak ({count:,} responses stored) "
                    f"| load average {load:.1f} on {os.cpu_count()} cores | duckdb read "
                    f"{reference['seconds']:5.1f} s {reference['peak_mib']:6.0f} MiB ({reference['rows']:,} rows) | "
                    f"ratio {imported['seconds'] / reference['seconds']:5.1f}x")
            lines.append(text)
            print(text, flush=True)
    record("import_scale", lines)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1_000_000])
