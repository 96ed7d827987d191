"""Repeated failed logins are rate-limited with HTTP 429, per username and address, across workers.

``LOGIN_RATE_LIMIT`` failures per ``LOGIN_RATE_WINDOW`` seconds; failures are kept in the
database (``login_failures``), so every worker process and every thread sees them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from termbase.app import create_app
from termbase.models import LoginFailure, User, utcnow

PASSWORD = "correct horse battery"
LIMIT = 5


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "LOGIN_RATE_LIMIT": LIMIT, "LOGIN_RATE_WINDOW": 300}


@pytest.fixture
def ed(make_user: Callable[..., User]) -> User:
    return make_user("ed", "editor")


def _login(client: FlaskClient, password: str, username: str = "ed", address: str = "203.0.113.7") -> Any:
    return client.post(
        "/login",
        data={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_the_attempt_after_the_limit_gets_429_even_with_the_right_password(
    client: FlaskClient, ed: User, session: Session
) -> None:
    for _ in range(LIMIT):
        response = _login(client, "wrong password")
        assert response.status_code == 400
        assert "Wrong username or password." in response.get_data(as_text=True)
    blocked = _login(client, PASSWORD)
    assert blocked.status_code == 429
    assert "Too many failed attempts" in blocked.get_data(as_text=True)
    assert int(blocked.headers["Retry-After"]) > 0
    assert "session" not in blocked.headers.get("Set-Cookie", "")  # not logged in
    assert client.get("/account").status_code in (302, 303)


def test_the_limit_is_per_username_and_address(
    client: FlaskClient, ed: User, make_user: Callable[..., User]
) -> None:
    make_user("amy", "translator")
    for _ in range(LIMIT):
        _login(client, "wrong password")
    assert _login(client, PASSWORD).status_code == 429
    # The same user from elsewhere, and another user from here, are not locked out.
    assert _login(client, PASSWORD, address="198.51.100.2").status_code == 303
    client.post("/logout")
    assert _login(client, PASSWORD, username="amy").status_code == 303


def test_failures_expire_after_the_window_and_a_success_clears_them(
    client: FlaskClient, ed: User, session: Session
) -> None:
    for _ in range(LIMIT):
        _login(client, "wrong password")
    assert _login(client, PASSWORD).status_code == 429
    session.execute(update(LoginFailure).values(at=utcnow() - timedelta(seconds=301)))
    session.commit()
    for _ in range(LIMIT - 1):
        assert _login(client, "wrong password").status_code == 400
    assert _login(client, PASSWORD).status_code == 303  # the fifth attempt, and right
    client.post("/logout")
    session.expire_all()
    assert (
        session.scalar(select(func.count()).select_from(LoginFailure).where(LoginFailure.username == "ed"))
        == 0
    )
    assert _login(client, "wrong password").status_code == 400  # counting starts again


def test_workers_share_the_count(app_config: dict[str, Any], app: Flask, ed: User) -> None:
    """Two app instances (two gunicorn workers) on one database see each other's failures."""
    other = create_app(app_config)
    try:
        first, second = app.test_client(), other.test_client()
        for n in range(LIMIT):
            _login(first if n % 2 else second, "wrong password")
        assert _login(first, PASSWORD).status_code == 429
        assert _login(second, PASSWORD).status_code == 429
    finally:
        other.extensions["termbase.engine"].dispose()


def test_parallel_guesses_cannot_outrun_the_limit(app_config: dict[str, Any], app: Flask, ed: User) -> None:
    """Guesses sent all at once: at most LIMIT passwords are checked in the window, not one per request."""
    served = create_app({**app_config, "TESTING": False})
    server = make_server("127.0.0.1", 0, served, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    attempts = 24
    barrier = threading.Barrier(attempts)
    statuses: list[int] = []
    try:
        import http.client
        import urllib.parse

        def guess(n: int) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=120)
            body = urllib.parse.urlencode({"username": "ed", "password": f"guess {n}"})
            barrier.wait(timeout=60)
            conn.request(
                "POST", "/login", body=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
            )
            statuses.append(conn.getresponse().status)
            conn.close()

        threads = [threading.Thread(target=guess, args=(n,)) for n in range(attempts)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=180)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        served.extensions["termbase.engine"].dispose()
    assert len(statuses) == attempts
    assert set(statuses) <= {400, 429}
    assert statuses.count(400) <= LIMIT, sorted(statuses)
    assert statuses.count(429) >= attempts - LIMIT
