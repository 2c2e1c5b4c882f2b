"""The application layer: what a person can do with the service (import a file, analyse a wave, write
the report, export the coding, run a matching round, erase a respondent), as plain functions that the
`nmahp` command and the web views both call. It may use the database; it never reads a request.

Callers outside Django (the CLI) call `ready()` first; inside the web service Django is already set up."""

from __future__ import annotations

import os


def ready() -> None:
    """Set Django up once, so the database models can be used from a plain shell."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nmahp.web.settings")
    from django.apps import apps

    if not apps.ready:
        import django

        django.setup()
