"""Fixtures for the reliability tests: a served app on loopback, users, and full database dumps."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from livehttp import serve
from sqlalchemy import select
from sqlalchemy.orm import Session

from termbase.app import create_app
from termbase.db import Base, make_engine
from termbase.models import User
from termbase.services import concepts as concept_service
from termbase.services import users as user_service
from termbase.services.concepts import TermInput

PASSWORD = "correct horse battery"

Dump = dict[str, list[dict[str, Any]]]


def dump_database(url: str) -> Dump:
    """Every row of every table, in primary-key order, read through a connection of its own."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {
                table.name: [
                    dict(row)
                    for row in conn.execute(select(table).order_by(*table.primary_key.columns)).mappings()
                ]
                for table in Base.metadata.sorted_tables
            }
    finally:
        engine.dispose()


@pytest.fixture
def dump() -> Callable[[str], Dump]:
    return dump_database


@pytest.fixture
def live(app: Flask, app_config: dict[str, Any]) -> Iterator[str]:
    """The app served on a loopback port, one thread per request, configured as in production
    (CSRF on every form, errors answered by the app's own handlers)."""
    served = create_app({**app_config, "WTF_CSRF_ENABLED": True, "TESTING": False})
    with serve(served) as base:
        yield base
    served.extensions["termbase.engine"].dispose()


@pytest.fixture
def users(session: Session) -> Callable[..., User]:
    def _make(username: str, role: str = "editor") -> User:
        user = user_service.create_user(session, username, PASSWORD, role)
        session.commit()
        return user

    return _make


@pytest.fixture
def token_for(session: Session, users: Callable[..., User]) -> Callable[[str], str]:
    """A bearer token for a new editor called ``username``."""

    def _token(username: str) -> str:
        token = user_service.create_token(session, users(username), "tests")
        session.commit()
        return token

    return _token


@pytest.fixture
def approved_concept(session: Session) -> int:
    concept = concept_service.create_concept(
        session,
        [
            TermInput(language="zh-Hans", text="网络主权", usage_status="preferred"),
            TermInput(language="en", text="cyber sovereignty", usage_status="preferred"),
        ],
        actor="fixture",
        status="approved",
        note="original note",
    )
    session.commit()
    return concept.id
