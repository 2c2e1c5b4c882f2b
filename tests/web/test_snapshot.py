"""Dashboards read a wave's columnar snapshot and cache what they compute by the wave's data version: a
submitted, imported or erased response changes the next read of a table page, its JSON twin, the CSV and
the overview; a repeated read is a cache hit that computes nothing; an erasure leaves neither the snapshot on
disk nor any cache holding the respondent. On SQLite and PostgreSQL, with the file cache and with Redis."""

import csv
import io
import uuid

import polars as pl
import pytest
from typer.testing import CliRunner

from nmahp.app import snapshots
from nmahp.app.imports import import_export
from nmahp.app.people import erase_respondent
from nmahp.cli import app
from nmahp.instruments import get_instrument
from nmahp.instruments.synth import synthesise
from nmahp.web.surveys import store
from nmahp.web.surveys.models import Response, Wave

pytestmark = [pytest.mark.db, pytest.mark.django_db]
TABLE = "research_interest"
MARKER = "Axolotl gait laboratory"  # an open-text answer nobody else gives


@pytest.fixture
def private(tmp_path, monkeypatch, settings):
    """Snapshots and the file cache in a folder of the test's own."""
    monkeypatch.setenv("NMAHP_DATA_DIR", str(tmp_path))
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                                   "LOCATION": str(tmp_path / "cache")}}
    return tmp_path


@pytest.fixture
def wave(private):
    CliRunner().invoke(app, ["synth", "--instrument", "nmahp", "--n", "60", "--seed", "4", "--db", "--wave", "w"])
    return Wave.objects.get(name="w")


def reads(client, wave, *, download: bool = True) -> dict:
    """What the next reads say about the wave: respondents and the table's base in the table's twin, on its
    page, in the overview's twin and in the CSV download (an analyst's, so exact)."""
    base = f"/dashboard/wave/{wave.pk}"
    twin = client.get(f"{base}/tables/{TABLE}.json?by=region").json()
    page = client.get(f"{base}/tables/{TABLE}/?by=region").content.decode()
    overview = client.get(f"{base}/overview.json").json()
    summary = next(t for t in overview["tables"] if t["id"] == TABLE)
    seen = {"respondents": twin["respondents"], "base": twin["table"]["base_n"],
            "page": f"{twin['respondents']} respondents in scope" in page and f"{twin['table']['base_n']} answered" in page,
            "overview": (overview["respondents"], summary["base_n"])}
    if download:
        rows = list(csv.DictReader(io.StringIO(client.get(f"{base}/download.csv").content.decode())))
        seen["csv"] = int(next(r["base_n"] for r in rows if r["table"] == TABLE and r["group"] == ""))
    return seen


def expect(before: dict, change: int) -> dict:
    n, answered = before["respondents"] + change, before["base"] + change
    return {"respondents": n, "base": answered, "page": True, "overview": (n, answered), "csv": answered}


def answered_row(seed: int) -> dict:
    for row in synthesise(get_instrument("nmahp"), 20, seed=seed):
        if row.get(TABLE) and row.get("consent") == "yes":
            return row
    raise AssertionError("no synthetic respondent answered the question")


def test_a_submitted_response_then_an_imported_export_change_the_next_read(wave, signed_in, private):
    analyst = signed_in("analyst")
    first = reads(analyst, wave)
    assert first["respondents"] == 60 and first["page"]
    store.save_response(wave, answered_row(5))
    before = reads(analyst, wave)
    assert before == expect(first, 1)
    export = private / "export.csv"
    made = CliRunner().invoke(app, ["synth", "--instrument", "nmahp", "--n", "7", "--seed", "11", "--out", str(export)])
    assert made.exit_code == 0, made.output
    outcome = import_export(export, "nmahp", "w")
    assert outcome.stored and outcome.added == 7
    after = reads(analyst, wave)
    assert after["respondents"] == before["respondents"] + 7
    answered = sum(1 for r in csv.DictReader(export.open(encoding="utf-8")) if r.get(TABLE))
    assert after == {**expect(before, 7), "base": before["base"] + answered, "csv": before["base"] + answered,
                     "overview": (before["respondents"] + 7, before["base"] + answered)}


def snapshot_rows(wave) -> pl.DataFrame:
    files = sorted((snapshots.root() / snapshots.identity(wave)).glob("*.parquet"))
    assert files
    return pl.concat([pl.read_parquet(f) for f in files])


def test_an_erased_respondent_leaves_the_next_read_the_snapshot_and_every_cache(
        wave, signed_in, django_capture_on_commit_callbacks):
    theirs = store.save_response(wave, {**answered_row(6), "area_of_interest": MARKER})
    analyst = signed_in("analyst")
    before = reads(analyst, wave)
    held = snapshot_rows(wave)
    assert theirs.pk in held.get_column(snapshots.RESPONSE).to_list() and MARKER in held["area_of_interest"].to_list()
    listed = _listed_keys(wave)
    assert listed and all(snapshots_cache().get(k) is not None for k in listed)

    with django_capture_on_commit_callbacks(execute=True):
        erased = erase_respondent(theirs.respondent_key, actor="test")
    assert erased["answers"] == 1 and erased["wave snapshots rewritten"] == 1
    assert all(snapshots_cache().get(k) is None for k in listed)  # every cached result of the wave, gone
    left = snapshot_rows(wave)  # every file on disk, not just the newest
    assert theirs.pk not in left.get_column(snapshots.RESPONSE).to_list()
    assert MARKER not in left["area_of_interest"].to_list() and left.height == 60
    for path in (snapshots.root() / snapshots.identity(wave)).iterdir():
        assert theirs.respondent_key.encode() not in path.read_bytes()
    assert reads(analyst, wave) == expect(before, -1)


def snapshots_cache():
    from django.core.cache import cache

    return cache


def _listed_keys(wave) -> list[str]:
    cache = snapshots_cache()
    counter = f"{snapshots.CACHE_PREFIX}:keys:{snapshots.identity(wave)}"
    slots = [f"{counter}:{n}" for n in range(1, (cache.get(counter) or 0) + 1)]
    return [k for k in cache.get_many(slots).values() if k]


def test_a_cache_hit_computes_nothing_and_a_new_version_computes_again(wave, signed_in):
    analyst = signed_in("analyst")
    url = f"/dashboard/wave/{wave.pk}/tables/{TABLE}.json?by=pay_band&professional_group=ahp"
    first = analyst.get(url).json()
    computed, hits, made = snapshots.STATS["computed"], snapshots.STATS["cache hits"], snapshots.STATS["made"]
    again = analyst.get(url).json()
    assert again == first
    assert snapshots.STATS["computed"] == computed and snapshots.STATS["cache hits"] > hits
    assert snapshots.STATS["made"] == made  # nor was the snapshot read from the database again
    lead = signed_in("lead", region="greater_manchester").get(url).json()  # another role: computed apart
    assert snapshots.STATS["computed"] > computed and lead["filters"] != first["filters"]
    store.save_response(wave, answered_row(7))
    updated = snapshots.STATS["updated"]
    analyst.get(url)
    assert snapshots.STATS["updated"] == updated + 1  # the new response added to the last snapshot


def test_the_snapshot_frame_is_the_databases(wave):
    from nmahp.analysis import response_frame

    instrument = get_instrument("nmahp")
    answers = list(Response.objects.filter(wave=wave, status=Response.COMPLETE).order_by("pk")
                   .values_list("answers", flat=True))
    assert snapshots.read_frame(wave).equals(response_frame(instrument, answers))


def test_redis_holds_the_cache_and_an_erasure_clears_it(wave, signed_in, settings, django_capture_on_commit_callbacks):
    # Redis runs on this machine and in CI (as tests/web/test_jobs.py assumes): a missing server fails the test;
    # the backend is the one NMAHP_CACHE_URL=redis://... gives the service (one Redis client per pool)
    settings.CACHES = {"default": {"BACKEND": "nmahp.web.cache.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:6379/15", "KEY_PREFIX": f"test-{uuid.uuid4()}"}}
    client = snapshots_cache()._cache
    assert client.get_client() is client.get_client(write=True)  # made once, not per operation
    theirs = store.save_response(wave, answered_row(8))
    analyst = signed_in("analyst")
    before = reads(analyst, wave, download=False)
    computed = snapshots.STATS["computed"]
    assert reads(analyst, wave, download=False) == before and snapshots.STATS["computed"] == computed  # Redis
    listed = _listed_keys(wave)
    assert listed and all(snapshots_cache().get(k) is not None for k in listed)
    with django_capture_on_commit_callbacks(execute=True):
        erase_respondent(theirs.respondent_key, actor="test")
    assert all(snapshots_cache().get(k) is None for k in listed)
    after = reads(analyst, wave, download=False)
    assert after == {k: v for k, v in expect(before, -1).items() if k != "csv"}


def test_mark_changed_moves_the_version_and_the_rebuild_job_makes_its_snapshot(wave, signed_in):
    from nmahp.app import jobs
    from nmahp.app.waves import mark_changed

    analyst = signed_in("analyst")
    url = f"/dashboard/wave/{wave.pk}/tables/{TABLE}.json"
    analyst.get(url)
    version = Wave.objects.get(pk=wave.pk).data_version
    mark_changed(wave)
    assert Wave.objects.get(pk=wave.pk).data_version == version + 1
    done = jobs.KINDS["snapshot_rebuild"].fn(lambda *args, **kwargs: None, wave=wave.pk)
    assert done["version"] == version + 1
    assert snapshots.current(wave).path.name == done["file"]
    computed = snapshots.STATS["computed"]
    analyst.get(url)
    assert snapshots.STATS["computed"] > computed  # a new version: nothing cached of before is served


@pytest.mark.parametrize(("cache_url", "engine"), [("redis://127.0.0.1:6379/15", "cached_db"), ("locmem://", "db"),
                                                   ("", "db")])
def test_sessions_are_read_from_the_cache_only_when_it_is_redis(cache_url, engine):
    # settings are read once, when the service starts: asked in a process of its own. A cache of one process's
    # own (locmem) would keep a signed-out session alive in the other workers, so sessions stay in the database
    import os
    import subprocess
    import sys

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "nmahp.web.settings", "NMAHP_CACHE_URL": cache_url}
    script = "import django; django.setup(); from django.conf import settings; print(settings.SESSION_ENGINE)"
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"django.contrib.sessions.backends.{engine}"


def test_a_signed_out_session_is_refused_with_sessions_in_redis(wave, make_user, settings):
    settings.CACHES = {"default": {"BACKEND": "nmahp.web.cache.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:6379/15", "KEY_PREFIX": f"test-{uuid.uuid4()}"}}
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    from django.test import Client

    client = Client()
    client.force_login(make_user("redis-lead", "lead", region="greater_manchester"))
    cookie = client.cookies["sessionid"].value
    assert client.get(f"/dashboard/wave/{wave.pk}/").status_code == 200
    client.post("/sign-out/")
    again = Client()
    again.cookies["sessionid"] = cookie
    assert again.get(f"/dashboard/wave/{wave.pk}/").status_code == 302  # to sign in
