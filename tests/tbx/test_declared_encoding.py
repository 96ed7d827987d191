"""A TBX file whose XML declaration names an encoding its bytes are not in is refused, not imported as mojibake."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from termbase.exchange.importing import import_file
from termbase.models import Concept
from termbase.services.errors import Invalid
from termbase.tbx.parse import TbxError, read_tbx

HEAD = '<?xml version="1.0" encoding="{}"?>\n<martif type="TBX" xml:lang="en"><text><body>\n'
TAIL = b"\n</body></text></martif>\n"


def _entry(number: int, zh: bytes, en: bytes = b"data centre") -> bytes:
    return (
        f'<termEntry id="e{number}"><langSet xml:lang="zh"><tig><term>'.encode()
        + zh
        + b'</term></tig></langSet><langSet xml:lang="en"><tig><term>'
        + en
        + b"</term></tig></langSet></termEntry>"
    )


def _tbx(declared: str, *entries: bytes) -> bytes:
    return HEAD.format(declared).encode() + b"\n".join(entries) + TAIL


def _read(data: bytes) -> list[str]:
    return [term.text for record in read_tbx(io.BytesIO(data), filename="t.tbx") for term in record.terms]


@pytest.mark.parametrize(
    ("declared", "actual", "named"),
    [
        ("ISO-8859-1", "gbk", "GB18030/GBK"),
        ("ISO-8859-1", "utf-8", "UTF-8"),
        ("windows-1252", "gb18030", "GB18030/GBK"),
        ("latin1", "big5", "Big5"),
        ("GBK", "utf-8", "UTF-8"),
    ],
)
def test_chinese_bytes_under_a_wrong_declaration_are_refused_with_the_line(
    declared: str, actual: str, named: str
) -> None:
    data = _tbx(
        declared,
        _entry(1, b"data"),
        _entry(2, ("資料中心" if actual == "big5" else "数据中心").encode(actual)),
    )
    with pytest.raises(TbxError) as caught:
        _read(data)
    assert caught.value.line == 4  # the second entry's
    assert f'declares encoding="{declared}"' in caught.value.message
    assert f"reads as {named}" in caught.value.message


def test_a_wrong_declaration_deep_in_the_file_is_refused_too() -> None:
    plain = [_entry(n, b"plain") for n in range(4000)]  # some 500 KB of ASCII first
    data = _tbx("ISO-8859-1", *plain, _entry(4000, "云计算平台".encode("gbk")))
    with pytest.raises(TbxError) as caught:
        _read(data)
    assert caught.value.line == 4003


@pytest.mark.parametrize(
    ("declared", "encoding", "terms"),
    [
        ("ISO-8859-1", "latin-1", ["café", "naïve résumé", "Ærøskøbing ©2024 °C"]),
        ("windows-1252", "cp1252", ["“quoted” – dash €5"]),
        ("GBK", "gbk", ["数据中心"]),
        ("Big5", "big5", ["資料中心"]),
        ("UTF-8", "utf-8", ["数据中心"]),
    ],
)
def test_files_that_are_what_they_declare_are_read(declared: str, encoding: str, terms: list[str]) -> None:
    data = _tbx(declared, *(_entry(n, t.encode(encoding), t.encode(encoding)) for n, t in enumerate(terms)))
    assert _read(data) == [t for term in terms for t in (term, term)]


def test_the_import_names_the_file_and_line_and_writes_nothing(session: Session) -> None:
    data = _tbx("ISO-8859-1", _entry(1, "数据中心".encode("gbk")))
    with pytest.raises(Invalid) as caught:
        import_file(session, io.BytesIO(data), filename="glossary.tbx", dry_run=False, actor="ed")
    session.rollback()
    assert caught.value.details["file"] == "glossary.tbx"
    assert caught.value.details["line"] == 3
    assert "GB18030/GBK" in caught.value.message
    assert session.scalar(select(func.count()).select_from(Concept)) == 0
