"""Accounts and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from functools import lru_cache

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from termbase.models import ApiToken, LoginFailure, User, utcnow
from termbase.records import Role
from termbase.services.errors import Conflict, Invalid, NotFound

MIN_PASSWORD_LENGTH = 8
TOKEN_PREFIX = "tb_"
# The account `termbase users demo` (and so `make run`) creates when there is no user yet.
DEMO_USERNAME = "editor"
DEMO_PASSWORD = "editor-demo"


def _validate_role(role: str) -> str:
    try:
        return Role(role).value
    except ValueError:
        raise Invalid(f"unknown role {role!r}; use one of: {', '.join(r.value for r in Role)}") from None


def create_user(session: Session, username: str, password: str, role: str = Role.TRANSLATOR) -> User:
    username = username.strip()
    if not username or len(username) > 80:
        raise Invalid("username must be 1 to 80 characters", details={"field": "username"})
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(
            f"password must be at least {MIN_PASSWORD_LENGTH} characters", details={"field": "password"}
        )
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise Conflict(f"user {username!r} already exists")
    user = User(username=username, password_hash=generate_password_hash(password), role=_validate_role(role))
    session.add(user)
    session.flush()
    return user


@lru_cache(maxsize=8)
def _is_demo_hash(password_hash: str) -> bool:
    # A salted hash changes with the password, so each is checked once per process.
    return check_password_hash(password_hash, DEMO_PASSWORD)


def demo_login(session: Session) -> tuple[str, str] | None:
    """The demo editor's login while the account still has its published password, else None.

    Pages offer it to visitors of a fresh `make run`; once the password is changed (or the
    account disabled or removed) it is never shown.
    """
    user = session.scalar(select(User).where(User.username == DEMO_USERNAME))
    if user is None or not user.active or not _is_demo_hash(user.password_hash):
        return None
    return DEMO_USERNAME, DEMO_PASSWORD


def get_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"no user {username!r}")
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active or not check_password_hash(user.password_hash, password):
        return None
    return user


def set_role(session: Session, user: User, role: str) -> None:
    user.role = _validate_role(role)
    session.flush()


def set_password(session: Session, user: User, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(
            f"password must be at least {MIN_PASSWORD_LENGTH} characters", details={"field": "password"}
        )
    user.password_hash = generate_password_hash(password)
    session.flush()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(session: Session, user: User, name: str = "default") -> str:
    """Create an API token and return it in clear; it is shown once and stored only hashed."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user=user, name=name[:100], token_hash=hash_token(token), prefix=token[:10]))
    session.flush()
    return token


def user_for_token(session: Session, token: str) -> User | None:
    api_token = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if api_token is None or not api_token.user.active:
        return None
    api_token.last_used_at = utcnow()
    return api_token.user


def revoke_token(session: Session, user: User, token_id: int) -> None:
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound("no such token")
    session.delete(token)
    session.flush()


def login_blocked(session: Session, username: str, address: str, *, limit: int, window_seconds: int) -> bool:
    """Whether this username has failed ``limit`` times from this address within the window."""
    since = utcnow() - timedelta(seconds=window_seconds)
    failures = session.scalar(
        select(func.count())
        .select_from(LoginFailure)
        .where(
            LoginFailure.username == username[:80],
            LoginFailure.address == address[:64],
            LoginFailure.at >= since,
        )
    )
    return bool(failures and failures >= limit)


def record_login_failure(session: Session, username: str, address: str, *, window_seconds: int) -> None:
    """Remember a failed login, and forget failures older than the window."""
    session.execute(
        delete(LoginFailure).where(LoginFailure.at < utcnow() - timedelta(seconds=window_seconds))
    )
    session.add(LoginFailure(username=username[:80], address=address[:64]))
    session.flush()


def clear_login_failures(session: Session, username: str, address: str) -> None:
    session.execute(
        delete(LoginFailure).where(
            LoginFailure.username == username[:80], LoginFailure.address == address[:64]
        )
    )
