"""termbase ingest and termbase seed."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskCliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from termbase.models import Document, Segment

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def _counts(session: Session) -> tuple[int, int]:
    session.expire_all()
    documents = session.scalar(select(func.count()).select_from(Document)) or 0
    segments = session.scalar(select(func.count()).select_from(Segment)) or 0
    return documents, segments


def test_ingest_seeds_then_again(runner: FlaskCliRunner, session: Session) -> None:
    first = runner.invoke(args=["ingest", str(SEEDS)])
    assert first.exit_code == 0, first.output
    assert first.output.count("\nnew ") + first.output.startswith("new ") == 5
    assert "5 documents: 5 new, 0 new versions, 0 unchanged" in first.output
    loaded = _counts(session)
    assert loaded[0] == 5
    second = runner.invoke(args=["ingest", str(SEEDS)])
    assert second.exit_code == 0, second.output
    assert "5 documents: 0 new, 0 new versions, 5 unchanged" in second.output
    assert _counts(session) == loaded


def test_seed_loads_an_empty_database_once(runner: FlaskCliRunner, session: Session) -> None:
    first = runner.invoke(args=["seed"])
    assert first.exit_code == 0, first.output
    loaded = _counts(session)
    assert loaded[0] == 5
    second = runner.invoke(args=["seed"])
    assert second.exit_code == 0, second.output
    assert "already loaded" in second.output
    assert _counts(session) == loaded


def test_bad_file_is_one_line_and_nothing_is_written(
    runner: FlaskCliRunner, session: Session, tmp_path: Path
) -> None:
    bad = tmp_path / "scan.txt"
    bad.write_bytes(b"%PDF-1.4 \x00\x01\x02")
    result = runner.invoke(args=["ingest", str(SEEDS), str(bad)])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: file {bad}: damaged PDF (")
    assert result.output.count("\n") == 1
    assert _counts(session) == (0, 0)


def test_bad_line_is_named(runner: FlaskCliRunner, tmp_path: Path) -> None:
    path = tmp_path / "pairs.tsv"
    path.write_text("网络主权\tcyber sovereignty\n数字经济 digital economy\n", encoding="utf-8")
    result = runner.invoke(args=["ingest", str(path)])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: file {path}, line 2: no tab on this line")
