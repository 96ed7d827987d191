"""Failure paths leave nothing behind: no half-written rows, no dead session, no connection held open."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from termbase.extensions import get_session
from termbase.models import User
from termbase.services import concepts as concept_service
from termbase.services import users as user_service
from termbase.services.concepts import TermInput

PASSWORD = "correct horse battery"


@pytest.fixture
def no_gc() -> Iterator[None]:
    """Garbage collection off: a connection released only by the collector counts as leaked."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@pytest.fixture
def failing_flush(app: Flask) -> str:
    """A route whose write fails in the database itself (a unique key), after the service checks."""

    def clash() -> str:
        session = get_session()
        session.add(User(username="taken", password_hash="x", role="editor"))
        session.flush()  # IntegrityError: the name exists
        return "unreachable"

    app.add_url_rule("/_test/clash", "clash", clash, methods=["POST"])
    app.add_url_rule("/api/v1/_test/clash", "api_clash", clash, methods=["POST"])
    return "/_test/clash"


def test_a_failed_flush_gets_a_409_page_not_a_crash_of_the_error_page(
    client: FlaskClient,
    session: Session,
    login: Callable[[str], User],
    failing_flush: str,
    app: Flask,
) -> None:
    user_service.create_user(session, "taken", PASSWORD, "translator")
    session.commit()
    login("editor")  # the error page reads the current user from the failed session
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.post(failing_flush)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "nothing was saved" in page
    assert "editor-user" in page  # the page rendered in full, with the user's navigation
    api = client.post("/api/v1/_test/clash")
    assert api.status_code == 409
    assert api.get_json()["error"]["code"] == "conflict"
    assert len(session.scalars(select(User).where(User.username == "taken")).all()) == 1


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/export",
        "/api/v1/export?format=csv",
        "/export/download?format=tbx-basic-2008&status=approved",
        "/export/download?format=tsv&status=approved",
    ],
)
def test_a_streamed_export_gives_its_connection_back(
    app: Flask, client: FlaskClient, session: Session, no_gc: None, url: str
) -> None:
    for i, zh in enumerate(["网络主权", "网络安全", "网络空间"]):
        concept_service.create_concept(
            session,
            [TermInput(language="zh-Hans", text=zh), TermInput(language="en", text=f"entry {i}")],
            actor="t",
            status="approved",
        )
    session.commit()
    session.close()
    pool = app.extensions["termbase.engine"].pool
    assert pool.checkedout() == 0
    response = client.get(url)
    assert response.status_code == 200
    assert b"entry 2" in response.get_data()
    response.close()
    # Once the stream has ended, the request's session is closed again: its connection is
    # back in the pool, not left idle in a transaction (holding locks) until the collector runs.
    assert pool.checkedout() == 0
