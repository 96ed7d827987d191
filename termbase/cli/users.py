"""``termbase users``: accounts and API tokens."""

from __future__ import annotations

import os

import click
from flask.cli import AppGroup
from sqlalchemy import select

from termbase.cli.common import transaction
from termbase.models import User
from termbase.records import Role
from termbase.services import users as user_service
from termbase.services.users import DEMO_PASSWORD, DEMO_USERNAME

users_group = AppGroup("users", help="Create users, set roles, issue API tokens.")


def _password_from_env_or_prompt() -> str:
    password = os.environ.get("TERMBASE_PASSWORD")
    if password:
        return password
    try:
        return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))
    except click.Abort:
        raise click.ClickException("no password given (set TERMBASE_PASSWORD or answer the prompt)") from None


@users_group.command("create")
@click.argument("username")
@click.option(
    "--role", type=click.Choice([r.value for r in Role]), default=Role.TRANSLATOR.value, show_default=True
)
def create(username: str, role: str) -> None:
    """Create USERNAME; the password comes from TERMBASE_PASSWORD or a prompt."""
    password = _password_from_env_or_prompt()
    with transaction() as session:
        user_service.create_user(session, username, password, role)
    click.echo(f"created {role} {username}")


@users_group.command("role")
@click.argument("username")
@click.argument("role", type=click.Choice([r.value for r in Role]))
def set_role(username: str, role: str) -> None:
    """Give USERNAME a new ROLE."""
    with transaction() as session:
        user_service.set_role(session, user_service.get_user(session, username), role)
    click.echo(f"{username} is now {role}")


@users_group.command("list")
def list_users() -> None:
    """List users and their roles."""
    with transaction() as session:
        for user in session.scalars(select(User).order_by(User.username)):
            click.echo(f"{user.username}\t{user.role}\t{'active' if user.active else 'disabled'}")


@users_group.command("token")
@click.argument("username")
@click.option("--name", default="cli", show_default=True, help="A label to tell tokens apart.")
def token(username: str, name: str) -> None:
    """Issue an API token for USERNAME; it is printed once and stored only hashed."""
    with transaction() as session:
        secret = user_service.create_token(session, user_service.get_user(session, username), name)
    click.echo(secret)


@users_group.command("demo")
def demo() -> None:
    """Create the demo editor account when no user exists yet, and print its login."""
    with transaction() as session:
        if session.scalar(select(User.id).limit(1)) is None:
            user_service.create_user(session, DEMO_USERNAME, DEMO_PASSWORD, Role.EDITOR)
            click.echo(f"demo editor created: username {DEMO_USERNAME!r}, password {DEMO_PASSWORD!r}")
        elif session.scalar(select(User).where(User.username == DEMO_USERNAME)) is not None:
            click.echo(f"demo editor: username {DEMO_USERNAME!r}, password {DEMO_PASSWORD!r}")
