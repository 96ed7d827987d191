"""Secrets never reach the logs: passwords, API tokens, password and token hashes, the secret key.

Every log record is captured (DEBUG and up, and every SQL statement) while users log in (right and
wrong), change passwords, create and use API tokens, while an administrator creates and
resets accounts, while the database fails in the middle of saving a password (the error is
logged with its SQL), while a view crashes with a token and a password in the request, and
while the command line creates users and tokens. Then no record may contain any secret.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from termbase.models import ApiToken, User
from termbase.services import users as user_service

PASSWORD = "correct horse battery"
SECRET_KEY = "test-secret-key-never-logged-7f3a"
HASH_RE = re.compile(r"(scrypt|pbkdf2):[^\s'\"]+\$[0-9a-f]{16,}")


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "SECRET_KEY": SECRET_KEY, "TESTING": False, "PROPAGATE_EXCEPTIONS": False}


class Everything(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        # The formatted message and any traceback, as a log file would hold them.
        self.lines.append(logging.Formatter("%(name)s %(levelname)s %(message)s").format(record))


@pytest.fixture
def logs() -> Iterator[Everything]:
    handler = Everything()
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    for name in ("werkzeug", "flask.app", "termbase"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    # Every SQL statement, as an operator chasing a slow query would log them. (DEBUG on this
    # logger also dumps every result row: a data dump by design, not a log to keep.)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)
        for name in ("sqlalchemy.engine", "werkzeug", "flask.app", "termbase"):
            logging.getLogger(name).setLevel(logging.NOTSET)


def test_no_secret_reaches_a_log(
    app: Flask,
    client: FlaskClient,
    runner: FlaskCliRunner,
    session: Session,
    make_user: Callable[..., User],
    logs: Everything,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    secrets: list[str] = [SECRET_KEY, PASSWORD]
    make_user("ed", "editor")
    make_user("root", "admin")

    # Logins, wrong and right.
    assert client.post("/login", data={"username": "ed", "password": "wrong-but-secret-1"}).status_code == 400
    secrets.append("wrong-but-secret-1")
    assert client.post("/login", data={"username": "ed", "password": PASSWORD}).status_code == 303

    # A personal API token, used right and wrong.
    page = client.post("/account/tokens", data={"name": "laptop"})
    token = re.search(r"tb_[A-Za-z0-9_-]{20,}", page.get_data(as_text=True))
    assert token is not None
    secrets.append(token.group(0))
    assert (
        client.get("/api/v1/concepts", headers={"Authorization": f"Bearer {token.group(0)}"}).status_code
        == 200
    )
    guessed = "tb_guessed-token-that-is-secret-too"
    secrets.append(guessed)
    script = app.test_client()  # a script: no session cookie, only the token it was given
    assert script.get("/api/v1/concepts", headers={"Authorization": f"Bearer {guessed}"}).status_code == 401

    # A password change.
    new = "new password that is secret"
    secrets.append(new)
    answer = client.post("/account/password", data={"current": PASSWORD, "new": new, "confirm": new})
    assert answer.status_code == 303

    # The database fails in the middle of saving a password: the error is logged with its SQL.
    failing = "password lost to a full disk"
    secrets.append(failing)
    with _database_failing(app):
        crashed = client.post("/account/password", data={"current": new, "new": failing, "confirm": failing})
    assert crashed.status_code == 500
    assert any("No space left on device" in line for line in logs.lines)  # it was logged, without secrets

    # A view crashes while the request carries a token and a password.
    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("the disk is on fire")

    monkeypatch.setattr(user_service, "set_password", broken)
    crash = client.post(
        "/account/password",
        data={"current": new, "new": "another secret pw", "confirm": "another secret pw"},
        headers={"Authorization": f"Bearer {token.group(0)}"},
    )
    secrets.append("another secret pw")
    assert crash.status_code == 500
    monkeypatch.undo()
    assert any("the disk is on fire" in line for line in logs.lines)

    # An administrator creates an account and resets a password.
    client.post("/logout")
    client.post("/login", data={"username": "root", "password": PASSWORD})
    initial = "initial password for amy"
    secrets.append(initial)
    assert client.post(
        "/admin/users", data={"username": "amy", "password": initial, "role": "translator"}
    ).status_code in (302, 303)
    amy = session.scalar(select(User).where(User.username == "amy"))
    assert amy is not None
    reset = "reset password for amy"
    secrets.append(reset)
    client.post(f"/admin/users/{amy.id}", data={"role": "translator", "active": "y", "password": reset})

    # The command line: create a user from TERMBASE_PASSWORD, issue a token.
    cli_password = "cli password kept out of logs"
    secrets.append(cli_password)
    created = runner.invoke(
        args=["users", "create", "bob", "--role", "editor"], env={"TERMBASE_PASSWORD": cli_password}
    )
    assert created.exit_code == 0, created.output
    assert cli_password not in created.output
    issued = runner.invoke(args=["users", "token", "bob"])
    assert issued.exit_code == 0
    secrets.append(issued.output.strip())  # shown once on stdout, by design; never logged

    session.expire_all()
    secrets += [u.password_hash for u in session.scalars(select(User))]
    secrets += [t.token_hash for t in session.scalars(select(ApiToken))]
    everything = "\n".join(logs.lines)
    assert len(logs.lines) > 5
    leaked = [s for s in secrets if s and s in everything]
    assert not leaked, [line[:400] for line in logs.lines if any(s in line for s in leaked)]
    assert not HASH_RE.search(everything)


class _database_failing:
    def __init__(self, app: Flask) -> None:
        self.engine = app.extensions["termbase.engine"]

    def _fail(
        self, _conn: Any, _cursor: Any, _statement: str, parameters: Any, _context: Any, _many: bool
    ) -> None:
        if HASH_RE.search(str(parameters)):
            raise self.engine.dialect.dbapi.OperationalError(
                "could not write to file: No space left on device"
            )

    def __enter__(self) -> None:
        event.listen(self.engine, "before_cursor_execute", self._fail)

    def __exit__(self, *_exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._fail)
