"""An API token's "last used" stamp never holds up or fails the request it comes with."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Connection, select, text, update
from sqlalchemy.orm import Session

from termbase.db import make_engine
from termbase.models import ApiToken, User, utcnow
from termbase.services import users as user_service


@pytest.fixture
def token(session: Session, make_user: Callable[..., User]) -> str:
    user = make_user("plugin", "translator")
    clear = user_service.create_token(session, user, "plug-in")
    session.commit()
    return clear


def _last_used(session: Session) -> object:
    session.expire_all()
    return session.scalar(select(ApiToken.last_used_at))


def _search(client: FlaskClient, token: str) -> tuple[int, float]:
    started = time.monotonic()
    response = client.get("/api/v1/search?q=term", headers={"Authorization": f"Bearer {token}"})
    return response.status_code, time.monotonic() - started


@pytest.fixture
def long_write(database_url: str) -> Iterator[Callable[[], Connection]]:
    """Start a write that holds its locks (the whole database on SQLite, every token row on
    PostgreSQL) for at most 6 seconds, as a long import does."""
    engine = make_engine(database_url)
    opened: list[Connection] = []

    def _start() -> Connection:
        conn = engine.connect()
        opened.append(conn)
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.execute(text("SELECT id FROM api_tokens FOR UPDATE"))
        threading.Timer(6, conn.rollback).start()
        return conn

    yield _start
    for conn in opened:
        conn.close()
    engine.dispose()


def test_a_token_request_answers_at_once_behind_a_long_write(
    client: FlaskClient, session: Session, token: str, long_write: Callable[[], Connection]
) -> None:
    long_write()
    status, seconds = _search(client, token)
    assert status == 200
    assert seconds < 3, f"the request waited {seconds:.1f} s for the write"
    assert _last_used(session) is None  # skipped, not waited for


def test_last_use_is_recorded_once_the_database_is_free(
    client: FlaskClient, session: Session, token: str
) -> None:
    before = utcnow()
    assert _search(client, token)[0] == 200
    stamped = _last_used(session)
    assert stamped is not None
    assert stamped.replace(tzinfo=before.tzinfo) >= before - timedelta(seconds=1)


def test_a_recent_use_is_not_written_again(client: FlaskClient, session: Session, token: str) -> None:
    recent = utcnow() - timedelta(minutes=1)
    session.execute(update(ApiToken).values(last_used_at=recent))
    session.commit()
    assert _search(client, token)[0] == 200
    assert _last_used(session).replace(tzinfo=recent.tzinfo) == recent
    stale = utcnow() - user_service.TOKEN_USE_RESOLUTION - timedelta(seconds=5)
    session.execute(update(ApiToken).values(last_used_at=stale))
    session.commit()
    assert _search(client, token)[0] == 200
    assert _last_used(session).replace(tzinfo=stale.tzinfo) > stale
