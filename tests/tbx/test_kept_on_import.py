"""What a TBX import keeps beyond the termbase's columns: links, dangling references, language notes."""

from __future__ import annotations

import io

from sqlalchemy import select
from sqlalchemy.orm import Session

from termbase.exchange.exporting import ExportOptions, export_stream
from termbase.exchange.importing import import_file
from termbase.models import Concept, ConceptField, ConceptLink, ConceptSource, Term
from termbase.services import concepts as concept_service


def _martif(entries: str) -> bytes:
    return f'<martif type="TBX-Basic" xml:lang="en"><text><body>{entries}</body></text></martif>'.encode()


def _entry(entry_id: str, term: str, extra: str = "", language_extra: str = "") -> str:
    return (
        f'<termEntry id="{entry_id}">{extra}<langSet xml:lang="en">{language_extra}'
        f"<tig><term>{term}</term></tig></langSet></termEntry>"
    )


def _import(session: Session, data: bytes, name: str = "x.tbx") -> None:
    import_file(session, io.BytesIO(data), filename=name, dry_run=False, actor="t")
    session.commit()


def _concept_of(session: Session, name: str, entry_id: str) -> int:
    return session.scalars(
        select(ConceptSource.concept_id).where(
            ConceptSource.source == name, ConceptSource.source_id == entry_id
        )
    ).one()


def test_a_reference_to_an_entry_later_in_the_file_becomes_a_link(session: Session) -> None:
    ref = '<ref type="crossReference" target="b">beta</ref>'
    _import(session, _martif(_entry("a", "alpha", ref) + _entry("b", "beta")))
    [link] = session.scalars(select(ConceptLink)).all()
    assert (link.concept_id, link.target_id) == (
        _concept_of(session, "x.tbx", "a"),
        _concept_of(session, "x.tbx", "b"),
    )
    assert (link.type, link.value, link.term_id, link.language) == ("crossReference", "beta", None, None)


def test_a_reference_to_an_entry_of_an_earlier_import_of_the_file_becomes_a_link(session: Session) -> None:
    _import(session, _martif(_entry("b", "beta")))
    ref = '<ref type="relatedConcept" target="b">beta</ref>'
    _import(session, _martif(_entry("b", "beta") + _entry("c", "gamma", ref)))
    [link] = session.scalars(select(ConceptLink)).all()
    assert link.target_id == _concept_of(session, "x.tbx", "b")
    assert link.type == "relatedConcept"
    exported = b"".join(export_stream(session, ExportOptions(status="all"))).decode()
    assert f'<ref type="crossReference" target="c{link.target_id}">beta</ref>' in exported


def test_a_dangling_reference_is_kept_as_a_field_and_exported_as_a_note(session: Session) -> None:
    ref = '<ref type="crossReference" target="nowhere">lost</ref>'
    _import(session, _martif(_entry("a", "alpha", ref)))
    assert session.scalars(select(ConceptLink)).all() == []
    [kept] = session.scalars(select(ConceptField)).all()
    assert (kept.element, kept.type, kept.value, kept.target) == ("ref", "crossReference", "lost", "nowhere")
    exported = b"".join(export_stream(session, ExportOptions(status="all"))).decode()
    assert "<note>crossReference: lost &lt;nowhere&gt;</note>" in exported


def test_a_language_note_stays_with_its_language(session: Session) -> None:
    _import(session, _martif(_entry("a", "alpha", language_extra="<note>said in English</note>")))
    assert session.scalars(select(Concept.note)).one() is None
    [kept] = session.scalars(select(ConceptField)).all()
    assert (kept.language, kept.element, kept.value, kept.term_id) == ("en", "note", "said in English", None)
    exported = b"".join(export_stream(session, ExportOptions(status="all"))).decode()
    section = exported[exported.index('<langSet xml:lang="en-US">') : exported.index("<tig>")]
    assert "<note>said in English</note>" in section


def test_importing_the_same_file_again_keeps_one_copy_of_everything(session: Session) -> None:
    ref = '<ref type="crossReference" target="b">beta</ref>'
    gender = '<termNote type="grammaticalGender">masculine</termNote>'
    data = _martif(
        _entry("a", "alpha", ref)
        + '<termEntry id="b"><langSet xml:lang="de"><tig><term>Beta</term>'
        + gender
        + "<transacGrp><transac>origination</transac><date>2020-01-02</date></transacGrp>"
        + "</tig></langSet></termEntry>"
    )
    _import(session, data)
    counts = [len(session.scalars(select(model)).all()) for model in (ConceptField, ConceptLink)]
    again = import_file(session, io.BytesIO(data), filename="x.tbx", dry_run=False, actor="t")
    session.commit()
    assert (again.new, again.updated, again.unchanged) == (0, 0, 2)
    assert (
        [len(session.scalars(select(model)).all()) for model in (ConceptField, ConceptLink)]
        == counts
        == [1, 1]
    )


def test_a_language_sections_transaction_stays_with_it(session: Session) -> None:
    transaction = (
        "<transacGrp><transac>origination</transac><date>2011-02-03</date>"
        "<transacNote type='responsibility'>Ann</transacNote></transacGrp>"
    )
    _import(session, _martif(_entry("a", "alpha", language_extra=transaction)))
    concept = session.scalars(select(Concept)).one()
    assert concept.created_by == "t"  # the entry itself records no origination
    exported = b"".join(export_stream(session, ExportOptions(status="all"))).decode()
    section = exported[exported.index('<langSet xml:lang="en-US">') : exported.index("<tig>")]
    assert "<date>2011-02-03</date>" in section
    assert ">Ann</transacNote>" in section


def test_a_terms_transaction_naming_its_person_by_back_matter_id_gets_the_name(session: Session) -> None:
    term = (
        '<termEntry id="a"><langSet xml:lang="en"><tig><term>alpha</term>'
        "<transacGrp><transac>modification</transac><date>2012-03-04</date>"
        '<transacNote type="responsibility" target="u1"/></transacGrp></tig></langSet></termEntry>'
    )
    back = '<back><refObjectList type="respPerson"><refObject id="u1"><item type="fn">Bo Li</item>'
    back += '<item type="email">bo@example.org</item></refObject></refObjectList></back>'
    data = _martif(term).replace(b"</body>", b"</body>" + back.encode())
    _import(session, data)
    exported = b"".join(export_stream(session, ExportOptions(status="all"))).decode()
    tig = exported[exported.index("<tig>") : exported.index("</tig>")]
    assert ">Bo Li</transacNote>" in tig
    assert '<item type="fn">Bo Li</item><item type="email">bo@example.org</item>' in exported


def test_merging_and_splitting_carry_kept_fields_and_links(session: Session) -> None:
    gender = '<termNote type="grammaticalGender">masculine</termNote>'
    data = _martif(
        _entry("a", "alpha", '<ref type="crossReference" target="c">gamma</ref>')
        + '<termEntry id="b"><langSet xml:lang="en"><tig><term>beta</term>'
        + gender
        + '</tig></langSet><langSet xml:lang="de"><tig><term>Beta</term></tig></langSet></termEntry>'
        + _entry("c", "gamma", '<xref type="xGraphic" target="http://example.org/g.png">g</xref>')
    )
    _import(session, data)
    a, b, c = (_concept_of(session, "x.tbx", entry_id) for entry_id in "abc")
    concept_service.merge_concepts(session, a, c, actor="t")
    session.commit()
    assert session.scalars(select(ConceptLink)).all() == []  # a link to itself is no link
    assert [(f.concept_id, f.type) for f in session.scalars(select(ConceptField))] == [
        (b, "grammaticalGender"),
        (a, "xGraphic"),
    ]
    beta = next(t for t in session.get(Concept, b).terms if t.text == "beta")  # type: ignore[union-attr]
    new = concept_service.split_concept(session, b, [beta.id], version=None, actor="t")
    session.commit()
    assert (
        session.scalars(select(ConceptField.concept_id).where(ConceptField.term_id == beta.id)).one()
        == new.id
    )


def test_a_new_term_in_another_language_is_added_to_an_existing_concept(session: Session) -> None:
    _import(session, _martif(_entry("a", "alpha")))
    french = '<termEntry id="a"><langSet xml:lang="en"><tig><term>alpha</term></tig></langSet>'
    french += '<langSet xml:lang="fr"><descrip type="definition">la première</descrip>'
    french += "<tig><term>alpha-fr</term></tig></langSet></termEntry>"
    report = import_file(session, io.BytesIO(_martif(french)), filename="x.tbx", dry_run=False, actor="t")
    session.commit()
    assert (report.updated, report.terms_added) == (1, 1)
    concept = session.scalars(select(Concept)).one()
    assert {(t.language, t.text) for t in concept.terms} == {("en", "alpha"), ("fr", "alpha-fr")}
    # A change to it can be undone: the French definition and term come back as they were.
    concept_service.update_concept(session, concept.id, version=None, actor="t", note="edited")
    session.commit()
    [last] = concept_service.history(session, concept.id)[:1]
    concept_service.revert(session, last.id, actor="t")
    session.commit()
    assert {d.language: d.text for d in concept.definitions} == {"fr": "la première"}
    assert concept.note is None


def test_undoing_a_merge_gives_the_restored_concept_back_its_kept_fields_and_links(session: Session) -> None:
    gender = '<termNote type="grammaticalGender">neuter</termNote>'
    data = _martif(
        _entry("a", "alpha", '<ref type="crossReference" target="c">gamma</ref>')
        + _entry("b", "beta", '<ref type="relatedConcept" target="c">gamma</ref>')
        + '<termEntry id="c"><ref type="crossReference" target="a">alpha</ref>'
        + '<xref type="xGraphic" target="http://example.org/g.png">g</xref>'
        + f'<langSet xml:lang="en"><tig><term>gamma</term>{gender}</tig>'
        + "<tig><term>alpha</term></tig></langSet></termEntry>"
    )
    _import(session, data)
    a, b, c = (_concept_of(session, "x.tbx", entry_id) for entry_id in "abc")

    def kept_state() -> tuple[set[tuple[int, str, str | None]], set[tuple[int, int, str]]]:
        fields = set()
        for row in session.scalars(select(ConceptField)):
            term = session.get(Term, row.term_id) if row.term_id else None
            fields.add((row.concept_id, row.type, term.text if term else None))
        links = {
            (link.concept_id, link.target_id, link.type) for link in session.scalars(select(ConceptLink))
        }
        return fields, links

    before = kept_state()
    assert before == (
        {(c, "xGraphic", None), (c, "grammaticalGender", "gamma")},
        {(a, c, "crossReference"), (b, c, "relatedConcept"), (c, a, "crossReference")},
    )
    concept_service.merge_concepts(session, a, c, actor="t")
    session.commit()
    assert kept_state() == (
        {(a, "xGraphic", None), (a, "grammaticalGender", "gamma")},
        {(b, a, "relatedConcept")},
    )
    merge = next(e for e in concept_service.history(session, a) if e.action == "merge")
    concept_service.revert(session, merge.id, actor="t")
    session.commit()
    session.expire_all()
    assert kept_state() == before


def _kept_of(
    session: Session, concept_id: int
) -> tuple[set[tuple[str, str | None]], set[tuple[int, int, str]]]:
    """A concept's kept fields (type, term text) and every link to or from it."""
    session.expire_all()
    fields = set()
    for row in session.scalars(select(ConceptField).where(ConceptField.concept_id == concept_id)):
        term = session.get(Term, row.term_id) if row.term_id else None
        fields.add((row.type, term.text if term else None))
    links = {
        (link.concept_id, link.target_id, link.type)
        for link in session.scalars(select(ConceptLink))
        if concept_id in (link.concept_id, link.target_id)
    }
    return fields, links


def _revert_last_change(session: Session, concept_id: int, *, expect_deleted: bool = False) -> None:
    [last] = concept_service.history(session, concept_id)[:1]
    concept_service.revert(session, last.id, actor="t", expect_deleted=expect_deleted)
    session.commit()


def test_reverting_a_term_removal_brings_back_the_terms_kept_fields_and_links(session: Session) -> None:
    gender = '<termNote type="grammaticalGender">feminine</termNote>'
    ref = '<ref type="crossReference" target="c">gamma</ref>'
    data = _martif(
        '<termEntry id="a"><langSet xml:lang="en"><tig><term>alpha</term></tig>'
        f"<tig><term>alef</term>{gender}{ref}</tig></langSet></termEntry>" + _entry("c", "gamma")
    )
    _import(session, data)
    a, c = _concept_of(session, "x.tbx", "a"), _concept_of(session, "x.tbx", "c")
    before = _kept_of(session, a)
    assert before == ({("grammaticalGender", "alef")}, {(a, c, "crossReference")})
    alef = next(t for t in session.get(Concept, a).terms if t.text == "alef")  # type: ignore[union-attr]
    concept_service.remove_term(session, alef.id, version=None, actor="t")
    session.commit()
    assert _kept_of(session, a) == (set(), set())
    _revert_last_change(session, a)
    assert _kept_of(session, a) == before
    # Undoing the revert removes the term again, and undoing that brings its fields back once more.
    _revert_last_change(session, a)
    assert _kept_of(session, a) == (set(), set())
    _revert_last_change(session, a)
    assert _kept_of(session, a) == before


def test_reverting_a_deletion_brings_back_kept_fields_links_both_ways_and_file_ids(session: Session) -> None:
    data = _martif(
        _entry(
            "a",
            "alpha",
            '<ref type="crossReference" target="c">gamma</ref>'
            '<xref type="xGraphic" target="http://example.org/a.png">a</xref>',
        )
        + _entry("b", "beta", '<ref type="relatedConcept" target="a">alpha</ref>')
        + _entry("c", "gamma")
    )
    _import(session, data)
    a, b, c = (_concept_of(session, "x.tbx", entry_id) for entry_id in "abc")
    before = _kept_of(session, a)
    assert before == ({("xGraphic", None)}, {(a, c, "crossReference"), (b, a, "relatedConcept")})
    concept_service.delete_concept(session, a, version=None, actor="t")
    session.commit()
    assert _kept_of(session, a) == (set(), set())
    _revert_last_change(session, a, expect_deleted=True)
    assert _kept_of(session, a) == before
    # The entry is the file's again: importing the file once more updates it, it adds nothing.
    _import(session, data)
    assert _concept_of(session, "x.tbx", "a") == a
    assert len(session.scalars(select(Concept)).all()) == 3
    assert _kept_of(session, a) == before
