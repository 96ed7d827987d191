"""Citations from the corpus for entries made by hand or by import.

Extraction cites the terms it proposes. An entry typed in by an editor, or read from a TBX
or CSV file, starts without citations even when the documents use it. Here the aligned
segments of the current documents are searched for each entry's terms: a segment that holds
one of its Chinese terms *and* one of its English terms (as whole words, plurals included)
becomes a citation of both. Rejected terms are not looked for; citations an editor removed
are not brought back unasked (see :func:`cite_from_corpus`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from termbase.models import Citation, Concept, Document, HistoryEntry, Segment, Term
from termbase.records import SegmentKind, TermReview, WorkflowStatus
from termbase.services import concepts as concept_service
from termbase.text.lang import is_chinese
from termbase.text.match import TermMatcher, fold

# Segments cited per entry at most: a common term would otherwise collect thousands.
MAX_PER_CONCEPT = 50
# Up to this many entries, segments are first narrowed in SQL by their Chinese terms;
# beyond it (an import) every aligned segment is read once.
PREFILTER_UP_TO = 20
_CHUNK = 2000


@dataclass(frozen=True, slots=True)
class _Term:
    id: int
    concept_id: int
    chinese: bool


def _terms(session: Session, concept_ids: Sequence[int]) -> list[tuple[_Term, str]]:
    rows: list[tuple[_Term, str]] = []
    for start in range(0, len(concept_ids), _CHUNK):
        chunk = concept_ids[start : start + _CHUNK]
        for term_id, concept_id, language, text in session.execute(
            select(Term.id, Term.concept_id, Term.language, Term.text).where(
                Term.concept_id.in_(chunk), Term.review != TermReview.REJECTED.value
            )
        ):
            rows.append((_Term(term_id, concept_id, is_chinese(language)), text))
    return rows


def _segments(session: Session, chinese: list[str] | None) -> Iterator[tuple[int, str, str]]:
    """(id, Chinese text, English text) of aligned pairs in current documents, optionally narrowed."""
    query = (
        select(Segment.id, Segment.zh_text, Segment.en_text)
        .join(Document, Document.id == Segment.document_id)
        .where(
            Document.is_current.is_(True),
            Segment.kind == SegmentKind.PAIR.value,
            Segment.zh_text.is_not(None),
            Segment.en_text.is_not(None),
        )
        .order_by(Segment.id)
    )
    if chinese is not None:
        if not chinese:
            return
        query = query.where(or_(*(Segment.zh_match.contains(key, autoescape=True) for key in chinese)))
    yield from session.execute(query.execution_options(yield_per=_CHUNK))  # type: ignore[misc]


def removed_pairs(session: Session, concept_ids: Iterable[int]) -> set[tuple[int, int]]:
    """(term id, segment id) pairs an editor removed: not to be re-added by a search."""
    removed: set[tuple[int, int]] = set()
    wanted = set(concept_ids)
    entries = session.scalars(select(HistoryEntry).where(HistoryEntry.action == "remove-citation"))
    for entry in entries:
        if entry.concept_id not in wanted:
            continue
        removed.update(
            (term_id, segment_id) for term_id, segment_id, _, _ in concept_service.removed_in(entry)
        )
    return removed


def cite_from_corpus(
    session: Session, concept_ids: Sequence[int], *, include_removed: bool = False
) -> dict[int, int]:
    """Add citations from aligned segments holding a Chinese and an English term of each concept.

    Returns the number of segments newly cited per concept (concepts with none are left out).
    Citations already there are kept; segments an editor removed are skipped unless
    ``include_removed``. Flushes; never commits.
    """
    if session.scalar(select(Segment.id).where(Segment.kind == SegmentKind.PAIR.value).limit(1)) is None:
        return {}  # no aligned text at all (a termbase without documents): nothing to read
    terms = _terms(session, list(dict.fromkeys(concept_ids)))
    if not terms:
        return {}
    info = {term.id: term for term, _ in terms}
    matcher = TermMatcher((term.id, text, 0) for term, text in terms)
    prefilter = (
        sorted({fold(text) for term, text in terms if term.chinese})
        if len({term.concept_id for term in info.values()}) <= PREFILTER_UP_TO
        else None
    )
    have: dict[int, set[int]] = {}
    for term_id, segment_id in session.execute(
        select(Citation.term_id, Citation.segment_id).where(Citation.term_id.in_(list(info)))
    ):
        have.setdefault(info[term_id].concept_id, set()).add(segment_id)
    skip = set() if include_removed else removed_pairs(session, {t.concept_id for t in info.values()})
    added: dict[int, int] = {}
    new: list[Citation] = []
    for segment_id, zh_text, en_text in list(_segments(session, prefilter)):
        spans: dict[int, dict[int, tuple[int, int]]] = {}  # concept -> term -> first span
        for text in (zh_text, en_text):
            for hit in matcher.find(text, overlapping=True):
                for term_id in hit.ids:
                    term = info[term_id]
                    spans.setdefault(term.concept_id, {}).setdefault(term_id, (hit.start, hit.end))
        for concept_id, found in spans.items():
            kinds = {info[term_id].chinese for term_id in found}
            cited = have.setdefault(concept_id, set())
            if kinds != {True, False} or segment_id in cited or added.get(concept_id, 0) >= MAX_PER_CONCEPT:
                continue
            fresh = [(t, span) for t, span in found.items() if (t, segment_id) not in skip]
            if {info[t].chinese for t, _ in fresh} != {True, False}:
                continue
            cited.add(segment_id)
            added[concept_id] = added.get(concept_id, 0) + 1
            new.extend(Citation(term_id=t, segment_id=segment_id, start=a, end=b) for t, (a, b) in fresh)
    session.add_all(new)
    session.flush()
    return added


def cite_concept(session: Session, concept_id: int, *, version: int | None, actor: str | None) -> int:
    """An editor's "find citations": search the corpus for one concept, recorded in its history."""
    concept = concept_service.get_concept(session, concept_id)
    concept_service.check_version(concept, version)
    before = concept_service.snapshot(concept)
    added = cite_from_corpus(session, [concept_id]).get(concept_id, 0)
    if added:
        for term in concept.terms:
            session.expire(term, ["citations"])
        concept_service.touch(concept, actor)
        concept_service.record(
            session, concept, "cite", actor, before, f"cited in {added} aligned segments found in the corpus"
        )
    return added


def uncited_concepts(session: Session) -> list[int]:
    """Concepts (not rejected) none of whose terms has a citation."""
    cited = select(Term.concept_id).join(Citation, Citation.term_id == Term.id).distinct()
    return list(
        session.scalars(
            select(Concept.id)
            .where(Concept.status != WorkflowStatus.REJECTED.value, Concept.id.not_in(cited))
            .order_by(Concept.id)
        )
    )
