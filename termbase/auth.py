"""Who may do what: roles, anonymous access, login sessions and API bearer tokens."""

from __future__ import annotations

import enum
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Flask, Request, abort, current_app, request
from flask_login import LoginManager, current_user

from termbase.extensions import get_session
from termbase.models import User
from termbase.records import Role
from termbase.services import users as user_service

login_manager = LoginManager()
login_manager.login_view = "web.login"
login_manager.login_message_category = "info"
login_manager.session_protection = "strong"

F = TypeVar("F", bound=Callable[..., Any])


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
def _load_user(user_id: str) -> User | None:
    try:
        user = get_session().get(User, int(user_id))
    except ValueError:
        return None
    return user if user is not None and user.active else None


@login_manager.request_loader
def _load_user_from_bearer(req: Request) -> User | None:
    header = req.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    session = get_session()
    user = user_service.user_for_token(session, token.strip())
    if user is None:
        # A wrong token must not silently fall back to anonymous access.
        abort(401, description="invalid API token")
    session.commit()  # records last_used_at
    return user


def init_auth(app: Flask) -> None:
    login_manager.init_app(app)
