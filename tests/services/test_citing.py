"""Citations found in the corpus for entries made by hand or by import."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from termbase.exchange.importing import import_file
from termbase.models import Document, Segment, Term
from termbase.services import citing
from termbase.services import concepts as svc
from termbase.services.concepts import TermInput
from termbase.services.errors import Invalid
from termbase.text.normalize import match_text


def _corpus(session: Session) -> list[int]:
    document = Document(slug="lanterns", title="Lanterns", layout="pipe-pairs", content_hash="3" * 64)
    document.segments = [
        Segment(position=0, kind="pair", zh_text="点亮灯笼协定", en_text="Lighting the Lantern Accords"),
        Segment(position=1, kind="pair", zh_text="灯笼协定生效", en_text="the accord takes effect"),
        Segment(position=2, kind="pair", zh_text="遵守灯笼协定", en_text="respect the lantern accord"),
        Segment(position=3, kind="en", en_text="the lantern accord again"),
        Segment(position=4, kind="pair", zh_text="灯笼", en_text="lantern accordion music"),
    ]
    old = Document(
        slug="lanterns", version=0, is_current=False, title="L", layout="pipe-pairs", content_hash="4" * 64
    )
    old.segments = [Segment(position=0, kind="pair", zh_text="灯笼协定", en_text="lantern accord")]
    for segment in [*document.segments, *old.segments]:  # as ingest fills them
        segment.zh_match = match_text(segment.zh_text) if segment.zh_text else None
        segment.en_match = match_text(segment.en_text) if segment.en_text else None
    session.add_all([document, old])
    session.flush()
    return [s.id for s in document.segments]


def _cited(session: Session, concept_id: int) -> dict[str, list[tuple[int, int, int]]]:
    concept = svc.get_concept(session, concept_id)
    return {t.text: sorted((c.segment_id, c.start, c.end) for c in t.citations) for t in concept.terms}


def test_segments_holding_both_terms_as_words_become_citations(session: Session) -> None:
    ids = _corpus(session)
    concept = svc.create_concept(
        session,
        [TermInput(language="zh-Hans", text="灯笼协定"), TermInput(language="en", text="lantern accord")],
        actor="ed",
    )
    session.flush()
    added = citing.cite_concept(session, concept.id, version=None, actor="ed")
    session.commit()
    # Plural and capitals match; "accord" alone, English-only segments, a word inside
    # "accordion" and earlier document versions do not.
    assert added == 2
    assert _cited(session, concept.id) == {
        "灯笼协定": [(ids[0], 2, 6), (ids[2], 2, 6)],
        "lantern accord": [(ids[0], 13, 28), (ids[2], 12, 26)],
    }
    assert svc.history(session, concept.id)[0].action == "cite"
    # Asking again finds nothing new; a removed citation is not brought back.
    concept = svc.get_concept(session, concept.id)
    citing.remove_citation(session, concept.id, ids[2], version=concept.version, actor="ed")
    assert citing.cite_concept(session, concept.id, version=None, actor="ed") == 0


def test_an_import_cites_its_new_entries(session: Session) -> None:
    ids = _corpus(session)
    text = "zh-Hans,en\n灯笼协定,lantern accord\n无关术语,unrelated term\n"
    report = import_file(session, io.BytesIO(text.encode()), filename="g.csv", dry_run=False, actor="ed")
    session.commit()
    assert (report.new, report.cited) == (2, 1)
    assert "1 new entry cited from the documents" in report.summary()
    term = session.scalar(select(Term).where(Term.text == "lantern accord"))
    assert term is not None
    assert sorted(c.segment_id for c in term.citations) == [ids[0], ids[2]]


def test_remove_and_restore_one_citation(session: Session) -> None:
    document = Document(slug="tides", title="Tides", layout="pipe-pairs", content_hash="2" * 64)
    document.segments = [
        Segment(position=0, kind="pair", zh_text="潮汐账本公开", en_text="the tidal ledger is public"),
        Segment(position=1, kind="pair", zh_text="更新潮汐账本", en_text="update the tidal ledger"),
    ]
    session.add(document)
    session.flush()
    first, second = (s.id for s in document.segments)
    concept = svc.create_concept(
        session,
        [
            TermInput(language="zh-Hans", text="潮汐账本", citations=[(first, 0, 4), (second, 2, 6)]),
            TermInput(language="en", text="tidal ledger", citations=[(first, 4, 16), (second, 11, 23)]),
        ],
        actor="t",
    )
    session.commit()
    citing.remove_citation(session, concept.id, second, version=concept.version, actor="ed")
    session.commit()
    assert {c.segment_id for t in concept.terms for c in t.citations} == {first}
    removed = citing.removed_citations(session, concept)
    assert [(r.segment_id, r.actor) for r in removed] == [(second, "ed")]
    with pytest.raises(Invalid):
        citing.remove_citation(session, concept.id, second, version=concept.version, actor="ed")
    session.rollback()
    citing.restore_citation(session, removed[0].entry_id, version=concept.version, actor="ed")
    session.commit()
    session.expire_all()
    concept = svc.get_concept(session, concept.id)
    assert sorted((c.segment_id, c.start, c.end) for t in concept.terms for c in t.citations) == [
        (first, 0, 4),
        (first, 4, 16),
        (second, 2, 6),
        (second, 11, 23),
    ]
    assert citing.removed_citations(session, concept) == []
    assert [e.action for e in svc.history(session, concept.id)][:2] == ["restore-citation", "remove-citation"]


def test_many_entries_are_cited_in_one_pass_over_the_segments(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = _corpus(session)
    # Past the prefilter (every aligned segment is read) and in several chunks of term ids.
    monkeypatch.setattr(citing, "PREFILTER_UP_TO", 1)
    monkeypatch.setattr(citing, "_CHUNK", 3)
    pairs = [("灯笼协定", "lantern accord"), ("灯笼", "lantern"), ("协定", "accord"), ("无关", "unrelated")]
    concepts = [
        svc.create_concept(
            session, [TermInput(language="zh-Hans", text=zh), TermInput(language="en", text=en)], actor="t"
        ).id
        for zh, en in pairs
    ]
    session.flush()
    assert citing.cite_from_corpus(session, concepts) == {concepts[0]: 2, concepts[1]: 3, concepts[2]: 3}
    lantern = svc.get_concept(session, concepts[1])
    assert sorted({c.segment_id for t in lantern.terms for c in t.citations}) == [ids[0], ids[2], ids[4]]
