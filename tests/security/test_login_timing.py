"""A failed login takes as long whether or not the username exists."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session

from termbase.models import User
from termbase.services import users as user_service


def test_a_password_is_checked_for_unknown_and_disabled_users_too(
    session: Session, make_user: Callable[..., User], monkeypatch: pytest.MonkeyPatch
) -> None:
    disabled = make_user("gone", "translator")
    disabled.active = False
    session.commit()
    make_user("mei", "translator")
    checked: list[str] = []
    real = user_service.check_password_hash

    def spy(stored: str, password: str) -> bool:
        checked.append(stored)
        return real(stored, password)

    monkeypatch.setattr(user_service, "check_password_hash", spy)
    for name in ("nobody", "gone", "mei"):
        checked.clear()
        assert user_service.authenticate(session, name, "not the password") is None
        assert len(checked) == 1, name
        # The dummy is a hash of the same kind as a real one, so it costs the same.
        assert checked[0].split("$")[0] == disabled.password_hash.split("$")[0]


def test_unknown_and_known_usernames_fail_in_about_the_same_time(
    session: Session, make_user: Callable[..., User]
) -> None:
    make_user("mei", "translator")
    user_service.authenticate(session, "warm-up", "x")  # the dummy hash is made once

    def timed(name: str) -> float:
        started = time.perf_counter()
        assert user_service.authenticate(session, name, "not the password") is None
        return time.perf_counter() - started

    known = statistics.median(timed("mei") for _ in range(5))
    unknown = statistics.median(timed(f"nobody-{n}") for n in range(5))
    # Before the fix an unknown name answered ~20x faster (no hash was computed); allow for noise.
    assert unknown > known / 3, (unknown, known)
