"""``termbase db``: schema migrations."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from termbase import migrate
from termbase.cli.common import database_url

db_group = AppGroup("db", help="Upgrade, downgrade or check the database schema.")


@db_group.command("upgrade")
@click.argument("revision", default="head")
def upgrade(revision: str) -> None:
    """Upgrade the database to REVISION (default: head)."""
    migrate.upgrade(database_url(), revision)
    click.echo(f"database upgraded to {revision}")


@db_group.command("downgrade")
@click.argument("revision", default="-1")
def downgrade(revision: str) -> None:
    """Downgrade the database to REVISION (default: one step; "base" empties it)."""
    migrate.downgrade(database_url(), revision)
    click.echo(f"database downgraded to {revision}")


@db_group.command("check")
def check() -> None:
    """Report drift between the models and the migrated schema."""
    drift = migrate.check(database_url())
    if drift:
        raise click.ClickException(f"models and migrations differ: {drift}")
    click.echo("no drift: models and migrations agree")
