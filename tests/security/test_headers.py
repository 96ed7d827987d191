"""Security headers on every kind of response; cookies that scripts and other sites cannot use.

A CSP without ``unsafe-inline`` only works if the pages carry no inline script or style,
so every crawled page is checked for those too.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from crawl import crawl
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from termbase.models import User
from termbase.services import concepts as concept_service
from termbase.services.concepts import TermInput

PASSWORD = "correct horse battery"


def _directives(csp: str) -> dict[str, list[str]]:
    out = {}
    for part in csp.split(";"):
        words = part.split()
        if words:
            out[words[0].lower()] = [w.lower() for w in words[1:]]
    return out


def assert_security_headers(response: TestResponse, where: str) -> None:
    headers = response.headers
    csp = headers.get("Content-Security-Policy")
    assert csp, where
    directives = _directives(csp)
    every_source = " ".join(" ".join(v) for v in directives.values())
    assert "'unsafe-inline'" not in every_source, where
    assert "'unsafe-eval'" not in every_source, where
    assert "*" not in every_source.split(), where
    assert directives["default-src"] == ["'self'"], where
    assert directives.get("script-src", directives["default-src"]) == ["'self'"], where
    assert directives["object-src"] == ["'none'"], where
    assert directives["frame-ancestors"] == ["'none'"], where
    assert directives["base-uri"] in (["'self'"], ["'none'"]), where
    assert "form-action" in directives, where
    assert headers.get("X-Frame-Options") == "DENY", where
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("Referrer-Policy") in (
        "same-origin",
        "no-referrer",
        "strict-origin",
        "strict-origin-when-cross-origin",
    ), where


@pytest.fixture
def entry(session: Session) -> int:
    concept = concept_service.create_concept(
        session,
        [TermInput(language="zh-Hans", text="网络主权"), TermInput(language="en", text="cyber sovereignty")],
        actor="t",
        status="approved",
    )
    session.commit()
    return concept.id


def test_every_kind_of_response_carries_the_headers(
    app: Flask, client: FlaskClient, entry: int, api_token: Callable[[str], str]
) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False
    bearer = {"Authorization": f"Bearer {api_token('editor')}"}
    responses = {
        "page": client.get("/"),
        "entry": client.get(f"/concepts/{entry}"),
        "redirect": client.get("/review"),
        "404 page": client.get("/no/such/page"),
        "405 page": client.put("/"),
        "413 page": client.post(
            "/login",
            data="username=x",
            content_type="application/x-www-form-urlencoded",
            environ_overrides={"CONTENT_LENGTH": str(10**10)},
        ),
        "static file": client.get("/static/css/app.css"),
        "api": client.get(f"/api/v1/concepts/{entry}", headers=bearer),
        "api 401": client.get("/api/v1/concepts", headers={"Authorization": "Bearer nope"}),
        "api 404": client.get("/api/v1/concepts/999999", headers=bearer),
        "api 409": client.patch(
            f"/api/v1/concepts/{entry}", json={"note": "x", "version": 99}, headers=bearer
        ),
        "export stream": client.get("/api/v1/export"),
        "openapi": client.get("/api/v1/openapi.json"),
    }
    for where, response in responses.items():
        response.get_data()
        response.close()
        assert_security_headers(response, where)
    assert responses["405 page"].status_code == 405
    assert responses["413 page"].status_code == 413


def test_a_500_page_carries_the_headers_too(app: Flask, client: FlaskClient) -> None:
    def boom() -> str:
        raise RuntimeError("boom")

    app.add_url_rule("/_test/boom", "boom", boom)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/_test/boom")
    assert response.status_code == 500
    assert_security_headers(response, "500 page")


def test_pages_need_no_inline_script_or_style(
    client: FlaskClient, entry: int, login: Callable[[str], User]
) -> None:
    """What the CSP forbids is not used: every script and stylesheet is a file from /static/."""
    login("admin")
    pages = list(
        crawl(
            client,
            [
                "/",
                "/?q=wangluo",
                f"/concepts/{entry}",
                f"/concepts/{entry}/edit",
                "/review",
                "/admin/users",
                "/account",
                "/paste",
                "/import",
                "/export",
                "/upload",
                "/documents",
                "/help",
                "/concepts/new",
            ],
            limit=80,
        )
    )
    html_pages = [p for p in pages if p.headers.get("Content-Type", "").startswith("text/html")]
    assert len(html_pages) > 15
    for page in html_pages:
        assert_security_headers_dict(page.headers, page.url)
        tree = page.tree()
        for script in tree.iter("script"):
            assert (script.get("src") or "").startswith("/static/"), page.url
            assert not (script.text or "").strip(), page.url
        assert not list(tree.iter("style")), page.url
        for element in tree.iter():
            if isinstance(element.tag, str):
                assert "style" not in element.attrib, (page.url, element.tag)
                assert not any(name.startswith("on") for name in element.attrib), (page.url, element.tag)


def assert_security_headers_dict(headers: dict[str, str], where: str) -> None:
    assert "'unsafe-inline'" not in headers["Content-Security-Policy"], where
    assert headers["X-Frame-Options"] == "DENY", where


def test_session_cookie_is_httponly_samesite_and_secure_over_https(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    make_user("ed", "editor")
    plain = client.post("/login", data={"username": "ed", "password": PASSWORD})
    cookie = plain.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    client.post("/logout")
    secure = client.post(
        "/login", data={"username": "ed", "password": PASSWORD}, base_url="https://localhost"
    )
    assert "Secure" in secure.headers["Set-Cookie"]


def test_pages_with_secrets_are_not_cached(client: FlaskClient, login: Callable[[str], User]) -> None:
    assert "no-store" in client.get("/login").headers["Cache-Control"]
    login("editor")
    created = client.post("/account/tokens", data={"name": "laptop"})
    assert created.status_code == 201
    assert "no-store" in created.headers["Cache-Control"]
    assert "no-store" in client.get("/api/v1/concepts").headers.get("Cache-Control", "")
