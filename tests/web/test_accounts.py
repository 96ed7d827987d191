"""Login, logout, safe redirects, cookies, rate limiting, API tokens, passwords, user administration."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from termbase.models import ApiToken, User
from termbase.services import users as user_service

PASSWORD = "correct horse battery"


def test_login_and_logout(client: FlaskClient, make_user: Callable[..., User]) -> None:
    make_user("mei", "translator")
    page = client.get("/login").get_data(as_text=True)
    assert 'name="username"' in page
    assert 'name="password"' in page
    assert '<label for="username">' in page
    response = client.post("/login", data={"username": "mei", "password": PASSWORD})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    home = client.get("/").get_data(as_text=True)
    assert "mei" in home
    assert "Log out" in home
    out = client.post("/logout")
    assert out.status_code == 303
    assert "Log out" not in client.get("/").get_data(as_text=True)


def test_wrong_password(client: FlaskClient, make_user: Callable[..., User]) -> None:
    make_user("mei", "translator")
    response = client.post("/login", data={"username": "mei", "password": "wrong"})
    assert response.status_code == 400
    assert "Wrong username or password." in response.get_data(as_text=True)
    assert client.post("/login", data={"username": "nobody", "password": "wrong"}).status_code == 400
    assert "Log out" not in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/concepts/1", "/concepts/1"),
        ("/review?min=0.8", "/review?min=0.8"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("review", "/"),
    ],
)
def test_next_is_followed_only_within_the_site(
    client: FlaskClient, make_user: Callable[..., User], target: str, expected: str
) -> None:
    make_user("mei", "translator")
    response = client.post("/login", data={"username": "mei", "password": PASSWORD, "next": target})
    assert response.headers["Location"] == expected


def test_protected_page_round_trip(app: Flask, client: FlaskClient, make_user: Callable[..., User]) -> None:
    make_user("ed", "editor")
    response = client.get("/review")
    assert response.status_code == 302
    login_url = response.headers["Location"]
    assert login_url == "/login?next=%2Freview"
    page = client.get(login_url).get_data(as_text=True)
    assert 'name="next" type="hidden" value="/review"' in page
    assert (
        client.post(login_url, data={"username": "ed", "password": PASSWORD, "next": "/review"}).headers[
            "Location"
        ]
        == "/review"
    )


def test_session_cookie_flags(client: FlaskClient, make_user: Callable[..., User]) -> None:
    make_user("mei", "translator")
    response = client.post("/login", data={"username": "mei", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain HTTP (development)
    secure = client.post(
        "/login", data={"username": "mei", "password": PASSWORD}, base_url="https://termbase.example"
    )
    assert "Secure" in secure.headers["Set-Cookie"]


def test_repeated_failures_are_rate_limited(
    app: Flask, client: FlaskClient, make_user: Callable[..., User]
) -> None:
    app.config["LOGIN_RATE_LIMIT"] = 3
    make_user("mei", "translator")
    for _ in range(3):
        assert client.post("/login", data={"username": "mei", "password": "wrong"}).status_code == 400
    blocked = client.post("/login", data={"username": "mei", "password": PASSWORD})
    assert blocked.status_code == 429
    assert "Too many failed attempts" in blocked.get_data(as_text=True)


def test_api_tokens_are_shown_once_work_and_can_be_revoked(
    client: FlaskClient, session: Session, login: Callable[[str], User]
) -> None:
    user = login("translator")
    created = client.post("/account/tokens", data={"name": "memoQ plug-in"})
    assert created.status_code == 201
    assert created.headers["Cache-Control"] == "no-store"
    html = created.get_data(as_text=True)
    token = re.search(r'<code class="token" id="new-token" data-copy-text>([^<]+)</code>', html).group(1)  # type: ignore[union-attr]
    assert token.startswith("tb_")
    assert token not in client.get("/account").get_data(as_text=True)  # never shown again
    assert user_service.user_for_token(session, token) is not None
    session.rollback()  # end the read: the API request below stamps the token's last use
    api = client.application.test_client()
    assert api.get("/api/v1/search?q=x", headers={"Authorization": f"Bearer {token}"}).status_code != 401
    token_id = session.scalar(select(ApiToken.id).where(ApiToken.user_id == user.id))
    revoked = client.post(f"/account/tokens/{token_id}/revoke")
    assert revoked.status_code == 303
    session.expire_all()
    assert user_service.user_for_token(session, token) is None
    session.rollback()
    assert api.get("/api/v1/search?q=x", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_cannot_revoke_someone_elses_token(
    client: FlaskClient, session: Session, login: Callable[[str], User], make_user: Callable[..., User]
) -> None:
    other = make_user("someone", "editor")
    user_service.create_token(session, other, "theirs")
    session.commit()
    token_id = session.scalar(select(ApiToken.id).where(ApiToken.user_id == other.id))
    login("translator")
    response = client.post(f"/account/tokens/{token_id}/revoke")
    assert response.status_code == 303
    session.expire_all()
    assert session.get(ApiToken, token_id) is not None


def test_change_password(client: FlaskClient, session: Session, login: Callable[[str], User]) -> None:
    user = login("translator")
    wrong = client.post(
        "/account/password", data={"current": "nope", "new": "a new password", "confirm": "a new password"}
    )
    assert wrong.status_code == 400
    short = client.post("/account/password", data={"current": PASSWORD, "new": "short", "confirm": "short"})
    assert short.status_code == 400
    ok = client.post(
        "/account/password", data={"current": PASSWORD, "new": "a new password", "confirm": "a new password"}
    )
    assert ok.status_code == 303
    session.expire_all()
    assert user_service.authenticate(session, user.username, "a new password") is not None


def test_admin_manages_users(client: FlaskClient, session: Session, login: Callable[[str], User]) -> None:
    admin = login("admin")
    created = client.post(
        "/admin/users", data={"username": "li", "password": "a long password", "role": "editor"}
    )
    assert created.status_code == 303
    li = session.scalar(select(User).where(User.username == "li"))
    assert li is not None
    assert li.role == "editor"
    duplicate = client.post(
        "/admin/users", data={"username": "li", "password": "a long password", "role": "editor"}
    )
    assert duplicate.status_code == 400
    assert "already exists" in duplicate.get_data(as_text=True)
    disabled = client.post(f"/admin/users/{li.id}", data={"role": "translator"})  # "active" unchecked
    assert disabled.status_code == 303
    session.expire_all()
    li = session.get(User, li.id)
    assert li is not None
    assert (li.role, li.active) == ("translator", False)
    assert user_service.authenticate(session, "li", "a long password") is None
    last_admin = client.post(f"/admin/users/{admin.id}", data={"role": "editor", "active": "y"})
    assert last_admin.status_code == 400
    assert "last active admin" in last_admin.get_data(as_text=True)
    listing = client.get("/admin/users").get_data(as_text=True)
    assert "li" in listing
    assert "disabled" in listing
