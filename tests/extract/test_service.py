"""The extraction service on both databases: candidates written, re-runs change nothing, editors win."""

from __future__ import annotations

import hashlib

import pytest
from extract_corpus import ENGLISH_ONLY, PAIRS, TRADITIONAL_PAIRS
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from termbase.extract.english import text_key
from termbase.models import Citation, Concept, Document, Segment, Term
from termbase.records import SegmentKind
from termbase.services import citing
from termbase.services import concepts as concept_service
from termbase.services.errors import NotFound
from termbase.services.extraction import extract
from termbase.text.normalize import match_text


def _document(
    session: Session, slug: str, rows: list[tuple[str | None, str | None]], *, script: str = "zh-Hans"
) -> None:
    layout = "pipe-pairs" if any(zh for zh, _ in rows) else "en-only"
    document = Document(
        slug=slug,
        title=slug,
        layout=layout,
        zh_script=script,
        content_hash=hashlib.sha256(slug.encode()).hexdigest(),
    )
    for position, (zh, en) in enumerate(rows):
        kind = SegmentKind.PAIR if zh and en else SegmentKind.ZH if zh else SegmentKind.EN
        document.segments.append(
            Segment(
                position=position,
                kind=kind.value,
                zh_text=zh,
                en_text=en,
                zh_match=match_text(zh) if zh else None,
                en_match=match_text(en) if en else None,
                en_splits=[],
                alignment="source",
            )
        )
    session.add(document)


@pytest.fixture
def seeded(session: Session) -> Session:
    _document(session, "speech", list(PAIRS))
    _document(session, "article", list(TRADITIONAL_PAIRS), script="zh-Hant")
    _document(session, "english", [(None, en) for en in ENGLISH_ONLY])
    session.commit()
    return session


def _concept(session: Session, zh: str) -> Concept:
    term = session.scalars(select(Term).where(Term.language == "zh-Hans", Term.normalized == zh)).one()
    return term.concept


def _counts(session: Session) -> tuple[int, int, int]:
    return (
        session.scalar(select(func.count()).select_from(Concept)) or 0,
        session.scalar(select(func.count()).select_from(Term)) or 0,
        session.scalar(select(func.count()).select_from(Citation)) or 0,
    )


def test_extract_writes_cited_candidates_with_pinyin_and_evidence(seeded: Session) -> None:
    report = extract(seeded, actor="bot")
    seeded.commit()
    assert report.new_concepts >= 3
    assert report.new_citations > 0
    concept = _concept(seeded, "数据安全")
    assert concept.status == "candidate"
    assert concept.origin == "extraction"
    assert concept.confidence is not None
    assert 0 < concept.confidence <= 1
    assert concept.evidence is not None
    assert concept.evidence["method"]
    terms = {t.language: t for t in concept.terms if t.review == "accepted"}
    assert (terms["zh-Hans"].pinyin or "").replace(" ", "") == "shùjùānquán"
    assert terms["zh-Hant"].text == "數據安全"
    assert text_key(terms["en"].text) == "datasecurity"
    for term in concept.terms:
        for citation in term.citations:
            segment = seeded.get(Segment, citation.segment_id)
            assert segment is not None
            side = segment.zh_text if term.language.startswith("zh") else segment.en_text
            assert side is not None
            written = side[citation.start : citation.end]
            assert match_text(written) == match_text(term.text) or text_key(written) == text_key(term.text)
    assert {c.segment.kind for c in terms["en"].citations} >= {"pair", "en"}


def test_a_second_run_changes_nothing(seeded: Session) -> None:
    extract(seeded)
    seeded.commit()
    before = _counts(seeded)
    versions = {c.id: c.version for c in seeded.scalars(select(Concept))}
    report = extract(seeded)
    seeded.commit()
    assert not report.changed
    assert _counts(seeded) == before
    assert {c.id: c.version for c in seeded.scalars(select(Concept))} == versions


def test_rejected_concepts_stay_rejected_and_approved_ones_unchanged(seeded: Session) -> None:
    extract(seeded)
    seeded.commit()
    rejected = _concept(seeded, "云计算")
    approved = _concept(seeded, "数据安全")
    concept_service.set_status(seeded, rejected.id, "rejected", version=None, actor="ed")
    concept_service.set_status(seeded, approved.id, "approved", version=None, actor="ed")
    seeded.commit()
    snapshot = concept_service.snapshot(approved)
    _document(
        seeded, "later", [("云计算和数据安全同样重要。", "Cloud computing and data security matter equally.")]
    )
    seeded.commit()
    report = extract(seeded)
    seeded.commit()
    assert report.skipped_rejected >= 1
    assert report.skipped_approved >= 1
    seeded.expire_all()
    assert _concept(seeded, "云计算").status == "rejected"
    assert len(seeded.scalars(select(Term).where(Term.normalized == "云计算")).all()) == 1
    again = _concept(seeded, "数据安全")
    assert again.status == "approved"
    after = concept_service.snapshot(again)
    # Only new citations were attached: same terms, same texts.
    assert [(t["language"], t["text"]) for t in after["terms"]] == [
        (t["language"], t["text"]) for t in snapshot["terms"]
    ]
    later = seeded.scalars(select(Segment).join(Document).where(Document.slug == "later")).one()
    cited = {c.term.language for c in seeded.scalars(select(Citation).where(Citation.segment_id == later.id))}
    assert {"zh-Hans", "en"} <= cited


def test_variant_candidates_are_terms_under_review(seeded: Session) -> None:
    report = extract(seeded)
    seeded.commit()
    concept = _concept(seeded, "网络谣言")
    candidates = [t for t in concept.terms if t.review == "candidate"]
    assert [text_key(t.text) for t in candidates] == ["internetrumour"]
    assert candidates[0].evidence is not None
    assert candidates[0].citations
    assert report.new_concepts == len(report.proposals)


def test_one_document_only(seeded: Session) -> None:
    report = extract(seeded, document_slug="article")
    assert report.documents == 1
    with pytest.raises(NotFound):
        extract(seeded, document_slug="missing")


def test_cli_extract_reports_and_commits(seeded: Session, runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["extract"])
    assert result.exit_code == 0, result.output
    assert "new candidate concept" in result.output
    seeded.expire_all()
    assert _counts(seeded)[0] > 0
    again = runner.invoke(args=["extract", "--document", "speech"])
    assert again.exit_code == 0
    assert " 0 new candidate concepts, 0 variant candidates, 0 new citations" in again.output
    missing = runner.invoke(args=["extract", "--document", "nope"])
    assert missing.exit_code == 1


def test_a_later_document_refreshes_a_candidates_evidence_but_no_decided_ones(session: Session) -> None:
    _document(session, "first", [PAIRS[0], PAIRS[2]])
    session.commit()
    extract(session, document_slug="first")
    session.commit()
    candidate = _concept(session, "数据安全")
    assert (candidate.evidence or {})["cooccurrence"] == 1
    before = candidate.confidence or 0.0
    approved = _concept(session, "云计算")
    concept_service.set_status(session, approved.id, "approved", version=None, actor="ed")
    session.commit()
    approved_state = (approved.confidence, approved.evidence, approved.version)

    _document(session, "second", [PAIRS[1], PAIRS[5]])
    session.commit()
    report = extract(session, document_slug="second")
    session.commit()
    assert report.refreshed == 1
    session.expire_all()
    candidate = _concept(session, "数据安全")
    evidence = candidate.evidence or {}
    assert (evidence["zh_count"], evidence["cooccurrence"]) == (2, 2)
    assert evidence["documents"] == ["first", "second"]
    assert set(evidence["by_document"]) == {"first", "second"}
    assert "found together in 2 of 2 segments" in evidence["explanation"]
    assert (candidate.confidence or 0.0) > before
    approved = _concept(session, "云计算")
    assert (approved.confidence, approved.evidence, approved.version) == approved_state
    assert len(approved.terms[0].citations) == 2  # cited all the same

    versions = {c.id: c.version for c in session.scalars(select(Concept))}
    again = extract(session, document_slug="second")
    session.commit()
    assert not again.changed
    assert {c.id: c.version for c in session.scalars(select(Concept))} == versions


def test_a_citation_an_editor_removed_stays_removed_on_a_rerun(seeded: Session) -> None:
    extract(seeded, actor="bot")
    seeded.commit()
    concept = _concept(seeded, "数据安全")
    segment_id = concept.terms[0].citations[0].segment_id
    citing.remove_citation(seeded, concept.id, segment_id, version=concept.version, actor="ed")
    seeded.commit()
    report = extract(seeded, actor="bot")
    seeded.commit()
    seeded.expire_all()
    concept = concept_service.get_concept(seeded, concept.id)
    assert segment_id not in {c.segment_id for t in concept.terms for c in t.citations}
    assert report.new_citations == 0
