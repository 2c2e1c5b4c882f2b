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
