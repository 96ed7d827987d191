"""First contact: what the home page and help tell a visitor of a fresh install, and examples that work."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape

from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from web_sample import Sample

from termbase.models import User
from termbase.services import users as user_service
from termbase.services.concepts import TermInput, create_concept

EXAMPLE_RE = re.compile(r'<li><a href="(/\?q=[^"]+)" lang="[^"]+">([^<]+)</a>')


def _candidates_only(session: Session) -> None:
    """What `make run` leaves: extracted candidates, nothing approved, the demo editor."""
    for zh, en in (("数据安全", "data security"), ("网络空间治理", "cyberspace governance")):
        create_concept(
            session,
            [TermInput(language="zh-Hans", text=zh), TermInput(language="en", text=en)],
            actor="extractor",
            origin="extraction",
            status="candidate",
            confidence=0.9,
        )
    user_service.create_user(session, user_service.DEMO_USERNAME, user_service.DEMO_PASSWORD, "editor")
    session.commit()


def _hit_ids(client: FlaskClient, url: str) -> set[str]:
    html = client.get(unescape(url)).get_data(as_text=True)
    return set(re.findall(r'<a class="hit-link" href="/concepts/(\d+)"', html))


def test_fresh_install_says_what_it_holds_and_invites_the_demo_editor(
    client: FlaskClient, session: Session
) -> None:
    _candidates_only(session)
    html = client.get("/").get_data(as_text=True)
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
    assert "The termbase holds 2 entries: none approved yet, and 2 candidates await review." in text
    assert "Nothing is public until an editor approves it." in text
    assert "as the demo editor (user editor , password editor-demo )" in text
    assert 'href="/login?next=/review"' in html
    # No dead links: nothing is visible, so no example is offered, and the placeholder is neutral.
    assert 'class="examples"' not in html
    assert 'placeholder="Chinese, pinyin or English"' in html
    assert "数字签名" not in html
    assert "wlzq" not in html


def test_demo_login_is_not_shown_once_its_password_changed(client: FlaskClient, session: Session) -> None:
    _candidates_only(session)
    user = session.query(User).filter_by(username=user_service.DEMO_USERNAME).one()
    user_service.set_password(session, user, "a private password")
    session.commit()
    html = client.get("/").get_data(as_text=True)
    assert "editor-demo" not in html
    assert "Log in</a> to review the candidates." in html


def test_anonymous_examples_find_approved_entries(client: FlaskClient, sample: Sample) -> None:
    html = client.get("/").get_data(as_text=True)
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
    assert "The termbase holds 5 entries: 3 approved entries, and 2 candidates await review." in text
    assert "You see approved entries only." in text
    examples = EXAMPLE_RE.findall(html)
    assert len(examples) == 4
    approved = {str(sample.sovereignty), str(sample.security), str(sample.space)}
    for url, query in examples:
        found = _hit_ids(client, url)
        assert found & approved, (query, found)
    placeholder = re.search(r'placeholder="([^"]*)"', html)
    assert placeholder is not None
    assert unescape(placeholder.group(1)) == " · ".join(unescape(q) for _url, q in examples)
    # Drawn from entries an anonymous visitor can see: never the candidates' terms.
    assert "网络攻击" not in html
    assert "cyber attack" not in html


def test_examples_show_each_way_of_writing_a_query(client: FlaskClient, sample: Sample) -> None:
    html = client.get("/").get_data(as_text=True)
    kinds = re.findall(r'<span class="muted">\((.+?)\) finds', html)
    assert kinds == ["pinyin", "Traditional Chinese", "pinyin initials", "English"]
    assert "/?q=wangluo+zhuquan" in html  # pinyin without tones, written by word


def test_editor_is_pointed_to_the_review_queue(
    sample: Sample, as_role: Callable[[str | None], FlaskClient]
) -> None:
    html = as_role("editor").get("/").get_data(as_text=True)
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
    assert "1 proposed variant of existing entries awaits review too." in text
    assert "3 items await review: open the review queue ." in text
    assert "demo editor" not in text


def test_help_examples_come_from_the_termbase(client: FlaskClient, sample: Sample) -> None:
    html = client.get("/help").get_data(as_text=True)
    examples = EXAMPLE_RE.findall(html)
    assert examples
    for url, query in examples:
        assert _hit_ids(client, url), query
    assert "数字签名" not in html
    assert "szqm" not in html


def test_help_without_visible_entries_uses_neutral_wording(client: FlaskClient, session: Session) -> None:
    _candidates_only(session)
    html = client.get("/help").get_data(as_text=True)
    assert "For example" not in html
    assert "Pinyin initials" in html


def test_counts_agree_with_their_nouns(client: FlaskClient, session: Session, sample: Sample) -> None:
    html = client.get("/", query_string={"q": "cyber sovereignty"}).get_data(as_text=True)
    assert re.search(r"1 entry\s+for “cyber sovereignty”", html)
    create_concept(
        session,
        [
            TermInput(language="en", text="cyber sovereignty clause"),
            TermInput(language="zh-Hans", text="主权条款"),
        ],
        actor="t",
        status="approved",
    )
    session.commit()
    html = client.get("/", query_string={"q": "cyber sovereignty"}).get_data(as_text=True)
    assert re.search(r"2 entries\s+for “cyber sovereignty”", html)
    document = client.get(f"/documents/{sample.document_slug}").get_data(as_text=True)
    assert "5 segments" in document


def test_a_one_entry_summary_is_singular(client: FlaskClient, session: Session) -> None:
    create_concept(
        session,
        [TermInput(language="zh-Hans", text="数据安全"), TermInput(language="en", text="data security")],
        actor="t",
        status="approved",
    )
    session.commit()
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", client.get("/").get_data(as_text=True))).split())
    assert "The termbase holds 1 entry: 1 approved entry." in text
