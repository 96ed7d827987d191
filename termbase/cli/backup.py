"""``termbase backup`` and ``termbase restore``."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from termbase.cli.common import transaction
from termbase.exchange import backup as backup_service


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup(file: Path) -> None:
    """Write everything (entries, citations, documents, history, users) to FILE."""
    with transaction() as session:
        counts = backup_service.backup_to_file(session, file)
    click.echo(f"backup written to {file}: " + ", ".join(f"{n} {t}" for t, n in counts.items() if n))


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def restore(file: Path) -> None:
    """Restore FILE into an empty, migrated database; nothing is written on error."""
    with transaction() as session, file.open("rb") as source:
        counts = backup_service.restore_backup(session, source, path=str(file))
    click.echo(f"restored from {file}: " + ", ".join(f"{n} {t}" for t, n in counts.items() if n))
