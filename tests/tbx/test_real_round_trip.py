"""Each real TBX file, imported and exported again in its own generation, holds the same content.

Compared in the canonical form of :mod:`tbx_canonical` (its docstring lists the deliberate
normalisations); the export must also validate against the official schemas.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from tbx_canonical import Canonical, differences
from tbx_validation import all_errors

from termbase.exchange.exporting import ExportOptions, export_stream
from termbase.exchange.importing import import_file
from termbase.models import Base, ConceptField
from termbase.tbx.parse import TbxReader, labelled_field
from termbase.tbx.vocab import Generation

REAL = Path(__file__).resolve().parent.parent / "data" / "tbx" / "real"
FILES = sorted(path.name for path in REAL.glob("*.tbx"))


def _round_trip(session: Session, name: str) -> tuple[bytes, bytes, TbxReader]:
    data = (REAL / name).read_bytes()
    generation = TbxReader(io.BytesIO(data), filename=name).generation
    report = import_file(session, io.BytesIO(data), filename=name, dry_run=False, actor="importer")
    session.commit()
    assert report.skipped == 0
    assert report.skipped_terms == 0
    options = ExportOptions(format=generation.value, status="all")
    exported = b"".join(export_stream(session, options))
    return data, exported, TbxReader(io.BytesIO(data), filename=name)


@pytest.mark.parametrize("name", FILES)
def test_a_real_file_exported_again_holds_everything_it_held(session: Session, name: str) -> None:
    data, exported, reader = _round_trip(session, name)
    by_category = "DCT" in name
    source = Canonical(data, by_category=by_category)
    assert len(source.entries) == sum(1 for _ in reader)
    problems = differences(source, Canonical(exported, by_category=by_category))
    assert not problems, "\n".join(problems)
    assert all_errors(exported, reader.generation) == []


def test_the_comparison_sees_a_lost_field(session: Session) -> None:
    name = "lisa-TBX-basic-sample-2008.tbx"
    data, exported, _reader = _round_trip(session, name)
    lost = exported.replace(b'<termNote type="geographicalUsage">Canada</termNote>', b"", 1)
    assert lost != exported
    assert differences(Canonical(data), Canonical(lost))


@pytest.mark.parametrize("name", FILES)
def test_a_real_file_exports_valid_in_both_generations_and_for_cat_tools(session: Session, name: str) -> None:
    import_file(session, REAL / name, filename=name, dry_run=False, actor="importer")
    session.commit()
    for generation in Generation:
        for for_cat_tools in (False, True):
            options = ExportOptions(format=generation.value, status="all", for_cat_tools=for_cat_tools)
            exported = b"".join(export_stream(session, options))
            assert all_errors(exported, generation) == [], (generation, for_cat_tools)


@pytest.mark.parametrize("name", FILES)
def test_our_export_of_a_real_file_imports_into_a_fresh_termbase_and_exports_the_same(
    session: Session, name: str
) -> None:
    """A second round trip keeps what the first wrote, the fields TBX-Basic only takes as
    labelled notes included (they are read back as fields, not as note text)."""
    _data, first, reader = _round_trip(session, name)
    for table in reversed(Base.metadata.sorted_tables):
        session.execute(table.delete())
    session.commit()
    import_file(session, io.BytesIO(first), filename=f"again-{name}", dry_run=False, actor="importer")
    session.commit()
    options = ExportOptions(format=reader.generation.value, status="all")
    second = b"".join(export_stream(session, options))
    by_category = "DCT" in name
    problems = differences(
        Canonical(first, by_category=by_category), Canonical(second, by_category=by_category)
    )
    assert not problems, "\n".join(problems)
    fields = session.scalars(select(ConceptField.type).where(ConceptField.element != "note")).all()
    assert not any(":" in (kind or "") for kind in fields)


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("grammaticalNumber: plural", ("termNote", "grammaticalNumber", "plural", None)),
        ("relatedTerm: cloud computing <c12>", ("ref", "relatedTerm", "cloud computing", "c12")),
    ],
)
def test_a_labelled_note_is_read_back_as_the_field_it_stands_for(
    note: str, expected: tuple[str, str, str, str | None]
) -> None:
    kept = labelled_field(note)
    assert kept is not None
    assert (kept.element, kept.type, kept.value, kept.target) == expected


def test_an_ordinary_note_stays_a_note() -> None:
    assert labelled_field("Note: spelled as in the source") is None
    assert labelled_field("see also: the glossary") is None
