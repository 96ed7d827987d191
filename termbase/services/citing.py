"""Citations from the corpus for entries made by hand or by import; citations editors remove.

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
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from termbase.models import Citation, Concept, Document, HistoryEntry, Segment, Term
from termbase.records import LANGUAGES, SegmentKind, TermReview, WorkflowStatus
from termbase.services import concepts as concept_service
from termbase.services.errors import Invalid, NotFound
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
                Term.concept_id.in_(chunk),
                Term.review != TermReview.REJECTED.value,
                # The corpus is Chinese and English: terms kept in other languages are not cited.
                Term.language.in_(LANGUAGES),
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
        removed.update((term_id, segment_id) for term_id, segment_id, _, _ in removed_in(entry))
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
    term_ids = list(info)
    for start in range(0, len(term_ids), _CHUNK):  # chunks: an import brings many thousands
        for term_id, segment_id in session.execute(
            select(Citation.term_id, Citation.segment_id).where(
                Citation.term_id.in_(term_ids[start : start + _CHUNK])
            )
        ):
            have.setdefault(info[term_id].concept_id, set()).add(segment_id)
    skip = set() if include_removed else removed_pairs(session, {t.concept_id for t in info.values()})
    added: dict[int, int] = {}
    new: list[Citation] = []
    # Streamed: nothing else touches the session until the loop ends.
    for segment_id, zh_text, en_text in _segments(session, prefilter):
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
    _expire_citations(session, {citation.term_id for citation in new})
    return added


def _expire_citations(session: Session, term_ids: set[int]) -> None:
    """Citations were added by foreign key: terms already loaded must read theirs again."""
    for loaded in list(session.identity_map.values()):
        if isinstance(loaded, Term) and loaded.id in term_ids:
            session.expire(loaded, ["citations"])


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
            session,
            concept,
            "cite",
            actor,
            before,
            f"cited in {added} aligned {'segment' if added == 1 else 'segments'} found in the documents",
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


# -- citations an editor removes and restores ----------------------------------------


@dataclass(frozen=True, slots=True)
class RemovedCitation:
    """A segment an editor removed from an entry's citations, restorable from its history entry."""

    entry_id: int
    segment_id: int
    actor: str | None
    at: datetime


def remove_citation(
    session: Session, concept_id: int, segment_id: int, *, version: int | None, actor: str | None
) -> Concept:
    """Stop citing one segment for a concept: its terms' citations in that segment go."""
    concept = concept_service.get_concept(session, concept_id)
    concept_service.check_version(concept, version)
    cited = [(t, c) for t in concept.terms for c in t.citations if c.segment_id == segment_id]
    if not cited:
        raise Invalid(
            f"segment {segment_id} does not cite concept {concept_id}", details={"field": "segment_id"}
        )
    before = concept_service.snapshot(concept)
    for term, citation in cited:
        term.citations.remove(citation)
    concept_service.touch(concept, actor)
    concept_service.record(
        session, concept, "remove-citation", actor, before, f"removed the citation in segment {segment_id}"
    )
    return concept


def removed_in(entry: HistoryEntry) -> list[tuple[int, int, int, int]]:
    """(term id, segment, start, end) of the citations a remove-citation entry took away."""
    after = {
        t["id"]: {tuple(c) for c in t.get("citations", [])} for t in (entry.after or {}).get("terms", [])
    }
    return [
        (t["id"], *c)
        for t in (entry.before or {}).get("terms", [])
        for c in t.get("citations", [])
        if tuple(c) not in after.get(t["id"], set())
    ]


def removed_citations(session: Session, concept: Concept) -> list[RemovedCitation]:
    """Citations removed by an editor that the concept still lacks, newest first."""
    present = {(c.term_id, c.segment_id) for t in concept.terms for c in t.citations}
    term_ids = {t.id for t in concept.terms}
    found: dict[int, RemovedCitation] = {}
    for entry in session.scalars(
        select(HistoryEntry)
        .where(HistoryEntry.concept_id == concept.id, HistoryEntry.action == "remove-citation")
        .order_by(HistoryEntry.id.desc())
    ):
        lost = [
            (term_id, segment_id)
            for term_id, segment_id, _, _ in removed_in(entry)
            if term_id in term_ids and (term_id, segment_id) not in present
        ]
        if lost and lost[0][1] not in found:
            found[lost[0][1]] = RemovedCitation(entry.id, lost[0][1], entry.actor, entry.at)
    return list(found.values())


def restore_citation(session: Session, entry_id: int, *, version: int | None, actor: str | None) -> Concept:
    """Bring back the citations a remove-citation change took away (of terms still in the concept)."""
    entry = session.get(HistoryEntry, entry_id)
    if entry is None or entry.action != "remove-citation":
        raise NotFound(f"no removed citation #{entry_id}")
    concept = concept_service.get_concept(session, entry.concept_id)
    concept_service.check_version(concept, version)
    terms = {t.id: t for t in concept.terms}
    before = concept_service.snapshot(concept)
    restored = 0
    for term_id, segment_id, start, end in removed_in(entry):
        term = terms.get(term_id)
        if term is None or not session.get(Segment, segment_id) is not None:
            continue
        if all((c.segment_id, c.start) != (segment_id, start) for c in term.citations):
            term.citations.append(Citation(segment_id=segment_id, start=start, end=end))
            restored += 1
    if not restored:
        raise Invalid("nothing to restore: the citation is back already, or its terms are gone")
    concept_service.touch(concept, actor)
    concept_service.record(
        session, concept, "restore-citation", actor, before, f"restored the citation removed in #{entry_id}"
    )
    return concept
