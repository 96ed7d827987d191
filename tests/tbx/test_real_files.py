"""TBX files other projects publish (tests/data/tbx/real): imported entry by entry, ids kept.

An entry is a concept of its own, whatever terms it shares with others; importing the same
file again changes nothing, because each entry's id in that file is kept with its concept.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from termbase.exchange.importing import import_file
from termbase.models import Concept, ConceptSource
from termbase.tbx.parse import TbxReader

REAL = Path(__file__).resolve().parent.parent / "data" / "tbx" / "real"
FILES = sorted(path.name for path in REAL.glob("*.tbx"))


def test_the_real_files_are_there() -> None:
    assert len(FILES) == 7


@pytest.mark.parametrize("name", FILES)
def test_each_entry_is_its_own_concept_and_a_second_import_changes_nothing(
    session: Session, name: str
) -> None:
    data = (REAL / name).read_bytes()
    records = list(TbxReader(io.BytesIO(data), filename=name))
    ids = [record.id for record in records if record.id]
    assert len(set(ids)) == len(ids)  # Weblate's file has none: its entries match by their terms
    report = import_file(session, io.BytesIO(data), filename=name, dry_run=False, actor="x")
    session.commit()
    assert (report.new, report.updated, report.unchanged) == (len(records), 0, 0)
    assert session.scalar(select(func.count()).select_from(Concept)) == len(records)
    kept = dict(session.execute(select(ConceptSource.source_id, ConceptSource.source)).all())
    assert kept == {entry_id: name for entry_id in ids if entry_id}
    again = import_file(session, io.BytesIO(data), filename=name, dry_run=False, actor="x")
    session.commit()
    assert (again.new, again.updated, again.unchanged) == (0, 0, len(records))
