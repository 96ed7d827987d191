"""Imports whose term keys a worker process derives store what an import in one process does."""

from __future__ import annotations

import io
import subprocess
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session
from tbx_fixtures import Populated, wipe

from termbase.models import Concept, Definition, Term, TermSuffix
from termbase.services import importing, workers
from termbase.services.errors import Invalid
from termbase.services.exporting import ExportOptions, export_stream
from termbase.services.importing import import_file


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[subprocess.Popen[bytes]]:
    processes: list[subprocess.Popen[bytes]] = []
    popen = subprocess.Popen

    def spy(*args: Any, **kwargs: Any) -> subprocess.Popen[bytes]:
        process: subprocess.Popen[bytes] = popen(*args, **kwargs)
        processes.append(process)
        return process

    monkeypatch.setattr(workers.subprocess, "Popen", spy)
    return processes


def stored(session: Session) -> list[Any]:
    """What an import writes, less ids and the import's own timestamps."""
    term_columns = [c for c in Term.__table__.c if c.name not in ("id", "concept_id", "created_at")]
    concept_columns = [c for c in Concept.__table__.c if c.name not in ("id",)]
    return [
        sorted(map(tuple, session.execute(select(*concept_columns)).all()), key=repr),
        sorted(map(tuple, session.execute(select(*term_columns)).all()), key=repr),
        sorted(
            session.execute(
                select(Term.language, Term.text, TermSuffix.field, TermSuffix.key).join(TermSuffix)
            ).all()
        ),
        sorted(
            session.execute(select(Definition.language, Definition.text, Definition.source)).all(), key=repr
        ),
    ]


def imported(session: Session, data: bytes, **options: Any) -> list[Any]:
    wipe(session)
    report = import_file(session, io.BytesIO(data), filename="in.tbx", dry_run=False, actor="x", **options)
    session.commit()
    assert report.new > 1
    return stored(session)


@pytest.mark.parametrize("fmt", ["tbx-basic-2008", "tbx-basic-v3"])
def test_a_worker_derives_the_same_keys(
    session: Session, populated: Populated, started: list[subprocess.Popen[bytes]], fmt: str
) -> None:
    data = b"".join(export_stream(session, ExportOptions(format=fmt, status="all")))
    alone = imported(session, data, workers=1, parallel_from=10_000)
    assert not started
    # One entry a batch: the worker gets requests while the first replies are still out.
    apart = imported(session, data, workers=1, parallel_from=1, batch_size=1)
    assert len(started) == 1
    assert apart == alone
    assert started[0].poll() == 0


def test_entries_merge_across_batches_a_worker_keyed(
    session: Session, started: list[subprocess.Popen[bytes]]
) -> None:
    rows = "".join(f"术语{n},term {n}\n" for n in range(30)) + "术语3,term three\n"
    data = ("zh,en\n" + rows).encode()
    report = import_file(
        session,
        io.BytesIO(data),
        filename="g.csv",
        dry_run=False,
        actor="x",
        workers=1,
        parallel_from=5,
        batch_size=4,
    )
    assert (report.new, report.updated) == (30, 1)
    assert len(started) == 1
    concept = select(Term.concept_id).where(Term.text == "术语3").scalar_subquery()
    merged = session.scalars(select(Term.text).where(Term.concept_id == concept, Term.language == "en"))
    assert sorted(merged) == ["term 3", "term three"]


def test_a_key_too_long_is_refused_with_its_line(session: Session) -> None:
    rows = "".join(f"术语{n},term {n}\n" for n in range(10)) + "网络" * 150 + ",net\n"
    with pytest.raises(Invalid, match="too long") as caught:
        import_file(
            session,
            io.BytesIO(("zh,en\n" + rows).encode()),
            filename="long.csv",
            dry_run=False,
            actor="x",
            workers=1,
            parallel_from=2,
            batch_size=2,
        )
    session.rollback()
    assert caught.value.details == {"file": "long.csv", "line": 12, "element": "term"}
    assert session.scalar(select(Concept.id).limit(1)) is None


def test_a_worker_that_dies_fails_the_import(
    session: Session, monkeypatch: pytest.MonkeyPatch, started: list[subprocess.Popen[bytes]]
) -> None:
    monkeypatch.setattr(importing, "WORKER_MODULE", "termbase.no_such_module")
    data = ("zh,en\n" + "".join(f"术语{n},term {n}\n" for n in range(10))).encode()
    with pytest.raises(RuntimeError, match="import worker stopped"):
        import_file(
            session, io.BytesIO(data), filename="g.csv", dry_run=False, actor="x", workers=1, parallel_from=2
        )
    session.rollback()
    assert session.scalar(select(Concept.id).limit(1)) is None
    assert all(process.poll() is not None for process in started)


def test_the_command_uses_a_worker_for_a_large_file(
    app: Flask, runner: FlaskCliRunner, started: list[subprocess.Popen[bytes]], tmp_path: Any
) -> None:
    app.config.update(IMPORT_WORKERS=1)
    path = tmp_path / "big.csv"
    path.write_text("zh,en\n" + "".join(f"术语{n},term {n}\n" for n in range(importing.PARALLEL_FROM + 10)))
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 0, result.output
    assert f"{importing.PARALLEL_FROM + 10} new" in result.output
    assert len(started) == 1
