"""Bilingual term extraction as a use case: segments from the database in, candidates out.

The pure pipeline (:mod:`termbase.extract`) does the work; this module loads the current
documents' segments and the whole termbase (rejected concepts included, so they are matched
and skipped), then writes new candidate concepts, variant proposals and citations. Running it
twice changes nothing; approved concepts are never edited, only cited and offered variants.
When a run cites a candidate concept that an earlier run proposed, its evidence (counts per
document, Dice) and confidence are refreshed (:func:`termbase.extract.scoring.refresh`);
approved and rejected concepts keep theirs.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from termbase.extract import scoring
from termbase.extract.pipeline import Extractor
from termbase.extract.records import KnownConcept, KnownTerm, SegmentInput, Span
from termbase.models import Citation, Concept, Document, Segment, Term
from termbase.records import TermReview, WorkflowStatus
from termbase.services import citing
from termbase.services.concepts import TermInput, add_term, create_concept
from termbase.services.errors import NotFound
from termbase.text.wording import counted

ORIGIN = "extraction"

_extractor: Extractor | None = None
_extractor_lock = threading.Lock()


def default_extractor() -> Extractor:
    """One extractor per process: the lexicon and the segmenter are loaded once."""
    global _extractor
    if _extractor is None:
        with _extractor_lock:
            if _extractor is None:
                _extractor = Extractor()
    return _extractor


@dataclass(slots=True)
class ExtractionReport:
    """What a run changed, and what it left alone because editors had decided."""

    documents: int = 0
    segments: int = 0
    new_concepts: int = 0
    new_terms: int = 0
    new_variants: int = 0
    new_citations: int = 0
    refreshed: int = 0  # candidate concepts whose evidence and confidence were brought up to date
    skipped_rejected: int = 0
    skipped_approved: int = 0
    matched_existing: int = 0
    proposals: list[int] = field(default_factory=list)  # ids of the concepts created

    @property
    def changed(self) -> bool:
        return bool(self.new_concepts or self.new_variants or self.new_citations or self.refreshed)

    def summary(self) -> str:
        return (
            f"{counted(self.documents, 'document')}, {counted(self.segments, 'segment')}: "
            f"{counted(self.new_concepts, 'new candidate concept')}, "
            f"{counted(self.new_variants, 'variant candidate')}, "
            f"{counted(self.new_citations, 'new citation')}, "
            f"{counted(self.refreshed, 'candidate')} with refreshed evidence; "
            f"left alone: {self.skipped_rejected} rejected, "
            f"{self.skipped_approved} approved, {self.matched_existing} already proposed"
        )


def extract(
    session: Session,
    *,
    document_slug: str | None = None,
    actor: str | None = None,
    extractor: Extractor | None = None,
) -> ExtractionReport:
    """Propose candidate concepts from the current documents (or one, by slug) and cite known terms.

    :raises NotFound: when ``document_slug`` names no current document.
    """
    report = ExtractionReport()
    documents = _documents(session, document_slug)
    segments = _segment_inputs(session, documents)
    report.documents = len(documents)
    report.segments = len(segments)
    concepts = list(
        session.scalars(
            select(Concept)
            .options(selectinload(Concept.terms).selectinload(Term.citations))
            .order_by(Concept.id)
        )
    )
    known = [_known(concept) for concept in concepts]
    result = (extractor or default_extractor()).run(segments, known)
    report.skipped_rejected = result.skipped_rejected
    report.skipped_approved = result.skipped_approved
    report.matched_existing = result.matched_existing

    terms_by_id = {term.id: term for concept in concepts for term in concept.terms}
    # Citations an editor removed stay removed: a re-run does not bring them back.
    removed = citing.removed_pairs(session, {term.concept_id for term in terms_by_id.values()})
    for term_id, spans in result.citations.items():
        term = terms_by_id.get(term_id)
        if term is not None:
            kept = [span for span in spans if (term_id, span.segment) not in removed]
            report.new_citations += _attach(term, kept)

    concepts_by_id = {concept.id: concept for concept in concepts}
    for concept_id, counts in result.counts.items():
        if _refresh(concepts_by_id.get(concept_id), counts):
            report.refreshed += 1

    for variant in result.variants:
        concept = concepts_by_id.get(variant.concept_id)
        if concept is None or concept.status == WorkflowStatus.REJECTED:
            continue
        if _has_term(concept, variant.term.language, variant.term.text):
            continue
        term = add_term(
            session,
            concept.id,
            TermInput(
                language=variant.term.language,
                text=variant.term.text,
                review=TermReview.CANDIDATE.value,
                evidence=variant.term.evidence,
                citations=_citations(variant.term.spans),
            ),
            version=None,
            actor=actor,
        )
        report.new_variants += 1
        report.new_citations += len(term.citations)

    for proposal in result.concepts:
        concept = create_concept(
            session,
            [
                TermInput(
                    language=term.language,
                    text=term.text,
                    review=term.review,
                    evidence=term.evidence,
                    citations=_citations(term.spans),
                )
                for term in proposal.terms
            ],
            actor=actor,
            origin=ORIGIN,
            status=WorkflowStatus.CANDIDATE.value,
            confidence=proposal.confidence,
            evidence=proposal.evidence,
        )
        report.new_concepts += 1
        report.new_terms += len(concept.terms)
        report.new_variants += sum(1 for term in concept.terms if term.review == TermReview.CANDIDATE)
        report.new_citations += sum(len(term.citations) for term in concept.terms)
        report.proposals.append(concept.id)
    session.flush()
    return report


def _documents(session: Session, slug: str | None) -> list[Document]:
    query = select(Document).where(Document.is_current.is_(True)).order_by(Document.slug)
    if slug is not None:
        query = query.where(Document.slug == slug)
    documents = list(session.scalars(query))
    if slug is not None and not documents:
        raise NotFound(f"no current document {slug!r}", details={"field": "document"})
    return documents


def _segment_inputs(session: Session, documents: Iterable[Document]) -> list[SegmentInput]:
    """Every segment of ``documents`` in order, read as plain rows: the run holds them all, and
    a mapped object each would cost the session several times their text."""
    columns = (
        Segment.id,
        Segment.position,
        Segment.zh_text,
        Segment.en_text,
        Segment.zh_match,
        Segment.en_match,
        Segment.en_splits,
        Segment.alignment,
    )
    out = []
    for document in documents:
        rows = session.execute(
            select(*columns).where(Segment.document_id == document.id).order_by(Segment.position)
        )
        for key, position, zh_text, en_text, zh_match, en_match, en_splits, alignment in rows:
            out.append(
                SegmentInput(
                    key=key,
                    document=document.slug,
                    position=position,
                    zh_text=zh_text,
                    en_text=en_text,
                    zh_match=zh_match,
                    en_match=en_match,
                    en_splits=tuple(en_splits or ()),
                    alignment=alignment,
                )
            )
    return out


def _known(concept: Concept) -> KnownConcept:
    return KnownConcept(
        id=concept.id,
        status=concept.status,
        terms=tuple(KnownTerm(t.id, t.language, t.text, t.review) for t in concept.terms),
    )


def _citations(spans: Iterable[Span]) -> list[tuple[int, int, int]]:
    return [(span.segment, span.start, span.end) for span in spans]


def _attach(term: Term, spans: Iterable[Span]) -> int:
    """Add the citations a term does not have yet; returns how many were added."""
    have = {(c.segment_id, c.start) for c in term.citations}
    added = 0
    for span in spans:
        if (span.segment, span.start) in have:
            continue
        have.add((span.segment, span.start))
        term.citations.append(Citation(segment_id=span.segment, start=span.start, end=span.end))
        added += 1
    return added


def _refresh(concept: Concept | None, counts: dict[str, dict[str, int]]) -> bool:
    """Bring an extracted candidate's evidence and confidence up to date with a run's counts."""
    if concept is None or concept.status != WorkflowStatus.CANDIDATE or concept.origin != ORIGIN:
        return False
    refreshed = scoring.refresh(concept.evidence or {}, counts)
    if refreshed is None:
        return False
    evidence, confidence = refreshed
    concept.evidence = evidence
    if confidence is not None:
        concept.confidence = confidence
    return True


def _has_term(concept: Concept, language: str, text: str) -> bool:
    from termbase.text.normalize import normalize_term

    key = normalize_term(text)
    return any(t.language == language and t.normalized == key for t in concept.terms)
