"""A TBX file that gives two entries the same id is read with a warning naming the id and both lines."""

from __future__ import annotations

import io

from sqlalchemy.orm import Session

from termbase.exchange.importing import import_file
from termbase.tbx.parse import read_tbx


def _entry(entry_id: str, en: str) -> str:
    return f'<termEntry id="{entry_id}"><langSet xml:lang="en"><tig><term>{en}</term></tig></langSet></termEntry>'


def _tbx(*entries: str) -> bytes:
    body = "\n".join(entries)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<martif type="TBX" xml:lang="en"><text><body>\n'
        f"{body}\n</body></text></martif>\n"
    ).encode()


DUPLICATED = _tbx(
    _entry("e1", "packet filter"),  # line 3
    _entry("e2", "route leak"),
    _entry("e1", "packet filtering"),  # line 5
    _entry("e3", "anycast address"),
    _entry("e2", "route leaks"),  # line 7
    _entry("e2", "route leakage"),  # line 8
)


def test_every_repeated_id_is_named_with_its_lines() -> None:
    reader = read_tbx(io.BytesIO(DUPLICATED), filename="dup.tbx")
    records = list(reader)
    assert len(records) == 6  # every entry is still read
    assert reader.warnings == [
        "line 5: entry id 'e1' is used again (first on line 3); both entries are read",
        "line 7: entry id 'e2' is used again (first on line 4); both entries are read",
        "line 8: entry id 'e2' is used again (first on line 4); both entries are read",
    ]


def test_unique_ids_and_entries_without_ids_give_no_warning() -> None:
    data = _tbx(
        _entry("a", "packet filter"),
        _entry("b", "route leak"),
        '<termEntry><langSet xml:lang="en"><tig><term>anycast</term></tig></langSet></termEntry>',
        '<termEntry><langSet xml:lang="en"><tig><term>multicast</term></tig></langSet></termEntry>',
    )
    reader = read_tbx(io.BytesIO(data), filename="ok.tbx")
    assert len(list(reader)) == 4
    assert reader.warnings == []


def test_the_import_report_carries_the_warning(session: Session) -> None:
    report = import_file(session, io.BytesIO(DUPLICATED), filename="dup.tbx", dry_run=True, actor="ed")
    session.rollback()
    assert any("entry id 'e1' is used again (first on line 3)" in w for w in report.warnings), report.warnings
    assert any(w.startswith("line 8: entry id 'e2'") for w in report.warnings), report.warnings
