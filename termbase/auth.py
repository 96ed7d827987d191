"""Who may do what: roles, anonymous access, login sessions and API bearer tokens."""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Flask, Request, abort, current_app, request
from flask_login import LoginManager, current_user
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from termbase.db import SQLITE_BUSY_TIMEOUT_MS
from termbase.extensions import get_session, session_factory
from termbase.models import User
from termbase.records import Role
from termbase.services import users as user_service

login_manager = LoginManager()
login_manager.login_view = "web.login"
login_manager.login_message_category = "info"
login_manager.session_protection = "strong"

F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger(__name__)


class Permission(enum.StrEnum):
    READ_APPROVED = "read_approved"  # look up approved entries
    READ_ALL = "read_all"  # also candidates, rejected entries, evidence, history
    COMMENT = "comment"
    EDIT = "edit"  # edit, approve, reject, merge, import, upload
    ADMIN = "admin"  # manage users


_ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    Role.TRANSLATOR: frozenset({Permission.READ_APPROVED, Permission.READ_ALL, Permission.COMMENT}),
    Role.EDITOR: frozenset(
        {Permission.READ_APPROVED, Permission.READ_ALL, Permission.COMMENT, Permission.EDIT}
    ),
    Role.ADMIN: frozenset(Permission),
}


def anonymous_permissions() -> frozenset[Permission]:
    if current_app.config["ANONYMOUS_ACCESS"] == "read":
        return frozenset({Permission.READ_APPROVED})
    return frozenset()


def can(permission: Permission) -> bool:
    """Whether the current user (or anonymous visitor) has ``permission``."""
    if current_user.is_authenticated:
        return permission in _ROLE_PERMISSIONS.get(current_user.role, frozenset())
    return permission in anonymous_permissions()


def actor_name() -> str | None:
    return cast(str, current_user.username) if current_user.is_authenticated else None


def requires(permission: Permission) -> Callable[[F], F]:
    """Guard a view: anonymous visitors get 401 (the web UI redirects to login), others 403."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not can(permission):
                if not current_user.is_authenticated:
                    if request.blueprint == "web":
                        return login_manager.unauthorized()
                    abort(401)
                abort(403)
            return view(*args, **kwargs)

        return cast(F, wrapped)

    return decorator


@login_manager.user_loader
def _load_user(session_id: str) -> User | None:
    """The user of a login session, unless they have logged out or changed password since."""
    user_id, _, version = session_id.partition(".")
    try:
        user = get_session().get(User, int(user_id))
        if user is None or not user.active or user.session_version != int(version):
            return None
    except (ValueError, OverflowError):
        return None
    return user


@login_manager.request_loader
def _load_user_from_bearer(req: Request) -> User | None:
    header = req.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    api_token = user_service.token_for(get_session(), token.strip())
    if api_token is None:
        # A wrong token must not silently fall back to anonymous access.
        abort(401, description="invalid API token")
    if user_service.token_use_is_stale(api_token):
        _record_token_use(api_token.id)
    return api_token.user


def _record_token_use(token_id: int) -> None:
    """Stamp a token's last use in a transaction of its own that never waits for a lock.

    Behind a long write (an import holds SQLite's only write lock for minutes) the stamp is
    skipped rather than holding up or failing the request; a later request records it.
    """
    engine = current_app.extensions["termbase.engine"]
    with engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        assert raw is not None
        sqlite = connection.dialect.name == "sqlite"
        try:
            if sqlite:
                raw.cursor().execute("PRAGMA busy_timeout=0")
            with session_factory()(bind=connection) as side:
                if not sqlite:
                    side.execute(text("SET LOCAL lock_timeout = '100ms'"))
                user_service.record_token_use(side, token_id)
                side.commit()
        except OperationalError:
            connection.rollback()
            log.info("API token %s: last use not recorded, the database is busy", token_id)
        finally:
            if sqlite:
                raw.cursor().execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")


def init_auth(app: Flask) -> None:
    login_manager.init_app(app)
