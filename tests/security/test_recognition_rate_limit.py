"""Recognition and QA, through the API and the web's paste page, are rate limited per client."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from termbase.config import load_settings

LIMIT = 5


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "RECOGNITION_RATE_LIMIT": f"{LIMIT} per minute"}


def _recognize(client: FlaskClient, text: str = "a short segment", **kwargs: Any) -> Any:
    return client.post("/api/v1/recognize", json={"text": text}, **kwargs)


def _assert_refused(response: Any) -> None:
    assert response.status_code == 429, response.status_code
    assert 0 < int(response.headers["Retry-After"]) <= 60


def test_anonymous_recognition_gets_429_with_retry_after(client: FlaskClient) -> None:
    for _ in range(LIMIT):
        response = _recognize(client)
        assert response.status_code == 200
        assert "Retry-After" not in response.headers
    refused = _recognize(client)
    _assert_refused(refused)
    assert refused.get_json()["error"]["code"] == "too_many_requests"


def test_recognition_qa_and_paste_share_one_budget(client: FlaskClient) -> None:
    for _ in range(2):
        assert _recognize(client).status_code == 200
    for _ in range(2):
        assert client.post("/api/v1/qa", json={"source": "一段话", "target": "a sentence"}).status_code == 200
    assert client.post("/paste", data={"text": "a pasted segment"}).status_code == 200
    _assert_refused(client.post("/paste", data={"text": "one more"}))
    _assert_refused(client.post("/api/v1/qa", json={"source": "一段话", "target": "a sentence"}))
    assert client.get("/paste").status_code == 200  # only the recognizing request counts


def test_each_client_has_its_own_budget(
    app: Flask, client: FlaskClient, api_token: Callable[[str], str]
) -> None:
    for _ in range(LIMIT):
        _recognize(client)
    _assert_refused(_recognize(client))
    # Another address, and a token holder at the same address, are not held back.
    assert _recognize(app.test_client(), environ_base={"REMOTE_ADDR": "127.0.0.9"}).status_code == 200
    token = api_token("translator")
    headers = {"Authorization": f"Bearer {token}"}
    for _ in range(LIMIT):
        assert _recognize(app.test_client(), headers=headers).status_code == 200
    # The token holder is one client wherever they connect from.
    _assert_refused(_recognize(app.test_client(), headers=headers, environ_base={"REMOTE_ADDR": "127.0.0.7"}))


def test_long_texts_cost_more(client: FlaskClient) -> None:
    # 1 + 1 per 1,000 characters: 4,000 characters cost the whole budget of 5.
    assert _recognize(client, "word " * 800).status_code == 200
    _assert_refused(_recognize(client))


def test_the_limit_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings()["RECOGNITION_RATE_LIMIT"] == "300 per minute"
    monkeypatch.setenv("TERMBASE_RECOGNITION_RATE_LIMIT", "10 per second")
    assert load_settings()["RECOGNITION_RATE_LIMIT"] == "10 per second"
