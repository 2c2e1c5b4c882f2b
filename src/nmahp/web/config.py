"""Configuration from the environment, shared by settings and the CLI (no Django imports)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

PRIVATE_DIR, PRIVATE_FILE = 0o700, 0o600


def _on(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    try:
        return int(value) if value else default
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {value!r}") from None


def data_dir() -> Path:
    """The data folder, readable by this user only (created 0700; tightened if it is ours and open)."""
    path = Path(os.environ.get("NMAHP_DATA_DIR", "var")).resolve()
    path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    _tighten(path, PRIVATE_DIR)
    return path


def _tighten(path: Path, mode: int) -> None:
    info = path.stat()
    if info.st_mode & 0o077 and info.st_uid == os.getuid():
        path.chmod(mode)


def private_file(path: str | Path) -> None:
    """Create `path` readable by this user only before anything else opens it (the SQLite database:
    SQLite gives its journal and WAL files the database file's mode)."""
    path = Path(path)
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, PRIVATE_FILE))  # never truncates an existing file
    _tighten(path, PRIVATE_FILE)


def secret_key() -> str:
    configured = os.environ.get("NMAHP_SECRET_KEY")
    if configured:
        return configured
    # generated once and kept beside the data, so sessions survive a restart
    path = data_dir() / "secret_key"
    if not path.exists():
        private_file(path)
        path.write_text(secrets.token_urlsafe(50), encoding="utf-8")
    return path.read_text(encoding="utf-8").strip()


def database_url() -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite:///{data_dir() / 'nmahp.sqlite3'}"


def debug() -> bool:
    return _on("NMAHP_DEBUG")


def https() -> bool:
    return _on("NMAHP_HTTPS")


def proxy_count() -> int:
    """How many reverse proxies stand in front of the service (NMAHP_PROXY_COUNT, default 0)."""
    return max(0, _int("NMAHP_PROXY_COUNT", 0))


def https_settings() -> dict:
    """Django's HTTPS settings: with NMAHP_HTTPS, plain HTTP is redirected, HSTS is sent (subdomains
    included) and cookies are secure. Behind NMAHP_PROXY_COUNT proxies, the proxy's X-Forwarded-Proto
    says whether the client used HTTPS (the proxy must set it, overwriting what the client sent)."""
    on = https()
    return {
        "SECURE_SSL_REDIRECT": on,
        "SECURE_HSTS_SECONDS": max(0, _int("NMAHP_HSTS_SECONDS", 31_536_000)) if on else 0,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": on,
        "SESSION_COOKIE_SECURE": on,
        "CSRF_COOKIE_SECURE": on,
        "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https") if proxy_count() else None,
    }


def sign_in_settings() -> dict:
    """Counts and period of the sign-in lockout (see nmahp.web.accounts.access)."""
    return {
        "NMAHP_SIGNIN_FAILURES": max(1, _int("NMAHP_SIGNIN_FAILURES", 5)),
        "NMAHP_SIGNIN_CODE_FAILURES": max(1, _int("NMAHP_SIGNIN_CODE_FAILURES", 5)),
        "NMAHP_SIGNIN_ADDRESS_FAILURES": max(1, _int("NMAHP_SIGNIN_ADDRESS_FAILURES", 20)),
        "NMAHP_SIGNIN_LOCKOUT_MINUTES": max(1, _int("NMAHP_SIGNIN_LOCKOUT_MINUTES", 15)),
        "NMAHP_PROXY_COUNT": proxy_count(),
    }


# SQLite, the embedded default, with many respondents saving at once:
# - WAL: readers never block the writer nor the writer the readers; one writer at a time.
# - immediate transactions: a transaction takes the write lock when it begins, so two writers queue
#   behind each other instead of both reading and then failing to upgrade ("database is locked"
#   at once, which no timeout helps).
# - a busy timeout: a writer waits this long for the lock before giving up; a survey write holds it
#   for milliseconds, so only a long import or a stalled writer should ever reach it.
# - synchronous=FULL: each commit is on disk before the respondent is told it was stored (NORMAL, WAL's
#   usual choice, may lose the last commits in a power cut).
SQLITE_TIMEOUT_SECONDS = 20


def sqlite_options() -> dict:
    """Django's OPTIONS for the SQLite database (Django 5.1+)."""
    return {
        "transaction_mode": "IMMEDIATE",
        "timeout": SQLITE_TIMEOUT_SECONDS,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL",
    }


def test_database_name() -> str:
    """NMAHP_TEST_DATABASE_NAME: the database the test suite creates (default test_<name>), so two
    runs against one PostgreSQL server need not share it."""
    return os.environ.get("NMAHP_TEST_DATABASE_NAME", "").strip()


def cache_settings() -> dict:
    """Django's CACHES, where results computed from wave snapshots are kept (nmahp.app.snapshots).
    NMAHP_CACHE_URL: `redis://host:port/db` in production (one cache for every worker and the command line,
    so an erasure clears it everywhere at once), `locmem://` (one process only), or by default a file cache in
    the private data folder (shared by the server and the command line on one machine)."""
    url = os.environ.get("NMAHP_CACHE_URL", "").strip()
    options = {"TIMEOUT": cache_seconds(), "KEY_PREFIX": "nmahp"}
    if url.startswith(("redis://", "rediss://", "unix://")):
        return {"default": {"BACKEND": "nmahp.web.cache.RedisCache", "LOCATION": url, **options}}
    if url.startswith("locmem://"):
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "nmahp",
                            **options, "OPTIONS": {"MAX_ENTRIES": 5000}}}
    if url:
        raise ValueError(f"NMAHP_CACHE_URL must start with redis://, rediss://, unix:// or locmem://, not {url[:20]!r}")
    return {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                        "LOCATION": str(data_dir() / "cache"), **options,
                        "OPTIONS": {"MAX_ENTRIES": 20_000, "CULL_FREQUENCY": 4}}}


def cache_seconds() -> int:
    """NMAHP_CACHE_SECONDS: how long a computed dashboard result is kept (default an hour). Results are keyed
    by the wave's data version, so this bounds memory, not staleness."""
    return max(1, _int("NMAHP_CACHE_SECONDS", 3600))
