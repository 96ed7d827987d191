"""Shared fixtures: every database test runs on SQLite and on PostgreSQL.

PostgreSQL runs when TERMBASE_TEST_DATABASE_URL points at a server; each test session
creates its own throw-away database there, so parallel runs never see each other.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

import termbase.models  # noqa: F401  (registers tables)
from termbase.app import create_app
from termbase.db import Base, make_engine
from termbase.models import TERMBASE_COUNTER, TERMBASE_ID_COUNTER, Counter, User
from termbase.services import users as user_service

PG_ENV = "TERMBASE_TEST_DATABASE_URL"
PASSWORD = "correct horse battery"
SHARED = Path(__file__).resolve().parent.parent.parent / "shared"


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The PostgreSQL server URL; the PostgreSQL half is skipped, visibly, without one (fails in CI)."""
    base = os.environ.get(PG_ENV)
    if not base:
        reason = f"PostgreSQL half skipped: set {PG_ENV} (e.g. postgresql://postgres@127.0.0.1:5432/test)"
        if os.environ.get("TERMBASE_REQUIRE_POSTGRES"):
            pytest.fail(reason)
        pytest.skip(reason)
    return base


@contextlib.contextmanager
def throwaway_postgres_database(base: str, prefix: str) -> Iterator[str]:
    """The URL of a new, empty database on the server at ``base``, dropped afterwards."""
    admin = make_engine(base, isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped at the end."""
    with throwaway_postgres_database(postgres_server, "termbase_test") as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database of its own, on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    with throwaway_postgres_database(request.getfixturevalue("postgres_server"), "termbase_empty") as url:
        yield url


@pytest.fixture(scope="session")
def _postgres_schema(postgres_url: str) -> str:
    engine = make_engine(postgres_url)
    Base.metadata.create_all(engine)
    engine.dispose()
    return postgres_url


def _reset_postgres(url: str) -> None:
    engine = make_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        # The database belongs to this test session alone, so any other connection is left over
        # from a finished test (say, a streamed response the test never read); TRUNCATE would wait on it.
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database with the current schema, on each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.sqlite3'}"
        engine = make_engine(url)
        Base.metadata.create_all(engine)
        engine.dispose()
        return url
    url: str = request.getfixturevalue("_postgres_schema")
    _reset_postgres(url)
    return url


@pytest.fixture
def app_config(database_url: str, tmp_path: Path) -> dict[str, Any]:
    return {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": False,
        "INGEST_TMP": str(tmp_path),
    }


@pytest.fixture
def app(app_config: dict[str, Any]) -> Iterator[Flask]:
    application = create_app(app_config)
    with application.app_context():
        session_factory = application.extensions["termbase.sessionmaker"]
        with session_factory() as session:
            if session.get(Counter, TERMBASE_COUNTER) is None:
                session.add(Counter(name=TERMBASE_COUNTER, value=0))
            if session.get(Counter, TERMBASE_ID_COUNTER) is None:
                # What the migration gives every database (the schema here comes from the models).
                session.add(Counter(name=TERMBASE_ID_COUNTER, value=424242))
            session.commit()
    yield application
    application.extensions["termbase.engine"].dispose()


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """A session of the app's own factory; tests commit when they want the edges to see data."""
    with app.extensions["termbase.sessionmaker"]() as s:
        yield s


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def make_user(session: Session) -> Callable[..., User]:
    def _make(username: str = "ed", role: str = "editor", password: str = PASSWORD) -> User:
        user = user_service.create_user(session, username, password, role)
        session.commit()
        return user

    return _make


@pytest.fixture
def login(client: FlaskClient, make_user: Callable[..., User]) -> Callable[[str], User]:
    """Log the test client in as a new user of ``role``."""

    def _login(role: str = "editor") -> User:
        user = make_user(f"{role}-user", role)
        response = client.post("/login", data={"username": user.username, "password": PASSWORD})
        assert response.status_code in (302, 303), response.status_code
        return user

    return _login


@pytest.fixture
def api_token(session: Session, make_user: Callable[..., User]) -> Callable[[str], str]:
    """An API token for a new user of ``role``."""

    def _token(role: str = "editor") -> str:
        user = make_user(f"{role}-api", role)
        token = user_service.create_token(session, user, "test")
        session.commit()
        return token

    return _token


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"shared materials not found at {SHARED}")
    return SHARED
