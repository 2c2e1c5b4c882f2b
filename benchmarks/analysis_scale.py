"""Scale of import and analysis: synthetic NMAHP waves of 10k, 100k and 1M responses.

For each size it measures, in separate processes (so peak memory is each step's own):
  import    - `import_file` on an ODK-style CSV: read, map, deduplicate and validate every row
  analysis  - read the CSV into polars and compute every table (overall and by professional group,
              region and pay band, with tests and intervals), as `nmahp analyse` does
  duckdb    - the reference: the same frequency tables (overall and by the same three groupings) with
              plain DuckDB SQL over the same CSV
and prints analysis / duckdb as a ratio. Targets on the 2-core machine: 1M analysed in <= 20 s and
<= 4 GB, within 3x of DuckDB.

Waves above 100k are the 100k synthetic wave repeated with new respondent keys (synthesis itself is
measured by benchmarks/synth_scale.py).

Run: .venv/bin/python benchmarks/analysis_scale.py [10000 100000 1000000]
Results are appended to benchmarks/results/analysis_scale.txt.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from _results import header, record

BREAKDOWNS = ["professional_group", "region", "pay_band"]


def make_wave(n: int, folder: Path) -> Path:
    from nmahp.instruments import get_instrument
    from nmahp.instruments.synth import Synthesiser, csv_columns, write_csv

    form = get_instrument("nmahp")
    path = folder / f"wave_{n}.csv"
    base = min(n, 100_000)
    base_path = folder / f"wave_base_{base}.csv"
    write_csv(form, Synthesiser(form, seed=1).stream(base), base_path)
    if base == n:
        return base_path
    lines = base_path.read_text(encoding="utf-8").splitlines()
    header, body = lines[0], lines[1:]
    with path.open("w", encoding="utf-8") as out:
        out.write(header + "\n")
        written = 0
        copy = 0
        while written < n:
            for line in body:
                if written >= n:
                    break
                key, rest = line.split(",", 1)
                out.write(f"{key}-{copy},{rest}\n")
                written += 1
            copy += 1
    assert len(csv_columns(form)) + 1 == len(header.split(","))
    return path


STEP = r"""
import json, resource, sys, time
kind, path = sys.argv[1], sys.argv[2]
breakdowns = sys.argv[3].split(",")
start = time.perf_counter()
if kind == "import":
    from nmahp.importers import import_file
    from nmahp.instruments import get_instrument
    result = import_file(path, get_instrument("nmahp"), layout="xlsform")
    assert result.ok, result.report()
    detail = {"respondents": len(result.respondents)}
elif kind == "analysis":
    from nmahp.analysis import analyse, frame_from_csv
    from nmahp.instruments import get_instrument
    form = get_instrument("nmahp")
    frame = frame_from_csv(form, path)
    tables = analyse(frame, form, by=breakdowns)
    detail = {"tables": len(tables), "respondents": frame.height}
else:
    import duckdb
    from nmahp.analysis.wave import analysable
    from nmahp.instruments import get_instrument
    form = get_instrument("nmahp")
    con = duckdb.connect()
    con.execute(f"CREATE TABLE r AS SELECT * FROM read_csv('{path}', all_varchar=true, header=true)")
    queries = 0
    for q in analysable(form):
        value = (f"UNNEST(string_split({q.name}, ' '))" if q.type == "select_multiple" else q.name)
        con.execute(f"SELECT v, count(*) FROM (SELECT {value} AS v FROM r WHERE {q.name} IS NOT NULL) "
                    "GROUP BY v").fetchall()
        queries += 1
        for by in breakdowns:
            if by == q.name:
                continue
            con.execute(f"SELECT g, v, count(*) FROM (SELECT {by} AS g, {value} AS v FROM r "
                        f"WHERE {q.name} IS NOT NULL AND {by} IS NOT NULL) GROUP BY g, v").fetchall()
            queries += 1
    detail = {"queries": queries}
elapsed = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": elapsed, "peak_mib": peak, **detail}))
"""


def step(kind: str, path: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", STEP, kind, str(path), ",".join(BREAKDOWNS)], check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(sizes: list[int], skip_import_above: int = 10_000_000) -> None:
    lines = [header()]
    print(lines[0], flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            path = make_wave(n, Path(tmp))
            imported = step("import", path) if n <= skip_import_above else None
            analysed = step("analysis", path)
            reference = step("duckdb", path)
            ratio = analysed["seconds"] / reference["seconds"]
            text = (f"n={n:>9,}  import {imported['seconds']:7.1f} s {imported['peak_mib']:6.0f} MiB | "
                    if imported else f"n={n:>9,}  import (skipped) | ")
            text += (f"analysis {analysed['seconds']:6.1f} s {analysed['peak_mib']:6.0f} MiB "
                     f"({analysed['tables']} tables) | duckdb {reference['seconds']:6.1f} s "
                     f"{reference['peak_mib']:6.0f} MiB ({reference['queries']} queries) | ratio {ratio:4.2f}x")
            lines.append(text)
            print(text, flush=True)
    record("analysis_scale", lines)


if __name__ == "__main__":
    # --import-up-to N: time the (row-by-row, validating) import only for waves up to N
    argv = sys.argv[1:]
    limit = 10_000_000
    if "--import-up-to" in argv:
        at = argv.index("--import-up-to")
        limit = int(argv[at + 1])
        del argv[at:at + 2]
    main([int(a) for a in argv] or [10_000, 100_000, 1_000_000], skip_import_above=limit)
