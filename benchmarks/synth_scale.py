"""How long `nmahp synth` takes for large waves (target: 100,000 NMAHP respondents in under a minute).

Run on demand: `make bench` or `.venv/bin/python benchmarks/synth_scale.py [N ...]`.
Results are appended to benchmarks/results/synth_scale.txt.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _results import header, record


def run(n: int) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "wave.csv"
        cli = Path(sys.executable).parent / "nmahp"
        start = time.perf_counter()
        subprocess.run([str(cli), "synth", "--instrument", "nmahp", "--n", str(n), "--seed", "1", "--out", str(out)],
                       check=True, capture_output=True)
        elapsed = time.perf_counter() - start
        rows = sum(1 for _ in out.open(encoding="utf-8")) - 1
    assert rows == n, f"expected {n} rows, got {rows}"
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, peak_kib


def main(sizes: list[int]) -> None:
    lines = [header()]
    for n in sizes:
        elapsed, peak = run(n)
        lines.append(f"nmahp synth --n {n:>9,}: {elapsed:7.1f} s, peak RSS {peak / 1024:7.0f} MiB, "
                     f"{n / elapsed:10,.0f} respondents/s")
        print(lines[-1], flush=True)
    record("synth_scale", lines)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10_000, 100_000])
