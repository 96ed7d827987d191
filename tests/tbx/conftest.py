"""Fixtures for the exchange tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session
from tbx_fixtures import SAMPLES, Populated, populate


@pytest.fixture
def populated(session: Session) -> Populated:
    """Concepts with every field filled, in Chinese and English, plus citations beyond the context cap."""
    return populate(session)


@pytest.fixture
def fixed_time() -> datetime:
    return datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.fixture
def sample() -> Callable[[str], bytes]:
    def _read(name: str) -> bytes:
        return (SAMPLES / name).read_bytes()

    return _read
