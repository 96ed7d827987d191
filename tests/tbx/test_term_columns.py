"""One definition of a term's columns (``termbase.term_columns``): every user agrees with it.

A column added to the model, or a list of columns kept apart from the definition, fails here
before a bulk import writes a row the model does not expect or an export drops a column.
"""

from __future__ import annotations

import gzip
import io
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from termbase.api import schemas
from termbase.exchange import backup
from termbase.exchange.exporting import ExportOptions, export_stream
from termbase.exchange.importing import import_file
from termbase.models import Concept, HistoryEntry, Term
from termbase.services import concepts
from termbase.services.concepts import TermInput
from termbase.term_columns import (
    BOOKKEEPING,
    COLUMNS,
    DERIVED,
    EDITABLE,
    EXPORTED_COLUMNS,
    ExportedTerm,
    TermRow,
)
from termbase.text.keys import TermKeys


def test_a_term_row_is_the_terms_table_column_for_column() -> None:
    assert tuple(Term.__table__.columns.keys()) == COLUMNS
    assert set(BOOKKEEPING) < set(COLUMNS)


def test_the_named_columns_are_columns_of_the_table() -> None:
    content = set(COLUMNS) - set(BOOKKEEPING)
    assert set(DERIVED) < content
    assert set(EDITABLE) < content
    assert set(EXPORTED_COLUMNS) <= set(COLUMNS)
    assert ExportedTerm._fields == (*EXPORTED_COLUMNS, "imported")


def test_the_derived_columns_are_the_keys_term_keys_gives() -> None:
    assert tuple(name for name in TermKeys._fields if name != "suffixes") == DERIVED


def test_a_terms_json_is_its_id_language_and_editable_columns() -> None:
    # Beside its columns: its citations, and the fields an import kept on it (not columns).
    assert set(schemas.TermOut.model_fields) == {"id", "language", *EDITABLE, "citations", "fields"}


def _term_contents(session: Session) -> list[dict[str, Any]]:
    rows = session.execute(select(Term.__table__).order_by(Term.language, Term.text)).mappings()
    return [{name: row[name] for name in COLUMNS if name not in BOOKKEEPING} for row in rows]


def test_import_export_and_backup_carry_every_column(session: Session) -> None:
    concepts.create_concept(
        session,
        [
            TermInput("zh-Hans", "银杏叶标本", usage_status="preferred", part_of_speech="noun", note="叶片"),
            TermInput("en", "ginkgo leaf specimen", term_type="fullForm", note="a dried leaf"),
            TermInput("en", "leaf sample", usage_status="deprecated", part_of_speech="noun"),
        ],
        actor="editor",
        subject_field="botany",
    )
    session.commit()
    written = _term_contents(session)
    exported = b"".join(
        export_stream(session, ExportOptions(status="all", exported_at=datetime(2026, 1, 2, tzinfo=UTC)))
    )
    for model in (HistoryEntry, Term, Concept):
        session.execute(delete(model))
    session.commit()

    import_file(session, io.BytesIO(exported), filename="round.tbx", actor="importer", dry_run=False)
    session.commit()
    # The bulk insert wrote what the concept service writes, column for column.
    assert _term_contents(session) == written
    concept = session.scalars(select(Concept)).one()
    history = session.scalars(select(HistoryEntry)).one()
    assert history.after == json.loads(json.dumps(concepts.snapshot(concept), default=str))

    out = io.BytesIO()
    backup.write_backup(session, out)
    lines = [json.loads(line) for line in gzip.decompress(out.getvalue()).splitlines()[1:]]
    term_rows = [line["r"] for line in lines if line["t"] == Term.__tablename__]
    assert len(term_rows) == 3
    assert all(tuple(row) == COLUMNS for row in term_rows)
    assert all(TermRow(**row).concept_id == concept.id for row in term_rows)
