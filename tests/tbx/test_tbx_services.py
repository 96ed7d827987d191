"""Export and import against a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tbx_fixtures import HOSTILE, Populated, renumbered, wipe
from tbx_validation import all_errors
from translate.storage import tbx as tt_tbx

from termbase.exchange import exporting
from termbase.exchange.exporting import ExportOptions, export_stream
from termbase.exchange.importing import derive_term_columns, import_file
from termbase.models import TERMBASE_COUNTER, Concept, Counter, Definition, HistoryEntry, Term
from termbase.services import concepts as concept_service
from termbase.services import search
from termbase.services.concepts import TermInput, build_term
from termbase.services.errors import Invalid
from termbase.tbx.vocab import Generation

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CODES = {"zh-CN", "zh-TW", "en-US"}
GENERATIONS = [Generation.TBX_2008.value, Generation.TBX_V3.value]


def export(session: Session, when: datetime | None = None, **options: Any) -> bytes:
    opts = ExportOptions(exported_at=when or datetime(2026, 1, 2, tzinfo=UTC), **options)
    return b"".join(export_stream(session, opts))


def run_import(session: Session, data: bytes, name: str = "in.tbx", **kwargs: Any) -> Any:
    kwargs.setdefault("dry_run", False)
    kwargs.setdefault("actor", "importer")
    report = import_file(session, io.BytesIO(data), filename=name, **kwargs)
    session.commit()
    return report


def dump(session: Session) -> list[Any]:
    """Every row an import could touch, to prove a refused import left nothing behind."""
    rows: list[Any] = []
    for model in (Concept, Term, Definition, HistoryEntry, Counter):
        table = model.__table__
        rows.append(sorted(tuple(map(repr, r)) for r in session.execute(select(table)).all()))
    return rows


def entries(data: bytes) -> list[etree._Element]:
    root = etree.fromstring(data)
    return [
        el
        for el in root.iter()
        if isinstance(el.tag, str) and etree.QName(el).localname in ("termEntry", "conceptEntry")
    ]


def local(el: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in el.iter() if isinstance(c.tag, str) and etree.QName(c).localname == name]


# -- export -------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", GENERATIONS)
@pytest.mark.parametrize("status", ["approved", "all"])
def test_exports_pass_the_official_schemas(
    session: Session, populated: Populated, fmt: str, status: str
) -> None:
    data = export(session, format=fmt, status=status)
    assert all_errors(data, Generation(fmt), CODES) == []
    assert len(entries(data)) == (2 if status == "approved" else 3)


def test_translate_toolkit_reads_every_term_under_its_language(
    session: Session, populated: Populated
) -> None:
    """translate-toolkit (what Weblate uses) reads the 2008 export: every term, right language, status."""
    data = export(session, status="all")
    store = tt_tbx.tbxfile.parsestring(data)
    assert len(store.units) == 3
    expected = {}
    for concept_id in (populated.approved, populated.candidate, populated.bare):
        concept = concept_service.get_concept(session, concept_id)
        code = {"zh-Hans": "zh-CN", "zh-Hant": "zh-TW", "en": "en-US"}
        by_language: dict[str, set[tuple[str, str]]] = {}
        for term in concept.terms:
            if term.review != "rejected":
                by_language.setdefault(code[term.language], set()).add(
                    (term.text, f"{term.usage_status}Term-admn-sts")
                )
        expected[concept_id] = by_language
    seen = []
    for unit in store.units:
        languages = [node.get(XML_LANG) for node in unit.getlanguageNodes()]
        got = {
            lang: {(t.text, t.administrative_status) for t in unit.get_target_terms(lang)}
            for lang in languages
        }
        seen.append(got)
    assert seen == [expected[populated.approved], expected[populated.candidate], expected[populated.bare]]
    assert unit.isobsolete() is False


@pytest.mark.parametrize("fmt", GENERATIONS)
@pytest.mark.parametrize("status", ["approved", "all"])
def test_round_trip_into_an_empty_database_is_identical(
    session: Session, populated: Populated, fmt: str, status: str
) -> None:
    first = export(session, format=fmt, status=status)
    wipe(session)
    report = run_import(session, first)
    assert (report.new, report.updated, report.unchanged) == (len(entries(first)), 0, 0)
    second = export(session, format=fmt, status=status, when=datetime(2027, 5, 6, tzinfo=UTC))
    assert second != first  # the header timestamp differs...
    # ...and nothing else, but the entry ids: the concepts' ids in a database that numbered them anew.
    assert renumbered(second.replace(b"2027-05-06T00:00:00Z", b"2026-01-02T00:00:00Z")) == renumbered(first)


def test_round_trip_across_generations(session: Session, populated: Populated) -> None:
    """A v3 file imported gives the same 2008 export as the original database."""
    v3 = export(session, format="tbx-basic-v3", status="all")
    original_2008 = export(session, status="all")
    wipe(session)
    run_import(session, v3)
    assert renumbered(export(session, status="all")) == renumbered(original_2008)


def test_every_field_goes_out(session: Session, populated: Populated) -> None:
    data = export(session, status="all", context_cap=3)
    entry = entries(data)[0]
    assert entry.findtext("descrip[@type='subjectField']") == "网络空间治理; 国际法"
    notes = [n.text for n in entry.findall("note")]
    assert notes == ['概念注释 & <标记> "引号"\n第二行', "termbase: status=approved; confidence=0.875"]
    transactions = [
        (g.findtext("transac"), g.find("transacNote").text)  # type: ignore[union-attr]
        for g in entry.findall("transacGrp")
    ]
    assert transactions == [("origination", "李伟"), ("modification", "Zhang San")]
    en = entry.find("langSet[@xml:lang='en-US']", namespaces={"xml": "http://www.w3.org/XML/1998/namespace"})
    assert en is not None
    assert en.findtext("descripGrp/descrip[@type='definition']") == "A state's sovereignty in cyberspace."
    assert en.findtext("descripGrp/admin[@type='source']") == "Glossary of Internet governance, 2020"
    terms = {tig.findtext("term"): tig for tig in entry.iter("tig")}
    assert "netsovereignty" not in terms  # rejected variant
    assert set(terms) == {
        "网络主权",
        "网络空间主权",
        "網絡主權",
        "cyber sovereignty",
        "Internet sovereignty",
        "sovereignty in cyberspace",
    }
    zh = terms["网络主权"]
    contexts = zh.findall("descripGrp")
    assert len(contexts) == 3  # five citations, capped
    assert contexts[0].findtext("descrip") == "第1句:各国应当尊重彼此的网络主权。"
    assert (
        contexts[0].findtext("admin")
        == "在第二届世界互联网大会开幕式上的讲话 & Speech (2015-12-16), segment 1"
    )
    assert ("zh-Latn-pinyin", "Pinyin: wǎngluò zhǔquán") in [
        (n.get(XML_LANG), n.text) for n in zh.findall("note")
    ]
    assert terms["sovereignty in cyberspace"].findtext("termNote[@type='administrativeStatus']") == (
        "supersededTerm-admn-sts"
    )
    assert terms["sovereignty in cyberspace"].findtext("termNote[@type='termType']") == "phrase"
    assert "termbase: review=candidate" in [n.text for n in terms["网络空间主权"].findall("note")]
    for tig in entry.iter("tig"):
        assert len(tig.findall("termNote[@type='partOfSpeech']")) == 1
    candidate = entries(data)[1]
    (lone,) = candidate.iter("descripGrp")
    assert lone.findtext("descrip") == "Data security matters for all."
    assert lone.findtext("admin") == "Mutual Trust, segment 7"


def test_approved_export_leaves_out_candidate_terms(session: Session, populated: Populated) -> None:
    data = export(session)
    texts = {t.text for t in etree.fromstring(data).iter("term")}
    assert "网络空间主权" not in texts
    assert "cyberspace" in texts


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({}, {"cyber sovereignty", "cyberspace"}),
        ({"status": "candidate"}, {"data security"}),
        ({"status": "all"}, {"cyber sovereignty", "data security", "cyberspace"}),
        ({"status": "all", "min_confidence": 0.5}, {"cyber sovereignty", "cyberspace"}),
        ({"status": "all", "min_confidence": 0.9}, {"cyberspace"}),  # unscored entries always pass
        ({"status": "all", "document": "xi-2015-wic"}, {"cyber sovereignty"}),
        ({"status": "all", "document": "lu-2014"}, {"data security"}),
        ({"status": "approved", "document": "lu-2014", "min_confidence": 0.1}, None),
        ({"status": "candidate", "min_confidence": 0.5}, None),
    ],
)
def test_filters_combine(
    session: Session, populated: Populated, options: dict[str, Any], expected: set[str] | None
) -> None:
    if expected is None:
        with pytest.raises(Invalid, match="nothing to export"):
            export(session, **options)
        return
    data = export(session, **options)
    english = {
        tig.findtext("term")
        for ls in etree.fromstring(data).iter("langSet")
        if ls.get(XML_LANG) == "en-US"
        for tig in ls.iter("tig")
    }
    assert english & {"cyber sovereignty", "data security", "cyberspace"} == expected


def test_unknown_document_is_refused(session: Session, populated: Populated) -> None:
    with pytest.raises(Invalid, match="no document 'nope'"):
        export(session, document="nope")


@pytest.mark.parametrize("cap", [0, 1, 5, 50])
def test_context_cap_is_configurable(session: Session, populated: Populated, cap: int) -> None:
    entry = entries(export(session, context_cap=cap))[0]
    zh = next(t for t in entry.iter("tig") if t.findtext("term") == "网络主权")
    assert len(zh.findall("descripGrp")) == min(cap, 5)


def test_language_codes_are_configurable(session: Session, populated: Populated) -> None:
    data = export(session, lang_codes={"zh": "zh", "zh-Hant": "zh-Hant", "en": "en"})
    assert {ls.get(XML_LANG) for ls in etree.fromstring(data).iter("langSet")} == {"zh", "zh-Hant", "en"}
    assert all_errors(data, Generation.TBX_2008, {"zh", "zh-Hant", "en"}) == []


def test_export_reads_in_chunks(
    session: Session, populated: Populated, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = export(session, status="all")
    monkeypatch.setattr(exporting, "CHUNK_SIZE", 1)
    assert export(session, status="all") == whole


def test_export_stream_counts_entries(session: Session, populated: Populated) -> None:
    stream = export_stream(session, ExportOptions(status="all"))
    assert stream.entries == 0
    chunks = list(stream)
    assert chunks
    assert stream.entries == 3


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_glossary_exports(session: Session, populated: Populated, fmt: str) -> None:
    text = export(session, format=fmt, status="all").decode("utf-8-sig")
    lines = text.splitlines()
    sep = "," if fmt == "csv" else "\t"
    assert lines[0] == sep.join(("# zh-CN", "en-US", "comment", "id (termbase 424242)"))
    sep = "," if fmt == "csv" else "\t"
    pairs = {tuple(line.split(sep)[:2]) for line in lines[1:]}
    assert pairs == {
        ("网络主权", "cyber sovereignty"),
        ("网络空间主权", "cyber sovereignty"),
        ("数据安全", "data security"),
    }


def test_csv_export_neutralises_formula_cells_and_reads_back_unchanged(session: Session) -> None:
    terms = [TermInput("zh-Hans", "@网络"), TermInput("en", "-based"), TermInput("en", "'=own")]
    concept_service.create_concept(session, terms, actor="li", status="approved", note="=1+1")
    session.commit()
    data = export(session, format="csv")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert [row[:2] for row in rows[1:]] == [["'@网络", "'-based"], ["'@网络", "''=own"]]
    wipe(session)
    run_import(session, data, name="g.csv", default_status="approved")
    assert sorted(session.scalars(select(Term.text))) == ["'=own", "-based", "@网络"]
    assert session.scalars(select(Concept.note)).one() == "=1+1"  # the two rows are one concept (their id)
    again = list(csv.reader(io.StringIO(export(session, format="csv").decode("utf-8-sig"))))
    assert [row[:3] for row in again] == [row[:3] for row in rows]


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"format": "pdf"}, "format"),
        ({"status": "rejected"}, "status"),
        ({"min_confidence": 1.5}, "min_confidence"),
        ({"context_cap": 51}, "context_cap"),
        ({"lang_codes": {"zh": "zh_CN"}}, "lang_codes"),
    ],
)
def test_export_options_are_checked(options: dict[str, Any], field: str) -> None:
    with pytest.raises(Invalid) as caught:
        ExportOptions(**options)
    assert caught.value.details == {"field": field}


def test_content_type_and_filename() -> None:
    when = datetime(2026, 3, 4, tzinfo=UTC)
    options = ExportOptions(format="tbx-basic-v3", status="all", document="xi/2015", exported_at=when)
    assert exporting.filename(options) == "termbase-all-xi-2015-2026-03-04.v3.tbx"
    assert exporting.content_type(options).startswith("application/x-tbx+xml")
    assert exporting.content_type(ExportOptions(format="csv")) == "text/csv; charset=utf-8"


# -- import -------------------------------------------------------------------------------------


def test_import_records_history_like_the_concept_service(session: Session, populated: Populated) -> None:
    data = export(session, status="all")
    wipe(session)
    run_import(session, data)
    for concept in session.scalars(select(Concept)):
        (entry,) = concept_service.history(session, concept.id)
        assert (entry.action, entry.actor, entry.before) == ("import", "importer", None)
        assert entry.summary == "imported from in.tbx"
        assert entry.after == concept_service.snapshot(concept_service.get_concept(session, concept.id))


def test_import_keeps_origination_and_modification(session: Session, populated: Populated) -> None:
    data = export(session, format="tbx-basic-v3")
    original = session.get(Concept, populated.approved)
    assert original is not None
    created, updated = original.created_at, original.updated_at
    wipe(session)
    run_import(session, data)
    concept = session.scalars(select(Concept).where(Concept.subject_field.is_not(None))).one()
    assert (concept.created_by, concept.updated_by, concept.origin) == ("李伟", "Zhang San", "import")
    assert concept.created_at.replace(tzinfo=None, microsecond=0) == created.replace(
        tzinfo=None, microsecond=0
    )
    assert concept.updated_at.replace(tzinfo=None, microsecond=0) == updated.replace(
        tzinfo=None, microsecond=0
    )


def test_import_derives_pinyin_keys_and_bumps_the_termbase_stamp(session: Session) -> None:
    before = session.get(Counter, TERMBASE_COUNTER)
    stamp = before.value if before else 0
    data = b"zh-CN,en-US\n\xe7\xbd\x91\xe7\xbb\x9c\xe4\xb8\xbb\xe6\x9d\x83,cyber sovereignty\n"
    run_import(session, data, name="g.csv")
    term = session.scalars(select(Term).where(Term.language == "zh-Hans")).one()
    assert (term.pinyin, term.pinyin_key, term.pinyin_initials) == (
        "wǎngluò zhǔquán",
        "wangluozhuquan",
        "wlzq",
    )
    session.expire_all()
    assert session.get(Counter, TERMBASE_COUNTER).value > stamp  # type: ignore[union-attr]


def test_the_same_terms_in_both_languages_update_the_concept(session: Session, populated: Populated) -> None:
    csv_file = "zh-CN,en-US,comment\n網絡主權,cyber sovereignty,from a CAT tool\n".encode()
    report = run_import(session, csv_file, name="cat.csv")
    assert (report.new, report.updated, report.unchanged) == (0, 1, 0)
    concept = concept_service.get_concept(session, populated.approved)
    texts = [(t.language, t.text) for t in concept.terms]
    assert texts.count(("zh-Hant", "網絡主權")) == 1  # the Traditional spelling is added
    assert [(c.action, c.concept) for c in report.changes] == [("updated", concept.id)]
    assert concept.note == "from a CAT tool"
    assert concept.status == "approved"  # the file stated no status: kept
    preferred = next(t for t in concept.terms if t.text == "cyber sovereignty")
    assert preferred.usage_status == "preferred"  # not overwritten by the glossary's default
    latest = concept_service.history(session, concept.id)[0]
    assert (latest.action, latest.actor, latest.summary) == ("import", "importer", "updated from cat.csv")
    assert latest.before is not None
    assert session.scalar(select(func.count()).select_from(Concept)) == 4  # no new concept
    again = run_import(session, csv_file, name="cat.csv")
    assert (again.new, again.updated, again.unchanged) == (0, 0, 1)
    assert concept_service.history(session, concept.id)[0].id == latest.id


def test_a_shared_term_alone_makes_a_flagged_new_concept(session: Session, populated: Populated) -> None:
    csv_file = "zh-CN,en-US,comment\n網絡主權,cyber-sovereignty,from a CAT tool\n".encode()
    report = run_import(session, csv_file, name="cat.csv")
    assert (report.new, report.flagged, report.updated) == (1, 1, 0)
    (change,) = report.changes
    assert (change.action, change.duplicates) == ("flagged", [populated.approved])
    assert session.scalar(select(func.count()).select_from(Concept)) == 5
    original = concept_service.get_concept(session, populated.approved)
    assert "cyber-sovereignty" not in [t.text for t in original.terms]
    history = concept_service.history(session, change.concept)[0]
    assert history.summary == f"imported from cat.csv; possible duplicate of {populated.approved}"
    duplicates = search.find_duplicates(session, [("en", "cyber sovereignty")], exclude=populated.approved)
    assert [d.id for d in duplicates] == []  # the spelling differs: only the Chinese term is shared
    duplicates = search.find_duplicates(session, [("zh-Hant", "網絡主權")], exclude=populated.approved)
    assert [d.id for d in duplicates] == [change.concept]  # the entry page offers the merge


def test_reimporting_an_export_changes_nothing(session: Session, populated: Populated) -> None:
    data = export(session, status="all")
    before = dump(session)
    report = run_import(session, data)
    assert (report.new, report.updated, report.unchanged) == (0, 0, 3)
    assert dump(session) == before


def test_entries_sharing_a_term_in_one_file_stay_apart(session: Session) -> None:
    data = "zh,en\n网络,network\n网络,net\n網絡,network\n".encode()
    report = run_import(session, data, name="g.csv", batch_size=2)
    # 網絡/network holds the same terms as the first row (網絡 is its Traditional spelling).
    assert (report.new, report.flagged, report.updated) == (2, 1, 1)
    concepts = session.scalars(select(Concept).order_by(Concept.id)).all()
    assert len(concepts) == 2
    first = concept_service.get_concept(session, concepts[0].id)
    assert {t.text for t in first.terms} == {"network", "网络", "網絡"}
    second = concept_service.get_concept(session, concepts[1].id)
    assert {t.text for t in second.terms} == {"net", "网络"}
    assert [c.action for c in report.changes] == ["new", "flagged", "updated"]


def test_status_in_the_file_or_the_default(session: Session) -> None:
    run_import(session, "zh,en\n网络,network\n".encode(), name="a.csv", default_status="approved")
    run_import(session, "zh,en\n数据,data\n".encode(), name="b.csv")
    assert sorted(session.scalars(select(Concept.status))) == ["approved", "candidate"]
    with pytest.raises(Invalid, match="default_status"):
        import_file(
            session, io.BytesIO(b"x"), filename="x", dry_run=True, actor=None, default_status="rejected"
        )


def test_dry_run_reports_exactly_and_writes_nothing(session: Session, populated: Populated) -> None:
    data = export(session, status="all")
    wipe(session)
    before = dump(session)
    dry = run_import(session, data, dry_run=True)
    assert dump(session) == before
    real = run_import(session, data)
    assert (dry.new, dry.updated, dry.unchanged, dry.terms_added) == (
        real.new,
        real.updated,
        real.unchanged,
        real.terms_added,
    )
    assert dry.dry_run is True
    assert "nothing written" in dry.summary()


@pytest.mark.parametrize(
    "name",
    [
        "xxe.tbx",
        "xxe_parameter.tbx",
        "billion_laughs.tbx",
        "internal_subset.tbx",
        "undefined_entity.tbx",
        "deep_nesting.tbx",
    ],
)
@pytest.mark.parametrize("dry_run", [False, True])
def test_hostile_files_leave_the_database_untouched(
    session: Session, populated: Populated, name: str, dry_run: bool
) -> None:
    before = dump(session)
    with pytest.raises(Invalid) as caught:
        import_file(session, HOSTILE / name, filename=name, dry_run=dry_run, actor="x")
    session.rollback()  # what every edge does on an error
    assert dump(session) == before
    assert caught.value.details["file"] == name
    assert caught.value.details["line"] >= 1


def test_late_error_rolls_back_earlier_entries(session: Session, populated: Populated) -> None:
    """Entries before the broken one were already written in bulk; the rollback removes them too."""
    good = export(session, status="all")
    wipe(session)
    before = dump(session)
    broken = good.replace(
        b"</body>", b"<termEntry><langSet><tig><term>x</term></tig></langSet></termEntry></body>"
    )
    with pytest.raises(Invalid, match="no xml:lang") as caught:
        import_file(session, io.BytesIO(broken), filename="late.tbx", dry_run=False, actor="x", batch_size=1)
    session.rollback()
    assert dump(session) == before
    assert caught.value.details["element"] == "langSet"
    assert (
        caught.value.details["line"] == broken[: broken.index(b"<termEntry><langSet><tig>")].count(b"\n") + 1
    )


def test_overlong_values_are_refused_with_the_line(session: Session) -> None:
    data = ("zh,en\n网络,network\n" + "数据," + "x" * 501 + "\n").encode()
    with pytest.raises(Invalid, match="longer than 500") as caught:
        import_file(session, io.BytesIO(data), filename="long.csv", dry_run=False, actor="x")
    session.rollback()
    assert caught.value.details == {"file": "long.csv", "line": 3, "element": "term"}
    assert session.scalar(select(func.count()).select_from(Concept)) == 0


def test_terms_whose_pinyin_would_not_fit_are_refused_with_the_line(
    session: Session, populated: Populated
) -> None:
    """300 Han characters fit the text column but not the pinyin ones (PostgreSQL enforces that)."""
    long_term = "网络" * 150
    for data, name in (
        (f"zh,en\n{long_term},net\n".encode(), "new.csv"),  # a new concept (bulk path)
        (f"zh,en\n网络主权|{long_term},net\n".encode(), "merge.csv"),  # added to an existing concept
        (f"zh,en,pinyin\n网络主权,net,{'wang ' * 201}\n".encode(), "pinyin.csv"),  # an existing term's pinyin
    ):
        # A given pinyin over its column's width is refused as the forms and the API refuse it.
        with pytest.raises(Invalid, match="too long|pinyin is longer than 1,000") as caught:
            import_file(session, io.BytesIO(data), filename=name, dry_run=False, actor="x")
        session.rollback()
        assert caught.value.details["line"] == 2
    assert session.scalar(select(func.count()).select_from(Concept)) == 4


def test_not_a_glossary_is_refused(session: Session) -> None:
    with pytest.raises(Invalid, match="header") as caught:
        import_file(session, io.BytesIO(b"just some words\n"), filename="notes.txt", dry_run=False, actor="x")
    assert caught.value.details["line"] == 1


def test_imports_other_tools_files(session: Session, sample: Callable[[str], bytes]) -> None:
    report = run_import(session, sample("ltac2025_basic_good.tbx"), name="basic_good.tbx")
    assert report.format == "tbx-basic-v3"
    assert report.new > 0
    assert report.skipped_terms == 0
    assert {"es", "zu"} <= set(session.scalars(select(Term.language)))
    statuses = set(session.scalars(select(Term.usage_status)))
    assert {"preferred", "admitted"} <= statuses
    dca = run_import(session, sample("astronomy_basic_dca.tbx"), name="dca.tbx")
    assert dca.new + dca.updated + dca.unchanged == 45
    assert run_import(session, sample("TBX-basic-sample.tbx"), name="s.tbx").format == "tbx-basic-2008"


def test_persons_named_only_in_the_back_matter(session: Session) -> None:
    data = (
        '<martif type="TBX-Basic" xml:lang="en"><martifHeader><fileDesc><sourceDesc><p>t</p></sourceDesc>'
        "</fileDesc></martifHeader><text><body><termEntry><transacGrp>"
        '<transac type="transactionType">origination</transac><date>2020-01-02</date>'
        '<transacNote type="responsibility" target="u7"/></transacGrp>'
        '<langSet xml:lang="zh-SG"><tig><term>网络</term></tig></langSet></termEntry></body>'
        '<back><refObjectList type="respPerson"><refObject id="u7"><item type="fn">Ada</item></refObject>'
        "</refObjectList></back></text></martif>"
    ).encode()
    run_import(session, data)
    concept = session.scalars(select(Concept)).one()
    assert concept.created_by == "Ada"
    assert concept.created_at.date().isoformat() == "2020-01-02"
    assert session.scalars(select(Term.language)).one() == "zh-Hans"


# -- the fast path computes what the concept service computes ------------------------------------

SAMPLE_TERMS = [
    ("zh-Hans", "网络主权", None),
    ("zh-Hans", "网络空间命运共同体", None),
    ("zh-Hans", "重庆", "chóngqìng"),
    ("zh-Hant", "網絡主權", None),
    ("zh-Hans", "5G网络", None),
    ("zh-Hans", "  互联网 +  ", None),
    ("zh-Hans", "AI治理", None),
    ("zh-Hans", "女性", None),
    ("zh-Hans", "银行行长", None),
    ("zh-Hans", "一行人了解得到的音乐", None),
    ("zh-Hant", "長期發展與乾淨能源", None),
    ("en", "Cyber-Attacks", None),
    ("en", "data\u200b security", None),
]


def _service_columns(language: str, text: str, pinyin: str | None) -> dict[str, Any]:
    term = build_term(TermInput(language=language, text=text, pinyin=pinyin))
    return {name: getattr(term, name) for name in derive_term_columns(language, text, pinyin)}


@pytest.mark.parametrize(("language", "text", "pinyin"), SAMPLE_TERMS)
def test_derived_columns_equal_the_concept_service(language: str, text: str, pinyin: str | None) -> None:
    assert derive_term_columns(language, text, pinyin) == _service_columns(language, text, pinyin)


@settings(max_examples=150, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("网络空间主权安全数据长行重乐了的地得着和一二三乾干發发ABCxyz 5-·")),
        min_size=1,
        max_size=12,
    ).filter(lambda s: s.strip())
)
def test_derived_columns_equal_the_concept_service_for_any_text(text: str) -> None:
    for language in ("zh-Hans", "zh-Hant", "en"):
        assert derive_term_columns(language, text, None) == _service_columns(language, text, None)
