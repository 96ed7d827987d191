"""Fixtures for the exchange tests."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session
from tbx_fixtures import SAMPLES, Populated, populate

from termbase.exchange import workers


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


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[subprocess.Popen[bytes]]:
    """Every worker process started, to check how many and that none is left running."""
    processes: list[subprocess.Popen[bytes]] = []
    popen = subprocess.Popen

    def spy(*args: Any, **kwargs: Any) -> subprocess.Popen[bytes]:
        process: subprocess.Popen[bytes] = popen(*args, **kwargs)
        processes.append(process)
        return process

    monkeypatch.setattr(workers.subprocess, "Popen", spy)
    return processes
