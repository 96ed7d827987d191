"""SQL injection through every search box and filter is harmless: never an error, never more rows.

Every query is parameterised (SQLAlchemy), and LIKE wildcards in the user's text are
escaped, so ``%`` or ``_`` match only themselves. The tests check both: the database is
intact and unchanged, and an injection returns nothing that its literal text would not.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from termbase.models import Concept, Document, Segment, Term, User
from termbase.services import concepts as concept_service
from termbase.services.concepts import TermInput
from termbase.text.normalize import match_text

Dump = dict[str, list[dict[str, Any]]]
INJECTIONS = [
    "' OR '1'='1",
    "' OR 1=1 --",
    '" OR ""="',
    "'; DROP TABLE terms; --",
    "1; DELETE FROM concepts",
    "') UNION SELECT username, password_hash FROM users --",
    "' UNION SELECT NULL, NULL, NULL --",
    "%",
    "%%",
    "_",
    "%' --",
    "\\",
    "\\%",
    "*",
    "网络%",
    "%主权",
    "wang%",
    "'||(SELECT password_hash FROM users LIMIT 1)||'",
    "1' AND SLEEP(5) --",
    "'; SELECT pg_sleep(5); --",
    "$$ OR 1=1 $$",
    "E'\\x27",
    "ORDER BY 1",
    "\u02bc OR 1=1 --",  # a modifier apostrophe some normalisers fold to '
    "\uff07 OR 1=1 --",  # the fullwidth apostrophe, folded to ' by NFKC
]


@pytest.fixture
def termbase(session: Session) -> dict[str, int]:
    ids = {}
    for zh, en, status in [
        ("网络主权", "cyber sovereignty", "approved"),
        ("网络安全", "cybersecurity", "approved"),
        ("数字经济", "digital economy", "candidate"),
        ("网络攻击", "cyber attack", "rejected"),
    ]:
        ids[en] = concept_service.create_concept(
            session,
            [TermInput(language="zh-Hans", text=zh), TermInput(language="en", text=en)],
            actor="t",
            status=status,
        ).id
    zh, en = "尊重网络主权。", "Respect cyber sovereignty."
    document = Document(slug="speech", title="A speech", layout="pipe-pairs", content_hash="abc")
    document.segments.append(
        Segment(
            position=0, kind="pair", zh_text=zh, en_text=en, zh_match=match_text(zh), en_match=match_text(en)
        )
    )
    session.add(document)
    session.commit()
    return ids


def _counts(session: Session) -> tuple[int, ...]:
    session.expire_all()
    return tuple(
        session.scalar(select(func.count()).select_from(m)) or 0 for m in (Concept, Term, User, Document)
    )


@pytest.mark.parametrize("payload", INJECTIONS)
def test_injection_through_search_is_harmless(
    client: FlaskClient,
    session: Session,
    login: Callable[[str], User],
    api_token: Callable[[str], str],
    termbase: dict[str, int],
    database_url: str,
    dump: Callable[..., Dump],
    payload: str,
) -> None:
    login("editor")
    headers = {"Authorization": f"Bearer {api_token('translator')}"}
    before = dump(database_url, skip=("api_tokens",))
    q = quote(payload)
    pages = {
        "web search": client.get(f"/?q={q}&status=all"),
        "web review": client.get(f"/review?q={q}&status=all&document={q}"),
        "web documents": client.get(f"/documents?q={q}"),
        "web document": client.get(f"/documents/{q}"),
        "web new (prefill)": client.get(f"/concepts/new?zh={q}&en={q}"),
        "web merge (other)": client.get(f"/concepts/{termbase['cyber sovereignty']}/merge?other={q}"),
        "web paste": client.post("/paste", data={"text": payload}),
        "api search": client.get(f"/api/v1/search?q={q}&contains=true", headers=headers),
        "api concepts": client.get(f"/api/v1/concepts?q={q}&document={q}", headers=headers),
        "api recognize": client.post("/api/v1/recognize", json={"text": payload}, headers=headers),
        "api export": client.get(f"/api/v1/export?document={q}", headers=headers),
    }
    for where, response in pages.items():
        response.get_data()
        response.close()
        assert response.status_code < 500, (where, response.status_code)
        assert response.status_code in (200, 303, 400, 404), (where, response.status_code)
    # Nothing was read that should not be: no hashes or other users' names in any answer.
    for where, response in pages.items():
        body = response.get_data(as_text=True)
        assert "scrypt:" not in body, where
        assert "pbkdf2:" not in body, where
    # Every hit really contains the literal text (no wildcard or boolean widened the search).
    api = pages["api search"].get_json()
    for hit in api["items"]:
        assert hit["matched_text"], hit
    assert api["items"] == [] or all(
        payload.replace("%", "").replace("_", "").strip("*\\ ").lower() in (hit["matched_text"] or "").lower()
        for hit in api["items"]
    ), api["items"]
    assert dump(database_url, skip=("api_tokens",)) == before


# If these were LIKE wildcards they would match 网络主权 or "cyber sovereignty"; as text they match nothing.
@pytest.mark.parametrize("wildcard", ["%", "_", "%%", "网%权", "网_主权", "cy%ty", "c_ber"])
def test_like_wildcards_match_only_themselves(
    client: FlaskClient, api_token: Callable[[str], str], termbase: dict[str, int], wildcard: str
) -> None:
    headers = {"Authorization": f"Bearer {api_token('translator')}"}
    found = client.get("/api/v1/search", query_string={"q": wildcard, "contains": "true"}, headers=headers)
    assert found.status_code == 200
    assert found.get_json()["items"] == []
    listed = client.get("/api/v1/concepts", query_string={"q": wildcard}, headers=headers)
    assert listed.status_code in (200, 400)
    if listed.status_code == 200:
        assert listed.get_json()["items"] == []


def test_a_real_query_still_finds_its_entries(
    client: FlaskClient, api_token: Callable[[str], str], termbase: dict[str, int]
) -> None:
    """The control: the same doors answer ordinary queries."""
    headers = {"Authorization": f"Bearer {api_token('translator')}"}
    found = client.get("/api/v1/search", query_string={"q": "网络"}, headers=headers).get_json()
    assert {hit["concept_id"] for hit in found["items"]} >= {
        termbase["cyber sovereignty"],
        termbase["cybersecurity"],
    }
