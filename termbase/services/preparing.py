"""A Chinese document to translate: its job glossary of known terms and new candidates.

:func:`propose_source_terms` reads the Chinese-only segments of a document, cites the terms the
termbase knows (through the extraction service), and proposes each new source-side candidate
(:mod:`termbase.extract.source_terms`) as a candidate concept holding its Chinese term alone, cited
where it occurs: an entry that *needs a rendering*, with the dictionary's suggested English
kept in its evidence and note. Running it again proposes nothing twice.

:func:`job_glossary` lists, for one document, every entry cited in it: known terms with their
preferred English, and those that still need a rendering. Exports of the document's glossary
in TBX are the ordinary exports filtered by document (``termbase export --document SLUG``);
:func:`glossary_csv` writes it as a CSV that keeps the entries still without English.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from termbase.extract.source_terms import SourceCandidate, source_candidates
from termbase.ingest.glossary import neutralise_formula
from termbase.models import Citation, Concept, Document, Segment, Term
from termbase.records import LANG_EN, Layout, SegmentKind, TermReview, UsageStatus, WorkflowStatus
from termbase.services import extraction
from termbase.services.concepts import TermInput, create_concept
from termbase.services.errors import NotFound
from termbase.text.lang import is_chinese
from termbase.text.normalize import match_text

ORIGIN = "source-only"  # concepts proposed from a Chinese text alone
NEEDS_RENDERING = "needs a rendering"


@dataclass(slots=True)
class ProposalReport:
    documents: int = 0
    segments: int = 0
    new_candidates: int = 0
    new_citations: int = 0  # of known terms, by the extraction run
    proposals: list[int] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.documents} Chinese document(s), {self.segments} segment(s): {self.new_candidates} new "
            f"term(s) that need a rendering, {self.new_citations} new citation(s) of known terms"
        )


@dataclass(slots=True)
class GlossaryEntry:
    """One entry of a document's glossary."""

    concept_id: int
    status: str  # the concept's workflow status
    chinese: str
    occurrences: int  # in this document
    renderings: list[str]  # accepted English terms, preferred first
    suggestion: str | None = None  # the dictionary's, for an entry that needs a rendering
    suggestion_source: str | None = None

    @property
    def needs_rendering(self) -> bool:
        return not self.renderings


@dataclass(slots=True)
class JobGlossary:
    slug: str
    title: str
    layout: str
    segments: int
    known: list[GlossaryEntry] = field(default_factory=list)
    new: list[GlossaryEntry] = field(default_factory=list)  # entries that need a rendering


def _current(session: Session, slug: str) -> Document:
    document = session.scalar(select(Document).where(Document.slug == slug, Document.is_current.is_(True)))
    if document is None:
        raise NotFound(f"no current document {slug!r}", details={"field": "document"})
    return document


def _chinese_segments(session: Session, document: Document) -> list[tuple[int, str]]:
    rows = session.execute(
        select(Segment.id, Segment.zh_text)
        .where(Segment.document_id == document.id, Segment.kind == SegmentKind.ZH.value)
        .order_by(Segment.position)
    )
    return [(segment_id, text) for segment_id, text in rows if text]


def _known_chinese(session: Session) -> set[str]:
    rows = session.execute(select(Term.language, Term.text))
    return {match_text(text) for language, text in rows if is_chinese(language)}


def _note(candidate: SourceCandidate) -> str:
    if candidate.suggestion:
        return f"Needs a rendering. Suggested by {candidate.suggestion_source}: {candidate.suggestion}"
    return "Needs a rendering; the dictionary has no entry for it."


def propose_source_terms(
    session: Session,
    *,
    document_slug: str | None = None,
    only: str | None = None,
    actor: str | None = None,
    cite: bool = True,
) -> ProposalReport:
    """Cite known terms in Chinese-only documents and propose their new terms as needing a rendering.

    Every current ``zh-only`` document is read, or the one named (of any layout: its
    Chinese-only segments are read); ``only`` keeps the ``zh-only`` one with that slug, if it is
    one. ``cite=False`` when the caller has just run the extraction
    on these documents. :raises NotFound: for an unknown slug.
    """
    report = ProposalReport()
    if document_slug is not None:
        documents = [_current(session, document_slug)]
    else:
        query = select(Document).where(Document.is_current.is_(True), Document.layout == Layout.ZH_ONLY.value)
        if only is not None:
            query = query.where(Document.slug == only)
        documents = list(session.scalars(query.order_by(Document.slug)))
    if not documents:
        return report
    extractor = extraction.default_extractor()
    for document in documents:
        if cite:
            report.new_citations += extraction.extract(
                session, document_slug=document.slug, actor=actor
            ).new_citations
        segments = _chinese_segments(session, document)
        report.documents += 1
        report.segments += len(segments)
        if not segments:
            continue
        candidates = source_candidates(
            segments, lexicon=extractor.lexicon, segmenter=extractor.segmenter, known=_known_chinese(session)
        )
        for candidate in candidates:
            concept = create_concept(
                session,
                [
                    TermInput(
                        language=document.zh_script,
                        text=candidate.text,
                        review=TermReview.ACCEPTED.value,
                        citations=candidate.occurrences,
                    )
                ],
                actor=actor,
                origin=ORIGIN,
                status=WorkflowStatus.CANDIDATE.value,
                note=_note(candidate),
                evidence={
                    "method": "source-only",
                    "status": NEEDS_RENDERING,
                    "document": document.slug,
                    "frequency": candidate.frequency,
                    "c_value": candidate.cvalue,
                    "suggestion": candidate.suggestion,
                    "suggestion_source": candidate.suggestion_source,
                },
            )
            report.new_candidates += 1
            report.proposals.append(concept.id)
        session.flush()
    return report


def _renderings(concept: Concept) -> list[str]:
    english = [t for t in concept.terms if t.language == LANG_EN and t.review == TermReview.ACCEPTED.value]
    english.sort(key=lambda t: (t.usage_status != UsageStatus.PREFERRED.value, t.id))
    return [t.text for t in english]


def job_glossary(session: Session, slug: str) -> JobGlossary:
    """Every entry cited in a document (rejected ones aside): known terms, then those needing a rendering."""
    document = _current(session, slug)
    segment_count = (
        session.scalar(select(func.count()).select_from(Segment).where(Segment.document_id == document.id))
        or 0
    )
    counts: Counter[int] = Counter()
    chinese: dict[int, str] = {}
    rows = session.execute(
        select(Term.concept_id, Term.text, Term.language)
        .join(Citation, Citation.term_id == Term.id)
        .join(Segment, Segment.id == Citation.segment_id)
        .where(Segment.document_id == document.id)
    )
    for concept_id, text, language in rows:
        if is_chinese(language):
            counts[concept_id] += 1
            chinese.setdefault(concept_id, text)
    concepts = session.scalars(
        select(Concept)
        .options(selectinload(Concept.terms))
        .where(Concept.id.in_(list(chinese)), Concept.status != WorkflowStatus.REJECTED.value)
    )
    glossary = JobGlossary(
        slug=document.slug,
        title=document.title,
        layout=document.layout,
        segments=segment_count,
    )
    for concept in concepts:
        evidence = concept.evidence or {}
        entry = GlossaryEntry(
            concept_id=concept.id,
            status=concept.status,
            chinese=chinese[concept.id],
            occurrences=counts[concept.id],
            renderings=_renderings(concept),
            suggestion=evidence.get("suggestion"),
            suggestion_source=evidence.get("suggestion_source"),
        )
        (glossary.new if entry.needs_rendering else glossary.known).append(entry)
    for entries in (glossary.known, glossary.new):
        entries.sort(key=lambda e: (-e.occurrences, e.chinese))
    return glossary


CSV_HEADER = ("Chinese", "English", "status", "occurrences", "suggested English", "suggested by")


def glossary_csv(glossary: JobGlossary) -> str:
    """The glossary as CSV for a spreadsheet or CAT tool: known terms, then those needing a rendering.

    Cells a spreadsheet would run as a formula are neutralised as in every CSV export.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for entry in glossary.known:
        writer.writerow(
            [
                neutralise_formula(c)
                for c in (entry.chinese, entry.renderings[0], entry.status, str(entry.occurrences), "", "")
            ]
        )
    for entry in glossary.new:
        cells = (
            entry.chinese,
            "",
            NEEDS_RENDERING,
            str(entry.occurrences),
            entry.suggestion or "",
            entry.suggestion_source or "",
        )
        writer.writerow([neutralise_formula(c) for c in cells])
    return "\ufeff" + buffer.getvalue()  # the BOM makes spreadsheets read it as UTF-8
