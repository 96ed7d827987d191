"""Logical backup and restore of the whole termbase, portable between SQLite and PostgreSQL.

A backup is gzip-compressed JSON Lines: a header line, then one line per row, table by
table in foreign-key order. Rows are streamed both ways, so memory stays bounded.

Derived tables (``term_suffixes``, the substring search index) are not written: restore
rebuilds them from the terms, so a backup of any version searches the same once restored.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import DateTime, Table, delete, func, insert, select, text
from sqlalchemy.orm import Session

from termbase import __version__
from termbase.db import Base
from termbase.exchange.importing import insert_term_suffixes
from termbase.models import Term, TermSuffix
from termbase.services.errors import Invalid
from termbase.text.suffixes import text_suffixes

FORMAT = "termbase-backup"
FORMAT_VERSION = 1
BATCH = 1000
DERIVED_TABLES = frozenset({TermSuffix.__tablename__})


def _tables() -> list[Table]:
    """The tables a backup carries: all but the derived ones."""
    return [t for t in Base.metadata.sorted_tables if t.name not in DERIVED_TABLES]


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _rows(session: Session, table: Table) -> Iterator[dict[str, Any]]:
    order = list(table.primary_key.columns)
    result = session.execute(select(table).order_by(*order).execution_options(yield_per=BATCH))
    for row in result.mappings():
        yield {key: _encode(value) for key, value in row.items()}


def write_backup(session: Session, out: IO[bytes]) -> dict[str, int]:
    """Write every table to ``out``; returns the row count per table."""
    counts: dict[str, int] = {}
    with gzip.GzipFile(fileobj=out, mode="wb") as archive:
        header = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "termbase": __version__,
            "created_at": datetime.now(UTC).isoformat(),
            "tables": [t.name for t in _tables()],
        }
        archive.write((json.dumps(header) + "\n").encode())
        for table in _tables():
            counts[table.name] = 0
            for row in _rows(session, table):
                archive.write((json.dumps({"t": table.name, "r": row}, ensure_ascii=False) + "\n").encode())
                counts[table.name] += 1
    return counts


def _decode_row(table: Table, row: dict[str, Any], line: int, path: str) -> dict[str, Any]:
    unknown = set(row) - set(table.columns.keys())
    if unknown:
        raise Invalid(
            f"unknown column {sorted(unknown)[0]!r} in table {table.name}",
            details={"file": path, "line": line},
        )
    decoded = dict(row)
    for column in table.columns:
        value = decoded.get(column.name)
        if value is not None and isinstance(column.type, DateTime):
            decoded[column.name] = datetime.fromisoformat(value)
    return decoded


def _is_empty(session: Session) -> bool:
    # The termbase counter row exists in every migrated database; it does not count as content.
    return all(
        session.scalar(select(func.count()).select_from(t)) == 0 for t in _tables() if t.name != "counters"
    )


def restore_backup(session: Session, source: IO[bytes], *, path: str = "backup") -> dict[str, int]:
    """Load a backup into an empty database; all or nothing (the caller commits)."""
    if not _is_empty(session):
        raise Invalid(
            "the database is not empty; restore only into an empty database", details={"file": path}
        )
    tables = {t.name: t for t in _tables()}
    counts = {name: 0 for name in tables}
    session.execute(tables["counters"].delete())
    batch: list[dict[str, Any]] = []
    batch_table: Table | None = None

    def flush() -> None:
        if batch and batch_table is not None:
            session.execute(insert(batch_table), batch)
            batch.clear()

    try:
        with gzip.GzipFile(fileobj=source, mode="rb") as archive:
            for number, raw in enumerate(archive, start=1):
                try:
                    record = json.loads(raw)
                except json.JSONDecodeError as exc:
                    raise Invalid(f"not JSON: {exc.msg}", details={"file": path, "line": number}) from None
                if number == 1:
                    if not isinstance(record, dict) or record.get("format") != FORMAT:
                        raise Invalid("not a termbase backup", details={"file": path, "line": 1})
                    if record.get("version") != FORMAT_VERSION:
                        raise Invalid(
                            f"backup format version {record.get('version')} is not supported",
                            details={"file": path, "line": 1},
                        )
                    continue
                if (
                    not isinstance(record, dict)
                    or record.get("t") not in tables
                    or not isinstance(record.get("r"), dict)
                ):
                    raise Invalid("malformed backup line", details={"file": path, "line": number})
                table = tables[record["t"]]
                if table is not batch_table or len(batch) >= BATCH:
                    flush()
                    batch_table = table
                batch.append(_decode_row(table, record["r"], number, path))
                counts[table.name] += 1
            flush()
    except (OSError, EOFError) as exc:
        raise Invalid(f"cannot read backup: {exc}", details={"file": path}) from None
    rebuild_term_suffixes(session)
    _reset_sequences(session)
    session.flush()
    return counts


def rebuild_term_suffixes(session: Session, *, batch: int = 5 * BATCH) -> int:
    """Derive ``term_suffixes`` of every term from its text, a batch of terms at a time; the rows written."""
    connection = session.connection()
    connection.execute(delete(TermSuffix))
    written = 0
    last = 0
    while True:
        rows = connection.execute(
            select(Term.id, Term.language, Term.text).where(Term.id > last).order_by(Term.id).limit(batch)
        ).all()
        if not rows:
            return written
        values = [
            (row.id, field, key) for row in rows for field, key in text_suffixes(row.text, row.language)
        ]
        insert_term_suffixes(connection, values)
        written += len(values)
        last = rows[-1].id


def _reset_sequences(session: Session) -> None:
    """PostgreSQL keeps identity sequences apart from the data; move them past the restored ids."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in _tables():
        columns = list(table.primary_key.columns)
        if len(columns) == 1 and columns[0].autoincrement is not False and columns[0].type.python_type is int:
            session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', '{columns[0].name}'), "
                    f"COALESCE((SELECT MAX({columns[0].name}) FROM {table.name}), 0) + 1, false)"
                )
            )


def backup_to_file(session: Session, path: Path) -> dict[str, int]:
    tmp = path.with_name(path.name + ".partial")
    with tmp.open("wb") as out:
        counts = write_backup(session, out)
    tmp.replace(path)
    return counts
