"""Authorization matrix for the routes the web UI's matrix (tests/web/test_authorization.py) leaves out:
every JSON API operation and the TBX exchange pages, under every role, anonymous under both
settings, and with a wrong token.

Allowed requests must succeed with the operation's own status (so a matrix row cannot
pass on a 400); refused ones get 401/403 (API) or the login page/403 (UI), and write
nothing. A route added to the API or the exchange pages without a row fails the test.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from termbase.models import Concept, Term
from termbase.services import concepts as concept_service
from termbase.services import users as user_service
from termbase.services.concepts import TermInput

PASSWORD = "correct horse battery"
Dump = dict[str, list[dict[str, Any]]]
VIEWERS = ["anon-read", "anon-none", "translator", "editor", "admin", "wrong-token"]
ROLES = {"translator", "editor", "admin"}


@dataclass
class World:
    approved: int
    candidate: int
    victim: int  # deleted by DELETE /concepts/{id}
    to_approve: int
    to_reject: int
    patched: int
    term_host: int
    term: int  # edited by PATCH /terms/{id}
    doomed_term: int  # removed by DELETE /terms/{id}


def _concept(session: Session, *terms: tuple[str, str], status: str = "candidate") -> int:
    return concept_service.create_concept(
        session, [TermInput(language=lang, text=text) for lang, text in terms], actor="t", status=status
    ).id


def _world(session: Session) -> World:
    approved = _concept(session, ("zh-Hans", "网络主权"), ("en", "cyber sovereignty"), status="approved")
    host = _concept(session, ("zh-Hans", "网络安全"), ("en", "cybersecurity"), ("en", "network security"))
    terms = session.scalars(select(Term.id).where(Term.concept_id == host).order_by(Term.id)).all()
    world = World(
        approved=approved,
        candidate=_concept(session, ("zh-Hans", "数字丝绸之路"), ("en", "Digital Silk Road")),
        victim=_concept(session, ("en", "victim")),
        to_approve=_concept(session, ("en", "to approve")),
        to_reject=_concept(session, ("en", "to reject")),
        patched=_concept(session, ("en", "patched")),
        term_host=host,
        term=terms[1],
        doomed_term=terms[2],
    )
    session.commit()
    return world


def _version(session: Session, concept_id: int) -> int:
    session.expire_all()
    concept = session.get(Concept, concept_id)
    assert concept is not None
    return concept.version


@dataclass(frozen=True)
class Row:
    endpoint: str
    method: str
    url: Callable[[World, Session], str]
    rule: str  # open, public, hidden, read_all, edit
    ok: int  # the status of a successful call
    json: Callable[[World, Session], Any] | None = None


API_ROWS = [
    Row("api.openapi_document", "GET", lambda w, s: "/api/v1/openapi.json", "open", 200),
    Row("api.search", "GET", lambda w, s: "/api/v1/search?q=wangluo", "public", 200),
    Row("api.list_concepts", "GET", lambda w, s: "/api/v1/concepts", "public", 200),
    Row("api.get_concept", "GET", lambda w, s: f"/api/v1/concepts/{w.approved}", "public", 200),
    Row("api.get_concept", "GET", lambda w, s: f"/api/v1/concepts/{w.candidate}", "hidden", 200),
    Row(
        "api.recognize",
        "POST",
        lambda w, s: "/api/v1/recognize",
        "public",
        200,
        lambda w, s: {"text": "尊重网络主权"},
    ),
    Row(
        "api.qa",
        "POST",
        lambda w, s: "/api/v1/qa",
        "public",
        200,
        lambda w, s: {"source": "尊重网络主权", "target": "respect cyber sovereignty"},
    ),
    Row("api.export", "GET", lambda w, s: "/api/v1/export", "public", 200),
    Row("api.export", "GET", lambda w, s: "/api/v1/export?status=all", "read_all", 200),
    Row(
        "api.create_concept",
        "POST",
        lambda w, s: "/api/v1/concepts",
        "edit",
        201,
        lambda w, s: {"terms": [{"language": "en", "text": "new entry"}]},
    ),
    Row(
        "api.update_concept",
        "PATCH",
        lambda w, s: f"/api/v1/concepts/{w.patched}",
        "edit",
        200,
        lambda w, s: {"note": "patched", "version": _version(s, w.patched)},
    ),
    Row(
        "api.delete_concept",
        "DELETE",
        lambda w, s: f"/api/v1/concepts/{w.victim}?version={_version(s, w.victim)}",
        "edit",
        204,
    ),
    Row(
        "api.approve_concept",
        "POST",
        lambda w, s: f"/api/v1/concepts/{w.to_approve}/approve",
        "edit",
        200,
        lambda w, s: {"version": _version(s, w.to_approve)},
    ),
    Row(
        "api.reject_concept",
        "POST",
        lambda w, s: f"/api/v1/concepts/{w.to_reject}/reject",
        "edit",
        200,
        lambda w, s: {"version": _version(s, w.to_reject)},
    ),
    Row(
        "api.add_term",
        "POST",
        lambda w, s: f"/api/v1/concepts/{w.approved}/terms",
        "edit",
        201,
        lambda w, s: {"language": "en", "text": "Internet sovereignty", "version": _version(s, w.approved)},
    ),
    Row(
        "api.update_term",
        "PATCH",
        lambda w, s: f"/api/v1/terms/{w.term}",
        "edit",
        200,
        lambda w, s: {"note": "checked", "version": _version(s, w.term_host)},
    ),
    Row(
        "api.delete_term",
        "DELETE",
        lambda w, s: f"/api/v1/terms/{w.doomed_term}?version={_version(s, w.term_host)}",
        "edit",
        200,
    ),
]

# Expected status for refused viewers, by rule; None: allowed (the row's own success status).
API_RULES: dict[str, dict[str, int | None]] = {
    "open": {v: None for v in VIEWERS},
    "public": {**{v: None for v in VIEWERS}, "anon-none": 401, "wrong-token": 401},
    # Candidates do not exist for those who may read only approved entries.
    "hidden": {
        "anon-read": 404,
        "anon-none": 401,
        "translator": None,
        "editor": None,
        "admin": None,
        "wrong-token": 401,
    },
    "read_all": {
        "anon-read": 401,
        "anon-none": 401,
        "translator": None,
        "editor": None,
        "admin": None,
        "wrong-token": 401,
    },
    "edit": {
        "anon-read": 401,
        "anon-none": 401,
        "translator": 403,
        "editor": None,
        "admin": None,
        "wrong-token": 401,
    },
}


def _viewer_headers(session: Session, viewer: str) -> dict[str, str]:
    if viewer in ROLES:
        user = user_service.create_user(session, f"{viewer}-api", PASSWORD, viewer)
        token = user_service.create_token(session, user, "matrix")
        session.commit()
        return {"Authorization": f"Bearer {token}"}
    if viewer == "wrong-token":
        return {"Authorization": "Bearer tb_not-a-real-token"}
    return {}


def test_every_api_operation_is_in_the_matrix(app: Flask) -> None:
    registered = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")}
    assert registered == {row.endpoint for row in API_ROWS}


@pytest.mark.parametrize("viewer", VIEWERS)
def test_api_authorization_matrix(
    app: Flask,
    client: FlaskClient,
    session: Session,
    database_url: str,
    dump: Callable[..., Dump],
    viewer: str,
) -> None:
    app.config["ANONYMOUS_ACCESS"] = "none" if viewer == "anon-none" else "read"
    world = _world(session)
    headers = _viewer_headers(session, viewer)
    content = ("concepts", "terms", "definitions", "history", "comments", "citations")
    before = dump(database_url)
    mismatches = []
    for row in API_ROWS:
        url = row.url(world, session)
        body = row.json(world, session) if row.json else None
        response = client.open(url, method=row.method, json=body, headers=headers)
        response.get_data()  # run streamed bodies (exports) to the end, so they let go of the database
        response.close()
        refused = API_RULES[row.rule][viewer]
        expected = row.ok if refused is None else refused
        if response.status_code != expected:
            mismatches.append(f"{row.method} {url}: expected {expected}, got {response.status_code}")
        elif refused is not None:
            error = response.get_json()["error"]
            if error["code"] not in ("unauthorized", "forbidden", "not_found"):
                mismatches.append(f"{row.method} {url}: error shape {error}")
    assert not mismatches, "\n".join(mismatches)
    if viewer not in ("editor", "admin"):
        after = dump(database_url)
        assert {t: after[t] for t in content} == {t: before[t] for t in content}


# ------------------------------------------------------------------ exchange pages (the UI matrix leaves them out)


@dataclass(frozen=True)
class Page:
    endpoint: str
    method: str
    url: str
    rule: str  # read, read_all, edit
    data: Callable[[], dict[str, Any]] | None = None


TBX = (
    b'<?xml version="1.0" encoding="UTF-8"?><martif type="TBX-Basic" xml:lang="en"><martifHeader><fileDesc>'
    b'<sourceDesc><p>x</p></sourceDesc></fileDesc></martifHeader><text><body><termEntry id="c1">'
    b'<langSet xml:lang="en"><tig><term>imported entry</term></tig></langSet></termEntry></body></text></martif>'
)

EXCHANGE_PAGES = [
    Page("web.export", "GET", "/export", "read"),
    Page("web.export_download", "GET", "/export/download?format=tbx-basic-2008&status=approved", "read"),
    Page("web.export_download", "GET", "/export/download?format=csv&status=all", "read_all"),
    Page("web.import_page", "GET", "/import", "edit"),
    Page(
        "web.import_preview",
        "POST",
        "/import",
        "edit",
        lambda: {"file": (io.BytesIO(TBX), "matrix.tbx"), "default_status": "candidate"},
    ),
    Page("web.import_confirm", "POST", "/import/confirm", "edit", lambda: {"token": "expired"}),
    Page("web.import_cancel", "POST", "/import/cancel", "edit", lambda: {}),
]

UI_RULES: dict[str, dict[str, str]] = {
    "read": {"anon-read": "ok", "anon-none": "login", "translator": "ok", "editor": "ok", "admin": "ok"},
    "read_all": {
        "anon-read": "forbidden",
        "anon-none": "login",
        "translator": "ok",
        "editor": "ok",
        "admin": "ok",
    },
    "edit": {
        "anon-read": "login",
        "anon-none": "login",
        "translator": "forbidden",
        "editor": "ok",
        "admin": "ok",
    },
}


def _ui_outcome(status: int, location: str) -> str:
    if status in (302, 303) and "/login" in location and "next=" in location:
        return "login"
    if status == 403:
        return "forbidden"
    if status in (200, 302, 303):
        return "ok"
    return f"error {status}"


def test_every_exchange_page_is_in_the_matrix(app: Flask) -> None:
    registered = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("web.")
        and app.view_functions[rule.endpoint].__module__ == "termbase.web.exchange"
    }
    assert registered == {page.endpoint for page in EXCHANGE_PAGES}


@pytest.mark.parametrize("viewer", ["anon-read", "anon-none", "translator", "editor", "admin"])
def test_exchange_pages_authorization_matrix(
    app: Flask,
    client: FlaskClient,
    session: Session,
    sign_in: Callable[[str], Any],
    database_url: str,
    dump: Callable[..., Dump],
    viewer: str,
) -> None:
    app.config["ANONYMOUS_ACCESS"] = "none" if viewer == "anon-none" else "read"
    _world(session)
    if viewer in ROLES:
        sign_in(viewer)
    before = dump(database_url, skip=("login_failures",))
    mismatches = []
    for page in EXCHANGE_PAGES:
        data = page.data() if page.data else None
        response = client.open(page.url, method=page.method, data=data)
        response.get_data()
        response.close()
        got = _ui_outcome(response.status_code, response.headers.get("Location", ""))
        expected = UI_RULES[page.rule][viewer]
        if got != expected:
            mismatches.append(f"{page.method} {page.url}: expected {expected}, got {got}")
    assert not mismatches, "\n".join(mismatches)
    # The preview is a dry run and the confirmation had no valid token: nothing was imported.
    assert dump(database_url, skip=("login_failures",)) == before


def test_static_files_are_public(app: Flask, client: FlaskClient) -> None:
    app.config["ANONYMOUS_ACCESS"] = "none"
    assert client.get("/static/css/app.css").status_code == 200
    assert client.get("/static/js/app.js").status_code == 200
