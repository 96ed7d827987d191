"""The pure TBX core: the writer's output passes the official schemas, the reader reads every dialect safely."""

from __future__ import annotations

import io
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree
from tbx_fixtures import HOSTILE, SAMPLES, full_record
from tbx_validation import all_errors, official_errors, sch_2008_pattern_count

from termbase.records import ConceptRecord, TermRecord, TermReview, UsageStatus, WorkflowStatus
from termbase.tbx.export import TbxHeader, write_tbx
from termbase.tbx.parse import TbxError, read_tbx
from termbase.tbx.vocab import (
    Generation,
    part_of_speech_to_tbx,
    resolve_lang_codes,
    usage_status_from_tbx,
)

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def tbx(records: list[ConceptRecord], generation: Generation, **kwargs: object) -> bytes:
    return b"".join(write_tbx(records, generation=generation, **kwargs))  # type: ignore[arg-type]


def read(data: bytes) -> list[ConceptRecord]:
    return list(read_tbx(io.BytesIO(data)))


# -- the validators themselves must be able to fail ---------------------------------------------


def test_validation_recipe_runs_all_official_rules() -> None:
    assert sch_2008_pattern_count() == 15


@pytest.mark.parametrize(
    ("name", "generation"),
    [
        ("cyber_sovereignty.tbx-basic-2008.tbx", Generation.TBX_2008),
        ("cyber_sovereignty.tbx-basic-v3.tbx", Generation.TBX_V3),
        ("TBX-basic-sample.tbx", Generation.TBX_2008),
        ("astronomy_basic_dca.tbx", Generation.TBX_V3),
    ],
)
def test_official_samples_pass_the_validators(name: str, generation: Generation) -> None:
    assert official_errors((SAMPLES / name).read_bytes(), generation) == []


@pytest.mark.parametrize(
    ("generation", "old", "new", "expected"),
    [
        (
            Generation.TBX_2008,
            b'<termNote type="partOfSpeech">noun',
            b'<termNote type="partOfSpeech">nomen',
            "part of speech",
        ),
        (Generation.TBX_2008, b"<term>", b"<termX/><term>", "rng"),
        (Generation.TBX_2008, b">origination<", b">creation<", "transaction"),
        (Generation.TBX_V3, b"preferredTerm-admn-sts", b"preferred", "administrativeStatus"),
        (Generation.TBX_V3, b'xml:lang="zh-CN"', b'xml:lang="zh_CN"', "rng"),
        (Generation.TBX_V3, b'target="p1"', b'target="p9"', "rng"),
    ],
)
def test_validators_catch_broken_exports(
    generation: Generation, old: bytes, new: bytes, expected: str
) -> None:
    good = tbx([full_record()], generation)
    assert old in good
    errors = all_errors(good.replace(old, new, 1), generation)
    assert any(expected in error for error in errors), errors


def test_own_checks_cover_the_schematron_gaps() -> None:
    """v3 Schematron does not check transaction values or dangling targets; our checks do."""
    good = tbx([full_record()], Generation.TBX_V3)
    creation = good.replace(b">origination<", b">creation<", 1)
    assert official_errors(creation, Generation.TBX_V3) == []  # the gap NOTES.md describes
    assert any("transactionType" in e for e in all_errors(creation, Generation.TBX_V3))
    no_pos = good.replace(b'<termNote type="partOfSpeech">noun</termNote>', b"", 1)
    assert official_errors(no_pos, Generation.TBX_V3) == []
    assert any("partOfSpeech" in e for e in all_errors(no_pos, Generation.TBX_V3))


# -- writing -------------------------------------------------------------------------------------


@pytest.mark.parametrize("generation", list(Generation))
def test_export_of_every_field_is_valid(generation: Generation) -> None:
    data = tbx([full_record(), ConceptRecord(terms=[TermRecord("en", "cyberspace")])], generation)
    assert all_errors(data, generation, {"zh-CN", "zh-TW", "en-US"}) == []


@pytest.mark.parametrize("generation", list(Generation))
def test_every_field_survives_write_and_read(generation: Generation) -> None:
    original = full_record()
    (back,) = read(tbx([original], generation))
    assert back.subject_field == original.subject_field
    assert back.note == original.note
    assert (back.status, back.confidence, back.status_given) == (WorkflowStatus.APPROVED, 0.875, True)
    assert back.definitions == original.definitions
    assert back.definition_sources == original.definition_sources
    by_text = {t.text: t for t in back.terms}
    for term in original.terms:
        got = by_text[term.text]
        assert (got.language, got.usage_status, got.part_of_speech, got.term_type) == (
            term.language,
            term.usage_status,
            term.part_of_speech,
            term.term_type,
        )
        assert (got.pinyin, got.note, got.contexts, got.review) == (
            term.pinyin,
            term.note,
            term.contexts,
            term.review,
        )
    assert [(t.kind, t.responsible) for t in back.transactions] == [
        ("origination", "李伟"),
        ("modification", "Zhang San"),
    ]
    expected_dates = [t.date for t in original.transactions]
    if generation is Generation.TBX_2008:  # the 2008 schema allows only a date
        expected_dates = [d.replace(hour=0, minute=0, second=0) for d in expected_dates]
    assert [t.date for t in back.transactions] == expected_dates


@pytest.mark.parametrize("generation", list(Generation))
def test_write_read_write_is_byte_identical(generation: Generation) -> None:
    first = tbx([full_record(), full_record()], generation)
    assert tbx(read(first), generation) == first


def test_output_is_deterministic_and_ordered() -> None:
    record = full_record()
    shuffled = full_record()
    shuffled.terms.reverse()
    assert tbx([record], Generation.TBX_2008) == tbx([shuffled], Generation.TBX_2008)
    doc = etree.fromstring(tbx([record], Generation.TBX_2008))
    # Simplified, English, then the rest: a reader taking the first two as source and target gets zh -> en.
    assert [ls.get(XML_LANG) for ls in doc.iter("langSet")] == ["zh-CN", "en-US", "zh-TW"]
    en_terms = [t.text for ls in doc.iter("langSet") if ls.get(XML_LANG) == "en-US" for t in ls.iter("term")]
    assert en_terms == ["cyber sovereignty", "Internet sovereignty"]  # preferred before deprecated


def test_pinyin_and_markers_are_notes_a_cat_tool_shows() -> None:
    doc = etree.fromstring(tbx([full_record()], Generation.TBX_2008))
    tig = next(t for t in doc.iter("tig") if t.findtext("term") == "网络主权")
    notes = [(n.get(XML_LANG), n.text) for n in tig.findall("note")]
    assert ("zh-Latn-pinyin", "Pinyin: wǎngluò zhǔquán") in notes
    entry_notes = [n.text for n in doc.find(".//termEntry").findall("note")]  # type: ignore[union-attr]
    assert "termbase: status=approved; confidence=0.875" in entry_notes
    candidate = next(t for t in doc.iter("tig") if t.findtext("term") == "网络空间主权")
    assert "termbase: review=candidate" in [n.text for n in candidate.findall("note")]


def test_responsible_persons_go_to_the_back_matter() -> None:
    doc = etree.fromstring(tbx([full_record()], Generation.TBX_2008))
    persons = {o.get("id"): o.findtext("item") for o in doc.iter("refObject")}
    assert persons == {"p1": "李伟", "p2": "Zhang San"}
    targets = [n.get("target") for n in doc.iter("transacNote")]
    assert targets == ["p1", "p2"]


def test_language_codes_are_configurable() -> None:
    data = tbx(
        [full_record()], Generation.TBX_2008, lang_codes={"zh": "zh", "zh-Hant": "zh-Hant", "en": "en"}
    )
    assert [ls.get(XML_LANG) for ls in etree.fromstring(data).iter("langSet")] == ["zh", "en", "zh-Hant"]
    assert all_errors(data, Generation.TBX_2008, {"zh", "zh-Hant", "en"}) == []
    assert [t.language for t in read(data)[0].terms][:2] == ["zh-Hans", "zh-Hans"]


@pytest.mark.parametrize(
    ("codes", "message"),
    [
        ({"zh": "zh_CN"}, "not a valid language code"),
        ({"fr": "fr-FR"}, "not a termbase language"),
        ({"zh": "zh", "zh-Hant": "zh"}, "both be written"),
    ],
)
def test_unusable_language_codes_are_refused(codes: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        resolve_lang_codes(codes)


def test_text_is_escaped_and_illegal_characters_dropped() -> None:
    record = ConceptRecord(
        note="a & b < c > d\x00\x0b e\r\nf",
        terms=[TermRecord("en", "R&D <lab>\x1f")],
    )
    data = tbx([record], Generation.TBX_2008)
    assert all_errors(data, Generation.TBX_2008) == []
    (back,) = read(data)
    assert back.terms[0].text == "R&D <lab>"
    assert back.note == "a & b < c > d e\nf"


def test_v3_without_entries_is_still_valid() -> None:
    assert all_errors(tbx([], Generation.TBX_V3), Generation.TBX_V3) == []


def test_header_carries_title_and_description() -> None:
    data = tbx([full_record()], Generation.TBX_V3, header=TbxHeader("T & T", "exported at noon"))
    doc = etree.fromstring(data)
    ns = {"t": "urn:iso:std:iso:30042:ed-2"}
    assert doc.xpath("string(//t:title)", namespaces=ns) == "T & T"
    assert doc.xpath("string(//t:sourceDesc/t:p)", namespaces=ns) == "exported at noon"


def test_writer_streams_in_chunks() -> None:
    chunks = list(write_tbx([full_record()] * 300, generation=Generation.TBX_2008, flush_bytes=16 * 1024))
    assert len(chunks) > 5
    assert all(len(c) < 64 * 1024 for c in chunks)


@pytest.mark.parametrize(
    ("value", "generation", "expected"),
    [
        ("noun", Generation.TBX_2008, "noun"),
        ("n", Generation.TBX_2008, "noun"),
        ("nz", Generation.TBX_2008, "properNoun"),
        ("nz", Generation.TBX_V3, "noun"),
        ("vn", Generation.TBX_V3, "noun"),
        ("Adjective", Generation.TBX_V3, "adjective"),
        (None, Generation.TBX_V3, "other"),
        ("interjection", Generation.TBX_2008, "other"),
    ],
)
def test_every_term_gets_a_part_of_speech(value: str | None, generation: Generation, expected: str) -> None:
    assert part_of_speech_to_tbx(value, generation) == expected


# -- reading -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("preferredTerm-admn-sts", UsageStatus.PREFERRED),
        ("PreferredTerm-admn-sts", UsageStatus.PREFERRED),
        ("preferred", UsageStatus.PREFERRED),
        ("admittedTerm-admn-sts", UsageStatus.ADMITTED),
        ("admitted", UsageStatus.ADMITTED),
        ("deprecatedTerm-admn-sts", UsageStatus.DEPRECATED),
        ("deprecated", UsageStatus.DEPRECATED),
        ("forbidden", UsageStatus.DEPRECATED),
        ("notRecommended", UsageStatus.DEPRECATED),
        ("supersededTerm-admn-sts", UsageStatus.SUPERSEDED),
        ("obsolete", UsageStatus.SUPERSEDED),
        ("whatever", None),
    ],
)
def test_both_status_vocabularies(value: str, expected: UsageStatus | None) -> None:
    assert usage_status_from_tbx(value) == expected


def _entry_2008(lang: str, body: str = "<term>x</term>") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><martif type="TBX-Basic" xml:lang="en"><martifHeader><fileDesc>'
        "<sourceDesc><p>t</p></sourceDesc></fileDesc></martifHeader><text><body>"
        f'<termEntry id="c1"><langSet xml:lang="{lang}"><tig>{body}</tig></langSet></termEntry>'
        "</body></text></martif>"
    ).encode()


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("zh", "zh-Hans"),
        ("zh-CN", "zh-Hans"),
        ("zh_CN", "zh-Hans"),
        ("zh-Hans", "zh-Hans"),
        ("zh-Hans-CN", "zh-Hans"),
        ("zh-SG", "zh-Hans"),
        ("ZH-cn", "zh-Hans"),
        ("zh-TW", "zh-Hant"),
        ("zh-HK", "zh-Hant"),
        ("zh-Hant", "zh-Hant"),
        ("en", "en"),
        ("en-US", "en"),
        ("en_GB", "en"),
    ],
)
def test_language_tags_are_normalized(tag: str, expected: str) -> None:
    (record,) = read(_entry_2008(tag))
    assert record.terms[0].language == expected


def test_other_languages_are_kept_under_their_own_tags() -> None:
    reader = read_tbx(io.BytesIO((SAMPLES / "TBX-basic-sample.tbx").read_bytes()))
    records = list(reader)
    assert reader.skipped_languages == {}
    assert {t.language for r in records for t in r.terms} == {"en", "fr", "de"}


def test_a_term_under_a_tag_that_is_no_language_is_counted_not_read() -> None:
    data = (
        b'<martif type="TBX-Basic" xml:lang="en"><text><body><termEntry id="a">'
        b'<langSet xml:lang="en"><tig><term>cyber</term></tig></langSet>'
        b'<langSet xml:lang="12"><tig><term>x</term></tig></langSet>'
        b"</termEntry></body></text></martif>"
    )
    reader = read_tbx(io.BytesIO(data))
    assert [t.text for r in reader for t in r.terms] == ["cyber"]
    assert reader.skipped_languages == {"12": 1}


def test_reads_the_official_2008_sample() -> None:
    records = read((SAMPLES / "TBX-basic-sample.tbx").read_bytes())
    terms = {t.text: t for r in records for t in r.terms}
    assert terms["federated database"].part_of_speech == "noun"
    assert (
        terms["federated database"]
        .contexts[0]
        .text.startswith("Users and applications interface with the federated database")
    )
    assert "\t" not in terms["federated database"].contexts[0].text


@pytest.mark.parametrize("name", ["astronomy_basic_dca.tbx", "astronomy_basic_dct.tbx"])
def test_reads_v3_in_both_styles_alike(name: str) -> None:
    reader = read_tbx(io.BytesIO((SAMPLES / name).read_bytes()))
    records = list(reader)
    assert reader.entries == 45
    assert len(records) == 45  # six of them have only Spanish terms
    assert {t.language for r in records for t in r.terms} == {"en", "es", "zu"}
    first = records[0]
    assert first.subject_field == "General"
    assert first.definitions["en"].startswith("A group of stars formed together")
    assert first.definition_sources["en"] == "Oxford2007"
    assert [(t.kind, t.responsible) for t in first.transactions][:2] == [
        ("origination", "Tommy"),
        ("modification", "Tommy"),
    ]
    assert first.terms[0].text == "open cluster"
    assert first.terms[0].part_of_speech == "noun"


def test_dca_and_dct_give_the_same_records() -> None:
    dca = read((SAMPLES / "astronomy_basic_dca.tbx").read_bytes())
    dct = read((SAMPLES / "astronomy_basic_dct.tbx").read_bytes())
    assert [(r.subject_field, r.definitions, [t.text for t in r.terms]) for r in dca] == [
        (r.subject_field, r.definitions, [t.text for t in r.terms]) for r in dct
    ]


def test_reads_the_2025_usage_status_vocabulary() -> None:
    """LTAC's 2025 files (UTF-8 BOM, usageStatus, transaction "creation")."""
    data = (SAMPLES / "ltac2025_basic_good.tbx").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    records = read(data)
    statuses = {t.usage_status for r in records for t in r.terms if t.usage_status_given}
    assert UsageStatus.PREFERRED in statuses
    assert records[0].transactions[0].kind == "origination"


def test_reads_ntig_and_utf16() -> None:
    body = '<ntig><termGrp><term>网络</term><termNote type="administrativeStatus">deprecatedTerm-admn-sts</termNote></termGrp></ntig>'
    data = _entry_2008("zh-CN").replace(b"<tig><term>x</term></tig>", body.encode())
    utf16 = data.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    (record,) = read(utf16)
    assert (record.terms[0].text, record.terms[0].usage_status) == ("网络", UsageStatus.DEPRECATED)


def test_statuses_not_given_are_marked_so() -> None:
    (record,) = read(_entry_2008("en"))
    assert record.status_given is False
    assert record.terms[0].usage_status_given is False
    assert record.terms[0].review is TermReview.ACCEPTED


def test_back_matter_resolves_persons_named_only_by_reference() -> None:
    data = (
        b'<martif type="TBX-Basic" xml:lang="en"><martifHeader><fileDesc><sourceDesc><p>t</p></sourceDesc>'
        b"</fileDesc></martifHeader><text><body><termEntry><transacGrp>"
        b'<transac type="transactionType">origination</transac><date>2020-01-02</date>'
        b'<transacNote type="responsibility" target="u7"/></transacGrp>'
        b'<langSet xml:lang="en"><tig><term>x</term></tig></langSet></termEntry></body>'
        b'<back><refObjectList type="respPerson"><refObject id="u7"><item type="fn">Ada</item></refObject>'
        b"</refObjectList></back></text></martif>"
    )
    reader = read_tbx(io.BytesIO(data))
    (record,) = list(reader)
    assert record.transactions[0].responsible_ref == "u7"
    assert reader.persons == {"u7": "Ada"}


# -- hostile and broken input --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "message", "element"),
    [
        ("xxe.tbx", "declares entities", "DOCTYPE"),
        ("xxe_parameter.tbx", "declares entities", "DOCTYPE"),
        # libxml2 (2.11 and later) already stops this while reading the DOCTYPE.
        ("billion_laughs.tbx", "declares entities|entity expansion refused", ("DOCTYPE", None)),
        ("internal_subset.tbx", "internal subset", "DOCTYPE"),
        ("undefined_entity.tbx", "entity reference &foo;", "term"),
        ("deep_nesting.tbx", "nested too deeply", None),
        ("not_tbx.tmx", "not a TBX file", "tmx"),
    ],
)
def test_hostile_files_are_refused(
    name: str, message: str, element: str | tuple[str | None, ...] | None
) -> None:
    with pytest.raises(TbxError, match=message) as caught:
        list(read_tbx(io.BytesIO((HOSTILE / name).read_bytes())))
    assert caught.value.line is not None
    assert caught.value.line >= 1
    assert caught.value.element in (element if isinstance(element, tuple) else (element,))


def test_entities_are_never_expanded_or_fetched(tmp_path: Path) -> None:
    """A SYSTEM entity pointing at a real file: refused, and the file's text appears nowhere."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    data = (HOSTILE / "xxe.tbx").read_bytes().replace(b"file:///etc/passwd", secret.as_uri().encode())
    with pytest.raises(TbxError) as caught:
        list(read_tbx(io.BytesIO(data)))
    assert "TOP-SECRET" not in str(caught.value)


def test_malformed_xml_names_the_line(sample: Callable[[str], bytes]) -> None:
    with pytest.raises(TbxError, match="not well-formed") as caught:
        list(read_tbx(io.BytesIO(sample("tbx_basic_sample_notwellformed.tbx"))))
    assert caught.value.line == 45


def test_language_section_without_xml_lang_is_an_error() -> None:
    data = _entry_2008("en").replace(b' xml:lang="en"><tig>', b"><tig>")
    with pytest.raises(TbxError, match="no xml:lang") as caught:
        read(data)
    assert (caught.value.line, caught.value.element) == (1, "langSet")


@pytest.mark.parametrize(
    "module", ["termbase.tbx.parse", "termbase.tbx.export", "termbase.tbx.vocab", "termbase.ingest.glossary"]
)
def test_exchange_core_is_flask_and_database_free(module: str) -> None:
    code = (
        f"import sys, {module}; "
        "print(','.join(m for m in ('flask', 'sqlalchemy', 'termbase.models') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
