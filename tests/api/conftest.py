"""Fixtures for API tests: bearer headers per role and a small termbase."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from termbase.services import concepts as concept_service
from termbase.services.concepts import TermInput

Headers = dict[str, str]


@pytest.fixture
def bearer(api_token: Callable[[str], str]) -> Callable[[str], Headers]:
    """``Authorization`` headers for a new user of the given role."""

    def _bearer(role: str = "editor") -> Headers:
        return {"Authorization": f"Bearer {api_token(role)}"}

    return _bearer


@pytest.fixture
def editor(bearer: Callable[[str], Headers]) -> Headers:
    return bearer("editor")


@pytest.fixture
def make_concept(session: Session) -> Callable[..., int]:
    """Create a committed concept from ``(language, text[, usage])`` tuples; returns its id."""

    def _make(*terms: tuple[str, ...], status: str = "approved", **fields: Any) -> int:
        inputs = [
            TermInput(language=t[0], text=t[1], usage_status=t[2] if len(t) > 2 else "admitted")
            for t in terms
        ]
        concept = concept_service.create_concept(session, inputs, actor="fixture", status=status, **fields)
        session.commit()
        return concept.id

    return _make


@pytest.fixture
def termbase(make_concept: Callable[..., int]) -> dict[str, int]:
    return {
        "cyberspace": make_concept(
            ("zh-Hans", "网络空间", "preferred"), ("zh-Hant", "網絡空間"), ("en", "cyberspace", "preferred")
        ),
        "security": make_concept(
            ("zh-Hans", "网络安全", "preferred"),
            ("en", "cybersecurity", "preferred"),
            ("en", "network security", "deprecated"),
        ),
        "governance": make_concept(("zh-Hans", "全球治理"), ("en", "global governance")),
        "candidate": make_concept(
            ("zh-Hans", "数字丝绸之路"), ("en", "Digital Silk Road"), status="candidate"
        ),
        "rejected": make_concept(("zh-Hans", "规则"), ("en", "rules"), status="rejected"),
    }
