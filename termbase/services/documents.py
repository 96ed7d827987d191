"""Documents and segments as readers see them: aligned text, citations and highlighted terms.

Highlights come from two sources that agree on offsets into the original text:
stored citations (exact spans found at extraction, including words the source glued
together) and the shared recognition engine (every known term, including ones added
by hand after the document was read). Overlaps resolve leftmost-longest.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from termbase.models import Citation, Concept, Document, Segment, Term
from termbase.records import LANG_ZH_HANS, LANG_ZH_HANT, SegmentKind, TermReview, WorkflowStatus
from termbase.services import recognition
from termbase.services.errors import NotFound
from termbase.services.search import EN_LANGUAGES, ZH_LANGUAGES, preferred_term
from termbase.text.lang import is_chinese
from termbase.text.normalize import apply_splits

DEFAULT_PAGE_SIZE = 200
MAX_PAGE_SIZE = 1000
# Joins segment texts for one recognition pass; "¶" is punctuation, so no term can match across it.
_JOINER = "\n\u00b6\n"


@dataclass(frozen=True, slots=True)
class Mark:
    """A highlighted span ``[start, end)`` of one language side, pointing at a concept."""

    start: int
    end: int
    concept_id: int
    status: str  # workflow status of the concept
    label: str = ""  # e.g. "气候变化 · climate change", for a tooltip
    own: bool = False  # the span cites the concept the page is about


@dataclass(frozen=True, slots=True)
class SegmentView:
    id: int
    position: int
    kind: str
    zh_text: str | None
    en_text: str | None
    alignment: str
    score: float | None
    zh_marks: tuple[Mark, ...] = ()
    en_marks: tuple[Mark, ...] = ()


@dataclass(frozen=True, slots=True)
class DocumentSummary:
    id: int
    slug: str
    version: int
    is_current: bool
    title: str
    author: str | None
    date: str | None
    venue: str | None
    source_url: str | None
    layout: str
    zh_script: str
    filename: str | None
    created_at: datetime
    segments: int = 0
    pairs: int = 0

    @property
    def zh_language(self) -> str:
        return LANG_ZH_HANT if self.zh_script == LANG_ZH_HANT else LANG_ZH_HANS


@dataclass(frozen=True, slots=True)
class DocumentPage:
    document: DocumentSummary
    versions: tuple[tuple[int, bool], ...]  # (version, is_current), newest first
    segments: list[SegmentView]
    offset: int
    limit: int
    total: int

    @property
    def has_zh(self) -> bool:
        return any(s.zh_text for s in self.segments)

    @property
    def has_en(self) -> bool:
        return any(s.en_text for s in self.segments)


@dataclass(frozen=True, slots=True)
class CitationLine:
    """One segment quoting a concept: both sides, with the concept's terms marked on each."""

    segment_id: int
    position: int
    document_slug: str
    document_title: str
    document_version: int
    document_is_current: bool
    zh_script: str
    kind: str
    zh_text: str | None
    en_text: str | None
    zh_marks: tuple[Mark, ...]
    en_marks: tuple[Mark, ...]

    @property
    def zh_language(self) -> str:
        return LANG_ZH_HANT if self.zh_script == LANG_ZH_HANT else LANG_ZH_HANS


@dataclass(frozen=True, slots=True)
class CitationPage:
    lines: list[CitationLine]
    offset: int
    limit: int
    total: int  # segments citing the concept
    by_document: list[tuple[str, str, int]] = field(default_factory=list)  # (slug, title, segments)

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.lines) < self.total


def _summary(document: Document, segments: int = 0, pairs: int = 0) -> DocumentSummary:
    return DocumentSummary(
        id=document.id,
        slug=document.slug,
        version=document.version,
        is_current=document.is_current,
        title=document.title,
        author=document.author,
        date=document.date,
        venue=document.venue,
        source_url=document.source_url,
        layout=document.layout,
        zh_script=document.zh_script,
        filename=document.filename,
        created_at=document.created_at,
        segments=segments,
        pairs=pairs,
    )


def list_documents(session: Session, *, include_old_versions: bool = False) -> list[DocumentSummary]:
    """Documents with their segment counts, current versions only unless asked."""
    counts = (
        select(
            Segment.document_id,
            func.count(Segment.id).label("segments"),
            func.count(Segment.id).filter(Segment.kind == SegmentKind.PAIR.value).label("pairs"),
        )
        .group_by(Segment.document_id)
        .subquery()
    )
    stmt = (
        select(Document, counts.c.segments, counts.c.pairs)
        .outerjoin(counts, counts.c.document_id == Document.id)
        .order_by(Document.slug, Document.version.desc())
    )
    if not include_old_versions:
        stmt = stmt.where(Document.is_current.is_(True))
    return [_summary(doc, segments or 0, pairs or 0) for doc, segments, pairs in session.execute(stmt)]


def get_document(session: Session, slug: str, version: int | None = None) -> Document:
    """The document ``slug`` at ``version``, or its current version (else its newest)."""
    stmt = select(Document).where(Document.slug == slug)
    if version is not None:
        stmt = stmt.where(Document.version == version)
    else:
        stmt = stmt.order_by(Document.is_current.desc(), Document.version.desc())
    document = session.scalars(stmt.limit(1)).first()
    if document is None:
        raise NotFound(f"no document {slug!r}" + (f" version {version}" if version is not None else ""))
    return document


def page_offset(position: int, page_size: int = DEFAULT_PAGE_SIZE) -> int:
    """The offset of the page of a document that holds segment ``position`` (positions count from 0)."""
    return max(0, position) // page_size * page_size


def document_page(
    session: Session,
    slug: str,
    *,
    version: int | None = None,
    offset: int = 0,
    limit: int = DEFAULT_PAGE_SIZE,
    include_unapproved: bool,
    highlight: bool = True,
) -> DocumentPage:
    """One page of a document's segments, with known terms marked on both sides."""
    document = get_document(session, slug, version)
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    offset = max(0, offset)
    total = session.scalar(select(func.count(Segment.id)).where(Segment.document_id == document.id)) or 0
    pairs = (
        session.scalar(
            select(func.count(Segment.id)).where(
                Segment.document_id == document.id, Segment.kind == SegmentKind.PAIR.value
            )
        )
        or 0
    )
    segments = list(
        session.scalars(
            select(Segment)
            .where(Segment.document_id == document.id)
            .order_by(Segment.position)
            .offset(offset)
            .limit(limit)
        )
    )
    versions = tuple(
        (v, current)
        for v, current in session.execute(
            select(Document.version, Document.is_current)
            .where(Document.slug == document.slug)
            .order_by(Document.version.desc())
        )
    )
    views = segment_views(session, segments, include_unapproved=include_unapproved, highlight=highlight)
    return DocumentPage(
        document=_summary(document, total, pairs),
        versions=versions,
        segments=views,
        offset=offset,
        limit=limit,
        total=total,
    )


def segment_views(
    session: Session,
    segments: Sequence[Segment],
    *,
    include_unapproved: bool,
    highlight: bool = True,
    own_concept: int | None = None,
) -> list[SegmentView]:
    """Segments with every visible known term marked (citations plus recognition)."""
    if not segments:
        return []
    zh_marks: dict[int, list[Mark]] = {s.id: [] for s in segments}
    en_marks: dict[int, list[Mark]] = {s.id: [] for s in segments}
    if highlight:
        for segment_id, language, mark in _citation_marks(
            session, [s.id for s in segments], include_unapproved
        ):
            (zh_marks if is_chinese(language) else en_marks)[segment_id].append(mark)
        for side, texts in (("zh", [s.zh_text for s in segments]), ("en", [s.en_text for s in segments])):
            target = zh_marks if side == "zh" else en_marks
            splits = [s.en_splits or () for s in segments] if side == "en" else [() for _ in segments]
            for index, marks in _recognized(session, texts, splits, include_unapproved):
                target[segments[index].id].extend(marks)
        _label(session, [*zh_marks.values(), *en_marks.values()], include_unapproved, own_concept)
    views = []
    for s in segments:
        # English shows as ingest split it: "theCyberspace" reads "the Cyberspace", marks follow.
        en_text, marks = _split_english(s.en_text, s.en_splits or (), en_marks[s.id])
        views.append(
            SegmentView(
                id=s.id,
                position=s.position,
                kind=s.kind,
                zh_text=s.zh_text,
                en_text=en_text,
                alignment=s.alignment,
                score=s.score,
                zh_marks=resolve_overlaps(zh_marks[s.id], len(s.zh_text or "")),
                en_marks=resolve_overlaps(marks, len(en_text or "")),
            )
        )
    return views


def _split_english(
    text: str | None, splits: Sequence[int], marks: list[Mark]
) -> tuple[str | None, list[Mark]]:
    """The English side with glued words split, and its marks moved to offsets in that text."""
    if not text or not splits:
        return text, marks
    view, _origin = apply_splits(text, splits)
    ordered = sorted(set(splits))

    def moved(offset: int, *, end: bool) -> int:
        # A space goes in before the character at each split: a span starting there starts after
        # it, a span ending there ends before it.
        return offset + (bisect_left(ordered, offset) if end else bisect_right(ordered, offset))

    return view, [replace(m, start=moved(m.start, end=False), end=moved(m.end, end=True)) for m in marks]


def _visible_statuses(include_unapproved: bool) -> tuple[str, ...]:
    if include_unapproved:
        return (WorkflowStatus.APPROVED.value, WorkflowStatus.CANDIDATE.value)
    return (WorkflowStatus.APPROVED.value,)


def _visible_reviews(include_unapproved: bool) -> tuple[str, ...]:
    if include_unapproved:
        return (TermReview.ACCEPTED.value, TermReview.CANDIDATE.value)
    return (TermReview.ACCEPTED.value,)


def _citation_marks(
    session: Session, segment_ids: Sequence[int], include_unapproved: bool
) -> Iterable[tuple[int, str, Mark]]:
    rows = session.execute(
        select(
            Citation.segment_id, Citation.start, Citation.end, Term.language, Term.concept_id, Concept.status
        )
        .join(Term, Term.id == Citation.term_id)
        .join(Concept, Concept.id == Term.concept_id)
        .where(
            Citation.segment_id.in_(segment_ids),
            Concept.status.in_(_visible_statuses(include_unapproved)),
            Term.review.in_(_visible_reviews(include_unapproved)),
        )
    )
    for segment_id, start, end, language, concept_id, status in rows:
        yield segment_id, language, Mark(start=start, end=end, concept_id=concept_id, status=status)


def _recognized(
    session: Session,
    texts: Sequence[str | None],
    splits: Sequence[Sequence[int]],
    include_unapproved: bool,
) -> Iterable[tuple[int, list[Mark]]]:
    """Recognize terms in many texts with one engine pass; yields (index of text, marks)."""
    views: list[tuple[int, str, list[int]]] = []
    for index, text in enumerate(texts):
        if text:
            view, origin = apply_splits(text, splits[index])
            views.append((index, view, origin))
    if not views:
        return
    joined = _JOINER.join(view for _, view, _ in views)
    starts: list[int] = []
    position = 0
    for _, view, _ in views:
        starts.append(position)
        position += len(view) + len(_JOINER)
    matches = recognition.recognize(session, joined, include_unapproved=include_unapproved)
    per_text: dict[int, list[Mark]] = {}
    slot = 0
    for match in sorted(matches, key=lambda m: m.start):
        while slot + 1 < len(starts) and match.start >= starts[slot + 1]:
            slot += 1
        index, view, origin = views[slot]
        start, end = match.start - starts[slot], match.end - starts[slot]
        if end > len(view):  # cannot happen across the joiner; be safe
            continue
        per_text.setdefault(index, []).append(
            Mark(
                start=origin[start], end=origin[end], concept_id=match.concept_id, status=match.concept_status
            )
        )
    yield from per_text.items()


def _label(
    session: Session, groups: Iterable[list[Mark]], include_unapproved: bool, own_concept: int | None
) -> None:
    """Fill each mark's label with the concept's preferred Chinese and English terms, in place."""
    groups = list(groups)
    concept_ids = {m.concept_id for marks in groups for m in marks}
    labels = concept_labels(session, concept_ids, include_unapproved=include_unapproved)
    for marks in groups:
        marks[:] = [
            Mark(
                start=m.start,
                end=m.end,
                concept_id=m.concept_id,
                status=m.status,
                label=labels.get(m.concept_id, ""),
                own=m.concept_id == own_concept,
            )
            for m in marks
        ]


def concept_labels(
    session: Session, concept_ids: Iterable[int], *, include_unapproved: bool
) -> dict[int, str]:
    """``{concept id: "气候变化 · climate change"}`` from each concept's preferred terms."""
    ids = sorted(set(concept_ids))
    if not ids:
        return {}
    terms: dict[int, list[Term]] = {}
    for term in session.scalars(
        select(Term).where(Term.concept_id.in_(ids), Term.review.in_(_visible_reviews(include_unapproved)))
    ):
        terms.setdefault(term.concept_id, []).append(term)
    labels = {}
    for concept_id, concept_terms in terms.items():
        parts = [
            t.text
            for t in (
                preferred_term(concept_terms, ZH_LANGUAGES),
                preferred_term(concept_terms, EN_LANGUAGES),
            )
            if t is not None
        ]
        labels[concept_id] = " · ".join(parts)
    return labels


def resolve_overlaps(marks: Iterable[Mark], length: int) -> tuple[Mark, ...]:
    """Non-overlapping marks inside ``[0, length)``: leftmost first, then longest, the page's own concept
    and approved entries winning ties."""
    ordered = sorted(
        (m for m in marks if 0 <= m.start < m.end <= length),
        key=lambda m: (m.start, -(m.end - m.start), not m.own, m.status != WorkflowStatus.APPROVED.value),
    )
    kept: list[Mark] = []
    for mark in ordered:
        if kept and mark.start < kept[-1].end:
            continue
        kept.append(mark)
    return tuple(kept)


def concept_citations(
    session: Session,
    concept_id: int,
    *,
    include_unapproved: bool,
    offset: int = 0,
    limit: int = 20,
) -> CitationPage:
    """The segments that cite a concept's terms, each as a bilingual line with those terms marked.

    Aligned pairs come first, then current document versions, then by document and position.
    """
    reviews = _visible_reviews(include_unapproved)
    cited = (
        select(Citation.segment_id)
        .join(Term, Term.id == Citation.term_id)
        .where(Term.concept_id == concept_id, Term.review.in_(reviews))
        .distinct()
        .subquery()
    )
    ordered = (
        select(Segment.id)
        .join(cited, cited.c.segment_id == Segment.id)
        .join(Document, Document.id == Segment.document_id)
        .order_by(
            # Aligned pairs first: a citation reads best with both languages side by side.
            (Segment.kind == SegmentKind.PAIR.value).desc(),
            Document.is_current.desc(),
            Document.slug,
            Document.version.desc(),
            Segment.position,
        )
    )
    total = session.scalar(select(func.count()).select_from(cited)) or 0
    page_ids = list(session.scalars(ordered.offset(max(0, offset)).limit(max(1, limit))))
    by_document = [
        (slug, title, count)
        for slug, title, count in session.execute(
            select(Document.slug, Document.title, func.count(Segment.id))
            .join(Segment, Segment.document_id == Document.id)
            .join(cited, cited.c.segment_id == Segment.id)
            .group_by(Document.slug, Document.title)
            .order_by(func.count(Segment.id).desc(), Document.slug)
        )
    ]
    if not page_ids:
        return CitationPage(lines=[], offset=offset, limit=limit, total=total, by_document=by_document)
    rows = session.execute(
        select(Segment, Document)
        .join(Document, Document.id == Segment.document_id)
        .where(Segment.id.in_(page_ids))
    ).all()
    segments = {segment.id: (segment, document) for segment, document in rows}
    own = session.execute(
        select(Citation.segment_id, Citation.start, Citation.end, Term.language)
        .join(Term, Term.id == Citation.term_id)
        .where(Term.concept_id == concept_id, Term.review.in_(reviews), Citation.segment_id.in_(page_ids))
    ).all()
    status = session.scalar(select(Concept.status).where(Concept.id == concept_id)) or ""
    zh: dict[int, list[Mark]] = {}
    en: dict[int, list[Mark]] = {}
    for segment_id, start, end, language in own:
        (zh if is_chinese(language) else en).setdefault(segment_id, []).append(
            Mark(start=start, end=end, concept_id=concept_id, status=status, own=True)
        )
    lines = []
    for segment_id in page_ids:
        segment, document = segments[segment_id]
        en_text, en_marks = _split_english(segment.en_text, segment.en_splits or (), en.get(segment_id, []))
        lines.append(
            _citation_line(
                segment,
                document,
                en_text,
                resolve_overlaps(zh.get(segment_id, []), len(segment.zh_text or "")),
                resolve_overlaps(en_marks, len(en_text or "")),
            )
        )
    return CitationPage(lines=lines, offset=offset, limit=limit, total=total, by_document=by_document)


def term_citations(session: Session, term_id: int, *, limit: int = 2) -> CitationPage:
    """The segments citing one term (a proposed variant, say), with that term marked."""
    total = (
        session.scalar(
            select(func.count(func.distinct(Citation.segment_id))).where(Citation.term_id == term_id)
        )
        or 0
    )
    rows = session.execute(
        select(Citation, Segment, Document, Term.language, Term.concept_id, Concept.status)
        .join(Segment, Segment.id == Citation.segment_id)
        .join(Document, Document.id == Segment.document_id)
        .join(Term, Term.id == Citation.term_id)
        .join(Concept, Concept.id == Term.concept_id)
        .where(Citation.term_id == term_id)
        .order_by(
            (Segment.kind == SegmentKind.PAIR.value).desc(),
            Document.is_current.desc(),
            Document.slug,
            Segment.position,
            Citation.start,
        )
        .limit(max(1, limit) * 4)
    ).all()
    lines: list[CitationLine] = []
    seen: set[int] = set()
    for citation, segment, document, language, concept_id, status in rows:
        if segment.id in seen or len(lines) >= limit:
            continue
        seen.add(segment.id)
        mark = Mark(start=citation.start, end=citation.end, concept_id=concept_id, status=status, own=True)
        chinese = is_chinese(language)
        lines.append(
            _citation_line(
                segment, document, segment.en_text, (mark,) if chinese else (), () if chinese else (mark,)
            )
        )
    return CitationPage(lines=lines, offset=0, limit=limit, total=total)


def _citation_line(
    segment: Segment,
    document: Document,
    en_text: str | None,
    zh_marks: Sequence[Mark],
    en_marks: Sequence[Mark],
) -> CitationLine:
    """A segment of a document as a citation line, with its marks in each language."""
    return CitationLine(
        segment_id=segment.id,
        position=segment.position,
        document_slug=document.slug,
        document_title=document.title,
        document_version=document.version,
        document_is_current=document.is_current,
        zh_script=document.zh_script or "zh-Hans",
        kind=segment.kind,
        zh_text=segment.zh_text,
        en_text=en_text,
        zh_marks=tuple(zh_marks),
        en_marks=tuple(en_marks),
    )
