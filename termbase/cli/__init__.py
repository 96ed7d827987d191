"""The ``termbase`` command: Flask's CLI plus the termbase command groups.

Commands are registered on ``app.cli`` by :func:`register_commands`, so ``termbase``,
``flask --app wsgi`` and the test runner all see the same set.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click
from flask import Flask
from flask.cli import AppGroup, FlaskGroup
from sqlalchemy.exc import SQLAlchemyError

from termbase.services.errors import ServiceError


def _with_details(exc: ServiceError) -> str:
    where = ", ".join(f"{k} {v}" for k, v in exc.details.items() if k in {"file", "line", "field", "element"})
    return f"{where}: {exc.message}" if where else exc.message


def _reporting_errors(invoke: Callable[[click.Context], Any], ctx: click.Context) -> Any:
    """Run a command; domain, database and file errors become one line and exit status 1."""
    try:
        return invoke(ctx)
    except ServiceError as exc:
        raise click.ClickException(_with_details(exc)) from None
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise click.ClickException(f"database error: {reason}") from None
    except OSError as exc:
        raise click.ClickException(str(exc)) from None


class TermbaseAppGroup(AppGroup):
    def invoke(self, ctx: click.Context) -> Any:
        return _reporting_errors(super().invoke, ctx)


class TermbaseGroup(FlaskGroup):
    def invoke(self, ctx: click.Context) -> Any:
        return _reporting_errors(super().invoke, ctx)


def register_commands(app: Flask) -> None:
    from termbase.cli.backup import backup, restore
    from termbase.cli.corpus import ingest_command, seed_command
    from termbase.cli.db import db_group
    from termbase.cli.exchange import export_command, import_command
    from termbase.cli.extraction import cite_command, extract_command
    from termbase.cli.users import users_group

    app.cli = TermbaseAppGroup(app.name)
    app.cli.add_command(db_group)
    app.cli.add_command(export_command)
    app.cli.add_command(import_command)
    app.cli.add_command(ingest_command)
    app.cli.add_command(seed_command)
    app.cli.add_command(users_group)
    app.cli.add_command(backup)
    app.cli.add_command(restore)
    app.cli.add_command(extract_command)
    app.cli.add_command(cite_command)


def _create_app() -> Flask:
    from termbase.app import create_app

    return create_app()


@click.group(cls=TermbaseGroup, create_app=_create_app, load_dotenv=False)
def main() -> None:
    """termbase: a Chinese-English terminology service."""
