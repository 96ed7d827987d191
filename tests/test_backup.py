"""Backup and restore carry everything: entries, citations, documents, history, users."""

from __future__ import annotations

import gzip
import io
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from termbase.db import Base
from termbase.exchange import backup
from termbase.exchange.importing import import_file
from termbase.models import Counter, Document, Segment, User
from termbase.services import concepts, users
from termbase.services.concepts import TermInput
from termbase.services.errors import Invalid


def _populate(session: Session) -> None:
    users.create_user(session, "ed", "long-enough-pw", "editor")
    document = Document(
        slug="speech", title="A speech", layout="pipe-pairs", content_hash="abc", date="2016-05-11"
    )
    document.segments.append(
        Segment(
            position=0,
            kind="pair",
            zh_text="尊重網絡主權",
            en_text="respect cyber sovereignty",
            zh_match="尊重网络主权",
            en_match="respect cyber sovereignty",
        )
    )
    session.add(document)
    session.flush()
    segment_id = document.segments[0].id
    concept = concepts.create_concept(
        session,
        [
            TermInput("zh-Hans", "网络主权", usage_status="preferred", citations=[(segment_id, 2, 6)]),
            TermInput("en", "cyber sovereignty", citations=[(segment_id, 8, 25)]),
        ],
        actor="ed",
        definitions={"en": "A state's authority over its cyberspace."},
        confidence=0.9,
        evidence={"method": "test", "cooccurrence": 1},
    )
    concepts.add_comment(session, concept.id, author="ed", body="Check the official rendering.")
    concepts.set_status(session, concept.id, "approved", version=concept.version, actor="ed")
    session.commit()


def _dump(session: Session) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for table in Base.metadata.sorted_tables:
        rows = session.execute(select(table).order_by(*table.primary_key.columns)).mappings()
        out[table.name] = [dict(r) for r in rows]
    return out


def _wipe(app: Flask) -> None:
    engine = app.extensions["termbase.engine"]
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)


def _backup_wipe_and_restore(app: Flask, session: Session, tmp_path: Path) -> dict[str, int]:
    """Back the termbase up to a file, empty the database and restore the file: the backup's counts."""
    path = tmp_path / "termbase.backup"
    counts = backup.backup_to_file(session, path)
    session.close()
    _wipe(app)
    with path.open("rb") as source:
        backup.restore_backup(session, source, path=str(path))
    session.commit()
    return counts


def test_backup_then_restore_into_empty_database_is_identical(
    app: Flask, session: Session, tmp_path: Path
) -> None:
    _populate(session)
    before = _dump(session)
    counts = _backup_wipe_and_restore(app, session, tmp_path)
    assert counts["concepts"] == 1
    assert counts["citations"] == 2
    assert counts["history"] == 2
    assert _dump(session) == before

    # Identity sequences moved on: new rows get fresh ids.
    user = users.create_user(session, "newcomer", "long-enough-pw")
    assert user.id > max(u["id"] for u in before["users"])


def test_restore_refuses_a_non_empty_database(session: Session, tmp_path: Path) -> None:
    _populate(session)
    buffer = io.BytesIO()
    backup.write_backup(session, buffer)
    with pytest.raises(Invalid, match="not empty"):
        backup.restore_backup(session, io.BytesIO(buffer.getvalue()))


def test_corrupt_backup_names_the_line_and_writes_nothing(app: Flask, session: Session) -> None:
    _populate(session)
    buffer = io.BytesIO()
    backup.write_backup(session, buffer)
    lines = gzip.decompress(buffer.getvalue()).splitlines()
    broken = gzip.compress(b"\n".join([*lines[:3], b"{not json", *lines[3:]]))
    session.close()
    _wipe(app)
    with pytest.raises(Invalid) as info:
        backup.restore_backup(session, io.BytesIO(broken), path="broken.backup")
    assert info.value.details == {"file": "broken.backup", "line": 4}
    session.rollback()
    assert session.scalars(select(User)).all() == []
    assert session.scalars(select(Counter)).all() == []


def test_cli_backup_and_restore(app: Flask, session: Session, runner: FlaskCliRunner, tmp_path: Path) -> None:
    _populate(session)
    path = tmp_path / "cli.backup"
    result = runner.invoke(args=["backup", str(path)])
    assert result.exit_code == 0, result.output
    session.close()
    _wipe(app)
    result = runner.invoke(args=["restore", str(path)])
    assert result.exit_code == 0, result.output
    assert "1 concepts" in result.output
    again = runner.invoke(args=["restore", str(path)])
    assert again.exit_code == 1
    assert "not empty" in again.output


def test_what_a_tbx_import_kept_survives_backup_and_restore(
    app: Flask, session: Session, tmp_path: Path
) -> None:
    """Kept fields, links between concepts, back-matter persons and the file's transactions."""
    real = Path(__file__).resolve().parent / "data" / "tbx" / "real" / "lisa-TBX-basic-sample-2008.tbx"
    import_file(session, real, filename=real.name, dry_run=False, actor="ed")
    session.commit()
    before = _dump(session)
    counts = _backup_wipe_and_restore(app, session, tmp_path)
    assert counts["concept_links"] == 2
    assert counts["persons"] == 2
    assert counts["concept_fields"] >= 10
    assert _dump(session) == before
