"""Term recognition: find every known term in a text, for the API and the UI's highlighting.

The engine holds an Aho–Corasick matcher (:class:`termbase.text.match.TermMatcher`)
and a compact table of every matchable term (ids, concept, language, usage,
review, concept status, text). It is built from the database once per process
and database, and rebuilt only when the termbase's version stamp changes: the
``termbase`` counter, bumped on every term or concept change, plus the highest
term id, which also catches bulk inserts that bypass the ORM.

A lookup costs one small stamp query and a search linear in the text's length
(plus the matches found); it never reads the terms from the database, so it does
not grow with the size of the termbase. Rejected concepts and rejected terms are
not in the engine at all.
"""

from __future__ import annotations

import threading
import time
import weakref
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from termbase.models import TERMBASE_COUNTER, Concept, Counter, Term
from termbase.records import LANGUAGES, TermReview, UsageStatus, WorkflowStatus
from termbase.text.lang import is_chinese
from termbase.text.match import Hit, TermMatcher, surface_form

# Matcher flag: the concept is approved and the term accepted.
FLAG_APPROVED = 1

_IN_CHUNK = 500
# Rebuilds that took longer than this happen in the background (see get_engine).
SYNC_REBUILD_SECONDS = 1.0
_MEMO_SIZE = 200_000
_LOAD_BATCH = 10_000

# Small codes for the engine's table, so a million terms cost bytes each, not objects.
_LANGUAGE_CODES = tuple(LANGUAGES)
_USAGE_CODES = tuple(u.value for u in UsageStatus)
_REVIEW_CODES = tuple(r.value for r in TermReview)
_STATUS_CODES = tuple(s.value for s in WorkflowStatus)
_CHINESE = tuple(is_chinese(language) for language in _LANGUAGE_CODES)
# Equivalents are listed by language tag: en, zh-Hans, zh-Hant.
_LANGUAGE_RANK = tuple(sorted(_LANGUAGE_CODES).index(language) for language in _LANGUAGE_CODES)
_ADMITTED = _USAGE_CODES.index(UsageStatus.ADMITTED.value)  # codes below it: preferred

Stamp = tuple[int, int]


class Equivalent(NamedTuple):
    """A term of the matched concept in the other language."""

    term_id: int
    language: str
    text: str
    usage_status: str
    reviewed: bool  # the concept is approved and the term accepted


class Match(NamedTuple):
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

    @property
    def reviewed(self) -> bool:
        """Whether an editor approved the concept and accepted the term (else: an unreviewed candidate)."""
        return self.concept_status == WorkflowStatus.APPROVED and self.review == TermReview.ACCEPTED


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


class RecognitionEngine:
    """The matcher and term table over the whole termbase as of ``stamp``.

    Entries are numbered in (concept id, term id) order, so a concept's terms are
    neighbours in the table and can be found by bisection.
    """

    def __init__(self, stamp: Stamp, rows: Iterable[tuple[int, int, str, str, str, str, str]]) -> None:
        began = time.perf_counter()
        self.stamp = stamp
        self._term_ids = array("q")
        self._concept_ids = array("q")
        self._concept_starts = array("I")  # first entry of the entry's concept
        self._approved_flags = array("B")  # concept approved and term accepted
        self._languages = array("B")
        self._usages = array("B")
        self._reviews = array("B")
        self._statuses = array("B")
        self._texts: list[str] = []
        # Equivalents per (concept, side, visibility); terms recur from segment to segment.
        self._memo: dict[tuple[int, bool, bool], tuple[Equivalent, ...]] = {}
        self.matcher = TermMatcher(self._load(rows))
        self.build_seconds = time.perf_counter() - began

    def _load(
        self, rows: Iterable[tuple[int, int, str, str, str, str, str]]
    ) -> Iterator[tuple[int, str, int]]:
        """Fill the table while handing the matcher (entry, text, flags), in one pass over the rows."""
        approved, accepted = WorkflowStatus.APPROVED.value, TermReview.ACCEPTED.value
        for term_id, concept_id, language, text, usage, review, status in rows:
            entry = len(self._texts)
            self._term_ids.append(term_id)
            if entry and self._concept_ids[-1] == concept_id:
                self._concept_starts.append(self._concept_starts[-1])
            else:
                self._concept_starts.append(entry)
            self._concept_ids.append(concept_id)
            self._languages.append(_LANGUAGE_CODES.index(language) if language in _LANGUAGE_CODES else 0)
            self._usages.append(_USAGE_CODES.index(usage) if usage in _USAGE_CODES else 1)
            self._reviews.append(_REVIEW_CODES.index(review) if review in _REVIEW_CODES else 0)
            self._statuses.append(_STATUS_CODES.index(status) if status in _STATUS_CODES else 0)
            self._texts.append(text)
            flags = FLAG_APPROVED if status == approved and review == accepted else 0
            self._approved_flags.append(flags)
            yield entry, text, flags

    def __len__(self) -> int:
        return len(self._texts)

    def info(self, entry: int) -> TermInfo:
        return TermInfo(
            id=self._term_ids[entry],
            concept_id=self._concept_ids[entry],
            concept_status=_STATUS_CODES[self._statuses[entry]],
            language=_LANGUAGE_CODES[self._languages[entry]],
            text=self._texts[entry],
            usage_status=_USAGE_CODES[self._usages[entry]],
            review=_REVIEW_CODES[self._reviews[entry]],
        )

    def concept_entries(self, concept_id: int) -> range:
        return range(bisect_left(self._concept_ids, concept_id), bisect_right(self._concept_ids, concept_id))

    def concept_terms(self, concept_id: int) -> list[TermInfo]:
        """The concept's terms (none rejected) as of the engine's stamp."""
        return [self.info(e) for e in self.concept_entries(concept_id)]

    def find(self, text: str, *, include_unapproved: bool, overlapping: bool = False) -> list[Hit]:
        """Matcher hits; their ids are entry numbers of this engine."""
        require = 0 if include_unapproved else FLAG_APPROVED
        return self.matcher.find(text, require=require, overlapping=overlapping)

    def term_ids(self, entries: Iterable[int]) -> set[int]:
        return {self._term_ids[e] for e in entries}

    def _concept_range(self, entry: int) -> range:
        """The entries of ``entry``'s concept (they are neighbours)."""
        concept_ids = self._concept_ids
        concept_id, start, end, size = (
            concept_ids[entry],
            self._concept_starts[entry],
            entry + 1,
            len(concept_ids),
        )
        while end < size and concept_ids[end] == concept_id:
            end += 1
        return range(start, end)

    def drop_caches(self) -> None:
        """Forget memoized equivalents (benchmarks measure the cold path with it)."""
        self._memo.clear()

    def _equivalents(self, entry: int, include_unapproved: bool) -> tuple[Equivalent, ...]:
        key = (self._concept_starts[entry], _CHINESE[self._languages[entry]], include_unapproved)
        found = self._memo.get(key)
        if found is None:
            if len(self._memo) >= _MEMO_SIZE:
                self._memo.clear()
            found = self._memo[key] = self._compute_equivalents(entry, include_unapproved)
        return found

    def _compute_equivalents(self, entry: int, include_unapproved: bool) -> tuple[Equivalent, ...]:
        """Preferred (else admitted) terms of each language on the other side of ``entry``'s concept."""
        # Written as plain loops: this runs once per concept found, hundreds of times per segment.
        languages, usages, approved, concept_ids = (
            self._languages,
            self._usages,
            self._approved_flags,
            self._concept_ids,
        )
        chinese = _CHINESE[languages[entry]]
        concept_id, other, size = concept_ids[entry], self._concept_starts[entry], len(concept_ids)
        picks: list[tuple[int, int, int]] = []  # (language order, usage, entry)
        while other < size and concept_ids[other] == concept_id:
            language = languages[other]
            if _CHINESE[language] != chinese:
                usage = usages[other]
                if usage <= _ADMITTED and (include_unapproved or approved[other]):
                    picks.append((_LANGUAGE_RANK[language], usage, other))
            other += 1
        if len(picks) > 1:
            best: dict[int, int] = {}
            for rank, usage, _entry in picks:
                if usage < best.get(rank, 255):
                    best[rank] = usage
            picks = sorted(p for p in picks if p[1] == best[p[0]])
        term_ids, texts = self._term_ids, self._texts
        return tuple(
            Equivalent(
                term_ids[e], _LANGUAGE_CODES[languages[e]], texts[e], _USAGE_CODES[usage], bool(approved[e])
            )
            for _rank, usage, e in picks
        )

    def _best_entry(self, entries: list[int], written: str) -> int:
        """Of one concept's terms found on the same span, the one the text actually uses."""
        if len(entries) == 1:
            return entries[0]
        texts = self._texts
        # Usually the text spells exactly one of them (the Simplified or the Traditional form):
        # that one ranks first, and no surface forms need computing.
        verbatim = [e for e in entries if texts[e] == written]
        if len(verbatim) == 1:
            return verbatim[0]
        if verbatim:
            return min(verbatim, key=lambda e: (self._usages[e], self._term_ids[e]))
        surface = surface_form(written)
        return min(
            entries,
            key=lambda e: (
                self._texts[e] != written,
                surface_form(self._texts[e]) != surface,
                self._usages[e],  # code order is preferred, admitted, deprecated, superseded
                self._term_ids[e],
            ),
        )

    def matches(self, text: str, hits: Sequence[Hit], *, include_unapproved: bool) -> list[Match]:
        """One :class:`Match` per concept found on each hit's span."""
        # A hot loop (hundreds of matches per segment): locals, and tuples built directly.
        found: list[Match] = []
        append, new = found.append, tuple.__new__
        concept_ids, starts, languages = self._concept_ids, self._concept_starts, self._languages
        term_ids, texts, statuses, usages, reviews = (
            self._term_ids,
            self._texts,
            self._statuses,
            self._usages,
            self._reviews,
        )
        memo = self._memo
        for start, end, entries in hits:
            written = text[start:end]
            chosen: Sequence[int] = entries
            if len(entries) > 1:
                groups: dict[int, list[int]] = {}
                for entry in entries:
                    groups.setdefault(concept_ids[entry], []).append(entry)
                chosen = [self._best_entry(groups[concept_id], written) for concept_id in sorted(groups)]
            for entry in chosen:
                language = languages[entry]
                equivalents = memo.get((starts[entry], _CHINESE[language], include_unapproved))
                if equivalents is None:
                    equivalents = self._equivalents(entry, include_unapproved)
                match = (
                    start,
                    end,
                    written,
                    term_ids[entry],
                    texts[entry],
                    concept_ids[entry],
                    _STATUS_CODES[statuses[entry]],
                    _LANGUAGE_CODES[language],
                    _USAGE_CODES[usages[entry]],
                    _REVIEW_CODES[reviews[entry]],
                    equivalents,
                )
                append(new(Match, match))
        return found


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


_STAMP = select(
    select(Counter.value).where(Counter.name == TERMBASE_COUNTER).scalar_subquery(),
    select(func.max(Term.id)).scalar_subquery(),
)


def current_stamp(session: Session) -> Stamp:
    """The termbase's version stamp as this session sees it (pending changes are not flushed)."""
    # Core execution on the session's connection: a fraction of an ORM execute's overhead.
    counter, highest = session.connection().execute(_STAMP).one()
    return (counter if counter is not None else -1, highest or 0)


def _rows(session: Session) -> Iterator[tuple[int, int, str, str, str, str, str]]:
    stmt = (
        select(
            Term.id,
            Term.concept_id,
            Term.language,
            Term.text,
            Term.usage_status,
            Term.review,
            Concept.status,
        )
        .join(Concept, Term.concept_id == Concept.id)
        .where(
            Concept.status != WorkflowStatus.REJECTED.value,
            Term.review != TermReview.REJECTED.value,
            # Recognition works on Chinese and English: terms kept in other languages stay out.
            Term.language.in_(LANGUAGES),
        )
        .order_by(Term.concept_id, Term.id)
        .execution_options(yield_per=_LOAD_BATCH)
    )
    for row in session.execute(stmt):
        term_id, concept_id, language, text, usage, review, status = row
        yield term_id, concept_id, language, text, usage, review, status


def build_engine(session: Session) -> RecognitionEngine:
    """Build the engine over every term whose concept and review are not rejected."""
    stamp = current_stamp(session)  # read first: a change landing meanwhile only causes one more rebuild
    return RecognitionEngine(stamp, _rows(session))


def _rebuild(db: Engine, slot: _Slot) -> RecognitionEngine:
    """Build from committed data through a session of its own; the caller holds ``slot.lock``."""
    try:
        with Session(bind=db) as build_session, build_session.begin():
            slot.engine = build_engine(build_session)
        return slot.engine
    finally:
        slot.lock.release()


def get_engine(session: Session) -> RecognitionEngine:
    """The cached engine for the session's database, rebuilt if the termbase changed.

    A small termbase (last build under ``SYNC_REBUILD_SECONDS``) is rebuilt before
    answering, so an edit shows at once. A large one is rebuilt in a background
    thread while callers keep getting the previous engine, so no request waits
    for a long build; only the very first build of a process is waited for.
    """
    db = _db_engine(session)
    slot = _slot(db)
    stamp = current_stamp(session)
    cached = slot.engine
    if cached is not None and cached.stamp == stamp:
        return cached
    if not slot.lock.acquire(blocking=cached is None):
        assert cached is not None
        return cached  # another thread is rebuilding
    if slot.engine is not None and slot.engine.stamp == stamp:
        slot.lock.release()
        return slot.engine
    if cached is not None and cached.build_seconds >= SYNC_REBUILD_SECONDS:
        threading.Thread(
            target=_rebuild, args=(db, slot), name="termbase-recognition-rebuild", daemon=True
        ).start()
        return cached
    return _rebuild(db, slot)


def warm(db: Engine) -> RecognitionEngine:
    """Build the engine for ``db`` now, e.g. in gunicorn's master before it forks workers.

    At a million terms a build takes tens of seconds: a worker that built it on its first
    request would outlive gunicorn's timeout. Built before the fork, every worker starts
    with it, sharing its memory until a change makes a worker rebuild.
    """
    slot = _slot(db)
    slot.lock.acquire()
    return _rebuild(db, slot)


def clear_cache() -> None:
    """Forget every cached engine (tests and benchmarks)."""
    with _slots_lock:
        _slots.clear()


def _chunks(values: Sequence[int]) -> Iterator[Sequence[int]]:
    for index in range(0, len(values), _IN_CHUNK):
        yield values[index : index + _IN_CHUNK]


def concept_terms(session: Session, term_ids: Iterable[int]) -> dict[int, list[TermInfo]]:
    """Every term (rejected ones too) of the concepts the given terms belong to, by concept id.

    Reads the database, so it is current even between engine rebuilds.
    """
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
            .where(Term.concept_id.in_(concept_ids), Term.language.in_(LANGUAGES))
            .order_by(Term.concept_id, Term.id)
        )
        for row in rows:
            if row[0] not in seen:  # a concept can be reached from two chunks
                seen.add(row[0])
                by_concept.setdefault(row[1], []).append(TermInfo(*row))
    return by_concept


def recognize(session: Session, text: str, *, include_unapproved: bool = False) -> list[Match]:
    """Every known term in ``text``: leftmost-longest, non-overlapping, with offsets into ``text``.

    English matches on word boundaries whatever the case, plural or hyphenation;
    Chinese matches in Traditional or Simplified. Rejected concepts and rejected
    terms are never matched. By default only approved concepts' accepted terms are;
    ``include_unapproved`` adds candidates (each :class:`Match` says whether it is
    ``reviewed``). The longest term owns its span either way: a shorter approved term
    inside an unreviewed longer one is not reported in its place. A span that is a
    term of several concepts (a homograph) gives one :class:`Match` per concept.
    """
    engine = get_engine(session)
    hits = engine.find(text, include_unapproved=include_unapproved)
    return engine.matches(text, hits, include_unapproved=include_unapproved)
