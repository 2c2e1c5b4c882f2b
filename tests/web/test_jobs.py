"""Background jobs: pages and twins of a job, who may see it, a failing job that says why and changes
nothing (on the immediate queue, inside the test's database), and real workers: `nmahp worker` on a SQLite
queue file (started, and started again when it dies, by `nmahp serve --worker`, as `make run` does) and on
Redis, killed with SIGKILL in the middle of a job, the job then done once by the next worker, to the same
result."""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.test import Client
from typer.testing import CliRunner

from nmahp.app import jobs
from nmahp.cli import app
from nmahp.errors import NmahpError
from nmahp.instruments import get_instrument
from nmahp.instruments.synth import Synthesiser
from nmahp.web.coding.models import CodingDocument
from nmahp.web.jobs.models import Job
from nmahp.web.mentoring.models import ClinicianProfile, MatchingRound
from nmahp.web.surveys.models import Wave

NMAHP = str(Path(sys.executable).with_name("nmahp"))
REDIS = "redis://127.0.0.1:6379/0"
POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"


# --- on the immediate queue (tests/web/conftest.py), in the test's database ---------------------------------
@jobs.task("half_done_then_refused", title="a half-done piece of work")
def _half_done_then_refused(progress, wave: str) -> dict:
    """Writes, reports progress, then meets bad input: the shape of an import refused at its last row."""
    Wave.objects.create(instrument="nmahp_survey", name=wave, form_version="1")
    progress(1, 2, "the first half is written")
    raise NmahpError("row 2, column 'Pay band': 'Band 10' is not one of the pay bands")


def _clinician(**fields):
    return ClinicianProfile.objects.create(**{
        "opted_in": True, "name": "Sam", "email": "sam@example.nhs.uk", "profession": "physiotherapist",
        "professional_group": "allied_health", "region": "greater_manchester", "career_stage": "first-steps",
        "interests": "musculoskeletal pain", "wants": ["mentoring"], **fields})


@pytest.mark.db
def test_a_matching_round_started_on_its_page_runs_as_a_job_whose_page_and_twin_show_the_result(db, signed_in):
    analyst = signed_in("analyst")
    _clinician()
    started = analyst.post("/mentoring/rounds/", {"fairness": "yes"})
    job = Job.objects.get()
    assert started["Location"] == f"/jobs/{job.pk}/?next=1"
    matching_round = MatchingRound.objects.get()
    # the page that asked goes on to what came of it; the job's own page and twin say what happened
    assert analyst.get(started["Location"])["Location"] == f"/mentoring/rounds/{matching_round.pk}/"
    page = analyst.get(f"/jobs/{job.pk}/").content.decode()
    assert "Done" in page and f'href="/mentoring/rounds/{matching_round.pk}/"' in page
    assert 'http-equiv="refresh"' not in page  # finished: nothing left to wait for
    twin = analyst.get(f"/jobs/{job.pk}.json").json()
    assert twin["status"] == "done" and twin["kind"] == "matching_round" and twin["asked_by"] == "analyst-user"
    assert twin["result"]["round"] == matching_round.pk and twin["params"]["fairness"] is True
    assert twin["result"]["matches"] == matching_round.matches.count()
    assert twin["progress"] == {"done": 1, "total": 1, "message": "matched"}


@pytest.mark.db
def test_a_failing_job_says_why_on_its_page_and_twin_and_changes_nothing(db, signed_in, make_user):
    analyst = signed_in("analyst")
    job = jobs.submit("half_done_then_refused", {"wave": "half"}, user=make_user("asker", "lead"))
    assert job.status == Job.FAILED
    assert not Wave.objects.filter(name="half").exists()  # the half that was written is undone
    page = analyst.get(f"/jobs/{job.pk}/").content.decode()
    assert "This job failed" in page and "&#x27;Band 10&#x27; is not one of the pay bands" in page
    assert "Nothing was changed." in page and "Try again" in page
    twin = analyst.get(f"/jobs/{job.pk}.json").json()
    assert twin["status"] == "failed" and twin["result"] is None
    assert twin["error"].startswith("row 2, column 'Pay band': 'Band 10'")
    assert twin["progress"]["message"] == "the first half is written"  # how far it got before it failed
    shown = CliRunner().invoke(app, ["jobs", "show", str(job.pk)])
    assert shown.exit_code == 0 and "failed: row 2, column 'Pay band'" in " ".join(shown.output.split())
    analyst.post(f"/jobs/{job.pk}/")  # try again: it runs again, and fails again for the same reason
    assert Job.objects.get(pk=job.pk).attempts == 2 and not Wave.objects.filter(name="half").exists()
    assert CliRunner().invoke(app, ["jobs", "retry", str(job.pk)]).exit_code == 0
    assert Job.objects.get(pk=job.pk).attempts == 3
    refused = CliRunner().invoke(app, ["jobs", "retry", "999999"])
    assert refused.exit_code == 2 and "no job 999999" in refused.output


@pytest.mark.db
def test_wrong_parameters_and_unknown_kinds_are_refused_in_plain_words(db):
    with pytest.raises(NmahpError, match="no job kind 'nonsense'"):
        jobs.submit("nonsense", {})
    job = jobs.submit("report", {"wave": "2023", "colour": "blue"})
    assert job.status == Job.FAILED and "does not take" in job.error and "colour" in job.error
    job = jobs.submit("matching_round", {"topic": "astrology"})
    assert job.status == Job.FAILED and "not 'astrology'" in job.error and not MatchingRound.objects.exists()


@pytest.mark.db
def test_only_the_person_who_asked_and_analysts_see_a_job(db, make_user, signed_in):
    asker = make_user("asker", "lead", region="greater_manchester")
    job = jobs.submit("matching_round", {}, user=asker)
    own = Client()
    own.force_login(asker)
    assert own.get(f"/jobs/{job.pk}/").status_code == 200
    assert own.get(f"/jobs/{job.pk}.json").json()["id"] == job.pk
    other = Client()
    other.force_login(make_user("another-lead", "lead", region="greater_manchester"))
    assert other.get(f"/jobs/{job.pk}/").status_code == 404
    assert other.get(f"/jobs/{job.pk}.json").status_code == 404
    assert other.get("/jobs.json").json()["jobs"] == []
    assert signed_in("analyst").get(f"/jobs/{job.pk}.json").status_code == 200
    assert Client().get(f"/jobs/{job.pk}/")["Location"].startswith("/sign-in/")


@pytest.mark.db
@pytest.mark.parametrize("queue", ["sqlite", REDIS, POSTGRES])
def test_a_job_waits_on_the_queue_with_a_self_refreshing_page_until_a_worker_takes_it(
        db, signed_in, monkeypatch, tmp_path, django_capture_on_commit_callbacks, queue):
    monkeypatch.setenv("NMAHP_QUEUE", f"sqlite:///{tmp_path / 'queue.sqlite3'}" if queue == "sqlite" else queue)
    monkeypatch.setenv("NMAHP_QUEUE_NAME", f"nmahp-test-{secrets.token_hex(4)}")  # this run's own queue
    jobs.queue.cache_clear()
    try:
        _clinician()
        analyst = signed_in("analyst")
        with django_capture_on_commit_callbacks(execute=True):
            started = analyst.post("/mentoring/rounds/", {})
        job = Job.objects.get()
        huey = jobs.queue()
        assert huey.pending_count() == 1 and not MatchingRound.objects.exists()  # on the queue, not yet run
        page = analyst.get(started["Location"]).content.decode()
        assert '<meta http-equiv="refresh" content="2">' in page and "Waiting for a worker" in page
        assert analyst.get(f"/jobs/{job.pk}.json").json()["status"] == "queued"
        huey.execute(huey.dequeue())  # what a worker does with the message it takes
        assert huey.pending_count() == 0
        matching_round = MatchingRound.objects.get()
        assert analyst.get(started["Location"])["Location"] == f"/mentoring/rounds/{matching_round.pk}/"
        assert analyst.get(f"/jobs/{job.pk}.json").json()["result"]["round"] == matching_round.pk
    finally:
        jobs.queue().storage.flush_all()
        jobs.queue.cache_clear()


@pytest.mark.db
def test_an_analyst_starts_the_report_of_a_wave_from_the_jobs_page(db, signed_in, django_capture_on_commit_callbacks,
                                                                   monkeypatch, tmp_path):
    monkeypatch.setenv("NMAHP_QUEUE", f"sqlite:///{tmp_path / 'queue.sqlite3'}")  # no worker: the job waits
    Wave.objects.create(instrument="nmahp_survey", name="2023", form_version="1")
    analyst = signed_in("analyst")
    with django_capture_on_commit_callbacks(execute=False):  # recorded, left for a worker
        started = analyst.post("/jobs/", {"wave": "2023", "format": "pdf"})
        refused = analyst.post("/jobs/", {"wave": "1999", "format": "pdf"})  # no such wave
        assert refused.status_code == 400 and "Choose one of the waves" in refused.content.decode()
        assert analyst.post("/jobs/", {"wave": "2023", "format": "exe"}).status_code == 400
    job = Job.objects.get()
    assert started["Location"] == f"/jobs/{job.pk}/" and job.params == {"wave": "2023", "format": "pdf"}
    assert job.kind == "report" and job.status == Job.QUEUED and job.user.username == "analyst-user"
    jobs.queue.cache_clear()
    try:  # the job's message never reached the queue: a worker starting puts it there
        assert jobs.queue().pending_count() == 0
        with django_capture_on_commit_callbacks(execute=True):
            assert jobs.requeue_orphans() == [job.pk]
        assert [task.args for task in jobs.queue().pending()] == [(job.pk,)]
    finally:
        jobs.queue.cache_clear()
    assert analyst.get("/jobs.json").json()["report_waves"] == ["2023"]
    lead = signed_in("lead")
    assert lead.post("/jobs/", {"wave": "2023", "format": "pdf"}).status_code == 200 and Job.objects.count() == 1
    assert lead.get("/jobs.json").json() == {"jobs": [], "report_waves": []}


@pytest.mark.db
def test_themes_suggested_in_the_background_are_shown_and_erasure_reaches_them(
        db, signed_in, django_capture_on_commit_callbacks):
    from nmahp.app import coding, people
    from nmahp.app.service import load_demo

    load_demo()
    wave = Wave.objects.get(instrument="nmahp_survey", name="2023-demo")
    project = coding.build_project(wave)
    analyst = signed_in("analyst")
    started = analyst.post(f"/coding/{project.pk}/suggestions/", {"action": "suggest", "method": "tfidf"})
    job = Job.objects.get()
    assert job.status == Job.DONE and job.result["wave_id"] == wave.pk and job.result["suggestions"]
    shown = analyst.get(started["Location"])["Location"]
    assert shown == f"/coding/{project.pk}/suggestions/?job={job.pk}"
    CodingDocument.objects.filter(project=project).delete()  # from now on nothing is left to suggest from
    assert "Not enough uncoded answers" in analyst.get(f"/coding/{project.pk}/suggestions/").content.decode()
    page = analyst.get(shown).content.decode()  # what the job found, as it found it
    first = job.result["suggestions"][0]
    assert ", ".join(first["terms"]) in page and f"({first['size']} answers)" in page
    key = wave.responses.values_list("respondent_key", flat=True).first()
    with django_capture_on_commit_callbacks(execute=True):
        removed = people.erase_respondent(key, actor="test")
    assert removed["job results"] == 1
    job.refresh_from_db()
    assert "suggestions" not in job.result and "erased" in job.result["removed"]


# --- real workers -------------------------------------------------------------------------------------------
N, SEED = 3000, 7
# the database made and the job submitted in one process (a process start costs seconds on a busy machine)
SUBMIT = """
from nmahp.app import jobs, service
service.migrate()
print(jobs.submit("synthetic_respondents", {params!r}).pk)
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Service:
    """A data folder with its SQLite database and a queue (a SQLite file there, or a Redis key prefix of its own),
    and the `nmahp` commands run against them from a plain shell."""

    def __init__(self, tmp: Path, queue: str):
        self.tmp = tmp
        self.name = f"nmahp-test-{secrets.token_hex(4)}"
        self.env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp), "LANG": "C.UTF-8",
                    "NMAHP_DATA_DIR": str(tmp), "NMAHP_QUEUE": queue, "NMAHP_QUEUE_NAME": self.name}
        self.processes: list[subprocess.Popen] = []

    def run(self, *args: str) -> str:
        done = subprocess.run([NMAHP, *args], env=self.env, cwd=self.tmp, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def python(self, code: str) -> str:
        done = subprocess.run([sys.executable, "-c", code], env=self.env, cwd=self.tmp, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def start(self, *args: str) -> subprocess.Popen:
        log = open(self.tmp / f"{args[0]}-{len(self.processes)}.log", "wb")
        process = subprocess.Popen([NMAHP, *args], env=self.env, cwd=self.tmp, stdout=log, stderr=subprocess.STDOUT)
        self.processes.append(process)
        return process

    def job(self, job_id: int) -> dict:
        with sqlite3.connect(self.tmp / "nmahp.sqlite3", timeout=30) as conn:
            conn.row_factory = sqlite3.Row
            return dict(conn.execute("SELECT * FROM jobs_job WHERE id = ?", (job_id,)).fetchone())

    def rows(self, sql: str, params=()) -> list[tuple]:
        with sqlite3.connect(self.tmp / "nmahp.sqlite3", timeout=30) as conn:
            return conn.execute(sql, params).fetchall()

    def wait(self, job_id: int, until, what: str, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job = self.job(job_id)
            if until(job):
                return job
            time.sleep(0.05)
        logs = "\n".join(p.read_text(errors="replace")[-2000:] for p in self.tmp.glob("*.log"))
        raise AssertionError(f"job {job_id} never {what}: {job}\n{logs}")

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
        if self.env["NMAHP_QUEUE"].startswith("redis://"):
            import redis

            client = redis.Redis.from_url(self.env["NMAHP_QUEUE"])
            for key in client.scan_iter(f"*{self.name}*"):
                client.delete(key)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").exists() and Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"


@pytest.mark.parametrize("queue", ["sqlite", REDIS])
def test_a_worker_killed_mid_job_leaves_nothing_and_the_job_is_retried_to_the_same_result(tmp_path, queue):
    service = Service(tmp_path, queue)
    try:
        job_id = int(service.python(SUBMIT.format(params={"instrument": "nmahp", "wave": "killed", "n": N,
                                                           "seed": SEED})).split()[-1])
        if queue == "sqlite":  # as `make run` does: the server starts its worker
            server = service.start("serve", "--worker", "--port", str(_free_port()))
        else:
            service.start("worker")
        running = service.wait(job_id, lambda j: j["status"] == "running", "started")
        pid = int(running["worker"].rsplit(":", 1)[1])
        if queue == "sqlite":
            assert Path(f"/proc/{pid}/stat").read_text().split()[3] == str(server.pid)  # the server's own worker
        time.sleep(0.2)  # in the middle of drawing and storing (the draw alone takes longer)
        os.kill(pid, signal.SIGKILL)
        while _alive(pid):
            time.sleep(0.05)
        assert service.job(job_id)["status"] == "running"  # nobody is left to say otherwise
        assert service.rows("SELECT count(*) FROM surveys_response")[0][0] == 0
        assert service.rows("SELECT count(*) FROM surveys_wave WHERE name = 'killed'")[0][0] == 0

        if queue != "sqlite":  # the server starts another worker by itself; here a new worker is started by hand
            service.start("worker")
        # the new worker on this host finds the job its dead predecessor left, and runs it again
        done = service.wait(job_id, lambda j: j["status"] in ("done", "failed"), "finished")
        assert done["status"] == "done", done["error"]
        assert done["attempts"] == 2 and json.loads(done["result"])["stored"] == N
        stored = [json.loads(a) for (a,) in service.rows("SELECT answers FROM surveys_response")]
        assert len(stored) == N  # once, not once and a half
        drawn = list(Synthesiser(get_instrument("nmahp"), SEED).stream(N))
        for question in ("profession", "region", "pay_band", "top_barriers"):
            assert Counter(a.get(question) for a in stored) == Counter(r.get(question) for r in drawn), question
        second = int(done["worker"].rsplit(":", 1)[1])
    finally:
        service.stop()
    if queue == "sqlite":  # stopping the server stops the worker it started
        assert server.returncode is not None and not _alive(second)
