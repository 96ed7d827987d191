"""``termbase extract``: propose candidate term pairs from the ingested documents."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from termbase.cli.common import transaction
from termbase.services import citing, extraction, preparing
from termbase.text.wording import counted


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


@click.command("cite")
@with_appcontext
def cite_command() -> None:
    """Cite entries that have no citation yet (made by hand, through the API or by import).

    Aligned segments of the current documents holding one of an entry's Chinese terms and one
    of its English terms become its citations. New entries are cited as they are made; this
    catches up on entries made before their documents were ingested.
    """
    with transaction() as session:
        uncited = citing.uncited_concepts(session)
        cited = citing.cite_from_corpus(session, uncited)
    entries = len(cited)
    segments = sum(cited.values())
    click.echo(
        f"{counted(len(uncited), 'entry')} without citations; "
        f"cited {entries} of them in {counted(segments, 'aligned segment')}"
    )
