"""How long the report takes for a large wave (target: 100,000 responses in at most 60 s).

Measures, for a synthetic NMAHP wave of N responses:
  end to end - `nmahp report --input wave.csv --instrument nmahp --out report.pdf` (import with
               validation of every row, analysis, figures, PDF)
  render     - from an analysed frame to each format (figures drawn once per format)

Run: .venv/bin/python benchmarks/report_scale.py [N]   (default 100000)
Results are appended to benchmarks/results/report_scale.txt.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _results import header, record


def main(n: int) -> None:
    from nmahp.analysis import frame_from_csv
    from nmahp.instruments import get_instrument
    from nmahp.instruments.synth import Synthesiser, write_csv
    from nmahp.report import SurveyData, build_report, render_docx, render_html, render_pdf

    form = get_instrument("nmahp")
    lines = [header()]
    with tempfile.TemporaryDirectory() as tmp:
        wave = Path(tmp) / "wave.csv"
        write_csv(form, Synthesiser(form, seed=3).stream(n), wave)
        out = Path(tmp) / "report.pdf"
        cli = Path(sys.executable).parent / "nmahp"
        start = time.perf_counter()
        subprocess.run([str(cli), "report", "--input", str(wave), "--instrument", "nmahp", "--out", str(out)],
                       check=True, capture_output=True)
        end_to_end = time.perf_counter() - start
        lines.append(f"n={n:,}: nmahp report --input ... --out report.pdf (end to end): {end_to_end:.1f} s, "
                     f"{out.stat().st_size / 1e6:.1f} MB")
        frame = frame_from_csv(form, str(wave))
        for name, render in (("html", render_html), ("docx", render_docx), ("pdf", render_pdf)):
            start = time.perf_counter()
            document = build_report([SurveyData(form, frame, str(wave))])
            render(document)
            lines.append(f"n={n:,}: analysis + figures + {name}: {time.perf_counter() - start:.1f} s "
                         f"({len(document.figures())} figures, {len(document.tables())} tables)")
            print(lines[-1], flush=True)
    print("\n".join(lines[:2]))
    record("report_scale", lines)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
