"""No open redirect: ``next`` (after login, after approving, after a review decision) stays on this site.

The check is made on the ``Location`` header as a browser would read it: browsers treat a
backslash as a slash and drop tabs and newlines, so ``/\\evil`` and ``/\\t/evil`` would leave
the site as surely as ``//evil`` does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from termbase.models import User
from termbase.services import concepts as concept_service
from termbase.services.concepts import TermInput

PASSWORD = "correct horse battery"
HOSTILE_NEXT = [
    "https://evil.example/",
    "http://evil.example",
    "//evil.example",
    "///evil.example",
    "////evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    " //evil.example",
    "http:evil.example",
    "https:/evil.example",
    "javascript:alert(document.domain)",
    "data:text/html,<script>alert(1)</script>",
    "//evil.example@localhost",
    "http://localhost@evil.example",
    "evil.example",
    "/%2F%2Fevil.example",
    "/" + "a" * 3000,
]


def _stays_here(location: str) -> bool:
    """Whether a browser would resolve ``location`` to this site."""
    as_browser = "".join(c for c in location if c not in "\t\r\n").replace("\\", "/").lstrip()
    parts = urlsplit(as_browser)
    if parts.scheme or parts.netloc:
        return parts.scheme in ("http", "https") and parts.netloc == "localhost"
    return as_browser.startswith("/") and not as_browser.startswith("//")


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_login_never_redirects_off_site(
    client: FlaskClient, make_user: Callable[..., User], target: str
) -> None:
    make_user("ed", "editor")
    page = client.get("/login", query_string={"next": target})
    assert page.status_code == 200
    # Straight from the form, and with next posted by hand.
    for data in ({"username": "ed", "password": PASSWORD, "next": target},):
        response = client.post("/login", data=data)
        assert response.status_code == 303
        location = response.headers["Location"]
        assert _stays_here(location), location
        client.post("/logout")
    # Already logged in: GET /login?next= redirects at once, and must stay here too.
    client.post("/login", data={"username": "ed", "password": PASSWORD})
    response = client.get("/login", query_string={"next": target})
    assert response.status_code == 303
    assert _stays_here(response.headers["Location"]), response.headers["Location"]


def test_a_same_site_next_is_honoured(client: FlaskClient, make_user: Callable[..., User]) -> None:
    """The check is not a blanket refusal: an ordinary path comes back."""
    make_user("ed", "editor")
    response = client.post(
        "/login", data={"username": "ed", "password": PASSWORD, "next": "/review?tab=variants"}
    )
    assert response.headers["Location"] == "/review?tab=variants"
    # The login link a refused page offers carries the page back.
    client.post("/logout")
    denied = client.get("/review")
    assert denied.status_code in (302, 303)
    assert "next=%2Freview" in denied.headers["Location"] or "next=/review" in denied.headers["Location"]


@pytest.fixture
def candidate(session: Session) -> int:
    concept = concept_service.create_concept(
        session, [TermInput(language="en", text="digital economy")], actor="t", status="candidate"
    )
    session.commit()
    return concept.id


@pytest.mark.parametrize("target", HOSTILE_NEXT[:12])
def test_editing_forms_never_redirect_off_site(
    client: FlaskClient, login: Callable[[str], User], candidate: int, target: str
) -> None:
    login("editor")
    answers: list[Any] = [
        client.post(
            f"/concepts/{candidate}/status", data={"status": "approved", "version": 1, "next": target}
        ),
        client.post(
            "/review/decide",
            data={"one": f"{candidate}:candidate", f"version_{candidate}": 2, "next": target},
        ),
    ]
    for response in answers:
        assert response.status_code == 303, response.get_data(as_text=True)[:300]
        assert _stays_here(response.headers["Location"]), response.headers["Location"]
