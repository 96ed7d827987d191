"""TBX export rendered by worker processes: the same bytes as in one process, whatever the split."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import Connection, update
from sqlalchemy.orm import Session, sessionmaker
from tbx_fixtures import Populated

from termbase.db import Base, make_engine
from termbase.exchange import export_worker, exporting
from termbase.exchange.export_rows import DriverQuery, WindowQueries
from termbase.exchange.exporting import ExportOptions, export_stream
from termbase.models import Term
from termbase.records import ConceptRecord, TermRecord, TransactionRecord, UsageStatus, WorkflowStatus
from termbase.services.concepts import TermInput, create_concept
from termbase.tbx.export import MarkedPart, PartWriter, TbxHeader, write_tbx, write_tbx_parts
from termbase.tbx.vocab import Generation

GENERATIONS = [Generation.TBX_2008.value, Generation.TBX_V3.value]
FILTERS: list[dict[str, Any]] = [
    {"status": "all"},
    {"status": "approved"},
    {"status": "candidate"},
    {"status": "all", "min_confidence": 0.5},
    {"status": "all", "document": "xi-2015-wic"},
    {"status": "all", "lang_codes": {"zh": "zh", "zh-Hant": "zh-Hant", "en": "en"}},
    {"status": "all", "context_cap": 1},
    {"status": "all", "context_cap": 0},
]


def export(session: Session, workers: int, **options: Any) -> tuple[bytes, int]:
    opts = ExportOptions(exported_at=datetime(2026, 1, 2, tzinfo=UTC), **options)
    stream = export_stream(session, opts, workers=workers, parallel_from=0)
    return b"".join(stream), stream.entries


@pytest.mark.parametrize("fmt", GENERATIONS)
@pytest.mark.parametrize("options", FILTERS)
def test_workers_write_the_same_bytes(
    session: Session,
    populated: Populated,
    monkeypatch: pytest.MonkeyPatch,
    started: list[subprocess.Popen[bytes]],
    fmt: str,
    options: dict[str, Any],
) -> None:
    # One concept per window: entries and persons numbered across parts from different workers.
    monkeypatch.setattr(exporting, "CHUNK_SIZE", 1)
    for n in range(6):
        create_concept(
            session,
            [TermInput("en", f"extra term {n}"), TermInput("zh-Hans", f"附加术语{n}")],
            actor=f"editor {n % 3}",
            status="approved" if n % 2 else "candidate",
            confidence=n / 5,
        )
    session.commit()  # workers read what is committed
    alone = export(session, 1, format=fmt, **options)
    assert not started
    apart = export(session, 2, format=fmt, **options)
    assert len(started) == 2
    assert apart == alone
    assert all(process.poll() == 0 for process in started)


def test_text_xml_cannot_hold_goes_through_workers_unchanged(session: Session, populated: Populated) -> None:
    # NUL is the mark of the parts: it must be dropped from the data like any character XML
    # cannot hold. (PostgreSQL refuses to store it.)
    nul = "\x00" if session.get_bind().dialect.name == "sqlite" else ""
    awkward = f'a{nul}b\x01c & <d> "e"\r\nf \U0001f600'
    create_concept(
        session, [TermInput("en", "awkward text")], actor=awkward, note=awkward, subject_field=awkward
    )
    session.commit()
    assert export(session, 2, status="all") == export(session, 1, status="all")


def test_a_write_during_the_export_shows_in_no_window(
    session: Session, populated: Populated, monkeypatch: pytest.MonkeyPatch
) -> None:
    """All workers read one view of the database, taken when the export starts: a write
    committed once they have started, before any window is read, shows in none of the
    windows; and the write does not wait for the export."""
    monkeypatch.setattr(exporting, "CHUNK_SIZE", 1)
    before = export(session, 1, status="all")
    render = export_worker.Renderers.render
    other = sessionmaker(bind=session.get_bind())

    def write_first(self: export_worker.Renderers, limits: Iterator[tuple[int, int]]) -> Iterator[MarkedPart]:
        with other() as writer:
            writer.execute(
                update(Term).where(Term.concept_id == populated.bare).values(text="cyberspace, changed")
            )
            writer.commit()
        yield from render(self, limits)

    monkeypatch.setattr(export_worker.Renderers, "render", write_first)
    assert export(session, 2, status="all") == before
    assert b"cyberspace, changed" in export(session, 1, status="all")[0]


def test_small_termbases_stay_in_process(
    session: Session, populated: Populated, started: list[subprocess.Popen[bytes]]
) -> None:
    opts = ExportOptions(status="all")
    stream = export_stream(session, opts, workers=2, parallel_from=10_000)
    assert b"".join(stream)
    assert not started


def test_glossaries_stay_in_process(
    session: Session, populated: Populated, started: list[subprocess.Popen[bytes]]
) -> None:
    assert export(session, 2, format="csv", status="all") == export(session, 1, format="csv", status="all")
    assert not started


def test_stopping_early_ends_the_workers(
    session: Session,
    populated: Populated,
    monkeypatch: pytest.MonkeyPatch,
    started: list[subprocess.Popen[bytes]],
) -> None:
    monkeypatch.setattr(exporting, "CHUNK_SIZE", 1)
    stream = export_stream(session, ExportOptions(status="all"), workers=2, parallel_from=0)
    while not started:  # the prologue comes before the workers start
        assert next(stream)
    stream.close()
    assert len(started) == 2
    assert all(process.poll() is not None for process in started)


def test_a_worker_that_dies_fails_the_export(
    session: Session, populated: Populated, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export_worker, "MODULE", "termbase.no_such_module")
    with pytest.raises(RuntimeError, match="export worker stopped"):
        export(session, 2, status="all")


def _failing_terms_query(monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers given a terms query that the database refuses (the exporting process never runs it)."""
    window_queries = exporting._window_queries

    def failing(connection: Connection, options: ExportOptions) -> WindowQueries:
        queries = window_queries(connection, options)
        return queries._replace(
            terms=DriverQuery("SELECT no_such_column FROM terms", queries.terms.parameters)
        )

    monkeypatch.setattr(exporting, "_window_queries", failing)


def test_a_worker_whose_reading_fails_fails_the_export(
    session: Session,
    populated: Populated,
    monkeypatch: pytest.MonkeyPatch,
    started: list[subprocess.Popen[bytes]],
) -> None:
    _failing_terms_query(monkeypatch)
    with pytest.raises(RuntimeError, match="export worker stopped"):
        export(session, 2, status="all")
    assert len(started) == 2
    assert all(process.poll() is not None for process in started)


def test_the_command_writes_no_file_when_a_worker_fails(
    app: Flask,
    runner: FlaskCliRunner,
    populated: Populated,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    app.config.update(EXPORT_WORKERS=2, EXPORT_PARALLEL_FROM=0)
    _failing_terms_query(monkeypatch)
    folder = tmp_path / "exports"
    folder.mkdir()
    result = runner.invoke(args=["export", "--status", "all", "-o", str(folder / "out.tbx")])
    assert result.exit_code != 0
    assert isinstance(result.exception, RuntimeError)
    assert list(folder.iterdir()) == []


def test_an_in_memory_sqlite_database_stays_in_process(started: list[subprocess.Popen[bytes]]) -> None:
    engine = make_engine("sqlite://")
    Base.metadata.create_all(engine)
    with sessionmaker(bind=engine)() as session:
        create_concept(session, [TermInput("en", "memory term")], actor="ed", status="approved")
        assert b"memory term" in export(session, 2)[0]
    assert not started


# -- the pure part: rendering apart and joining ---------------------------------------------------


def _records(count: int) -> list[ConceptRecord]:
    when = datetime(2020, 5, 6, 7, 8, 9, tzinfo=UTC)
    return [
        ConceptRecord(
            str(n),
            None,
            None,
            WorkflowStatus.APPROVED,
            None,
            {},
            [TermRecord("en", f"term {n}", UsageStatus.PREFERRED, "noun", None)] if n % 4 else [],
            [
                TransactionRecord("origination", when, f"person {n % 5}"),
                TransactionRecord("modification", when, f"person {n % 7}" if n % 3 else None),
            ],
        )
        for n in range(count)
    ]


@pytest.mark.parametrize("generation", list(Generation))
@pytest.mark.parametrize("size", [1, 3, 10, 40])
def test_parts_join_into_the_file_written_at_once(generation: Generation, size: int) -> None:
    records = _records(40)
    header = TbxHeader(description="parts")
    whole = b"".join(write_tbx(records, generation=generation, header=header))
    writer = PartWriter(generation)
    parts = [writer.part(records[i : i + size]) for i in range(0, len(records), size)]
    assert b"".join(write_tbx_parts(parts, generation=generation, header=header)) == whole
    assert sum(p.records for p in parts) == 30


def test_no_entries_give_the_empty_file() -> None:
    writer = PartWriter(Generation.TBX_2008)
    parts = [writer.part(_records(1))]
    assert parts[0].entries == 0
    assert b"".join(write_tbx_parts(parts)) == b"".join(write_tbx([]))


@pytest.mark.parametrize(
    "damage",
    [
        lambda p: p._replace(data=p.data.replace(b"</term>", b"\x00</term>", 1)),
        lambda p: p._replace(numbered=p.numbered + 1),
        lambda p: p._replace(persons=p.persons[:-1]),
    ],
)
def test_a_part_out_of_step_with_its_marks_is_refused(damage: Any) -> None:
    part: MarkedPart = damage(PartWriter(Generation.TBX_2008).part(_records(8)))
    with pytest.raises(ValueError, match="rendered part"):
        b"".join(write_tbx_parts([part]))
