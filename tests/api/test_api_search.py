"""GET /search: the UI's lookup semantics over the API."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

Headers = dict[str, str]


def _search(client: FlaskClient, headers: Headers | None = None, **params: object) -> dict:
    response = client.get("/api/v1/search", query_string=params, headers=headers or {})
    assert response.status_code == 200, response.get_json()
    body: dict = response.get_json()
    return body


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("网络空间", "cyberspace"),
        ("網絡空間", "cyberspace"),
        ("wǎngluò kōngjiān", "cyberspace"),
        ("wangluokongjian", "cyberspace"),
        ("wlkj", "cyberspace"),
        ("Cyber-Security", "security"),
        ("GLOBAL GOVERNANCES", "governance"),
    ],
)
def test_lookup_forms(
    client: FlaskClient, editor: Headers, termbase: dict[str, int], q: str, expected: str
) -> None:
    body = _search(client, editor, q=q)
    assert body["items"][0]["concept_id"] == termbase[expected]
    assert body["items"][0]["match"] == "exact"
    assert (body["page"], body["per_page"]) == (1, 20)


def test_exact_then_prefix_then_contains(
    client: FlaskClient, editor: Headers, termbase: dict[str, int]
) -> None:
    body = _search(client, editor, q="网络")
    # Prefix matches come in key order: 网络安全 before 网络空间.
    assert [(i["concept_id"], i["match"]) for i in body["items"]] == [
        (termbase["security"], "prefix"),
        (termbase["cyberspace"], "prefix"),
    ]
    assert body["total"] == 2
    body = _search(client, editor, q="治理")
    assert [(i["concept_id"], i["match"]) for i in body["items"]] == [(termbase["governance"], "contains")]
    assert _search(client, editor, q="治理", contains="false")["items"] == []


def test_did_you_mean(client: FlaskClient, editor: Headers, termbase: dict[str, int]) -> None:
    body = _search(client, editor, q="cyberspaec")
    assert body["items"] == []
    assert body["suggestions"][0]["text"] == "cyberspace"


def test_pages_and_visibility(client: FlaskClient, editor: Headers, termbase: dict[str, int]) -> None:
    first = _search(client, editor, q="wangluo", per_page=1)
    second = _search(client, editor, q="wangluo", per_page=1, page=2)
    assert first["has_more"]
    assert first["total"] is None
    assert first["items"][0]["concept_id"] != second["items"][0]["concept_id"]
    assert not second["has_more"]
    assert [i["status"] for i in _search(client, editor, q="数字丝绸之路")["items"]] == ["candidate"]
    assert _search(client, q="数字丝绸之路")["items"] == []  # anonymous: approved only


def test_filters(
    client: FlaskClient, editor: Headers, termbase: dict[str, int], make_concept: Callable[..., int]
) -> None:
    tagged = make_concept(
        ("zh-Hans", "网络治理"), ("en", "network governance"), subject_field="Internet governance"
    )
    ids = [item["concept_id"] for item in _search(client, editor, q="网络")["items"]]
    assert {termbase["cyberspace"], termbase["security"], tagged} <= set(ids)
    subject = _search(client, editor, q="网络", subject_field="Internet governance")
    assert [item["concept_id"] for item in subject["items"]] == [tagged]
    assert _search(client, editor, q="wlkj", lang="en")["items"] == []
    assert _search(client, editor, q="wlkj", lang="zh")["items"][0]["concept_id"] == termbase["cyberspace"]
    assert _search(client, editor, q="网络", document="no-such-document")["items"] == []
    candidates = _search(client, editor, q="数字", status="candidate")
    assert [item["status"] for item in candidates["items"]] == ["candidate"]
    assert (
        _search(client, editor, q="规则", status="rejected")["items"][0]["concept_id"] == termbase["rejected"]
    )
    assert _search(client, q="规则", status="rejected")["items"] == []  # anonymous: approved only
    response = client.get("/api/v1/search", query_string={"q": "x", "lang": "fr"}, headers=editor)
    assert response.status_code == 400
    assert response.get_json()["error"]["details"]["field"] == "lang"
