"""One JSON error shape for everything under /api: 400 names the field; 401, 403, 404, 405, 409, 413, 415."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

Headers = dict[str, str]


def _error(response: TestResponse, status: int) -> dict:
    assert response.status_code == status, response.data[:300]
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["message"]
    return body["error"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "text"),
        ({"text": 5}, "text"),
        ({"text": "x", "offsets": "bytes"}, "offsets"),
        ({"text": "x", "colour": "red"}, "colour"),
        ({"text": "x" * 100_001}, "text"),
    ],
)
def test_400_names_the_bad_field(client: FlaskClient, editor: Headers, body: dict, field: str) -> None:
    error = _error(client.post("/api/v1/recognize", json=body, headers=editor), 400)
    assert error["code"] == "bad_request"
    assert error["details"]["field"] == field
    assert error["message"].startswith(field)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"terms": []}, "terms"),
        ({"terms": [{"language": "fr", "text": "cyberespace"}]}, "terms.0.language"),
        ({"terms": [{"language": "en", "text": " \u200b "}]}, "terms.0.text"),
        ({"terms": [{"language": "en", "text": "a\x00b"}]}, "terms.0.text"),
        ({"terms": [{"language": "en", "text": "x"}], "confidence": 1.5}, "confidence"),
        ({"terms": [{"language": "en", "text": "x"}], "status": "published"}, "status"),
        ({"terms": [{"language": "en", "text": "x"}], "definitions": {"de": "y"}}, "definitions.de.[key]"),
    ],
)
def test_400_names_nested_fields(client: FlaskClient, editor: Headers, body: dict, field: str) -> None:
    error = _error(client.post("/api/v1/concepts", json=body, headers=editor), 400)
    assert error["details"]["field"] == field


def test_malformed_json_is_400_on_the_body(client: FlaskClient, editor: Headers) -> None:
    response = client.post(
        "/api/v1/recognize", data=b'{"text": "\\ud800"}', content_type="application/json", headers=editor
    )
    assert _error(response, 400)["details"]["field"] == "body"
    response = client.post("/api/v1/recognize", data=b"{", content_type="application/json", headers=editor)
    assert _error(response, 400)["details"]["field"] == "body"
    response = client.post("/api/v1/recognize", data=b"", content_type="application/json", headers=editor)
    assert _error(response, 400)["details"]["field"] == "body"


def test_bad_query_parameters(client: FlaskClient, editor: Headers) -> None:
    error = _error(client.get("/api/v1/concepts?per_page=1000", headers=editor), 400)
    assert error["details"]["field"] == "per_page"
    error = _error(client.get("/api/v1/concepts?status=lost", headers=editor), 400)
    assert error["details"]["field"] == "status"
    error = _error(client.get("/api/v1/search", headers=editor), 400)
    assert error["details"]["field"] == "q"
    error = _error(client.get("/api/v1/search?q=a%00b", headers=editor), 400)
    assert error["details"]["field"] == "q"
    error = _error(client.get("/api/v1/concepts?stauts=approved", headers=editor), 400)
    assert error["details"]["field"] == "stauts"


@pytest.mark.parametrize(
    ("content_type", "data"),
    [
        ("text/plain", '{"text": "网络"}'),
        ("application/x-www-form-urlencoded", "text=%E7%BD%91"),
        ("multipart/form-data; boundary=x", "--x--"),
    ],
)
def test_non_json_bodies_are_415(client: FlaskClient, editor: Headers, content_type: str, data: str) -> None:
    response = client.post("/api/v1/recognize", data=data, content_type=content_type, headers=editor)
    assert _error(response, 415)["code"] == "unsupported_media_type"


def test_a_cross_site_form_cannot_approve(
    client: FlaskClient, editor: Headers, termbase: dict[str, int]
) -> None:
    # A browser form can send an empty urlencoded POST; the API refuses it even without a body.
    url = f"/api/v1/concepts/{termbase['candidate']}/approve"
    response = client.post(url, data="", content_type="application/x-www-form-urlencoded", headers=editor)
    _error(response, 415)


def test_json_variants_are_accepted(client: FlaskClient, editor: Headers) -> None:
    response = client.post(
        "/api/v1/recognize",
        data='{"text": "x"}',
        content_type="application/merge-patch+json; charset=utf-8",
        headers=editor,
    )
    assert response.status_code == 200


def test_oversized_bodies_are_413(client: FlaskClient, editor: Headers) -> None:
    response = client.post("/api/v1/recognize", json={"text": "网" * 2_000_000}, headers=editor)
    assert _error(response, 413)["code"] == "request_entity_too_large"
    client.application.config["API_MAX_CONTENT_LENGTH"] = 100
    response = client.post("/api/v1/qa", json={"source": "x" * 100, "target": "y"}, headers=editor)
    _error(response, 413)


def test_unknown_routes_and_methods(client: FlaskClient, editor: Headers) -> None:
    assert _error(client.get("/api/v1/nothing-here", headers=editor), 404)["code"] == "not_found"
    response = client.put("/api/v1/concepts/1", json={}, headers=editor)
    _error(response, 405)
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "PATCH", "DELETE"}
    _error(client.get("/api/v1/recognize", headers=editor), 405)


def test_server_errors_are_json_too(
    client: FlaskClient, editor: Headers, monkeypatch: pytest.MonkeyPatch
) -> None:
    from termbase.services import recognition

    def explode(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(recognition, "recognize", explode)
    client.application.config["PROPAGATE_EXCEPTIONS"] = False
    error = _error(client.post("/api/v1/recognize", json={"text": "x"}, headers=editor), 500)
    assert "boom" not in error["message"]


def test_validation_errors_say_what_is_wrong_in_plain_words(client: FlaskClient) -> None:
    body = client.get("/api/v1/search", query_string={"q": "a\x00b"}).get_json()["error"]
    assert body["message"] == "q: must not contain a NUL character (U+0000)"
    assert "^" not in body["message"]
    assert "pattern" not in str(body)
