import logging
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nmahp.web.settings")
application = get_wsgi_application()


def _warm() -> None:
    """Ready before the first request rather than during it: Django imports the URLconf (every view, and the
    analysis stack with them) on a process's first request, and the registry reads a workbook on its first
    use, together over a second of CPU (1.8 s in a test); a server's workers (gunicorn) import this module
    before they take requests, so no respondent or analyst waits on that, nor everyone queued behind them."""
    from django.urls import get_resolver

    from nmahp.instruments import available, get_instrument

    get_resolver().url_patterns  # noqa: B018 - imports the views
    for name in available():
        try:
            get_instrument(name)
        except Exception:  # a workbook that does not load is reported where it is used, as before
            logging.getLogger(__name__).warning("instrument %s not loaded ahead of requests", name)


_warm()
