"""Log in, log out, and the account page: password and personal API tokens."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from termbase.auth import Permission, can, login_manager
from termbase.models import ApiToken, User
from termbase.services import users as user_service
from termbase.services.errors import Invalid, NotFound
from termbase.web import bp
from termbase.web.forms import LoginForm, PasswordForm, TokenForm
from termbase.web.helpers import db, safe_next

FAILED_LOGIN = "Wrong username or password."


def _after_login_url(target: str | None) -> str:
    return safe_next(target) or url_for("web.index")


def _client_address() -> str:
    return request.remote_addr or "unknown"


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
        if current_user.is_authenticated:
            return redirect(_after_login_url(form.next.data), code=303)
    status = 200
    window = int(current_app.config.get("LOGIN_RATE_WINDOW", 300))
    if form.validate_on_submit():
        s = db()
        username = form.username.data.strip()
        address = _client_address()
        limit = int(current_app.config.get("LOGIN_RATE_LIMIT", 5))
        # Count the attempt before checking any password, and commit it: guesses sent in
        # parallel then see each other, so no more than `limit` passwords are tried per window
        # (checking first and recording after let every request in flight through).
        user_service.record_login_failure(s, username, address, window_seconds=window)
        s.commit()
        if user_service.login_blocked(s, username, address, limit=limit + 1, window_seconds=window):
            form.password.errors = [
                f"Too many failed attempts. Wait {max(1, window // 60)} minutes, or ask an administrator."
            ]
            status = 429
        else:
            user = user_service.authenticate(s, username, form.password.data)
            if user is None:
                form.password.errors = [FAILED_LOGIN]
                status = 400
            else:
                user_service.clear_login_failures(s, username, address)
                s.commit()
                session.clear()  # a fresh session: nothing from before the login carries over
                login_user(user)
                flash(f"Logged in as {user.username} ({user.role}).", "success")
                return redirect(_after_login_url(form.next.data), code=303)
    elif request.method == "POST":
        status = 400
    response = current_app.make_response(
        (
            render_template(
                "accounts/login.html", form=form, anonymous_can_read=can(Permission.READ_APPROVED)
            ),
            status,
        )
    )
    response.headers["Cache-Control"] = "no-store"
    if status == 429:
        response.headers["Retry-After"] = str(window)
    return response


@bp.post("/logout")
def logout() -> Any:
    if current_user.is_authenticated:
        s = db()
        user = s.get(User, current_user.id)
        if user is not None:
            # Ends this session everywhere: a copy of the cookie saved before no longer logs in.
            user_service.end_sessions(user)
            s.commit()
    logout_user()
    session.clear()
    flash("Logged out.", "info")
    return redirect(url_for("web.login"), code=303)


def _require_login() -> Any:
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


def _account_page(
    *,
    token_form: TokenForm | None = None,
    password_form: PasswordForm | None = None,
    new_token: str | None = None,
    new_token_name: str | None = None,
    status: int = 200,
) -> Any:
    user: User = current_user._get_current_object()
    tokens = sorted(user.tokens, key=lambda t: (t.created_at, t.id))
    response = current_app.make_response(
        (
            render_template(
                "accounts/account.html",
                user=user,
                tokens=tokens,
                token_form=token_form or TokenForm(formdata=None),
                password_form=password_form or PasswordForm(formdata=None),
                new_token=new_token,
                new_token_name=new_token_name,
            ),
            status,
        )
    )
    # The page can show a new token once: never keep it in any cache.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/account")
def account() -> Any:
    return _require_login() or _account_page()


@bp.post("/account/tokens")
def token_create() -> Any:
    if (denied := _require_login()) is not None:
        return denied
    form = TokenForm()
    if not form.validate():
        return _account_page(token_form=form, status=400)
    s = db()
    user = s.get(User, current_user.id)
    assert user is not None
    name = form.name.data.strip()
    token = user_service.create_token(s, user, name)
    s.commit()
    # Shown in this response only (no redirect): the token is stored hashed and cannot be shown again.
    return _account_page(new_token=token, new_token_name=name, status=201)


@bp.post("/account/tokens/<int:token_id>/revoke")
def token_revoke(token_id: int) -> Any:
    if (denied := _require_login()) is not None:
        return denied
    s = db()
    user = s.get(User, current_user.id)
    assert user is not None
    token = s.get(ApiToken, token_id)
    name = token.name if token is not None and token.user_id == user.id else None
    try:
        user_service.revoke_token(s, user, token_id)
    except NotFound:
        flash("That token does not exist or is not yours.", "error")
        return redirect(url_for("web.account"), code=303)
    s.commit()
    flash(f"Revoked the token “{name}”. Tools using it can no longer connect.", "success")
    return redirect(url_for("web.account", _anchor="tokens"), code=303)


@bp.post("/account/password")
def password_change() -> Any:
    if (denied := _require_login()) is not None:
        return denied
    form = PasswordForm()
    if not form.validate():
        return _account_page(password_form=form, status=400)
    s = db()
    user = user_service.authenticate(s, current_user.username, form.current.data)
    if user is None:
        form.current.errors = ["That is not your current password."]
        return _account_page(password_form=form, status=400)
    try:
        user_service.set_password(s, user, form.new.data)
    except Invalid as exc:
        form.new.errors = [exc.message]
        return _account_page(password_form=form, status=400)
    s.commit()
    # The change ended every session of the account, this one too: start a fresh one here.
    session.clear()
    login_user(user)
    flash("Password changed. Every other session of this account is logged out.", "success")
    return redirect(url_for("web.account"), code=303)
