"""``termbase ingest`` and ``termbase seed``: documents into the corpus."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from termbase.cli.common import transaction
from termbase.models import Document
from termbase.services import extraction
from termbase.services.ingesting import ingest_path, ingest_paths
from termbase.text.wording import counted


@click.command("ingest")
@with_appcontext
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--actor", default=None, help="Name shown in the report.")
def ingest_command(paths: tuple[Path, ...], actor: str | None) -> None:
    """Read documents from files and folders into the corpus.

    Plain text in any bilingual layout (alternating paragraphs or lines, Chinese then English,
    English then Chinese, "中文 | English" or "中文 English" per line), Chinese only, English
    only; saved web pages, Word DOCX, text PDFs, XLIFF 1.2/2.0, TMX, tab-separated pairs, and
    NAME.zh.txt + NAME.en.txt pairs. A folder's
    manifest.json gives titles, authors, dates and slugs. Unchanged files are skipped; a
    changed file becomes a new version. Nothing is written if any file is bad.
    """
    with transaction() as session:
        report = ingest_paths(
            session, list(paths), actor=actor, max_bytes=int(current_app.config["MAX_INGEST_BYTES"])
        )
    click.echo(str(report))


@click.command("seed")
@with_appcontext
def seed_command() -> None:
    """Load the seed documents (seeds/ with its manifest) into a database that has no documents yet."""
    seeds = Path(current_app.config["SEEDS_PATH"])
    with transaction() as session:
        existing = session.scalar(select(func.count()).select_from(Document))
        if existing:
            click.echo(
                f"{counted(existing, 'document')} already loaded; seeds not ingested (termbase ingest adds more)"
            )
            return
        report = ingest_path(
            session, seeds, actor="seed", max_bytes=int(current_app.config["MAX_INGEST_BYTES"])
        )
        # Further steps on the seeded documents go here, inside the same transaction.
        click.echo(extraction.extract(session, actor="seed").summary())
    click.echo(str(report))
