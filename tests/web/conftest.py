"""Fixtures for the web UI tests: a sample termbase and a client logged in as each role."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from web_sample import Sample, build_sample

from termbase.models import User

PASSWORD = "correct horse battery"  # the password tests/conftest.py gives every user


@pytest.fixture
def sample(session: Session) -> Sample:
    built = build_sample(session)
    session.commit()
    return built


@pytest.fixture
def as_role(
    app: Flask, client: FlaskClient, make_user: Callable[..., User]
) -> Callable[[str | None], FlaskClient]:
    """The test client logged in as a new user of ``role`` (None: stay anonymous)."""

    def _as(role: str | None) -> FlaskClient:
        if role is None:
            return client
        user = make_user(f"{role}-web", role)
        response = client.post("/login", data={"username": user.username, "password": PASSWORD})
        assert response.status_code == 303, response.status_code
        return client

    return _as
