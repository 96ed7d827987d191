"""User administration (admins): create accounts, change roles, disable, reset passwords."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select

from termbase.auth import Permission, requires
from termbase.models import User
from termbase.records import Role
from termbase.services import users as user_service
from termbase.services.errors import Conflict, Invalid
from termbase.web import bp
from termbase.web.forms import NewUserForm, UserForm
from termbase.web.helpers import db


def _users() -> list[User]:
    return list(db().scalars(select(User).order_by(User.username)))


def _active_admins() -> int:
    return (
        db().scalar(select(func.count()).select_from(User).where(User.role == Role.ADMIN.value, User.active))
        or 0
    )


@bp.route("/admin/users", methods=["GET", "POST"])
@requires(Permission.ADMIN)
def admin_users() -> Any:
    form = NewUserForm()
    status = 200
    if form.validate_on_submit():
        s = db()
        try:
            user = user_service.create_user(s, form.username.data, form.password.data, form.role.data)
        except (Invalid, Conflict) as exc:
            s.rollback()
            target = getattr(form, exc.details.get("field", "username"), form.username)
            target.errors = [*target.errors, exc.message]
            status = 400
        else:
            s.commit()
            flash(f"Created the {user.role} account “{user.username}”.", "success")
            return redirect(url_for("web.admin_users"), code=303)
    elif form.is_submitted():
        status = 400
    return render_template("admin/users.html", users=_users(), form=form), status


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@requires(Permission.ADMIN)
def admin_user(user_id: int) -> Any:
    s = db()
    user = s.get(User, user_id)
    if user is None:
        abort(404, description=f"There is no user {user_id}.")
    form = UserForm(obj=user)
    status = 200
    if form.validate_on_submit():
        demoting = user.role == Role.ADMIN.value and (
            form.role.data != Role.ADMIN.value or not form.active.data
        )
        if demoting and user.active and _active_admins() <= 1:
            form.role.errors = ["This is the last active admin: make someone else admin first."]
            status = 400
        else:
            user_service.set_role(s, user, form.role.data)
            user.active = bool(form.active.data)
            if form.password.data:
                try:
                    user_service.set_password(s, user, form.password.data)
                except Invalid as exc:
                    s.rollback()
                    form.password.errors = [exc.message]
                    return render_template("admin/user.html", user=user, form=form), 400
            s.commit()
            flash(
                f"Saved {user.username}: {user.role}, {'active' if user.active else 'disabled'}.", "success"
            )
            if user.id == current_user.id and user.role != Role.ADMIN.value:
                return redirect(url_for("web.index"), code=303)
            return redirect(url_for("web.admin_users"), code=303)
    elif form.is_submitted():
        status = 400
    return render_template("admin/user.html", user=user, form=form), status
