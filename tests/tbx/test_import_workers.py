"""Large files read by a worker process import exactly as when the importing process reads them."""

from __future__ import annotations

import os
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session
from tbx_fixtures import Populated, wipe

from termbase.exchange import importing
from termbase.exchange.exporting import ExportOptions, export_stream
from termbase.exchange.importing import ImportReport, import_file
from termbase.models import Concept, Definition, Term, TermSuffix
from termbase.services.errors import Invalid


def stored(session: Session, *, dated: bool) -> list[Any]:
    """What an import writes, less ids and the import's own timestamps (a concept's are the
    file's when it is ``dated``)."""
    term_columns = [c for c in Term.__table__.c if c.name not in ("id", "concept_id", "created_at")]
    own = {"id"} if dated else {"id", "created_at", "updated_at"}
    concept_columns = [c for c in Concept.__table__.c if c.name not in own]
    suffixes = select(Term.language, Term.text, TermSuffix.field, TermSuffix.key).join(TermSuffix)
    definitions = select(Definition.language, Definition.text, Definition.source)
    return [
        sorted(map(tuple, session.execute(select(*concept_columns)).all()), key=repr),
        sorted(map(tuple, session.execute(select(*term_columns)).all()), key=repr),
        sorted(map(tuple, session.execute(suffixes).all())),
        sorted(map(tuple, session.execute(definitions).all()), key=repr),
    ]


def run(session: Session, path: Path, **options: Any) -> ImportReport:
    options.setdefault("workers", 1)
    return import_file(session, path, filename=path.name, dry_run=False, actor="x", **options)


def imported(session: Session, path: Path, **options: Any) -> tuple[list[Any], dict[str, Any]]:
    wipe(session)
    report = run(session, path, **options)
    session.commit()
    assert report.new > 1
    outcome = report.as_dict()
    for change in outcome["changes"]:
        change.pop("concept")  # PostgreSQL numbers each run's concepts anew
    return stored(session, dated=report.format.startswith("tbx")), outcome


@pytest.mark.parametrize("fmt", ["tbx-basic-2008", "tbx-basic-v3"])
def test_a_worker_reads_what_this_process_would(
    session: Session, populated: Populated, started: list[subprocess.Popen[bytes]], tmp_path: Path, fmt: str
) -> None:
    path = tmp_path / "in.tbx"
    data = b"".join(export_stream(session, ExportOptions(format=fmt, status="all")))
    # A term under a language tag that is none: a warning from the reader.
    french = b'<langSet xml:lang="12"><tig><term>cyber</term></tig></langSet>'
    end = b"</langSet>"
    if fmt == "tbx-basic-v3":
        french = french.replace(b"langSet", b"langSec").replace(b"tig", b"termSec")
        end = b"</langSec>"
    path.write_bytes(data.replace(end, end + french, 1))
    alone = imported(session, path, parallel_from=len(data) * 2)
    assert not started
    # One entry a batch: requests go out while the first replies are still coming back.
    apart = imported(session, path, parallel_from=0, batch_size=1)
    assert len(started) == 1
    assert apart == alone
    assert any("in 12 ignored" in warning for warning in apart[1]["warnings"])
    assert started[0].poll() == 0


def test_a_worker_checks_as_this_process_would(
    session: Session, started: list[subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    """Warnings of the checks (a term twice in an entry, an over-long part of speech) and of
    the glossary reader (an unknown column, a row without a term) come back from the worker."""
    path = tmp_path / "g.csv"
    rows = "".join(f"术语{n},term {n},noun,\n" for n in range(8))
    path.write_text(
        f"zh,en,pos,mystery\n{rows}网络|網絡,network,{'n' * 41},\n,,noun,\n数据|数据,data,noun,\n"
    )
    alone = imported(session, path, parallel_from=10**9, batch_size=3)
    assert not started
    apart = imported(session, path, parallel_from=0, batch_size=3)
    assert len(started) == 1
    assert apart == alone
    warnings = " ".join(apart[1]["warnings"])
    for expected in ("mystery", "no term", "too long", "appears twice"):
        assert expected in warnings


def test_entries_merge_across_batches_a_worker_read(
    session: Session, started: list[subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    path = tmp_path / "g.csv"
    path.write_text("zh,en\n" + "".join(f"术语{n},term {n}\n" for n in range(30)) + "術語3,Term 3\n")
    report = run(session, path, parallel_from=0, batch_size=4)
    assert (report.new, report.updated) == (30, 1)
    assert len(started) == 1
    concept = select(Term.concept_id).where(Term.text == "术语3").scalar_subquery()
    merged = session.scalars(select(Term.text).where(Term.concept_id == concept))
    assert sorted(merged) == ["Term 3", "术语3", "術語3"]
    (updated,) = [change for change in report.changes if change.action == "updated"]
    assert (updated.line, updated.renamed, updated.added) == (32, [("term 3", "Term 3")], ["術語3"])


@pytest.mark.parametrize(
    ("row", "message", "element"),
    [
        ("网络" * 150 + ",net", "too long", "term"),  # keys checked in this process, after the worker
        ("x" * 501 + ",net", "longer than 500", "term"),  # checked by the worker
        ("bro\x00ken,net", "NUL character", None),  # read by the worker
    ],
)
def test_an_error_the_worker_meets_names_its_line_and_writes_nothing(
    session: Session,
    started: list[subprocess.Popen[bytes]],
    tmp_path: Path,
    row: str,
    message: str,
    element: str | None,
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("zh,en\n" + "".join(f"术语{n},term {n}\n" for n in range(10)) + row + "\n")
    with pytest.raises(Invalid, match=message) as caught:
        run(session, path, parallel_from=0, batch_size=2)
    session.rollback()
    assert caught.value.details["file"] == "bad.csv"
    assert caught.value.details["line"] == 12
    assert caught.value.details.get("element") == element
    assert session.scalar(select(Concept.id).limit(1)) is None
    assert len(started) == 1
    assert started[0].poll() is not None


def test_persons_of_the_back_matter_come_back_from_the_worker(session: Session, tmp_path: Path) -> None:
    entries = "".join(
        f"""<termEntry><transacGrp><transac type="transactionType">origination</transac>
        <date>2020-01-02</date><transacNote type="responsibility" target="p1"/></transacGrp>
        <langSet xml:lang="en"><tig><term>term {n}</term></tig></langSet></termEntry>"""
        for n in range(3)
    )
    path = tmp_path / "persons.tbx"
    path.write_text(
        f"""<?xml version="1.0"?><martif type="TBX-Basic" xml:lang="en"><martifHeader><fileDesc>
        <sourceDesc><p>x</p></sourceDesc></fileDesc></martifHeader><text><body>{entries}</body>
        <back><refObjectList type="respPerson"><refObject id="p1"><item type="fn">Li Ming</item>
        </refObject></refObjectList></back></text></martif>"""
    )
    run(session, path, parallel_from=0, batch_size=1)
    assert set(session.scalars(select(Concept.created_by))) == {"Li Ming"}


def test_a_worker_that_dies_fails_the_import(
    session: Session, monkeypatch: pytest.MonkeyPatch, started: list[subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    monkeypatch.setattr(importing, "WORKER_MODULE", "termbase.no_such_module")
    path = tmp_path / "g.csv"
    path.write_text("zh,en\n" + "".join(f"术语{n},term {n}\n" for n in range(10)))
    with pytest.raises(RuntimeError, match="import worker stopped"):
        run(session, path, parallel_from=0)
    session.rollback()
    assert session.scalar(select(Concept.id).limit(1)) is None
    assert all(process.poll() is not None for process in started)


def test_a_worker_that_dies_midway_fails_the_import(
    session: Session, monkeypatch: pytest.MonkeyPatch, started: list[subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    path = tmp_path / "g.csv"
    path.write_text("zh,en\n" + "".join(f"术语{n},term {n}\n" for n in range(40)))
    run_batch = importing._Importer.run

    def killing(self: Any, batch: Any) -> None:
        run_batch(self, batch)
        started[0].kill()

    monkeypatch.setattr(importing._Importer, "run", killing)
    with pytest.raises(RuntimeError, match="import worker stopped"):
        run(session, path, parallel_from=0, batch_size=2)
    session.rollback()
    assert session.scalar(select(Concept.id).limit(1)) is None
    assert started[0].poll() is not None


def test_a_pipe_is_read_here_not_by_a_worker(
    session: Session, started: list[subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    """A worker opening /dev/stdin or a named pipe would not read what this process was given."""
    fifo = tmp_path / "in.csv"
    os.mkfifo(fifo)
    feeder = threading.Thread(target=fifo.write_text, args=("zh,en\n术语,term\n网络,network\n",))
    feeder.start()
    report = run(session, fifo, parallel_from=0)
    feeder.join()
    assert report.new == 2
    assert not started


def test_a_dry_run_with_a_worker_writes_nothing(
    session: Session, started: list[subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    path = tmp_path / "g.csv"
    path.write_text("zh,en\n" + "".join(f"术语{n},term {n}\n" for n in range(10)))
    report = import_file(session, path, filename="g.csv", dry_run=True, actor="x", workers=1, parallel_from=0)
    session.commit()
    assert (report.new, report.entries) == (10, 10)
    assert len(started) == 1
    assert session.scalar(select(Concept.id).limit(1)) is None


def test_the_command_reads_a_large_file_in_a_worker(
    app: Flask,
    runner: FlaskCliRunner,
    monkeypatch: pytest.MonkeyPatch,
    started: list[subprocess.Popen[bytes]],
    tmp_path: Path,
) -> None:
    path = tmp_path / "big.csv"
    path.write_text("zh,en\n" + "".join(f"术语{n},term {n}\n" for n in range(50)))
    monkeypatch.setattr(importing, "PARALLEL_FROM_BYTES", path.stat().st_size)
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 0, result.output
    assert "50 new" in result.output
    assert len(started) == 1
    app.config.update(IMPORT_WORKERS=0)
    result = runner.invoke(args=["import", "--dry-run", str(path)])
    assert "50 unchanged" in result.output
    assert len(started) == 1
