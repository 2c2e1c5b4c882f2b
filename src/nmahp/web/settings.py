"""Django settings, read from the environment (Healthchecks style): SQLite by default,
PostgreSQL with one variable (DATABASE_URL)."""

import os
from pathlib import Path

import dj_database_url

from . import config
from .outreach.mailconfig import email_settings

WEB_DIR = Path(__file__).resolve().parent

DEBUG = config.debug()
SECRET_KEY = config.secret_key()
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("NMAHP_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "nmahp.web.surveys",
    "nmahp.web.accounts",
    "nmahp.web.mentoring",
    "nmahp.web.coding",
    "nmahp.web.careers",
    "nmahp.web.jobs",
    "nmahp.web.programme",
    "nmahp.web.outreach",
]
LOGIN_URL = "/sign-in/"
# sign-in lockout: counts and period (nmahp.web.accounts.access); client address behind NMAHP_PROXY_COUNT proxies
globals().update(config.sign_in_settings())

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "nmahp.web.middleware.ContentSecurityPolicy",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files answered here, cacheable
    "nmahp.web.middleware.NoStore",  # everything else: Cache-Control: no-store
    "nmahp.web.middleware.RefuseNul",  # a NUL byte in the address, a form or a cookie: 400
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "nmahp.web.careers.middleware.GlossaryLinks",
]

ROOT_URLCONF = "nmahp.web.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [WEB_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
WSGI_APPLICATION = "nmahp.web.wsgi.application"

DATABASES = {"default": dj_database_url.parse(config.database_url(), conn_max_age=60)}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["OPTIONS"] = config.sqlite_options()  # WAL, immediate transactions, busy timeout
if config.test_database_name():
    DATABASES["default"]["TEST"] = {"NAME": config.test_database_name()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# results computed from wave snapshots (nmahp.app.snapshots): NMAHP_CACHE_URL=redis://... in production
CACHES = config.cache_settings()
if CACHES["default"]["BACKEND"] == "nmahp.web.cache.RedisCache":
    # sessions read from Redis, written through to the database: every signed-in page reads its session, and
    # one Redis read costs a fraction of the query; only with Redis, which every worker shares (a sign-out
    # reaches them all at once), never with a cache of one process's own
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
if DATABASES["default"]["ENGINE"].endswith("sqlite3") and DATABASES["default"]["NAME"] not in ("", ":memory:"):
    config.private_file(DATABASES["default"]["NAME"])  # 0600 before SQLite creates it world-readable

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = str(config.data_dir() / "static")
os.makedirs(STATIC_ROOT, exist_ok=True)  # WhiteNoise serves from finders; the folder must exist
STATICFILES_DIRS = [WEB_DIR / "static"]  # our CSS and the nhsuk-frontend build (`make assets`)
WHITENOISE_USE_FINDERS = True

# Security headers on every response (CSP is set by our middleware)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
# NMAHP_HTTPS: redirect to HTTPS, HSTS (subdomains included), secure cookies; the proxy header is trusted
# only with NMAHP_PROXY_COUNT (see config.https_settings)
globals().update(config.https_settings())
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# e-mail: SMTP from NMAHP_SMTP_HOST and friends, else the console (or NMAHP_EMAIL_FILE_PATH); docs/outreach.md.
# The console is the server's output: it prints each message with every address masked (a***@nhs.net)
_mail = email_settings()
if _mail["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend":
    _mail["EMAIL_BACKEND"] = "nmahp.app.mail.RedactedConsoleBackend"
globals().update(_mail)

# answers are special-category data: never log request bodies
# and never respondent keys: they open a respondent's answers, and request paths carry them
# ('Not Found: /respond/<key>/'), so the request and server loggers redact them (nmahp.web.redact)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_keys": {"()": "nmahp.web.redact.RedactRespondentKeys"}},
    "formatters": {"django.server": {"()": "django.utils.log.ServerFormatter",
                                     "format": "[{server_time}] {message}", "style": "{"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact_keys"]},
                 "django.server": {"level": "INFO", "class": "logging.StreamHandler", "formatter": "django.server",
                                   "filters": ["redact_keys"]}},
    "loggers": {"django.request": {"filters": ["redact_keys"]},
                "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False,
                                  "filters": ["redact_keys"]}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
