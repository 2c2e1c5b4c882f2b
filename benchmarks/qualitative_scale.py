"""Qualitative work at scale: 10,000 open-text answers and 40 interview transcripts imported,
coded by a keyword pass (standing in for coders), the theme table computed, quotes picked, themes
suggested for what is left uncoded, and the project exported to .qdpx and read back.

Run: .venv/bin/python benchmarks/qualitative_scale.py [answers transcripts]
Results are appended to benchmarks/results/qualitative_scale.txt.
"""

from __future__ import annotations

import random
import resource
import sys
import tempfile
import time
from pathlib import Path

from _results import header, record

from nmahp.qualitative import Project
from nmahp.qualitative.documents import from_open_text, from_vtt
from nmahp.qualitative.refi import export_qdpx, import_qdpx
from nmahp.qualitative.suggest import suggest_themes
from nmahp.qualitative.themes import quotes, theme_table

PHRASES = {
    "Protected time": ["no protected time for research", "I use my own time in the evenings",
                       "time released from clinical work would help"],
    "Host organisation support": ["my manager has been very supportive", "the trust does not value research",
                                  "it depends on individual managers"],
    "Funding": ["funding for a masters would help", "salary drop when moving to the university",
                "backfill money for secondments"],
    "Mentoring": ["I found my mentor by pure luck", "a mentor from my own profession", "peer support network"],
}
FILLER = ["clinical workload is very high", "staffing pressures on the ward", "information about fellowships is hard "
          "to find", "I did not know if I was eligible", "job security in academic posts", "teaching students"]


def main(answers: int = 10_000, transcripts: int = 40) -> None:
    rng = random.Random(7)
    start = time.perf_counter()
    project = Project("scale")
    rows = []
    for i in range(answers):
        theme = rng.choice(list(PHRASES))
        rows.append((str(i + 1), f"{rng.choice(PHRASES[theme])}. {rng.choice(FILLER)}.",
                     rng.choice(["nursing_midwifery", "ahp"]), "greater_manchester"))
    project.add_document(from_open_text("enablers_barriers_comments", rows))
    for t in range(transcripts):
        cues = []
        for turn in range(120):
            speaker = "Interviewer" if turn % 2 == 0 else f"Participant {t + 1}"
            text = "Tell me more about that." if turn % 2 == 0 else \
                f"{rng.choice(rng.choice(list(PHRASES.values())))}, and {rng.choice(FILLER)}."
            cues.append(f"00:{turn // 60:02d}:{turn % 60:02d}.000 --> 00:{turn // 60:02d}:{turn % 60:02d}.900\n"
                        f"<v {speaker}>{text}</v>\n")
        project.add_document(from_vtt("WEBVTT\n\n" + "\n".join(cues), f"interview {t + 1}", str(t + 1)))
    imported = time.perf_counter() - start

    t0 = time.perf_counter()
    codes = {name: project.codebook.add(name) for name in PHRASES}
    for document in project.documents.values():
        for segment in document.segments:
            text = document.text[segment.start:segment.end]
            for name, phrases in PHRASES.items():
                if rng.random() < 0.7 and any(p in text for p in phrases):
                    project.highlight(document, segment.start, segment.end, [codes[name]])
    coded = time.perf_counter() - t0

    t0 = time.perf_counter()
    rows_out = theme_table(project)
    picked = {r.code: quotes(project, r.code) for r in rows_out}
    themed = time.perf_counter() - t0

    t0 = time.perf_counter()
    suggestions = suggest_themes(project, themes=6)
    suggested = time.perf_counter() - t0

    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        again = import_qdpx(export_qdpx(project, Path(tmp) / "p.qdpx"))
    exchanged = time.perf_counter() - t0
    assert len(again.highlights) == len(project.highlights)
    segments = sum(len(d.segments) for d in project.documents.values())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines = [header(),
             f"{answers:,} answers + {transcripts} transcripts ({segments:,} segments): import {imported:.1f} s; "
             f"keyword coding {coded:.1f} s ({len(project.highlights):,} "
             f"highlights); theme table + quotes {themed:.1f} s ({len(rows_out)} themes, "
             f"{sum(len(q) for q in picked.values())} quotes); suggestions {suggested:.1f} s ({len(suggestions)}); "
             f".qdpx export + import {exchanged:.1f} s; peak RSS {peak:.0f} MiB"]
    print("\n".join(lines))
    record("qualitative_scale", lines)


if __name__ == "__main__":
    main(*[int(a) for a in sys.argv[1:]])
