"""Issue 5's "Done when" on the seeded database: seeds ingested, terms extracted, some approved.

Both TBX generations exported from it pass the official schemas and our checks,
translate-toolkit reads the 2008 file with every term under its language, and the round
trip into an empty database gives the same files. Built once per module on SQLite (the
seeding takes a while); the PostgreSQL half of the exchange is covered by the other tests.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from tbx_validation import all_errors
from translate.storage import tbx as tt_tbx

from termbase.config import PROJECT_ROOT
from termbase.db import Base, make_engine, make_sessionmaker
from termbase.exchange.exporting import ExportOptions, export_stream
from termbase.exchange.importing import import_file
from termbase.models import Concept, Term
from termbase.services import concepts as concept_service
from termbase.services.extraction import extract
from termbase.services.ingesting import ingest_path
from termbase.tbx.vocab import Generation

pytestmark = pytest.mark.slow
WHEN = datetime(2026, 1, 2, tzinfo=UTC)
CODES = {"zh-Hans": "zh-CN", "zh-Hant": "zh-TW", "en": "en-US"}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sessionmaker[Session]]:
    path = tmp_path_factory.mktemp("seeded") / "seeded.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    factory = make_sessionmaker(engine)
    with factory() as session:
        ingest_path(session, PROJECT_ROOT / "seeds", actor="seed")
        extract(session, actor="extraction")
        # An editor approves every third candidate, so the default export is not empty.
        ids = session.scalars(select(Concept.id).order_by(Concept.id)).all()
        concept_service.set_status_many(session, ids[::3], "approved", actor="editor")
        session.commit()
    yield factory
    engine.dispose()


def _export(factory: sessionmaker[Session], fmt: str, status: str) -> bytes:
    with factory() as session:
        return b"".join(export_stream(session, ExportOptions(format=fmt, status=status, exported_at=WHEN)))


@pytest.mark.parametrize("fmt", [g.value for g in Generation])
@pytest.mark.parametrize("status", ["approved", "all"])
def test_seeded_exports_pass_the_official_schemas(
    seeded: sessionmaker[Session], fmt: str, status: str
) -> None:
    data = _export(seeded, fmt, status)
    assert all_errors(data, Generation(fmt), set(CODES.values())) == []


def test_translate_toolkit_reads_the_seeded_export(seeded: sessionmaker[Session]) -> None:
    store = tt_tbx.tbxfile.parsestring(_export(seeded, "tbx-basic-2008", "all"))
    seen = {
        (lang, term.text)
        for unit in store.units
        for lang in (
            node.get("{http://www.w3.org/XML/1998/namespace}lang") for node in unit.getlanguageNodes()
        )
        for term in unit.get_target_terms(lang)
    }
    with seeded() as session:
        expected = {
            (CODES[language], text)
            for language, text in session.execute(
                select(Term.language, Term.text)
                .join(Concept)
                .where(Concept.status.in_(["approved", "candidate"]), Term.review != "rejected")
            )
        }
    assert expected
    assert seen == expected


@pytest.mark.parametrize("fmt", [g.value for g in Generation])
def test_seeded_round_trip_is_identical(seeded: sessionmaker[Session], fmt: str, tmp_path: Path) -> None:
    first = _export(seeded, fmt, "all")
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    Base.metadata.create_all(engine)
    factory = make_sessionmaker(engine)
    with factory() as session:
        import_file(session, io.BytesIO(first), filename="seeded.tbx", dry_run=False, actor="importer")
        session.commit()
    assert _export(factory, fmt, "all") == first
    engine.dispose()
