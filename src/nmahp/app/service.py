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

    child = start_worker() if worker else None
    try:
        waitress_serve(application, host=host, port=port, threads=8, ident="nmahp")
    finally:
        if child is not None:
            stop_worker(child)


def start_worker(workers: int = 2):
    """`nmahp worker` as a child process that stops when this process ends, however it ends."""
    import os
    import subprocess
    import sys

    return subprocess.Popen([sys.executable, "-m", "nmahp", "worker", "--workers", str(workers),
                             "--with-parent", str(os.getpid())])


def stop_worker(child, timeout: float = 30) -> None:
    """Stop the worker as Ctrl+C would: the job it is running finishes first (up to `timeout` seconds)."""
    import signal
    import subprocess

    if child.poll() is None:
        child.send_signal(signal.SIGINT)
        try:
            child.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


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
