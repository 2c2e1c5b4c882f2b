"""Background jobs: work longer than a page (reports, matching rounds, theme suggestions, synthetic
respondents, imports, snapshot rebuilds) runs in a worker, `nmahp worker`, fed by a Huey queue: a SQLite
file in the data folder by default (no extra server), Redis or PostgreSQL by one setting, NMAHP_QUEUE. A
`Job` row in the service's database says what was asked, by whom, how far it got and what came of it;
pages show it at /jobs/<id>/.

A kind of job is a function registered with `@task("kind")`, called as `fn(progress, **params)` and
returning a JSON-serialisable dict; `progress(done, total, message)` reports how far it got, and
`progress.folder` is the job's own folder for files it makes. A job that fails changes nothing: by default
the function runs inside one transaction, and files are written to a temporary name and moved at the end.
A worker killed mid-job leaves its transaction rolled back; the next worker to start on that host puts the
job back on the queue (`requeue_orphans`), and `nmahp jobs retry ID` does the same by hand."""

from __future__ import annotations

import contextlib
import functools
import importlib
import inspect
import json
import logging
import os
import pkgutil
import shutil
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import NmahpError
from . import ready

log = logging.getLogger("nmahp.jobs")

# NMAHP_QUEUE: "sqlite" (the default: $NMAHP_DATA_DIR/queue.sqlite3), "sqlite:///path/to/file",
# "redis://host:port/db" or "postgres://user@host:port/database"; NMAHP_QUEUE_NAME keeps two services (or
# two test runs) apart on one Redis or PostgreSQL
QUEUE_SETTING, NAME_SETTING = "NMAHP_QUEUE", "NMAHP_QUEUE_NAME"
PROGRESS_EVERY = 0.25  # seconds between two progress writes of one job


@dataclass(frozen=True)
class Kind:
    name: str
    fn: Callable[..., dict]
    atomic: bool
    title: str


KINDS: dict[str, Kind] = {}
# other tasks of the queue (nmahp.app.mail's sending, retried by Huey): `register(huey)` for each instance made
QUEUE_TASKS: list[Callable] = []


def task(kind: str, *, atomic: bool = True, title: str = ""):
    """Register `fn(progress, **params) -> dict` as the job kind `kind`. With atomic=False the function
    must itself change nothing when it fails (one transaction of its own, files moved into place last):
    use it for long work that writes at the end, so SQLite's write lock is not held while it computes."""
    def register(fn):
        KINDS[kind] = Kind(kind, fn, atomic, title or kind.replace("_", " "))
        return fn
    return register


@functools.cache
def _discover() -> None:
    # kinds live beside the work they do (nmahp.app.reports, .matching, ...): import every module of the
    # application layer once, so a kind registered anywhere in it is known to the web service and the worker
    package = importlib.import_module("nmahp.app")
    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"nmahp.app.{module.name}")


def kind_of(kind: str) -> Kind:
    _discover()
    if kind not in KINDS:
        raise NmahpError(f"no job kind '{kind}' (known: {', '.join(sorted(KINDS))})")
    return KINDS[kind]


# --- the queue --------------------------------------------------------------------------------------------
def queue_setting() -> str:
    return os.environ.get(QUEUE_SETTING, "").strip() or "sqlite"


@functools.cache
def queue():
    """The Huey instance NMAHP_QUEUE names, with the one task that runs a job by its id."""
    from huey import PostgresHuey, RedisHuey, SqliteHuey

    from ..web import config

    setting, name = queue_setting(), os.environ.get(NAME_SETTING, "").strip() or "nmahp"
    if setting == "immediate":  # each job runs in the process that submits it, at once (tests, scripts)
        from huey import MemoryHuey

        huey = MemoryHuey(name, results=False, immediate=True)
    elif setting == "sqlite" or setting.startswith("sqlite:///"):
        path = Path(setting[len("sqlite:///"):]) if setting != "sqlite" else config.data_dir() / "queue.sqlite3"
        config.private_file(path)
        huey = SqliteHuey(name, filename=str(path), results=False, timeout=20)
    elif setting.startswith(("redis://", "rediss://", "unix://")):
        huey = RedisHuey(name, url=setting, results=False)
    elif setting.startswith(("postgres://", "postgresql://")):
        huey = PostgresHuey(name, dsn=setting.replace("postgres://", "postgresql://", 1), results=False)
    else:
        raise NmahpError(f"{QUEUE_SETTING} must be sqlite, sqlite:///FILE, redis://HOST:PORT/DB, "
                         f"postgres://USER@HOST:PORT/DATABASE or immediate, not {setting!r}")

    @huey.task(name="nmahp.run_job")
    def run_job(job_id: int) -> None:
        run(job_id)

    huey.run_job = run_job
    for register in QUEUE_TASKS:
        register(huey)
    return huey


def _enqueue(job) -> None:
    try:
        queue().run_job(job.pk)
    except Exception as exc:  # the queue's server is down: say so on the job rather than leave it waiting
        log.exception("job %s could not be queued", job.pk)
        _finish(job.pk, error=f"the job could not be put on the queue ({queue_setting().split('@')[-1]}): {exc}")


# --- jobs -------------------------------------------------------------------------------------------------
def _model():
    ready()
    from ..web.jobs.models import Job

    return Job


def submit(kind: str, params: dict | None = None, user=None):
    """Record a job and put it on the queue once the surrounding transaction (if any) has committed."""
    Job = _model()
    kind_of(kind)
    params = dict(params or {})
    try:
        json.dumps(params)
    except TypeError as exc:
        raise NmahpError(f"a job's parameters must be plain data (text, numbers, lists): {exc}") from None
    job = Job.objects.create(kind=kind, params=params, user=user if getattr(user, "pk", None) else None)
    _after_commit(lambda: _enqueue(job))
    if queue_setting() == "immediate":
        job.refresh_from_db()
    return job


def _after_commit(action) -> None:
    """Queue once the job's row is committed, so a worker never looks for a row it cannot see yet; the
    immediate queue runs the job now, inside the caller's transaction."""
    from django.db import transaction

    if queue_setting() == "immediate":
        action()
    else:
        transaction.on_commit(action)


def get(job_id: int):
    """The job with this id (NmahpError when there is none), with its latest progress."""
    Job = _model()
    job = Job.objects.filter(pk=job_id).select_related("user").first()
    if job is None:
        raise NmahpError(f"no job {job_id}")
    if job.status == Job.RUNNING:
        live = _live_progress(job.pk)
        if live:
            job.progress_done, job.progress_total, job.progress_message = live
    return job


def describe(job) -> dict:
    """A job as plain data: what its page shows and its JSON twin returns."""
    try:
        title = kind_of(job.kind).title
    except NmahpError:  # a kind this version no longer has: its record is still shown
        title = job.kind.replace("_", " ")
    return {"id": job.pk, "kind": job.kind, "title": title,
            "params": job.params, "status": job.status,
            "progress": {"done": job.progress_done, "total": job.progress_total, "message": job.progress_message},
            "result": job.result, "error": job.error or None, "attempts": job.attempts,
            "created": job.created.isoformat(), "started": job.started.isoformat() if job.started else None,
            "finished": job.finished.isoformat() if job.finished else None,
            "asked_by": job.user.get_username() if job.user else None}


def folder(job_id: int) -> Path:
    """Where a job's files go: $NMAHP_DATA_DIR/jobs/<id>/ (private, like the rest of the data folder)."""
    from ..web import config

    path = config.data_dir() / "jobs" / str(job_id)
    path.mkdir(mode=config.PRIVATE_DIR, parents=True, exist_ok=True)
    return path


class Progress:
    """`progress(done, total, message)` for a running job. Written to the queue's storage, not the
    database, so it is seen at once even while the job's own transaction is open (on SQLite that
    transaction holds the database's only write lock)."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.last = (0, None, "")
        self._written = 0.0

    @property
    def folder(self) -> Path:
        return folder(self.job_id)

    def __call__(self, done: int, total: int | None = None, message: str = "") -> None:
        self.last = (int(done), None if total is None else int(total), str(message)[:300])
        now = time.monotonic()
        if now - self._written >= PROGRESS_EVERY or (total is not None and done >= total):
            self._written = now
            with contextlib.suppress(Exception):  # progress is a courtesy: never the reason a job fails
                queue().put(f"progress:{self.job_id}", self.last)


def _live_progress(job_id: int):
    with contextlib.suppress(Exception):
        return queue().get(f"progress:{job_id}", peek=True)
    return None


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _finish(job_id: int, *, result: dict | None = None, error: str = "", progress=None) -> None:
    from django.utils import timezone

    Job = _model()
    fields = {"status": Job.FAILED if error else Job.DONE, "result": result, "error": error,
              "finished": timezone.now()}
    if progress is not None:
        fields.update(progress_done=progress[0], progress_total=progress[1], progress_message=progress[2])
    Job.objects.filter(pk=job_id).update(**fields)
    with contextlib.suppress(Exception):
        queue().delete(f"progress:{job_id}")


def run(job_id: int):
    """Run a queued job here and now (what the worker does with each message). A job already taken by
    another worker, finished or unknown is left alone, so a message delivered twice runs the work once."""
    from django.db import transaction
    from django.db.models import F
    from django.utils import timezone

    Job = _model()
    _fresh_connections()
    try:
        claimed = Job.objects.filter(pk=job_id, status=Job.QUEUED).update(
            status=Job.RUNNING, started=timezone.now(), worker=worker_name(), attempts=F("attempts") + 1,
            progress_done=0, progress_total=None, progress_message="", error="", result=None)
        if not claimed:
            return None
        job = Job.objects.get(pk=job_id)
        progress = Progress(job_id)
        try:
            kind = kind_of(job.kind)
            try:
                inspect.signature(kind.fn).bind(progress, **job.params)
            except TypeError as exc:
                raise NmahpError(f"the job was asked with parameters a {kind.title} job does not take "
                                 f"({exc})") from None
            with transaction.atomic() if kind.atomic else contextlib.nullcontext():
                result = kind.fn(progress, **job.params)
                # checked before the transaction commits: a result that cannot be kept undoes the work
                result = json.loads(json.dumps(result if result is not None else {}))
        except NmahpError as exc:
            _finish(job_id, error=f"{str(exc).rstrip('.')}. Nothing was changed.", progress=progress.last)
        except Exception as exc:
            log.exception("job %s (%s) failed", job_id, job.kind)
            _finish(job_id, error=f"the job stopped on an unexpected error ({type(exc).__name__}: {exc}). "
                                  "Nothing was changed.", progress=progress.last)
        else:
            done, total, message = progress.last
            _finish(job_id, result=result, progress=(total if total else done, total, message or "finished"))
        return Job.objects.get(pk=job_id)
    finally:
        _fresh_connections()


def _fresh_connections() -> None:
    # a worker thread keeps its connection between jobs: drop it when broken or too old, as Django does
    # between requests; never inside a transaction (the immediate queue runs a job in its caller's)
    from django.db import close_old_connections, connection

    if not connection.in_atomic_block:
        close_old_connections()


def _alive(worker: str) -> bool:
    """Whether the worker process `host:pid` still runs; a worker on another host is taken to be alive."""
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError):  # killed but not yet reaped by its parent (a zombie) is dead too
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    return True


def _requeue(job, note: str) -> None:
    Job = _model()
    Job.objects.filter(pk=job.pk).update(status=Job.QUEUED, error="", result=None, finished=None, worker="",
                                         progress_done=0, progress_total=None, progress_message=note[:300])
    _after_commit(lambda: _enqueue(job))


def requeue_orphans() -> list[int]:
    """Jobs left running by a worker of this host that has died (killed mid-job): back on the queue.
    Their transactions died with the worker, so they start again from nothing. Jobs waiting with no
    message on the queue (taken by a worker that died before it could claim them, or a queue file
    deleted) are put on it again; a message too many is harmless, as a job is claimed once."""
    Job = _model()
    orphans = [job for job in Job.objects.filter(status=Job.RUNNING) if not _alive(job.worker)]
    for job in orphans:
        _requeue(job, f"started again: the worker running it ({job.worker}) stopped")
    waiting = {task.args[0] for task in queue().pending() if task.args}
    lost = list(Job.objects.filter(status=Job.QUEUED).exclude(pk__in=waiting | {j.pk for j in orphans}))
    for job in lost:
        _after_commit(functools.partial(_enqueue, job))
    return [job.pk for job in orphans + lost]


def retry(job_id: int, *, force: bool = False):
    """Put a failed job (or one whose worker has gone) back on the queue; returns it."""
    Job = _model()
    job = get(job_id)
    if job.status in (Job.QUEUED, Job.DONE):
        raise NmahpError(f"job {job_id} is {job.status}: only a failed job, or one whose worker has gone, is retried")
    if job.status == Job.RUNNING and _alive(job.worker) and not force:
        raise NmahpError(f"job {job_id} is running on {job.worker}; retry it only when that worker is gone "
                         "(--force if it is, on another host)")
    _requeue(job, "waiting to be tried again")
    return Job.objects.get(pk=job_id)


def work(workers: int = 2, *, parent: int | None = None) -> None:
    """Run a worker until it is stopped (Ctrl+C or SIGTERM; with `parent`, also when that process ends)."""
    ready()
    _discover()
    requeued = requeue_orphans()
    if requeued:
        log.warning("requeued jobs %s left running by a worker that stopped", requeued)
    huey = queue()
    if parent:
        _stop_with(parent)
    consumer = huey.create_consumer(workers=workers, worker_type="thread", periodic=False, initial_delay=0.1,
                                    max_delay=1.0, check_worker_health=True)
    consumer.run()


def _stop_with(parent: int) -> None:
    import signal
    import threading

    def watch():
        while os.getppid() == parent:
            time.sleep(1)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="stop-with-parent", daemon=True).start()


# --- erasure ----------------------------------------------------------------------------------------------
WAVE_KINDS = ("report", "theme_suggestions")  # kinds whose results quote a wave's respondents


def register_erasure_hook() -> None:
    from . import people

    if _erase_from_jobs not in people.ERASURE_HOOKS:
        people.on_erasure(_erase_from_jobs)


def _erase_from_jobs(erasure) -> dict[str, int]:
    """A finished report or set of suggested themes of a wave the erased respondent was in may quote them:
    its file and its quoted text go (the job stays, saying why its result went)."""
    from django.db import transaction

    Job = _model()
    names = {wave.name for wave in erasure.waves}
    ids = {wave.pk for wave in erasure.waves}
    touched = []
    for job in Job.objects.filter(kind__in=WAVE_KINDS, status=Job.DONE, result__isnull=False):
        if job.params.get("wave") in names or (job.result or {}).get("wave_id") in ids:
            job.result = {"removed": "this result quoted a respondent who has since been erased; run it again"}
            job.save(update_fields=["result"])
            touched.append(job.pk)
    for job_id in touched:
        transaction.on_commit(functools.partial(shutil.rmtree, folder(job_id), ignore_errors=True))
    return {"job results": len(touched)} if touched else {}
