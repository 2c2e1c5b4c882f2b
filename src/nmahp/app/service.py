"""Running the service: the database schema, the demo data, the web server and its background worker."""

from __future__ import annotations

from . import ready


def migrate() -> str:
    """Create or update the database tables; returns which database engine is in use."""
    ready()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    return settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]


def load_demo() -> list[str]:
    """The demo wave, accounts, mentors and careers content; what was loaded, in sentences."""
    ready()
    from ..web.demo import load_demo as load

    return load()


def serve(host: str, port: int, *, worker: bool = False) -> None:
    """Serve the web service; with `worker`, a background worker (`nmahp worker`) runs beside it for as long
    as the server does (what `make run` does, so jobs run with no other command or server)."""
    ready()
    from waitress import serve as waitress_serve

    from ..web.wsgi import application

    beside = WorkerBeside() if worker else None
    if beside is not None:  # stopped by a service manager (SIGTERM) as by Ctrl+C: the worker finishes its job
        import signal

        signal.signal(signal.SIGTERM, _interrupt)
    try:
        waitress_serve(application, host=host, port=port, threads=8, ident="nmahp")
    finally:
        if beside is not None:
            beside.stop()


def _interrupt(signum, frame):
    raise KeyboardInterrupt


class WorkerBeside:
    """`nmahp worker` as a child process for as long as the server runs: started again if it dies (the new
    worker puts back on the queue the job the dead one left), stopped with the server, and stopping by
    itself if the server is killed."""

    def __init__(self, workers: int = 2):
        import threading

        self.workers, self.stopping = workers, threading.Event()
        self.child = self._start()
        threading.Thread(target=self._keep, name="worker-beside", daemon=True).start()

    def _start(self):
        import os
        import subprocess
        import sys

        return subprocess.Popen([sys.executable, "-m", "nmahp", "worker", "--workers", str(self.workers),
                                 "--with-parent", str(os.getpid())])

    def _keep(self) -> None:
        import logging

        while not self.stopping.is_set():
            code = self.child.wait()
            if self.stopping.wait(1):
                return
            logging.getLogger("nmahp.jobs").warning("the background worker stopped (exit %s): starting another", code)
            self.child = self._start()

    def stop(self, timeout: float = 30) -> None:
        """As Ctrl+C would: the job the worker is running finishes first (up to `timeout` seconds)."""
        import signal
        import subprocess

        self.stopping.set()
        if self.child.poll() is None:
            self.child.send_signal(signal.SIGINT)
            try:
                self.child.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.child.kill()
                self.child.wait()


def database_problem(exc: BaseException) -> str | None:
    """One line for a database error the CLI meets (no server there, wrong credentials, tables not made
    yet), naming the engine and the host but never the password; None for any other exception. Never sets
    Django up: a database error can only have come from a command that already did."""
    import sys

    if "django.db" not in sys.modules:
        return None
    from django.conf import settings
    from django.db import DatabaseError, OperationalError

    if not isinstance(exc, DatabaseError):
        return None
    database = settings.DATABASES["default"]
    engine = database["ENGINE"].rsplit(".", 1)[-1]
    if engine == "sqlite3":
        where = f"{engine} file {database.get('NAME')}"
    else:
        where = (f"{engine} on {database.get('HOST') or 'localhost'}:{database.get('PORT') or 'its default port'}, "
                 f"database '{database.get('NAME')}'")
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    reason = lines[0][:300] if lines else type(exc).__name__
    if database.get("PASSWORD"):
        reason = reason.replace(str(database["PASSWORD"]), "***")
    if "no such table" in reason or ("relation" in reason and "does not exist" in reason):
        return f"the database has no tables yet ({where}): run nmahp migrate first ({reason})"
    if isinstance(exc, OperationalError):
        return f"the database cannot be reached ({where}): {reason}"
    return f"the database refused the command ({where}): {reason}"
