"""Each real TBX file, imported and exported again in its own generation, holds the same content.

Compared in the canonical form of :mod:`tbx_canonical` (its docstring lists the deliberate
normalisations); the export must also validate against the official schemas.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from tbx_canonical import Canonical, differences
from tbx_validation import all_errors

from termbase.exchange.exporting import ExportOptions, export_stream
from termbase.exchange.importing import import_file
from termbase.tbx.parse import TbxReader
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
