"""Logging out and changing a password end login sessions on the server side, not only in the browser."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from termbase.models import User
from termbase.services import users as user_service

PASSWORD = "correct horse battery"
NEW_PASSWORD = "another long passphrase"


def _logged_in(app: Flask, username: str, password: str = PASSWORD) -> FlaskClient:
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code == 303, response.status_code
    return client


def _opens_account(client: FlaskClient) -> bool:
    response = client.get("/account")
    if response.status_code == 200:
        return True
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    return False


def _with_cookie(app: Flask, cookie: str) -> FlaskClient:
    client = app.test_client()
    client.set_cookie("session", cookie)
    return client


def test_a_session_cookie_saved_before_logout_no_longer_logs_in(
    app: Flask, make_user: Callable[..., User]
) -> None:
    make_user("mei", "translator")
    browser = _logged_in(app, "mei")
    cookie = browser.get_cookie("session")
    assert cookie is not None
    assert _opens_account(_with_cookie(app, cookie.value))
    assert browser.post("/logout").status_code == 303
    assert not _opens_account(browser)
    assert not _opens_account(_with_cookie(app, cookie.value))
    # Logging in again works, and the new session is a good one.
    again = _logged_in(app, "mei")
    assert _opens_account(again)
    assert not _opens_account(_with_cookie(app, cookie.value))


def test_a_password_change_logs_out_every_other_session(app: Flask, make_user: Callable[..., User]) -> None:
    make_user("mei", "translator")
    laptop = _logged_in(app, "mei")
    phone = _logged_in(app, "mei")
    saved = laptop.get_cookie("session")
    assert saved is not None
    response = laptop.post(
        "/account/password", data={"current": PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    # The browser that changed it stays logged in; the other one and the old cookie do not.
    assert _opens_account(laptop)
    assert not _opens_account(phone)
    assert not _opens_account(_with_cookie(app, saved.value))
    assert _opens_account(_logged_in(app, "mei", NEW_PASSWORD))


def test_an_administrator_resetting_a_password_ends_that_users_sessions(
    app: Flask, session: Session, make_user: Callable[..., User]
) -> None:
    user = make_user("mei", "translator")
    browser = _logged_in(app, "mei")
    assert _opens_account(browser)
    user_service.set_password(session, user, NEW_PASSWORD)
    session.commit()
    assert not _opens_account(browser)


def test_api_tokens_outlive_a_logout(app: Flask, session: Session, make_user: Callable[..., User]) -> None:
    user = make_user("mei", "translator")
    token = user_service.create_token(session, user, "plug-in")
    session.commit()
    browser = _logged_in(app, "mei")
    browser.post("/logout")
    response = app.test_client().get("/api/v1/search?q=x", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


def test_a_forged_session_id_is_refused(app: Flask, make_user: Callable[..., User]) -> None:
    make_user("mei", "translator")
    browser = _logged_in(app, "mei")
    with browser.session_transaction() as flask_session:
        flask_session["_user_id"] = "1.99999999999999999999999"
    assert not _opens_account(browser)
    with browser.session_transaction() as flask_session:
        flask_session["_user_id"] = "1"
    assert not _opens_account(browser)
