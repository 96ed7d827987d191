"""The authorization matrix: every web route under every role, and anonymous under both settings.

Each role gets a fresh termbase and walks every route; mismatches are collected and
reported together. A route added to the blueprint without a row here fails the test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from web_sample import Sample, build_sample

from termbase.models import ApiToken, Citation, Concept, HistoryEntry, Term
from termbase.services import users as user_service
from termbase.services.concepts import TermInput, create_concept, set_status

PASSWORD = "correct horse battery"
# Who may do what: the expected outcome for each rule and viewer.
#   ok: the route serves the viewer; login: redirected to the login page; forbidden: 403.
RULES: dict[str, dict[str, str]] = {
    "public": {"anon-read": "ok", "anon-none": "ok", "translator": "ok", "editor": "ok", "admin": "ok"},
    "read": {"anon-read": "ok", "anon-none": "login", "translator": "ok", "editor": "ok", "admin": "ok"},
    "read_all": {
        "anon-read": "login",
        "anon-none": "login",
        "translator": "ok",
        "editor": "ok",
        "admin": "ok",
    },
    "account": {
        "anon-read": "login",
        "anon-none": "login",
        "translator": "ok",
        "editor": "ok",
        "admin": "ok",
    },
    "comment": {
        "anon-read": "login",
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
    "admin": {
        "anon-read": "login",
        "anon-none": "login",
        "translator": "forbidden",
        "editor": "forbidden",
        "admin": "ok",
    },
}


@dataclass
class World:
    sample: Sample
    victim: int  # deleted by the delete route
    merge_a: int
    merge_b: int
    split: int
    split_term: int
    term: int  # an English term of the approved sample concept
    variant: int  # a proposed variant term on the approved sample concept
    history_entry: int
    other_user: int
    token: int  # an API token of the viewer (of another user for anonymous viewers)


@dataclass(frozen=True)
class Route:
    endpoint: str
    method: str
    url: Callable[[World], str]
    rule: str
    data: Callable[[World, Session], dict[str, Any]] | None = None


def _version(session: Session, concept_id: int) -> int:
    concept = session.get(Concept, concept_id)
    assert concept is not None
    session.refresh(concept)
    return concept.version


ROUTES = [
    Route("web.index", "GET", lambda w: "/?q=wangluo", "read"),
    Route("web.help", "GET", lambda w: "/help", "public"),
    Route("web.login", "GET", lambda w: "/login", "public"),
    Route("web.paste", "GET", lambda w: "/paste", "read"),
    Route("web.paste", "POST", lambda w: "/paste", "read", lambda w, s: {"text": "尊重网络主权"}),
    Route("web.documents", "GET", lambda w: "/documents", "read"),
    Route("web.document", "GET", lambda w: f"/documents/{w.sample.document_slug}", "read"),
    Route("web.concept", "GET", lambda w: f"/concepts/{w.sample.sovereignty}", "read"),
    Route("web.concept_citations", "GET", lambda w: f"/concepts/{w.sample.sovereignty}/citations", "read"),
    Route("web.concept_history", "GET", lambda w: f"/concepts/{w.sample.sovereignty}/history", "read_all"),
    Route("web.review", "GET", lambda w: "/review", "read_all"),
    Route("web.review_variants", "GET", lambda w: "/review/variants", "read_all"),
    Route("web.account", "GET", lambda w: "/account", "account"),
    Route("web.concept_new", "GET", lambda w: "/concepts/new", "edit"),
    Route("web.concept_edit", "GET", lambda w: f"/concepts/{w.sample.sovereignty}/edit", "edit"),
    Route("web.term_edit", "GET", lambda w: f"/terms/{w.term}/edit", "edit"),
    Route("web.concept_merge", "GET", lambda w: f"/concepts/{w.merge_a}/merge?other={w.merge_b}", "edit"),
    Route("web.concept_split", "GET", lambda w: f"/concepts/{w.split}/split", "edit"),
    Route("web.concept_delete", "GET", lambda w: f"/concepts/{w.victim}/delete", "edit"),
    Route("web.upload", "GET", lambda w: "/upload", "edit"),
    Route("web.prepare", "GET", lambda w: "/prepare", "edit"),
    Route("web.prepared", "GET", lambda w: f"/prepare/{w.sample.document_slug}", "read_all"),
    Route("web.prepared_csv", "GET", lambda w: f"/prepare/{w.sample.document_slug}/glossary.csv", "read_all"),
    Route("web.admin_users", "GET", lambda w: "/admin/users", "admin"),
    Route("web.admin_user", "GET", lambda w: f"/admin/users/{w.other_user}", "admin"),
    # Writes, each on data of its own so that the order does not matter.
    Route(
        "web.comment_add",
        "POST",
        lambda w: f"/concepts/{w.sample.sovereignty}/comments",
        "comment",
        lambda w, s: {"body": "Source: the 2015 speech."},
    ),
    Route(
        "web.concept_new",
        "POST",
        lambda w: "/concepts/new",
        "edit",
        lambda w, s: {"zh": "数据安全", "en": "data security"},
    ),
    Route(
        "web.concept_edit",
        "POST",
        lambda w: f"/concepts/{w.sample.sovereignty}/edit",
        "edit",
        lambda w, s: {"note": "checked", "version": _version(s, w.sample.sovereignty)},
    ),
    Route(
        "web.concept_status",
        "POST",
        lambda w: f"/concepts/{w.sample.attack}/status",
        "edit",
        lambda w, s: {"status": "approved", "version": _version(s, w.sample.attack)},
    ),
    Route(
        "web.term_add",
        "POST",
        lambda w: f"/concepts/{w.sample.security}/terms",
        "edit",
        lambda w, s: {
            "language": "en",
            "text": "cyber security",
            "usage_status": "admitted",
            "version": _version(s, w.sample.security),
        },
    ),
    Route(
        "web.term_edit",
        "POST",
        lambda w: f"/terms/{w.term}/edit",
        "edit",
        lambda w, s: {
            "text": "cyber sovereignty",
            "usage_status": "preferred",
            "review": "accepted",
            "version": _version(s, w.sample.sovereignty),
        },
    ),
    Route(
        "web.term_review",
        "POST",
        lambda w: f"/terms/{w.variant}/review",
        "edit",
        lambda w, s: {"review": "accepted", "version": _version(s, w.sample.sovereignty)},
    ),
    Route(
        "web.term_usage",
        "POST",
        lambda w: f"/terms/{w.term}/usage",
        "edit",
        lambda w, s: {"usage": "preferred", "version": _version(s, w.sample.sovereignty)},
    ),
    Route(
        "web.citation_remove",
        "POST",
        lambda w: f"/concepts/{w.sample.sovereignty}/citations/{_cited_segment(w.sample.sovereignty)}/remove",
        "edit",
        lambda w, s: {"version": _version(s, w.sample.sovereignty)},
    ),
    Route(
        "web.citation_restore",
        "POST",
        lambda w: f"/history/{w.history_entry}/restore-citation",
        "edit",
        lambda w, s: {"version": _version(s, w.sample.space)},
    ),
    Route(
        "web.citations_find",
        "POST",
        lambda w: f"/concepts/{w.sample.security}/citations/find",
        "edit",
        lambda w, s: {"version": _version(s, w.sample.security)},
    ),
    Route(
        "web.term_remove",
        "POST",
        lambda w: f"/terms/{w.split_term}/remove",
        "edit",
        lambda w, s: {"version": _version(s, w.split)},
    ),
    Route(
        "web.concept_split",
        "POST",
        lambda w: f"/concepts/{w.sample.governance}/split",
        "edit",
        lambda w, s: {
            "term_ids": [_english_term(s, w.sample.governance)],
            "version": _version(s, w.sample.governance),
        },
    ),
    Route(
        "web.concept_merge",
        "POST",
        lambda w: f"/concepts/{w.merge_a}/merge",
        "edit",
        lambda w, s: {
            "target_id": w.merge_a,
            "other_id": w.merge_b,
            f"version_{w.merge_a}": _version(s, w.merge_a),
            f"version_{w.merge_b}": _version(s, w.merge_b),
        },
    ),
    Route(
        "web.concept_delete",
        "POST",
        lambda w: f"/concepts/{w.victim}/delete",
        "edit",
        lambda w, s: {"version": _version(s, w.victim)},
    ),
    Route(
        "web.history_revert",
        "POST",
        lambda w: f"/history/{w.history_entry}/revert",
        "edit",
        lambda w, s: {},
    ),
    Route(
        "web.review_decide",
        "POST",
        lambda w: "/review/decide",
        "edit",
        lambda w, s: {
            "one": f"{w.sample.community}:candidate",
            f"version_{w.sample.community}": _version(s, w.sample.community),
        },
    ),
    Route(
        "web.review_variants_decide",
        "POST",
        lambda w: "/review/variants/decide",
        "edit",
        lambda w, s: {
            "one": f"{w.variant}:rejected",
            f"version_{w.sample.sovereignty}": _version(s, w.sample.sovereignty),
        },
    ),
    Route("web.upload_post", "POST", lambda w: "/upload", "edit", lambda w, s: {}),
    Route("web.prepare_post", "POST", lambda w: "/prepare", "edit", lambda w, s: {"text": ""}),
    Route(
        "web.token_create", "POST", lambda w: "/account/tokens", "account", lambda w, s: {"name": "matrix"}
    ),
    Route(
        "web.token_revoke",
        "POST",
        lambda w: f"/account/tokens/{w.token}/revoke",
        "account",
        lambda w, s: {},
    ),
    Route(
        "web.password_change",
        "POST",
        lambda w: "/account/password",
        "account",
        lambda w, s: {"current": PASSWORD, "new": PASSWORD, "confirm": PASSWORD},
    ),
    Route(
        "web.admin_users",
        "POST",
        lambda w: "/admin/users",
        "admin",
        lambda w, s: {"username": "newcomer", "password": "a long password", "role": "translator"},
    ),
    Route(
        "web.admin_user",
        "POST",
        lambda w: f"/admin/users/{w.other_user}",
        "admin",
        lambda w, s: {"role": "editor", "active": "y"},
    ),
    Route(
        "web.login",
        "POST",
        lambda w: "/login",
        "public",
        lambda w, s: {"username": "nobody", "password": "x"},
    ),
    # Export and import (termbase/web/exchange.py).
    Route("web.export", "GET", lambda w: "/export", "read"),
    Route("web.export_download", "GET", lambda w: "/export/download?format=tbx-basic-2008", "read"),
    Route("web.import_page", "GET", lambda w: "/import", "edit"),
    Route("web.import_preview", "POST", lambda w: "/import", "edit", lambda w, s: {}),
    Route("web.import_confirm", "POST", lambda w: "/import/confirm", "edit", lambda w, s: {}),
    Route("web.import_cancel", "POST", lambda w: "/import/cancel", "edit", lambda w, s: {}),
    Route("web.logout", "POST", lambda w: "/logout", "public", lambda w, s: {}),
]


_CITED: dict[int, int] = {}


def _cited_segment(concept_id: int) -> int:
    """A segment citing the concept (looked up by _world, which sees the database)."""
    return _CITED[concept_id]


def _english_term(session: Session, concept_id: int) -> int:
    term_id = session.scalar(select(Term.id).where(Term.concept_id == concept_id, Term.language == "en"))
    assert term_id is not None
    return term_id


def _world(session: Session, viewer_role: str | None) -> World:
    sample = build_sample(session)

    def pair(zh: str, en: str) -> int:
        return create_concept(
            session,
            [TermInput(language="zh-Hans", text=zh), TermInput(language="en", text=en)],
            actor="test",
            status="candidate",
        ).id

    victim = pair("测试条目", "test entry")
    merge_a, merge_b = pair("数字经济", "digital economy"), pair("数字经济体", "digital economy")
    split = create_concept(
        session,
        [
            TermInput(language="zh-Hans", text="信息技术"),
            TermInput(language="en", text="information technology"),
            TermInput(language="en", text="ICT"),
        ],
        actor="test",
        status="candidate",
    ).id
    split_term = session.scalar(select(Term.id).where(Term.concept_id == split, Term.text == "ICT"))
    term = session.scalar(
        select(Term.id).where(Term.concept_id == sample.sovereignty, Term.text == "cyber sovereignty")
    )
    variant = session.scalar(
        select(Term.id).where(Term.concept_id == sample.sovereignty, Term.text == "Internet sovereignty")
    )
    assert split_term is not None
    assert term is not None
    assert variant is not None
    # A change to revert: a status change on the cyberspace entry.
    set_status(session, sample.space, "candidate", version=None, actor="test")
    session.flush()
    entry = session.scalar(
        select(HistoryEntry.id)
        .where(HistoryEntry.concept_id == sample.space)
        .order_by(HistoryEntry.id.desc())
    )
    other = user_service.create_user(session, "someone", PASSWORD, "translator")
    viewer = (
        user_service.create_user(session, f"{viewer_role}-viewer", PASSWORD, viewer_role)
        if viewer_role
        else None
    )
    token_owner = viewer or other
    user_service.create_token(session, token_owner, "existing")
    session.flush()
    token = session.scalar(select(ApiToken.id).where(ApiToken.user_id == token_owner.id))
    assert entry is not None
    assert token is not None
    cited = session.scalar(
        select(Citation.segment_id)
        .join(Term, Term.id == Citation.term_id)
        .where(Term.concept_id == sample.sovereignty)
        .limit(1)
    )
    assert cited is not None
    _CITED[sample.sovereignty] = cited
    session.commit()
    return World(sample, victim, merge_a, merge_b, split, split_term, term, variant, entry, other.id, token)


def _outcome(status: int, location: str) -> str:
    if status in (301, 302, 303) and "/login" in location and "next=" in location:
        return "login"
    if status == 403:
        return "forbidden"
    if status >= 500 or status == 401:
        return f"error {status}"
    return "ok"


VIEWERS = ["anon-read", "anon-none", "translator", "editor", "admin"]


def test_every_web_route_is_in_the_matrix(app: Flask) -> None:
    registered = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("web.")}
    assert registered == {route.endpoint for route in ROUTES}


@pytest.mark.parametrize("viewer", VIEWERS)
def test_authorization_matrix(app: Flask, client: FlaskClient, session: Session, viewer: str) -> None:
    app.config["ANONYMOUS_ACCESS"] = "none" if viewer == "anon-none" else "read"
    role = None if viewer.startswith("anon") else viewer
    world = _world(session, role)
    mismatches = []
    for route in ROUTES:
        if role is not None:
            client.post("/login", data={"username": f"{role}-viewer", "password": PASSWORD})
        url = route.url(world)
        data = route.data(world, session) if route.data else None
        session.expire_all()
        response = client.open(url, method=route.method, data=data)
        got = _outcome(response.status_code, response.headers.get("Location", ""))
        expected = RULES[route.rule][viewer]
        if got != expected:
            mismatches.append(
                f"{route.method} {url} ({route.endpoint}): expected {expected}, got {got} ({response.status_code})"
            )
    assert not mismatches, "\n".join(mismatches)
