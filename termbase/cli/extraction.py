"""``termbase extract``: propose candidate term pairs from the ingested documents."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from termbase.cli.common import transaction
from termbase.services import extraction, preparing


@click.command("extract")
@click.option("--document", "document_slug", default=None, metavar="SLUG", help="Only this document.")
@click.option("--actor", default="extraction", show_default=True, help="Name recorded in the history.")
@with_appcontext
def extract_command(document_slug: str | None, actor: str) -> None:
    """Propose candidate concepts (term pairs with pinyin, citations, confidence and evidence).

    Safe to repeat: known terms only gain citations, rejected concepts stay rejected and
    approved ones are never changed; new renderings of known concepts become variant candidates.
    Chinese-only documents (texts to translate) also get their new terms proposed as entries
    that need a rendering, with the dictionary's suggested English.
    """
    with transaction() as session:
        report = extraction.extract(session, document_slug=document_slug, actor=actor)
        proposals = preparing.propose_source_terms(session, actor=actor, cite=False, only=document_slug)
    click.echo(report.summary())
    if proposals.documents:
        click.echo(proposals.summary())
