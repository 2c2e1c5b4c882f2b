"""E-mail settings from the environment (read by settings.py; no models here). With NMAHP_SMTP_HOST set, mail
goes out through that SMTP server; otherwise it is printed on the console (`make run`) or, with
NMAHP_EMAIL_FILE_PATH, written one file a message into that folder. Nothing is ever sent by accident."""

from __future__ import annotations

import os

from nmahp.errors import NmahpError

BACKENDS = {"smtp": "django.core.mail.backends.smtp.EmailBackend",
            "console": "django.core.mail.backends.console.EmailBackend",
            "file": "django.core.mail.backends.filebased.EmailBackend",
            "memory": "django.core.mail.backends.locmem.EmailBackend"}


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, "").strip() or default


def _on(name: str) -> bool:
    return _env(name).lower() in ("1", "true", "yes", "on")


def email_settings() -> dict:
    host, folder = _env("NMAHP_SMTP_HOST"), _env("NMAHP_EMAIL_FILE_PATH")
    chosen = _env("NMAHP_EMAIL_BACKEND", "smtp" if host else "file" if folder else "console")
    if chosen not in BACKENDS:
        raise NmahpError(f"NMAHP_EMAIL_BACKEND must be one of {', '.join(BACKENDS)}, not {chosen!r}")
    port = _env("NMAHP_SMTP_PORT", "587" if _on("NMAHP_SMTP_STARTTLS") else "465" if _on("NMAHP_SMTP_SSL") else "25")
    if not port.isdigit():
        raise NmahpError(f"NMAHP_SMTP_PORT must be a port number, not {port!r}")
    out = {"EMAIL_BACKEND": BACKENDS[chosen], "EMAIL_HOST": host or "localhost", "EMAIL_PORT": int(port),
           "EMAIL_HOST_USER": _env("NMAHP_SMTP_USER"), "EMAIL_HOST_PASSWORD": _env("NMAHP_SMTP_PASSWORD"),
           "EMAIL_USE_TLS": _on("NMAHP_SMTP_STARTTLS"), "EMAIL_USE_SSL": _on("NMAHP_SMTP_SSL"),
           "EMAIL_TIMEOUT": 20,
           "DEFAULT_FROM_EMAIL": _env("NMAHP_EMAIL_FROM", "NMAHP Pathways <no-reply@localhost>"),
           # the address links in e-mail start with (a message has no request to take it from)
           "NMAHP_SITE_URL": _env("NMAHP_SITE_URL", "http://127.0.0.1:8000").rstrip("/"),
           # attempts after the first, and seconds between them, for a message the SMTP server did not take
           "NMAHP_EMAIL_RETRIES": int(_env("NMAHP_EMAIL_RETRIES", "3")),
           "NMAHP_EMAIL_RETRY_DELAY": int(_env("NMAHP_EMAIL_RETRY_DELAY", "60"))}
    if folder:
        out["EMAIL_FILE_PATH"] = folder
    return out
