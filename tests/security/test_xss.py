"""Stored and reflected XSS render inert: in terms, notes, definitions, comments, documents, users, URLs.

Payloads go in through the services (as an import or an editor would put them) and through
the query string; then every page reachable from the usual starting points is crawled as an
administrator (who sees the most) and as an anonymous visitor, and each page's parsed DOM
must hold no script but the site's own file, no event-handler attribute, no ``javascript:``
or ``data:`` URL and no injected element, while the payload text itself is shown, escaped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

import lxml.etree
import pytest
from crawl import Page, crawl
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from termbase.models import Document, Segment, User
from termbase.services import concepts as concept_service
from termbase.services import users as user_service
from termbase.services.concepts import TermInput
from termbase.text.normalize import match_text

PASSWORD = "correct horse battery"
PAYLOADS = [
    '<script>alert("xss1")</script>',
    '"><img src=x onerror=alert("xss2")>',
    "'><svg onload=alert('xss3')>",
    '<a href="javascript:alert(4)">xss4</a>',
    "</textarea><script>alert('xss5')</script>",
    '<iframe src="//evil.example/xss6"></iframe>',
    "<style>body{display:none}</style>xss7",
    "{{ 7*7 }}{% raw %}xss8",
    "javascript:alert('xss9')",
    '<math><mtext><table><mglyph><style><img src=x onerror=alert("xss10")>',
]
INJECTED_TAGS = {"iframe", "svg", "math", "object", "embed", "base", "meta", "link", "style", "img", "form"}


@dataclass
class World:
    concepts: list[int]
    document_slug: str
    user_id: int


def _world(session: Session) -> World:
    ids = []
    for n, payload in enumerate(PAYLOADS):
        concept = concept_service.create_concept(
            session,
            [
                TermInput(language="en", text=payload, note=payload),
                TermInput(language="zh-Hans", text=f"网络主权{n}", note=payload),
            ],
            actor="importer",
            status="approved" if n % 2 else "candidate",
            subject_field=payload[:200],
            note=payload,
            definitions={"en": payload, "zh-Hans": payload},
        )
        concept_service.add_comment(session, concept.id, author="ed", body=payload)
        concept_service.update_concept(
            session, concept.id, version=concept.version, actor="ed", note=f"{payload} (edited)"
        )
        ids.append(concept.id)
    zh, en = f"尊重网络主权0。{PAYLOADS[0]}", f"Respect {PAYLOADS[0]} here. {PAYLOADS[1]}"
    document = Document(
        slug="speech",
        title=PAYLOADS[1],
        author=PAYLOADS[2],
        venue=PAYLOADS[3],
        source_url="javascript:alert('xss-url')",
        layout="pipe-pairs",
        content_hash="abc",
    )
    document.segments.append(
        Segment(
            position=0, kind="pair", zh_text=zh, en_text=en, zh_match=match_text(zh), en_match=match_text(en)
        )
    )
    session.add(document)
    user = user_service.create_user(session, PAYLOADS[1][:80], PASSWORD, "translator")
    user_service.create_token(session, user, PAYLOADS[0])
    session.commit()
    return World(ids, "speech", user.id)


def _assert_inert(page: Page) -> None:
    assert page.status < 500, (page.url, page.status)
    if not page.html.strip() or "html" not in page.headers.get("Content-Type", ""):
        return
    raw = page.html
    for marker in ("<script>alert", "<img src=x", "<svg onload", "<iframe src=", "<style>body"):
        assert marker not in raw, (page.url, marker)
    assert "49xss8" not in raw, page.url  # no template evaluation of stored text
    tree = page.tree()
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.lower()
        if tag == "script":
            assert (element.get("src") or "").startswith("/static/"), (page.url, lxml.etree.tostring(element))
            assert not (element.text or "").strip(), page.url
        assert tag not in INJECTED_TAGS or tag in ("form", "link", "meta"), (page.url, tag)
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (page.url, tag, name)
            if name.lower() in ("href", "src", "action", "formaction", "xlink:href"):
                scheme = "".join(value.split()).lower()
                assert not scheme.startswith(("javascript:", "data:", "vbscript:")), (page.url, name, value)
    for link in tree.iter("link"):
        assert (link.get("href") or "").startswith("/static/"), page.url
    for form in tree.iter("form"):
        assert (form.get("action") or "/").startswith("/"), page.url


def _start(world: World) -> list[str]:
    reflected = quote(PAYLOADS[1])
    return [
        "/",
        f"/?q={reflected}",
        f"/?q={quote(PAYLOADS[0])}&status=all",
        "/review",
        "/review/variants",
        "/documents",
        f"/documents/{world.document_slug}",
        *[f"/concepts/{cid}" for cid in world.concepts],
        *[f"/concepts/{cid}/history" for cid in world.concepts[:3]],
        *[f"/concepts/{cid}/edit" for cid in world.concepts[:3]],
        "/admin/users",
        f"/admin/users/{world.user_id}",
        "/account",
        "/help",
        f"/login?next={reflected}",
        f"/no-such-page/{reflected}",
        f"/concepts/new?zh={reflected}&en={reflected}",
        "/export",
        "/import",
        "/upload",
    ]


def test_stored_and_reflected_payloads_render_inert_for_an_admin(
    client: FlaskClient, session: Session, login: Callable[[str], User]
) -> None:
    world = _world(session)
    login("admin")
    pages = list(crawl(client, _start(world), limit=150))
    assert len(pages) > 40
    for page in pages:
        _assert_inert(page)
    # The payloads are shown, as text: the escaping did not just drop them.
    detail = next(p for p in pages if p.url == f"/concepts/{world.concepts[0]}")
    text = detail.tree().text_content()
    assert PAYLOADS[0] in text
    assert f"{PAYLOADS[0]} (edited)" in text
    history = next(p for p in pages if p.url == f"/concepts/{world.concepts[0]}/history")
    assert f"{PAYLOADS[0]} (edited)" in history.tree().text_content()
    admin = next(p for p in pages if p.url == "/admin/users")
    assert PAYLOADS[1][:80] in admin.tree().text_content()


def test_payloads_render_inert_for_anonymous_visitors(client: FlaskClient, session: Session) -> None:
    world = _world(session)
    pages = list(crawl(client, _start(world), limit=80))
    for page in pages:
        _assert_inert(page)
    approved = next(p for p in pages if p.url == f"/concepts/{world.concepts[1]}")
    assert PAYLOADS[1] in approved.tree().text_content()


def test_posted_payloads_render_inert(
    client: FlaskClient, session: Session, login: Callable[[str], User]
) -> None:
    """Pages that echo what was just posted: paste, a refused form, the conflict page."""
    world = _world(session)
    login("editor")
    cid = world.concepts[0]
    for payload in PAYLOADS:
        responses = {
            "/paste": client.post("/paste", data={"text": f"尊重网络主权0 {payload}"}),
            "/concepts/new": client.post("/concepts/new", data={"zh": "", "en": "", "note": payload}),
            "conflict": client.post(f"/concepts/{cid}/edit", data={"note": payload, "version": "1"}),
            "comment": client.post(
                f"/concepts/{cid}/comments", data={"body": payload}, follow_redirects=True
            ),
        }
        assert responses["conflict"].status_code == 409
        for url, response in responses.items():
            _assert_inert(
                Page(url, response.status_code, dict(response.headers), response.get_data(as_text=True))
            )
        conflict = Page("conflict", 409, {}, responses["conflict"].get_data(as_text=True))
        assert payload in conflict.tree().text_content()  # shown back as the editor's change, as text


@pytest.mark.parametrize("fmt", ["tbx-basic-2008", "tbx-basic-v3"])
def test_exports_carry_payloads_as_text_not_markup(client: FlaskClient, session: Session, fmt: str) -> None:
    _world(session)
    response = client.get("/api/v1/export", query_string={"format": fmt})
    assert response.status_code == 200
    root = lxml.etree.fromstring(response.get_data())
    terms = [t.text for t in root.iter("{*}term")] + [t.text for t in root.iter("term")]
    assert PAYLOADS[1] in terms
    assert not list(root.iter("script", "{*}script", "img", "{*}img", "iframe", "{*}iframe"))


def test_json_answers_are_never_sniffed_as_html(client: FlaskClient, session: Session) -> None:
    world = _world(session)
    for url in (
        f"/api/v1/concepts/{world.concepts[1]}",
        f"/api/v1/search?q={quote(PAYLOADS[1])}",
        "/api/v1/nope<script>",
    ):
        response = client.get(url)
        assert response.mimetype == "application/json", url
        assert response.headers["X-Content-Type-Options"] == "nosniff"
