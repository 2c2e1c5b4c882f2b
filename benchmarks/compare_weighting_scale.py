"""Scale of wave-on-wave comparison and weighting: two synthetic NMAHP waves of each size.

For each size it measures
  compare - every overall table of two waves compared (nmahp.analysis.compare.compare_waves: two-proportion
            tests, Likert means, Holm), as `nmahp analyse --compare` does after reading the waves
  rake    - raking one wave to the workforce denominators (weightipy), with the margins checked
  weigh   - every overall table weighted beside unweighted (nmahp.analysis.weighting.weighted_tables)
Waves above 20k are a 20k synthetic wave repeated (synthesis is measured by benchmarks/synth_scale.py).

Run: .venv/bin/python benchmarks/compare_weighting_scale.py [10000 100000]
Results are appended to benchmarks/results/compare_weighting_scale.txt.
"""

from __future__ import annotations

import sys
import time

import polars as pl
from _results import header, record

BASE = 20_000


def wave(n: int, seed: int) -> pl.DataFrame:
    from nmahp.analysis import response_frame
    from nmahp.instruments import get_instrument
    from nmahp.instruments.synth import Synthesiser

    form = get_instrument("nmahp")
    base = response_frame(form, Synthesiser(form, seed=seed).stream(min(n, BASE)))
    repeats = -(-n // base.height)
    return pl.concat([base] * repeats).head(n)


def main(sizes: list[int]) -> None:
    from nmahp.analysis.compare import compare_waves
    from nmahp.analysis.derived import derive
    from nmahp.analysis.wave import overall_keys
    from nmahp.analysis.weighting import load_denominators, rake, weighted_tables
    from nmahp.instruments import get_instrument

    form = get_instrument("nmahp")
    lines = [header()]
    for n in sizes:
        first, second = wave(n, 1), wave(n, 2)
        started = time.perf_counter()
        comparisons = compare_waves(first, form, second, form)
        compared = time.perf_counter() - started
        frame, derived = derive(first, form)
        started = time.perf_counter()
        weights = rake(frame, load_denominators().margins)
        raked = time.perf_counter() - started
        started = time.perf_counter()
        tables = weighted_tables(frame, derived, overall_keys(derived), weights)
        weighed = time.perf_counter() - started
        line = (f"n={n:>7,} per wave: compare {len(comparisons)} tables {compared:6.2f} s; rake {raked:6.2f} s; "
                f"weigh {len(tables)} tables {weighed:6.2f} s")
        print(line, flush=True)
        lines.append(line)
    print(f"appended to {record('compare_weighting_scale', lines)}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10_000, 100_000])
