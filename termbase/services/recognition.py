"""Term recognition: find every known term in a text, for the API and the UI's highlighting.

The Aho–Corasick engine (:class:`termbase.text.match.TermMatcher`) is built from
the database once per process and database, and rebuilt only when the termbase's
version stamp changes (the ``termbase`` counter, bumped on every term or concept
change, plus the highest term id, which also catches bulk inserts that bypass the
ORM). A lookup costs one small stamp query, a search linear in the text's length,
and one query for the details of the terms found; none of it grows with the
size of the termbase.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from termbase.models import TERMBASE_COUNTER, Concept, Counter, Term
from termbase.records import TermReview, UsageStatus, WorkflowStatus
from termbase.text.lang import is_chinese
from termbase.text.match import Hit, TermMatcher, surface_form

# Entry flag: the concept is approved and the term accepted.
FLAG_APPROVED = 1

_USAGE_RANK = {
    UsageStatus.PREFERRED.value: 0,
    UsageStatus.ADMITTED.value: 1,
    UsageStatus.DEPRECATED.value: 2,
    UsageStatus.SUPERSEDED.value: 3,
}
_IN_CHUNK = 500
_LOAD_BATCH = 10_000

Stamp = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Equivalent:
    """A term of the matched concept in the other language."""

    term_id: int
    language: str
    text: str
    usage_status: str


@dataclass(frozen=True, slots=True)
class Match:
    """A known term found in a text; ``start``/``end`` are offsets into that text (code points)."""

    start: int
    end: int
    text: str  # the text as written at [start, end)
    term_id: int
    term_text: str  # the term as stored in the termbase
    concept_id: int
    concept_status: str
    language: str
    usage_status: str
    review: str
    # Preferred terms in the other language (per language, admitted ones when none is preferred).
    equivalents: tuple[Equivalent, ...]


@dataclass(frozen=True, slots=True)
class TermInfo:
    """Current details of one term, with its concept's status."""

    id: int
    concept_id: int
    concept_status: str
    language: str
    text: str
    usage_status: str
    review: str

    @property
    def approved(self) -> bool:
        return self.concept_status == WorkflowStatus.APPROVED and self.review == TermReview.ACCEPTED

    @property
    def usable(self) -> bool:
        """An approved term that is neither deprecated nor superseded."""
        return self.approved and self.usage_status in (UsageStatus.PREFERRED, UsageStatus.ADMITTED)


@dataclass(frozen=True, slots=True)
class RecognitionEngine:
    """A matcher over the whole termbase as of ``stamp``."""

    stamp: Stamp
    matcher: TermMatcher
    build_seconds: float


class _Slot:
    """The cached engine of one database, with the lock that serialises rebuilds."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.engine: RecognitionEngine | None = None


_slots: weakref.WeakKeyDictionary[Engine, _Slot] = weakref.WeakKeyDictionary()
_slots_lock = threading.Lock()


def _db_engine(session: Session) -> Engine:
    bind = session.get_bind()
    return bind.engine if isinstance(bind, Connection) else bind


def _slot(db: Engine) -> _Slot:
    with _slots_lock:
        slot = _slots.get(db)
        if slot is None:
            slot = _slots[db] = _Slot()
        return slot


def current_stamp(session: Session) -> Stamp:
    """The termbase's version stamp as this session sees it (pending changes are not flushed)."""
    counter = select(Counter.value).where(Counter.name == TERMBASE_COUNTER).scalar_subquery()
    highest = select(func.max(Term.id)).scalar_subquery()
    with session.no_autoflush:
        row = session.execute(select(counter, highest)).one()
    return (row[0] if row[0] is not None else -1, row[1] or 0)


def _entries(session: Session) -> Iterator[tuple[int, str, int]]:
    stmt = (
        select(Term.id, Term.text, Term.review, Concept.status)
        .join(Concept, Term.concept_id == Concept.id)
        .where(Concept.status != WorkflowStatus.REJECTED.value, Term.review != TermReview.REJECTED.value)
        .execution_options(yield_per=_LOAD_BATCH)
    )
    approved, accepted = WorkflowStatus.APPROVED.value, TermReview.ACCEPTED.value
    for term_id, text, review, status in session.execute(stmt):
        yield term_id, text, FLAG_APPROVED if status == approved and review == accepted else 0


def build_engine(session: Session) -> RecognitionEngine:
    """Build a matcher over every term whose concept and review are not rejected."""
    began = time.perf_counter()
    stamp = current_stamp(session)  # read first: a change landing meanwhile only causes one more rebuild
    matcher = TermMatcher(_entries(session))
    return RecognitionEngine(stamp, matcher, time.perf_counter() - began)


def get_engine(session: Session) -> RecognitionEngine:
    """The cached engine for the session's database, rebuilt first if the termbase changed.

    The rebuild reads committed data through a session of its own. While one thread
    rebuilds, others keep using the previous engine rather than wait.
    """
    db = _db_engine(session)
    slot = _slot(db)
    stamp = current_stamp(session)
    cached = slot.engine
    if cached is not None and cached.stamp == stamp:
        return cached
    if not slot.lock.acquire(blocking=cached is None):
        assert cached is not None
        return cached
    try:
        if slot.engine is not None and slot.engine.stamp == stamp:
            return slot.engine
        with Session(bind=db) as build_session, build_session.begin():
            slot.engine = build_engine(build_session)
        return slot.engine
    finally:
        slot.lock.release()


def clear_cache() -> None:
    """Forget every cached engine (tests and benchmarks)."""
    with _slots_lock:
        _slots.clear()


def _chunks(values: Sequence[int]) -> Iterator[Sequence[int]]:
    for index in range(0, len(values), _IN_CHUNK):
        yield values[index : index + _IN_CHUNK]


def concept_terms(session: Session, term_ids: Iterable[int]) -> dict[int, list[TermInfo]]:
    """Every term of the concepts that the given terms belong to, by concept id."""
    wanted = sorted(set(term_ids))
    by_concept: dict[int, list[TermInfo]] = {}
    seen: set[int] = set()
    for chunk in _chunks(wanted):
        concept_ids = select(Term.concept_id).where(Term.id.in_(chunk)).scalar_subquery()
        rows = session.execute(
            select(
                Term.id,
                Term.concept_id,
                Concept.status,
                Term.language,
                Term.text,
                Term.usage_status,
                Term.review,
            )
            .join(Concept, Term.concept_id == Concept.id)
            .where(Term.concept_id.in_(concept_ids))
            .order_by(Term.concept_id, Term.id)
        )
        for row in rows:
            if row[0] not in seen:  # a concept can be reached from two chunks
                seen.add(row[0])
                by_concept.setdefault(row[1], []).append(TermInfo(*row))
    return by_concept


def _visible(term: TermInfo, include_unapproved: bool) -> bool:
    if include_unapproved:
        return term.concept_status != WorkflowStatus.REJECTED and term.review != TermReview.REJECTED
    return term.approved


def equivalents(terms: Sequence[TermInfo], language: str, *, include_unapproved: bool) -> list[TermInfo]:
    """A concept's preferred terms in the language(s) other than ``language``.

    Each other language (``en``, or ``zh-Hans`` and ``zh-Hant``) falls back to its
    admitted terms when it has no preferred one.
    """
    chosen: list[TermInfo] = []
    others = [
        t for t in terms if is_chinese(t.language) != is_chinese(language) and _visible(t, include_unapproved)
    ]
    for other_language in sorted({t.language for t in others}):
        in_language = [t for t in others if t.language == other_language]
        for usage in (UsageStatus.PREFERRED, UsageStatus.ADMITTED):
            found = [t for t in in_language if t.usage_status == usage]
            if found:
                chosen.extend(found)
                break
    return chosen


def _best_term(candidates: list[TermInfo], written: str) -> TermInfo:
    """Of one concept's terms found on the same span, the one the text actually uses."""
    if len(candidates) == 1:
        return candidates[0]
    surface = surface_form(written)
    return min(
        candidates,
        key=lambda t: (
            t.text != written,
            surface_form(t.text) != surface,
            _USAGE_RANK.get(t.usage_status, 9),
            t.id,
        ),
    )


def matches_from_hits(
    session: Session, text: str, hits: Sequence[Hit], *, include_unapproved: bool
) -> list[Match]:
    """Turn matcher hits into :class:`Match` records, one per concept found on each span."""
    by_concept = concept_terms(session, (i for hit in hits for i in hit.ids))
    by_id = {t.id: t for terms in by_concept.values() for t in terms}
    matches: list[Match] = []
    for hit in hits:
        written = text[hit.start : hit.end]
        per_concept: dict[int, list[TermInfo]] = {}
        for term_id in hit.ids:
            term = by_id.get(term_id)
            if term is not None and _visible(term, include_unapproved):
                per_concept.setdefault(term.concept_id, []).append(term)
        for concept_id in sorted(per_concept):
            term = _best_term(per_concept[concept_id], written)
            matches.append(
                Match(
                    start=hit.start,
                    end=hit.end,
                    text=written,
                    term_id=term.id,
                    term_text=term.text,
                    concept_id=concept_id,
                    concept_status=term.concept_status,
                    language=term.language,
                    usage_status=term.usage_status,
                    review=term.review,
                    equivalents=tuple(
                        Equivalent(e.id, e.language, e.text, e.usage_status)
                        for e in equivalents(
                            by_concept[concept_id], term.language, include_unapproved=include_unapproved
                        )
                    ),
                )
            )
    return matches


def recognize(session: Session, text: str, *, include_unapproved: bool = True) -> list[Match]:
    """Every known term in ``text``: leftmost-longest, non-overlapping, with offsets into ``text``.

    English matches on word boundaries whatever the case, plural or hyphenation;
    Chinese matches in Traditional or Simplified. Rejected concepts and rejected
    terms are never matched; with ``include_unapproved=False`` only approved
    concepts' accepted terms are. A span that is a term of several concepts
    (a homograph) gives one :class:`Match` per concept.
    """
    engine = get_engine(session)
    require = 0 if include_unapproved else FLAG_APPROVED
    hits = engine.matcher.find(text, require=require)
    return matches_from_hits(session, text, hits, include_unapproved=include_unapproved)
