"""Imports into an empty SQLite termbase build the plain indexes after the rows, atomically.

PostgreSQL keeps its indexes during an import (dropping one would lock out every reader).
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
from tbx_fixtures import Populated, wipe

from termbase import migrate
from termbase.db import make_engine, make_sessionmaker
from termbase.exchange.exporting import ExportOptions, export_stream
from termbase.exchange.importing import import_file, plain_indexes
from termbase.models import Concept, Term
from termbase.services.errors import Invalid


def catalogue(connection: Connection) -> list[tuple[str, str, str]]:
    """Every index of the schema as the database states it: (table, name, definition)."""
    if connection.dialect.name == "postgresql":
        query = (
            "SELECT tablename, indexname, indexdef FROM pg_indexes "
            "WHERE schemaname = current_schema() ORDER BY indexname"
        )
    else:
        query = (
            "SELECT tbl_name, name, coalesce(sql, '') FROM sqlite_master WHERE type = 'index' ORDER BY name"
        )
    return [tuple(row) for row in connection.execute(text(query))]


def export_all(session: Session) -> bytes:
    return b"".join(export_stream(session, ExportOptions(status="all")))


class DdlLog:
    """The DROP INDEX and CREATE INDEX statements a session's engine runs."""

    def __init__(self, session: Session) -> None:
        self.engine = session.get_bind()
        self.statements: list[str] = []

    def _seen(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith(("DROP INDEX", "CREATE INDEX")):
            self.statements.append(statement)

    def __enter__(self) -> DdlLog:
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *_exc: Any) -> None:
        event.remove(self.engine, "before_cursor_execute", self._seen)

    def dropped(self) -> list[str]:
        return [s.split('"')[1] for s in self.statements if s.upper().startswith("DROP INDEX")]


def defers_indexes(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def test_empty_termbase_import_rebuilds_exactly_the_indexes_it_dropped(
    session: Session, populated: Populated
) -> None:
    data = export_all(session)
    wipe(session)
    before = catalogue(session.connection())
    deferrable = {name for name, _ddl in plain_indexes(session.connection(), ["terms", "term_suffixes"])}
    session.commit()
    with DdlLog(session) as log:
        report = import_file(session, io.BytesIO(data), filename="in.tbx", dry_run=False, actor="x")
        session.commit()
    assert report.new == 3
    assert catalogue(session.connection()) == before
    if not defers_indexes(session):
        assert log.statements == []
        return
    # The search indexes were built after the rows; the one the merge reads stayed throughout.
    assert {"ix_terms_search_key", "ix_term_suffixes_field_key"} <= set(log.dropped())
    assert "ix_terms_normalized" in deferrable - set(log.dropped())
    assert len(log.statements) == 2 * len(log.dropped())


def test_import_into_a_termbase_with_concepts_keeps_its_indexes(
    session: Session, populated: Populated
) -> None:
    data = export_all(session)
    session.execute(text("DELETE FROM concepts WHERE id <> :id"), {"id": populated.approved})
    session.commit()
    before = catalogue(session.connection())
    with DdlLog(session) as log:
        report = import_file(session, io.BytesIO(data), filename="in.tbx", dry_run=False, actor="x")
        session.commit()
    assert (report.new, report.unchanged) == (2, 1)
    assert log.statements == []
    assert catalogue(session.connection()) == before


@pytest.mark.parametrize("dry_run", [False, True])
def test_error_mid_import_leaves_rows_and_indexes_as_they_were(
    session: Session, populated: Populated, dry_run: bool
) -> None:
    good = export_all(session)
    wipe(session)
    before = catalogue(session.connection())
    broken = good.replace(
        b"</body>", b"<termEntry><langSet><tig><term>x</term></tig></langSet></termEntry></body>"
    )
    with DdlLog(session) as log, pytest.raises(Invalid, match="no xml:lang"):
        import_file(
            session, io.BytesIO(broken), filename="late.tbx", dry_run=dry_run, actor="x", batch_size=1
        )
    session.rollback()
    assert bool(log.dropped()) == defers_indexes(session)
    assert catalogue(session.connection()) == before
    assert session.scalars(select(Concept.id)).all() == []
    assert session.scalars(select(Term.id)).all() == []


def test_dry_run_into_an_empty_termbase_leaves_the_indexes(session: Session, populated: Populated) -> None:
    data = export_all(session)
    wipe(session)
    before = catalogue(session.connection())
    report = import_file(session, io.BytesIO(data), filename="in.tbx", dry_run=True, actor="x")
    session.commit()
    assert report.new == 3
    assert catalogue(session.connection()) == before
    assert session.scalars(select(Concept.id)).all() == []


@pytest.fixture
def migrated_url(empty_database: str) -> str:
    """A database made by the migrations (not by ``create_all``), on each backend."""
    migrate.upgrade(empty_database)
    return empty_database


def test_migrated_schema_is_unchanged_by_an_import_into_it(
    session: Session, populated: Populated, migrated_url: str
) -> None:
    data = export_all(session)
    engine = make_engine(migrated_url)
    try:
        with make_sessionmaker(engine)() as target:
            before = catalogue(target.connection())
            target.commit()
            report = import_file(target, io.BytesIO(data), filename="in.tbx", dry_run=False, actor="x")
            target.commit()
            assert report.new == 3
            assert catalogue(target.connection()) == before
    finally:
        engine.dispose()
    assert migrate.check(migrated_url) is None
