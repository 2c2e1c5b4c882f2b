"""Running the service: the database schema, the demo data, and the web server."""

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


def serve(host: str, port: int) -> None:
    ready()
    from waitress import serve as waitress_serve

    from ..web.wsgi import application

    waitress_serve(application, host=host, port=port, threads=8, ident="nmahp")


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
