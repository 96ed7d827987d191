"""One rule for what a Chinese term may hold, shared by the forms, the API and every import."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from termbase.exchange.importing import import_file
from termbase.models import Concept, User
from termbase.services.concepts import TermInput, create_concept
from termbase.services.errors import Invalid
from termbase.text.validate import term_text_problem

PASSWORD = "correct horse battery"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("网络主权", None),
        ("5G网络", None),
        ("IP地址", None),
        ("Café网络", None),  # a mark on a letter, composed by NFC or not, is that letter's
        ("Cafe\u0301网络", None),
        ("网络😀", "emoji"),
        ("中国🇨🇳", "emoji"),
        ("网络\u2764\ufe0f", "emoji"),
        ("网\u0301络", "combining mark"),
        ("\u0301网络", "combining mark"),
        ("网络 \u20e3", "combining mark"),
    ],
)
def test_chinese_term_rule(text: str, problem: str | None) -> None:
    found = term_text_problem("zh-Hans", text)
    if problem is None:
        assert found is None
    else:
        assert found is not None
        assert problem in found
        assert "\\u" not in found
        assert "[" not in found
    assert term_text_problem("en", text) is None  # English terms are not held to it


def test_the_service_refuses_it(session: Session) -> None:
    with pytest.raises(Invalid, match="emoji") as caught:
        create_concept(session, [TermInput(language="zh-Hant", text="網絡😀")], actor="t")
    assert caught.value.details == {"field": "text"}


def test_the_api_refuses_it(client: FlaskClient, api_token: Callable[[str], str]) -> None:
    headers = {"Authorization": f"Bearer {api_token('editor')}"}
    response = client.post(
        "/api/v1/concepts", json={"terms": [{"language": "zh-Hans", "text": "网\u0301络"}]}, headers=headers
    )
    assert response.status_code == 400
    assert "combining mark that belongs to no letter" in response.get_json()["error"]["message"]


def test_the_web_form_refuses_it(
    client: FlaskClient, session: Session, make_user: Callable[..., User]
) -> None:
    user = make_user("form-editor", "editor")
    client.post("/login", data={"username": user.username, "password": PASSWORD})
    response = client.post("/concepts/new", data={"zh": "网络😀", "en": "network"})
    assert response.status_code in (200, 400)
    assert "a Chinese term cannot contain an emoji" in response.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Concept)) == 0


@pytest.mark.parametrize("workers", [0, 1])
def test_imports_refuse_it_naming_the_line(session: Session, workers: int) -> None:
    data = "zh-CN,en-US\n数据主权,data sovereignty\n网络😀,cyber smile\n"
    with pytest.raises(Invalid, match="emoji") as caught:
        import_file(
            session,
            io.BytesIO(data.encode()),
            filename="g.csv",
            dry_run=False,
            actor="importer",
            workers=workers,
            parallel_from=0,
        )
    assert caught.value.details["line"] == 3
    assert caught.value.details["file"] == "g.csv"
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Concept)) == 0
