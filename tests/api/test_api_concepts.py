"""Concepts and terms over the API: listing, fetching, editing with versions, approving, deleting."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from termbase.models import Citation, Document, HistoryEntry, Segment, Term

Headers = dict[str, str]


def _get(client: FlaskClient, concept_id: int, headers: Headers) -> dict:
    response = client.get(f"/api/v1/concepts/{concept_id}", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


# ---------------------------------------------------------------------------- reading


def test_list_is_paginated_with_id_and_version(
    client: FlaskClient, editor: Headers, termbase: dict[str, int]
) -> None:
    response = client.get("/api/v1/concepts", query_string={"per_page": 2, "page": 2}, headers=editor)
    assert response.status_code == 200
    body = response.get_json()
    assert (body["page"], body["per_page"], body["total"]) == (2, 2, 5)
    assert [item["id"] for item in body["items"]] == [termbase["governance"], termbase["candidate"]]
    assert all(item["version"] == 1 for item in body["items"])
    response = client.get("/api/v1/concepts", query_string={"per_page": 2, "page": 9}, headers=editor)
    assert response.get_json()["items"] == []


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"status": "candidate"}, ["candidate"]),
        ({"status": "rejected"}, ["rejected"]),
        ({"q": "wangluo"}, ["cyberspace", "security"]),
        ({"q": "網絡空間"}, ["cyberspace"]),
        ({"q": "Cyber-Securities"}, ["security"]),
        ({"q": "guize"}, ["rejected"]),  # the list filter keeps rejected entries for editors
        ({"q": "guize", "status": "approved"}, []),
        ({"language": "zh-Hant"}, ["cyberspace"]),
        ({"q": "   "}, ["cyberspace", "security", "governance", "candidate", "rejected"]),
    ],
)
def test_list_filters(
    client: FlaskClient,
    editor: Headers,
    termbase: dict[str, int],
    filters: dict[str, str],
    expected: list[str],
) -> None:
    response = client.get("/api/v1/concepts", query_string=filters, headers=editor)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert [item["id"] for item in body["items"]] == [termbase[name] for name in expected]
    assert body["total"] == len(expected)


def _cite(session: Session, term_text: str, slug: str) -> None:
    document = Document(slug=slug, title=f"Speech {slug}", layout="pipe-pairs", content_hash="0" * 64)
    segment = Segment(
        document=document,
        position=7,
        kind="pair",
        zh_text="我们要共建网络空间命运共同体。",
        en_text="We should build a community with a shared future in cyberspace.",
    )
    term = session.scalar(select(Term).where(Term.text == term_text))
    assert term is not None
    start = segment.zh_text.index(term_text) if segment.zh_text and term_text in segment.zh_text else 0
    session.add(Citation(term=term, segment=segment, start=start, end=start + len(term_text)))
    session.commit()


def test_document_filter_and_citations(
    client: FlaskClient, session: Session, editor: Headers, termbase: dict[str, int]
) -> None:
    _cite(session, "网络空间", "wuzhen-2015")
    doc_id = session.scalar(select(Document.id))
    for value in ("wuzhen-2015", str(doc_id)):
        body = client.get("/api/v1/concepts", query_string={"document": value}, headers=editor).get_json()
        assert [item["id"] for item in body["items"]] == [termbase["cyberspace"]]
    body = client.get("/api/v1/concepts", query_string={"document": "nowhere"}, headers=editor).get_json()
    assert body["items"] == []

    concept = _get(client, termbase["cyberspace"], editor)
    [zh] = [t for t in concept["terms"] if t["text"] == "网络空间"]
    [citation] = zh["citations"]
    assert citation["document_slug"] == "wuzhen-2015"
    assert citation["position"] == 7
    assert citation["context"][citation["start"] : citation["end"]] == "网络空间"
    assert citation["translation"].startswith("We should build")


def test_fetch_gives_terms_usage_pinyin_definitions(
    client: FlaskClient, editor: Headers, make_concept: Callable[..., int]
) -> None:
    concept_id = make_concept(
        ("zh-Hans", "网络主权", "preferred"),
        ("en", "cyber sovereignty", "preferred"),
        ("en", "internet sovereignty", "deprecated"),
        definitions={"en": "A state's authority over the networks on its territory."},
        subject_field="Internet governance",
    )
    concept = _get(client, concept_id, editor)
    assert concept["subject_field"] == "Internet governance"
    assert concept["definitions"] == {"en": "A state's authority over the networks on its territory."}
    assert [(t["text"], t["usage_status"], t["pinyin"]) for t in concept["terms"]] == [
        ("网络主权", "preferred", "wǎngluò zhǔquán"),
        ("cyber sovereignty", "preferred", None),
        ("internet sovereignty", "deprecated", None),
    ]
    assert concept["created_at"].endswith(("Z", "+00:00"))


def test_unknown_concept_is_404(client: FlaskClient, editor: Headers) -> None:
    response = client.get("/api/v1/concepts/999", headers=editor)
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


# ---------------------------------------------------------------------------- who may read


def test_anonymous_reads_approved_only(client: FlaskClient, termbase: dict[str, int]) -> None:
    body = client.get("/api/v1/concepts").get_json()
    assert [item["id"] for item in body["items"]] == [
        termbase["cyberspace"],
        termbase["security"],
        termbase["governance"],
    ]
    assert client.get(f"/api/v1/concepts/{termbase['cyberspace']}").status_code == 200
    assert client.get(f"/api/v1/concepts/{termbase['candidate']}").status_code == 404
    body = client.get("/api/v1/concepts", query_string={"status": "candidate"}).get_json()
    assert body["items"] == []


def test_anonymous_access_none_requires_a_token(
    client: FlaskClient, termbase: dict[str, int], bearer: Callable[[str], Headers]
) -> None:
    client.application.config["ANONYMOUS_ACCESS"] = "none"
    response = client.get("/api/v1/concepts")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert client.post("/api/v1/recognize", json={"text": "网络空间"}).status_code == 401
    translator = bearer("translator")
    assert client.get("/api/v1/concepts", headers=translator).get_json()["total"] == 5


def test_translators_see_candidates_but_cannot_write(
    client: FlaskClient, bearer: Callable[[str], Headers], termbase: dict[str, int]
) -> None:
    translator = bearer("translator")
    assert client.get(f"/api/v1/concepts/{termbase['candidate']}", headers=translator).status_code == 200
    concept_id = termbase["candidate"]
    for method, url, body in (
        ("post", "/api/v1/concepts", {"terms": [{"language": "en", "text": "x"}]}),
        ("patch", f"/api/v1/concepts/{concept_id}", {"note": "x", "version": 1}),
        ("post", f"/api/v1/concepts/{concept_id}/approve", {"version": 1}),
        ("delete", f"/api/v1/concepts/{concept_id}?version=1", None),
    ):
        response = getattr(client, method)(url, json=body, headers=translator)
        assert response.status_code == 403, (method, url)
        assert response.get_json()["error"]["code"] == "forbidden"
        response = getattr(client, method)(url, json=body)
        assert response.status_code == 401, (method, url)
    assert _get(client, concept_id, translator)["version"] == 1


def test_a_wrong_token_is_refused_even_where_anonymous_may_read(client: FlaskClient) -> None:
    response = client.get("/api/v1/concepts", headers={"Authorization": "Bearer tb_wrong"})
    assert response.status_code == 401
    assert response.get_json()["error"]["message"] == "invalid API token"


# ---------------------------------------------------------------------------- writing


def test_create_concept(client: FlaskClient, session: Session, editor: Headers) -> None:
    response = client.post(
        "/api/v1/concepts",
        json={
            "terms": [
                {"language": "zh-Hans", "text": "数据跨境流动", "usage_status": "preferred"},
                {"language": "en", "text": "cross-border data flow", "part_of_speech": "noun"},
            ],
            "subject_field": "data governance",
            "confidence": 0.5,
            "definitions": {"en": "Data moving between jurisdictions."},
        },
        headers=editor,
    )
    assert response.status_code == 201
    body = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/concepts/{body['id']}")
    assert response.headers["ETag"] == '"1"'
    assert (body["status"], body["origin"], body["version"]) == ("candidate", "api", 1)
    assert body["created_by"] == "editor-api"
    assert [t["text"] for t in body["terms"]] == ["数据跨境流动", "cross-border data flow"]
    entry = session.scalar(select(HistoryEntry).where(HistoryEntry.concept_id == body["id"]))
    assert entry is not None
    assert (entry.action, entry.actor) == ("create", "editor-api")


def test_duplicate_terms_in_one_concept_conflict(client: FlaskClient, editor: Headers) -> None:
    response = client.post(
        "/api/v1/concepts",
        json={"terms": [{"language": "en", "text": "Cyberspace"}, {"language": "en", "text": "cyberspace"}]},
        headers=editor,
    )
    assert response.status_code == 409
    assert response.get_json()["error"]["details"]["field"] == "text"


def test_patch_needs_a_version_and_refuses_a_stale_one(
    client: FlaskClient, editor: Headers, termbase: dict[str, int]
) -> None:
    url = f"/api/v1/concepts/{termbase['governance']}"
    response = client.patch(url, json={"note": "no version"}, headers=editor)
    assert response.status_code == 400
    assert response.get_json()["error"]["details"]["field"] == "version"

    response = client.patch(url, json={"note": "via If-Match"}, headers={**editor, "If-Match": '"1"'})
    assert response.status_code == 200
    assert response.headers["ETag"] == '"2"'
    assert response.get_json()["note"] == "via If-Match"

    for stale in ({"json": {"note": "lost", "version": 1}}, {"json": {"note": "lost"}, "If-Match": "1"}):
        headers = {**editor, **({"If-Match": stale["If-Match"]} if "If-Match" in stale else {})}
        response = client.patch(url, json=stale["json"], headers=headers)
        assert response.status_code == 409
        assert response.get_json()["error"]["details"]["current_version"] == 2
    assert _get(client, termbase["governance"], editor)["note"] == "via If-Match"

    response = client.patch(url, json={"note": "x", "version": 2}, headers={**editor, "If-Match": '"3"'})
    assert response.status_code == 409
    response = client.patch(url, json={"note": "x"}, headers={**editor, "If-Match": "yesterday"})
    assert response.status_code == 400
    assert response.get_json()["error"]["details"]["field"] == "If-Match"


def test_patch_fields_and_nulls(client: FlaskClient, editor: Headers, termbase: dict[str, int]) -> None:
    url = f"/api/v1/concepts/{termbase['governance']}"
    body = client.patch(
        url,
        json={
            "version": 1,
            "subject_field": "governance",
            "confidence": 0.9,
            "definitions": {"en": "Rules."},
        },
        headers=editor,
    ).get_json()
    assert (body["subject_field"], body["confidence"], body["definitions"]) == (
        "governance",
        0.9,
        {"en": "Rules."},
    )
    body = client.patch(
        url,
        json={"version": 2, "subject_field": None, "status": None, "definitions": {"en": None}},
        headers=editor,
    ).get_json()
    assert (body["subject_field"], body["status"], body["definitions"]) == (None, "approved", {})


@pytest.mark.parametrize("how", ["patch", "endpoint", "if-match"])
def test_approve_and_reject(client: FlaskClient, editor: Headers, termbase: dict[str, int], how: str) -> None:
    concept_id = termbase["candidate"]
    for version, status in ((1, "approved"), (2, "rejected")):
        if how == "patch":
            response = client.patch(
                f"/api/v1/concepts/{concept_id}", json={"status": status, "version": version}, headers=editor
            )
        else:
            verb = "approve" if status == "approved" else "reject"
            url = f"/api/v1/concepts/{concept_id}/{verb}"
            if how == "endpoint":
                response = client.post(url, json={"version": version}, headers=editor)
            else:
                response = client.post(url, headers={**editor, "If-Match": f'"{version}"'})
        assert response.status_code == 200, response.get_json()
        assert (response.get_json()["status"], response.get_json()["version"]) == (status, version + 1)
    response = client.post(f"/api/v1/concepts/{concept_id}/approve", json={"version": 1}, headers=editor)
    assert response.status_code == 409


def test_terms_add_edit_remove(client: FlaskClient, editor: Headers, termbase: dict[str, int]) -> None:
    concept_id = termbase["governance"]
    response = client.post(
        f"/api/v1/concepts/{concept_id}/terms",
        json={"language": "zh-Hant", "text": "全球治理", "version": 1},
        headers=editor,
    )
    assert response.status_code == 201
    concept = response.get_json()
    [hant] = [t for t in concept["terms"] if t["language"] == "zh-Hant"]
    assert concept["version"] == 2

    response = client.patch(
        f"/api/v1/terms/{hant['id']}",
        json={"usage_status": "deprecated", "note": "Taiwan usage", "text": None},
        headers={**editor, "If-Match": '"2"'},
    )
    assert response.status_code == 200
    [hant] = [t for t in response.get_json()["terms"] if t["id"] == hant["id"]]
    assert (hant["usage_status"], hant["note"], hant["text"]) == ("deprecated", "Taiwan usage", "全球治理")

    response = client.patch(f"/api/v1/terms/{hant['id']}", json={"note": None, "version": 2}, headers=editor)
    assert response.status_code == 409

    response = client.delete(f"/api/v1/terms/{hant['id']}", query_string={"version": 3}, headers=editor)
    assert response.status_code == 200
    assert [t["language"] for t in response.get_json()["terms"]] == ["zh-Hans", "en"]
    assert response.headers["ETag"] == '"4"'
    assert (
        client.patch("/api/v1/terms/99999", json={"version": 1, "note": "x"}, headers=editor).status_code
        == 404
    )


def test_the_last_term_cannot_be_removed(
    client: FlaskClient, editor: Headers, make_concept: Callable[..., int]
) -> None:
    concept_id = make_concept(("en", "splinternet"))
    [term] = _get(client, concept_id, editor)["terms"]
    response = client.delete(f"/api/v1/terms/{term['id']}", headers={**editor, "If-Match": '"1"'})
    assert response.status_code == 409
    assert "last term" in response.get_json()["error"]["message"]


def test_delete_concept(client: FlaskClient, editor: Headers, termbase: dict[str, int]) -> None:
    url = f"/api/v1/concepts/{termbase['rejected']}"
    assert client.delete(url, headers=editor).status_code == 400
    assert client.delete(url, query_string={"version": 5}, headers=editor).status_code == 409
    response = client.delete(url, headers={**editor, "If-Match": '"1"'})
    assert response.status_code == 204
    assert response.data == b""
    assert client.get(url, headers=editor).status_code == 404
    assert client.delete(url, headers={**editor, "If-Match": "*"}).status_code == 404


def test_long_chinese_terms_are_refused_before_the_database(client: FlaskClient, editor: Headers) -> None:
    # 300 Han characters fit the text column but not the pinyin columns.
    response = client.post(
        "/api/v1/concepts", json={"terms": [{"language": "zh-Hans", "text": "网络" * 150}]}, headers=editor
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["details"]["field"] == "terms.0.text"


def test_terms_come_preferred_first_and_approval_prefers(client: FlaskClient, editor: Headers) -> None:
    response = client.post(
        "/api/v1/concepts",
        json={
            "terms": [
                {"language": "en", "text": "moon gate", "usage_status": "deprecated"},
                {"language": "en", "text": "lunar gateway"},
                {"language": "zh-Hans", "text": "月门"},
            ]
        },
        headers=editor,
    )
    body = response.get_json()
    assert [(t["text"], t["usage_status"]) for t in body["terms"]] == [
        ("月门", "admitted"),
        ("lunar gateway", "admitted"),
        ("moon gate", "deprecated"),
    ]
    url = f"/api/v1/concepts/{body['id']}"
    response = client.patch(url, json={"status": "approved", "version": body["version"]}, headers=editor)
    assert response.status_code == 200, response.get_json()
    # Chinese had no choice made: its term becomes preferred. English had one (a deprecated
    # rendering), so the editor's choices stand.
    assert [(t["text"], t["usage_status"]) for t in response.get_json()["terms"]] == [
        ("月门", "preferred"),
        ("lunar gateway", "admitted"),
        ("moon gate", "deprecated"),
    ]
