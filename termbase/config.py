"""Settings: defaults in code, ``TERMBASE_*`` environment overrides, explicit mappings in tests.

Flask-free so that ``migrations/env.py`` and scripts can read the same settings.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE_PATH = PROJECT_ROOT / "instance"

DEFAULTS: dict[str, Any] = {
    # "read": anonymous visitors may look up approved entries; "none": login required for everything.
    "ANONYMOUS_ACCESS": "read",
    # How many context sentences a TBX export carries per term.
    "EXPORT_CONTEXT_CAP": 1,
    # Worker processes rendering a large TBX export from the command line (0: one per CPU core,
    # 1: none), used from EXPORT_PARALLEL_FROM concepts in the termbase.
    "EXPORT_WORKERS": 0,
    "EXPORT_PARALLEL_FROM": 20_000,
    # 1: `termbase import` leaves reading, checking and keying a file of 2 MB or more to a
    # worker process while it writes; 0: it does all in its own process.
    "IMPORT_WORKERS": 1,
    # Largest accepted upload or import, in bytes.
    "MAX_CONTENT_LENGTH": 64 * 1024 * 1024,
    "MAX_INGEST_BYTES": 64 * 1024 * 1024,
    # Largest file `termbase import` reads: the import streams, so an IATE-sized glossary fits.
    "MAX_IMPORT_BYTES": 1024 * 1024 * 1024,
    # Room for the largest valid API body: two 100,000-character segments of astral characters, JSON-escaped.
    "API_MAX_CONTENT_LENGTH": 4 * 1024 * 1024,
    "SEEDS_PATH": str(PROJECT_ROOT / "seeds"),
    "LOGIN_RATE_LIMIT": 5,  # failed logins per username and address per LOGIN_RATE_WINDOW seconds
    "LOGIN_RATE_WINDOW": 300,
}

_INT_KEYS = {
    "EXPORT_CONTEXT_CAP",
    "EXPORT_WORKERS",
    "EXPORT_PARALLEL_FROM",
    "IMPORT_WORKERS",
    "MAX_CONTENT_LENGTH",
    "MAX_INGEST_BYTES",
    "MAX_IMPORT_BYTES",
    "API_MAX_CONTENT_LENGTH",
    "LOGIN_RATE_LIMIT",
    "LOGIN_RATE_WINDOW",
}


def instance_path() -> Path:
    return Path(os.environ.get("TERMBASE_INSTANCE_PATH", DEFAULT_INSTANCE_PATH))


def default_database_url() -> str:
    return f"sqlite:///{instance_path() / 'termbase.sqlite3'}"


def database_url() -> str:
    return os.environ.get("TERMBASE_DATABASE_URL") or default_database_url()


def _secret_key() -> str:
    """Read TERMBASE_SECRET_KEY, or a key generated once into the instance folder."""
    if key := os.environ.get("TERMBASE_SECRET_KEY"):
        return key
    path = instance_path() / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def load_settings(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Defaults, then ``TERMBASE_<KEY>`` from the environment, then ``overrides``."""
    settings = dict(DEFAULTS)
    for key in DEFAULTS:
        if (value := os.environ.get(f"TERMBASE_{key}")) is not None:
            settings[key] = int(value) if key in _INT_KEYS else value
    settings["DATABASE_URL"] = database_url()
    if overrides:
        settings.update(overrides)
    if "SECRET_KEY" not in settings:
        settings["SECRET_KEY"] = _secret_key()
    return settings
