"""CSRF: every form of the web UI needs the session's token; the API takes only JSON, which forms cannot send.

The app runs here as in production, with CSRF protection on (the other test suites turn
it off to post forms freely).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from crawl import crawl
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.routing import IntegerConverter

from termbase.app import create_app
from termbase.services import concepts as concept_service
from termbase.services import users as user_service
from termbase.services.concepts import TermInput

PASSWORD = "correct horse battery"
TOKEN_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
Dump = dict[str, list[dict[str, Any]]]


@pytest.fixture
def csrf_app(app: Flask, app_config: dict[str, Any]) -> Iterator[Flask]:
    protected = create_app({**app_config, "WTF_CSRF_ENABLED": True})
    yield protected
    protected.extensions["termbase.engine"].dispose()


@pytest.fixture
def browser(csrf_app: Flask) -> FlaskClient:
    return csrf_app.test_client()


@pytest.fixture
def entry(session: Session) -> int:
    concept = concept_service.create_concept(
        session,
        [TermInput(language="zh-Hans", text="网络主权"), TermInput(language="en", text="cyber sovereignty")],
        actor="t",
        status="candidate",
    )
    session.commit()
    return concept.id


def _token(client: FlaskClient, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    found = TOKEN_RE.search(page)
    assert found, f"no CSRF token on {path}"
    return found.group(1) or found.group(2)


def _sign_in(client: FlaskClient, session: Session, role: str) -> None:
    user_service.create_user(session, f"{role}-csrf", PASSWORD, role)
    session.commit()
    response = client.post(
        "/login", data={"username": f"{role}-csrf", "password": PASSWORD, "csrf_token": _token(client)}
    )
    assert response.status_code == 303


def _post_urls(app: Flask, entry: int) -> list[tuple[str, str]]:
    """(endpoint, URL) for every web route that takes POST, with ids of the test entry."""
    adapter = app.url_map.bind("localhost")
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("web.") or "POST" not in (rule.methods or set()):
            continue
        values = {
            name: (entry if isinstance(converter, IntegerConverter) else "x")
            for name, converter in rule._converters.items()
        }
        urls.append((rule.endpoint, adapter.build(rule.endpoint, values, method="POST")))
    return sorted(urls)


FORM_DATA = {
    "note": "forged",
    "body": "forged",
    "status": "approved",
    "version": "1",
    "text": "forged",
    "name": "forged",
    "username": "forged",
    "password": "forged password",
    "role": "admin",
    "zh": "伪造",
    "en": "forged",
}


@pytest.mark.parametrize("who", ["anonymous", "admin"])
def test_every_form_post_without_the_token_is_refused(
    csrf_app: Flask,
    browser: FlaskClient,
    session: Session,
    entry: int,
    database_url: str,
    dump: Callable[..., Dump],
    who: str,
) -> None:
    if who == "admin":
        _sign_in(browser, session, "admin")
    urls = _post_urls(csrf_app, entry)
    assert len(urls) >= 20
    before = dump(database_url)
    for endpoint, url in urls:
        missing = browser.post(url, data=FORM_DATA)
        assert missing.status_code == 400, (endpoint, missing.status_code)
        assert "CSRF" in missing.get_data(as_text=True), endpoint
        forged = browser.post(url, data={**FORM_DATA, "csrf_token": "IjEyMyI.forged.signature"})
        assert forged.status_code == 400, (endpoint, forged.status_code)
    assert dump(database_url) == before


def test_a_token_from_another_session_is_refused(
    csrf_app: Flask,
    browser: FlaskClient,
    session: Session,
    entry: int,
    database_url: str,
    dump: Callable[..., Dump],
) -> None:
    attacker = csrf_app.test_client()
    stolen = _token(attacker)  # valid, but for the attacker's own session
    _sign_in(browser, session, "editor")
    before = dump(database_url)
    response = browser.post(f"/concepts/{entry}/comments", data={"body": "forged", "csrf_token": stolen})
    assert response.status_code == 400
    assert dump(database_url) == before


def test_with_its_own_token_a_form_goes_through(browser: FlaskClient, session: Session, entry: int) -> None:
    _sign_in(browser, session, "editor")
    token = _token(browser, f"/concepts/{entry}")
    response = browser.post(f"/concepts/{entry}/comments", data={"body": "genuine", "csrf_token": token})
    assert response.status_code == 303


def test_every_post_form_on_every_page_carries_the_token(
    browser: FlaskClient, session: Session, entry: int
) -> None:
    _sign_in(browser, session, "admin")
    start = [
        "/",
        f"/concepts/{entry}",
        f"/concepts/{entry}/edit",
        f"/concepts/{entry}/history",
        "/review",
        "/review/variants",
        "/account",
        "/admin/users",
        "/paste",
        "/import",
        "/export",
        "/upload",
        "/concepts/new",
        f"/concepts/{entry}/delete",
        f"/concepts/{entry}/split",
        "/documents",
    ]
    forms = 0
    for page in crawl(browser, start, limit=100):
        if not page.headers.get("Content-Type", "").startswith("text/html"):
            continue
        for form in page.tree().iter("form"):
            if (form.get("method") or "get").lower() != "post":
                continue
            forms += 1
            names = {field.get("name") for field in form.iter("input")}
            assert "csrf_token" in names, (page.url, form.get("action"))
    assert forms >= 15


API_WRITES = [
    ("POST", "/api/v1/concepts"),
    ("POST", "/api/v1/concepts/{id}/approve"),
    ("POST", "/api/v1/concepts/{id}/reject"),
    ("POST", "/api/v1/concepts/{id}/terms"),
    ("PATCH", "/api/v1/concepts/{id}"),
    ("DELETE", "/api/v1/concepts/{id}"),
]


@pytest.mark.parametrize(
    "content_type", ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain"]
)
def test_a_cross_site_form_cannot_use_the_api_with_the_session_cookie(
    browser: FlaskClient,
    session: Session,
    entry: int,
    database_url: str,
    dump: Callable[..., Dump],
    content_type: str,
) -> None:
    """What an HTML form on another site could send, with the editor's cookie attached."""
    _sign_in(browser, session, "editor")
    before = dump(database_url)
    for method, url in API_WRITES:
        response = browser.open(
            url.format(id=entry),
            method=method,
            data='{"version": 1, "status": "approved"}',
            content_type=content_type,
            headers={"Origin": "https://evil.example"},
        )
        assert response.status_code in (405, 415), (method, url, response.status_code)
    assert dump(database_url) == before


def test_the_api_grants_no_cross_origin_access(browser: FlaskClient, session: Session, entry: int) -> None:
    _sign_in(browser, session, "editor")
    evil = {"Origin": "https://evil.example"}
    for response in (
        browser.get(f"/api/v1/concepts/{entry}", headers=evil),
        browser.options(
            f"/api/v1/concepts/{entry}",
            headers={
                **evil,
                "Access-Control-Request-Method": "PATCH",
                "Access-Control-Request-Headers": "content-type",
            },
        ),
    ):
        assert "Access-Control-Allow-Origin" not in response.headers
        assert "Access-Control-Allow-Credentials" not in response.headers
