"""Helpers shared by the command modules."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app
from sqlalchemy.orm import Session

from termbase.extensions import session_factory


@contextmanager
def transaction() -> Iterator[Session]:
    """A session committed once when the command succeeds and rolled back on any error."""
    session = session_factory()()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def database_url() -> str:
    url: str = current_app.config["DATABASE_URL"]
    return url
