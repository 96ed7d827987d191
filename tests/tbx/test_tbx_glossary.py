"""CSV/TSV glossaries: the layout OmegaT and spreadsheets read, and reading it (and others) back."""

from __future__ import annotations

import csv
import io

import pytest
from tbx_fixtures import full_record

from termbase.ingest.glossary import (
    GlossaryError,
    neutralise_formula,
    read_glossary,
    restore_formula,
    write_glossary,
)
from termbase.records import ConceptRecord, TermRecord, UsageStatus


def csv_bytes(records: list[ConceptRecord], **kwargs: object) -> bytes:
    return b"".join(write_glossary(records, **kwargs))  # type: ignore[arg-type]


def read(data: bytes, delimiter: str | None = None) -> list[ConceptRecord]:
    return list(read_glossary(io.BytesIO(data), delimiter=delimiter))


def test_csv_is_source_target_comment_with_a_header() -> None:
    data = csv_bytes([full_record()])
    assert data.startswith(b"\xef\xbb\xbf")  # Excel needs the BOM to show Chinese
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["# zh-CN", "en-US", "comment", "id"]  # OmegaT skips # lines
    # Usable Simplified terms x usable English terms; deprecated and candidate-free rules apply.
    assert [(r[0], r[1]) for r in rows[1:]] == [
        ("网络主权", "cyber sovereignty"),
        ("网络空间主权", "cyber sovereignty"),
    ]
    comment = rows[1][2]
    assert comment.split(" | ") == [
        "pinyin: wǎngluò zhǔquán",
        "definition: A state's sovereignty.",
        'note: 概念注释 & <标记> "引号" 第二行',
        "avoid: Internet sovereignty",
    ]


def test_tsv_is_omegat_glossary_format() -> None:
    record = ConceptRecord(
        note="tab\there", terms=[TermRecord("zh-Hans", "网络"), TermRecord("en", 'say "net"')]
    )
    data = csv_bytes([record], delimiter="\t", lang_codes={"zh": "zh", "en": "en"})
    lines = data.decode("utf-8").split("\n")
    assert lines[0] == "# zh\ten\tcomment\tid"  # OmegaT skips # lines
    assert lines[1] == '网络\tsay "net"\tnote: tab here\t'  # no quoting, no stray tabs; no id
    assert not data.startswith(b"\xef\xbb\xbf")


def test_concepts_without_both_languages_give_no_rows() -> None:
    assert csv_bytes([ConceptRecord(terms=[TermRecord("en", "lonely")])]).count(b"\n") == 1


def test_traditional_terms_are_sources_when_there_is_no_simplified_one() -> None:
    record = ConceptRecord(terms=[TermRecord("zh-Hant", "網絡"), TermRecord("en", "network")])
    (back,) = read(csv_bytes([record]))
    assert [(t.language, t.text) for t in back.terms] == [("zh-Hant", "網絡"), ("en", "network")]


def test_own_csv_reads_back() -> None:
    (back,) = read(csv_bytes([full_record()])[:])[:1]
    assert [(t.language, t.text, t.usage_status) for t in back.terms] == [
        ("zh-Hans", "网络主权", UsageStatus.ADMITTED),
        ("en", "cyber sovereignty", UsageStatus.ADMITTED),
        ("en", "Internet sovereignty", UsageStatus.DEPRECATED),
    ]
    assert back.terms[0].pinyin == "wǎngluò zhǔquán"
    assert back.definitions == {"en": "A state's sovereignty."}
    assert back.note == '概念注释 & <标记> "引号" 第二行'
    assert back.terms[0].usage_status_given is False  # a glossary states no status


def test_own_tsv_reads_back() -> None:
    data = csv_bytes([full_record()], delimiter="\t")
    records = read(data)
    assert [[t.text for t in r.terms][:2] for r in records] == [
        ["网络主权", "cyber sovereignty"],
        ["网络空间主权", "cyber sovereignty"],
    ]


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://evil.example","网络")', '\'=HYPERLINK("http://evil.example","网络")'),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),  # the DDE payload OWASP shows
        ("-based", "'-based"),  # a spreadsheet reads a word after a minus as a formula all the same
        ("+ plus", "'+ plus"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("'=1+1", "''=1+1"),  # the text's own apostrophe survives the reader removing ours
        ("''-x", "'''-x"),
        ("+86", "+86"),  # signed numbers cannot call anything: left as they are
        ("-1", "-1"),
        ("-0.5", "-0.5"),
        ("+1,000", "+1,000"),
        ("'t Hooft", "'t Hooft"),
        ("e-commerce", "e-commerce"),
        ("互联网+", "互联网+"),
        ("", ""),
    ],
)
def test_formula_cells_are_neutralised_and_restored(value: str, written: str) -> None:
    assert neutralise_formula(value) == written
    assert restore_formula(written) == value


HYPERLINK = '=HYPERLINK("http://evil.example","网络")'


def formula_record() -> ConceptRecord:
    return ConceptRecord(
        note="=1+1",
        terms=[
            TermRecord("zh-Hans", HYPERLINK),
            TermRecord("en", "-based"),
            TermRecord("en", "@SUM(A1)"),
            TermRecord("en", "+86"),
        ],
    )


def test_csv_cells_a_spreadsheet_would_run_start_with_an_apostrophe() -> None:
    data = csv_bytes([formula_record()])
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[1:] == [
        ["'" + HYPERLINK, "'-based", "note: =1+1", ""],  # the note sits after its label: safe as it is
        ["'" + HYPERLINK, "'@SUM(A1)", "note: =1+1", ""],
        ["'" + HYPERLINK, "+86", "note: =1+1", ""],
    ]
    back = read(data)
    assert [[t.text for t in r.terms] for r in back] == [
        [HYPERLINK, "-based"],
        [HYPERLINK, "@SUM(A1)"],
        [HYPERLINK, "+86"],
    ]
    assert {r.note for r in back} == {"=1+1"}
    merged = ConceptRecord(note=back[0].note, terms=[back[0].terms[0]] + [r.terms[1] for r in back])
    assert csv_bytes([merged]) == data  # export, import, export: the same bytes


def test_tsv_for_omegat_keeps_formula_like_terms_as_they_are() -> None:
    data = csv_bytes([formula_record()], delimiter="\t")
    assert data.decode("utf-8").split("\n")[1] == HYPERLINK + "\t-based\tnote: =1+1\t"
    assert [r.terms[1].text for r in read(data)] == ["-based", "@SUM(A1)", "+86"]


def test_tsv_reader_keeps_leading_apostrophes() -> None:
    (record,) = read("zh\ten\n网络\t'-based\n".encode(), delimiter="\t")
    assert record.terms[1].text == "'-based"


def test_csv_reader_strips_only_an_apostrophe_before_a_formula_character() -> None:
    data = "zh,en,comment,definition\n'=网络,'t Hooft,'quoted note,'-1 is a number\n".encode()
    (record,) = read(data)
    assert [t.text for t in record.terms] == ["=网络", "'t Hooft"]
    assert record.note == "'quoted note"
    assert record.definitions == {"en": "-1 is a number"}


def test_genuine_leading_apostrophes_round_trip() -> None:
    record = ConceptRecord(terms=[TermRecord("zh-Hans", "'=网络"), TermRecord("en", "'t Hooft")])
    data = csv_bytes([record])
    assert data.decode("utf-8-sig").splitlines()[1] == "''=网络,'t Hooft,,"
    (back,) = read(data)
    assert [t.text for t in back.terms] == ["'=网络", "'t Hooft"]
    assert csv_bytes([back]) == data


@pytest.mark.parametrize(
    ("header", "row", "expected"),
    [
        (
            "source,target,comment",
            "网络主权,cyber sovereignty,note",
            [("zh-Hans", "网络主权"), ("en", "cyber sovereignty")],
        ),
        (
            "Target,Source",
            "cyber sovereignty,网络主权",
            [("en", "cyber sovereignty"), ("zh-Hans", "网络主权")],
        ),
        ("en-GB,zh_TW", "network,網絡", [("en", "network"), ("zh-Hant", "網絡")]),
        (
            "zh-CN,en",
            "网络 | 網路,network|net",
            [("zh-Hans", "网络"), ("zh-Hant", "網路"), ("en", "network"), ("en", "net")],
        ),
    ],
)
def test_header_names_the_columns(header: str, row: str, expected: list[tuple[str, str]]) -> None:
    (record,) = read(f"{header}\n{row}\n".encode())
    assert [(t.language, t.text) for t in record.terms] == expected


def test_extra_columns_pinyin_and_part_of_speech() -> None:
    data = "zh,en,pinyin,POS,definition,whatever\n网络,network,wǎngluò,n,A web of links.,x\n".encode()
    reader = read_glossary(io.BytesIO(data))
    (record,) = list(reader)
    assert record.terms[0].pinyin == "wǎngluò"
    assert [t.part_of_speech for t in record.terms] == ["noun", "noun"]
    assert record.definitions == {"en": "A web of links."}
    assert reader.warnings == ["line 1: column 'whatever' ignored"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "gb18030"])
def test_encodings_chinese_tools_write(encoding: str) -> None:
    text = "zh-CN,en-US,comment\n" + "".join(f"网络主权{i},cyber sovereignty {i},注释\n" for i in range(3000))
    records = read(text.encode(encoding))
    assert len(records) == 3000
    assert records[-1].terms[0].text == "网络主权2999"
    assert records[-1].note == "注释"


def test_quoted_csv_fields_with_commas_and_newlines() -> None:
    data = 'zh,en,comment\n网络,"network, the","line one\nline two"\n'.encode()
    (record,) = read(data)
    assert record.terms[1].text == "network, the"
    assert record.note == "line one\nline two"
    assert record.line == 2  # the line the row starts on


def test_missing_header_is_refused_with_the_line() -> None:
    with pytest.raises(GlossaryError, match="header") as caught:
        read("网络主权,cyber sovereignty\n".encode())
    assert caught.value.line == 1


def test_empty_file_is_refused() -> None:
    with pytest.raises(GlossaryError, match="empty"):
        read(b"\n\n")


def test_rows_without_terms_are_skipped_with_a_warning() -> None:
    reader = read_glossary(io.BytesIO(b"zh,en,comment\n,,only a comment\n"))
    assert list(reader) == []
    assert reader.warnings == ["line 2: no term; skipped"]


def test_a_huge_line_is_refused_without_holding_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import termbase.ingest.glossary as glossary

    monkeypatch.setattr(glossary, "MAX_LINE_CHARS", 1000)
    with pytest.raises(GlossaryError, match="line 2 is longer than 1,000 characters") as caught:
        read(b"zh,en\n" + b"x" * 5000 + b"\n")
    assert caught.value.line == 2
    assert len(read(b"zh,en\n" + "网".encode() * 990 + b",net\n")) == 1  # 995 characters with the line end
