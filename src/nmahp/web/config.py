"""Configuration from the environment, shared by settings and the CLI (no Django imports)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def data_dir() -> Path:
    path = Path(os.environ.get("NMAHP_DATA_DIR", "var")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def secret_key() -> str:
    configured = os.environ.get("NMAHP_SECRET_KEY")
    if configured:
        return configured
    # generated once and kept beside the data, so sessions survive a restart
    path = data_dir() / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def database_url() -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite:///{data_dir() / 'nmahp.sqlite3'}"


def debug() -> bool:
    return os.environ.get("NMAHP_DEBUG", "").lower() in {"1", "true", "yes", "on"}
