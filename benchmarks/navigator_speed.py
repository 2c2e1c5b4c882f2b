"""How fast the careers navigator answers: the eligibility engine over many people, glossary linking of
the largest pages, and the pages end to end through Django's test client (SQLite).

    .venv/bin/python benchmarks/navigator_speed.py [people]
"""

from __future__ import annotations

import itertools
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _results import header, record  # noqa: E402


def main(people: int = 20000) -> None:
    from nmahp.navigator.content import load_content
    from nmahp.navigator.eligibility import check
    from nmahp.navigator.glossary import link_terms

    started = time.perf_counter()
    content = load_content()
    load_s = time.perf_counter() - started
    rng = random.Random(6)
    answers = [{q.id: rng.choice(q.options).value for q in content.questions.values()} for _ in range(people)]
    started = time.perf_counter()
    counts = {"open": 0, "one_step": 0, "closed": 0, "unknown": 0}
    for person in answers:
        for verdict in check(content, person).verdicts:
            counts[verdict.status] += 1
    check_s = time.perf_counter() - started

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nmahp.web.settings")
    os.environ.setdefault("NMAHP_DATA_DIR", "/tmp/nmahp-bench-navigator")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    from nmahp.web.careers.demo import load_careers_demo

    load_careers_demo()
    client = Client()
    pages = ["/careers/", "/careers/schemes/", "/careers/schemes/dcaf/", "/careers/glossary/", "/careers/pathway/",
             "/careers/check/", "/careers/check/?" + "&".join(f"{k}={v}" for k, v in answers[0].items()),
             "/careers/employment/", "/careers/opportunities/", "/careers/opportunities/deadlines.ics"]
    lines = [header(), f"content load and check: {load_s * 1000:.0f} ms ({len(content.schemes)} schemes, "
                       f"{len(content.glossary)} terms)",
             f"eligibility: {people} people x {len(content.schemes)} schemes in {check_s:.2f} s "
             f"({people / check_s:,.0f} people/s); verdicts {counts}"]
    for url in pages:
        timings = []
        for _ in range(30):
            started = time.perf_counter()
            response = client.get(url)
            timings.append(time.perf_counter() - started)
        assert response.status_code == 200, url
        lines.append(f"GET {url[:60]}: median {statistics.median(timings) * 1000:.1f} ms, "
                     f"p95 {sorted(timings)[28] * 1000:.1f} ms, {len(response.content) / 1024:.0f} KiB")
    glossary_page = client.get("/careers/glossary/").content.decode()
    started = time.perf_counter()
    for _ in itertools.repeat(None, 50):
        link_terms(glossary_page, content.glossary)
    lines.append(f"glossary linking of the glossary page ({len(glossary_page) / 1024:.0f} KiB): "
                 f"{(time.perf_counter() - started) / 50 * 1000:.1f} ms a page")
    path = record("navigator_speed", lines)
    print("\n".join(lines))
    print(f"written to {path}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20000)
