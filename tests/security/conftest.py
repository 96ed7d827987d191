"""Fixtures for the security tests: full database dumps and a logged-in client per role."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from termbase.db import Base, make_engine
from termbase.models import User
from termbase.services import users as user_service

PASSWORD = "correct horse battery"
Dump = dict[str, list[dict[str, Any]]]


def dump_database(url: str, *, skip: tuple[str, ...] = ()) -> Dump:
    """Every row of every table (but ``skip``), in primary-key order, over a connection of its own."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {
                table.name: [
                    dict(row)
                    for row in conn.execute(select(table).order_by(*table.primary_key.columns)).mappings()
                ]
                for table in Base.metadata.sorted_tables
                if table.name not in skip
            }
    finally:
        engine.dispose()


@pytest.fixture
def dump() -> Callable[..., Dump]:
    return dump_database


@pytest.fixture
def sign_in(client: FlaskClient, session: Any) -> Callable[[str], User]:
    """Create a user of ``role`` and log the test client in as them (CSRF is off in these tests)."""

    def _sign_in(role: str) -> User:
        user = user_service.create_user(session, f"{role}-viewer", PASSWORD, role)
        session.commit()
        response = client.post("/login", data={"username": user.username, "password": PASSWORD})
        assert response.status_code == 303, response.status_code
        return user

    return _sign_in
