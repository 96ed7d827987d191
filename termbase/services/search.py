"""Lookup: one query read as Chinese, pinyin, pinyin initials or English, ranked exact > prefix > contains.

The query is folded to the same keys that are stored beside every term at write time
(``Term.search_key``, ``Term.pinyin_key``, ``Term.pinyin_initials``), so lookups never
compute pinyin or normal forms per row. Exact and prefix matches are index range scans
on both databases: PostgreSQL indexes those columns with ``text_pattern_ops``, which only
the pattern operators (``~>=~``, ``~<~``, ``USING ~<~``) can use once a plan is generic, so
prefix queries are written with them there and as plain ranges on SQLite. A ``LIKE`` with
a bound pattern would fall back to a sequential scan on PostgreSQL.

"Contains" matches are index range scans too: every term stores the proper suffixes of its
keys in ``term_suffixes`` (from each character of a Chinese key, each word of an English
one, each syllable of a pinyin key; see ``termbase.text.suffixes``), so a term contains the
query when one of its suffixes starts with it. They run only when exact and prefix matches
do not fill the requested page, read the suffix index in key order, and stop as soon as the
page is full.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple, Protocol, TypeVar

from rapidfuzz import fuzz, process
from sqlalchemy import Integer, Select, String, and_, bindparam, false, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased, selectinload
from sqlalchemy.sql.elements import ColumnElement, UnaryExpression
from sqlalchemy.sql.operators import custom_op

from termbase.models import Citation, Concept, Document, Segment, Term, TermSuffix
from termbase.records import LANG_EN, LANG_ZH_HANS, LANG_ZH_HANT, TermReview, UsageStatus, WorkflowStatus
from termbase.text.normalize import has_han, normalize_term, search_key, to_traditional
from termbase.text.pinyin import query_pinyin_key
from termbase.text.suffixes import FIELD_PINYIN, FIELD_TEXT, SUFFIX_LENGTH

MAX_QUERY_LENGTH = 200
MAX_LIMIT = 200
TIERS = ("exact", "prefix", "contains")
ZH_LANGUAGES = (LANG_ZH_HANS, LANG_ZH_HANT)
EN_LANGUAGES = (LANG_EN,)

# A query that could be pinyin: letters (with tone marks or ü), spaces, apostrophes, hyphens and
# tone digits written after a syllable ("wang3luo4"); it must start with a letter.
_PINYIN_QUERY_RE = re.compile(r"[a-zü][a-zü:'\s1-5-]*")
_INITIALS_QUERY_RE = re.compile(r"[a-z]{2,12}")

_USAGE_RANK = {
    UsageStatus.PREFERRED.value: 0,
    UsageStatus.ADMITTED.value: 1,
    UsageStatus.SUPERSEDED.value: 2,
    UsageStatus.DEPRECATED.value: 3,
}
_REVIEW_RANK = {TermReview.ACCEPTED.value: 0, TermReview.CANDIDATE.value: 1, TermReview.REJECTED.value: 2}


@dataclass(frozen=True, slots=True)
class QueryField:
    """One reading of the query: which stored key to compare, for which languages, how loosely."""

    name: str  # "zh", "en", "pinyin", "initials"
    key: str
    languages: tuple[str, ...]
    tiers: tuple[str, ...]

    @property
    def column(self) -> InstrumentedAttribute[Any]:
        return _COLUMNS[self.name]


# The readings a query language allows: Chinese is written in characters, pinyin or initials.
QUERY_LANGUAGES: dict[str, tuple[str, ...]] = {"zh": ("zh", "pinyin", "initials"), "en": ("en",)}


@dataclass(frozen=True, slots=True)
class Filters:
    """What narrows a lookup beyond its query; each is optional and they combine."""

    subject_field: str | None = None  # the entry's subject field, exactly
    document: str | None = None  # a document slug: entries with a term cited in (any version of) it
    language: str | None = None  # the query's language: "zh" or "en" (a key of QUERY_LANGUAGES)

    @property
    def active(self) -> bool:
        return bool(self.subject_field or self.document or self.language)


NO_FILTERS = Filters()


_COLUMNS: dict[str, InstrumentedAttribute[Any]] = {
    "zh": Term.search_key,
    "en": Term.search_key,
    "pinyin": Term.pinyin_key,
    "initials": Term.pinyin_initials,
}


# Which suffixes of term_suffixes the "contains" tier of a reading scans.
_SUFFIX_FIELDS = {"zh": FIELD_TEXT, "en": FIELD_TEXT, "pinyin": FIELD_PINYIN}


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One concept found, with the terms a results row shows and how the query matched it."""

    concept_id: int
    version: int
    status: str  # workflow status of the concept
    confidence: float | None
    zh: str | None  # preferred Simplified (else Traditional) Chinese term
    zh_hant: str | None  # preferred Traditional term, when the entry has one
    pinyin: str | None  # pinyin of ``zh``
    en: str | None  # preferred English term
    usage_status: str  # usage status of the matched term
    matched_term_id: int
    matched_text: str
    matched_language: str
    match: str  # "exact", "prefix" or "contains"
    field: str  # "zh", "en", "pinyin" or "initials"


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A "did you mean" proposal: an existing term close to a query that found nothing."""

    text: str
    language: str
    pinyin: str | None
    concept_id: int
    score: float


@dataclass(frozen=True, slots=True)
class SearchResults:
    query: str
    hits: list[SearchHit]
    offset: int
    limit: int
    has_more: bool
    # The number of matching concepts when every match was read, else None (more than one page).
    total: int | None
    fields: tuple[str, ...]  # how the query was read, e.g. ("en", "pinyin", "initials")
    suggestions: list[Suggestion] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.hits


def default_statuses(include_unapproved: bool) -> tuple[str, ...]:
    """Approved only, or approved and candidate; rejected entries show only when asked for."""
    if include_unapproved:
        return (WorkflowStatus.APPROVED.value, WorkflowStatus.CANDIDATE.value)
    return (WorkflowStatus.APPROVED.value,)


def _reviews(include_unapproved: bool) -> tuple[str, ...]:
    """Which term reviews may match: accepted terms, plus variant proposals for readers of candidates."""
    if include_unapproved:
        return (TermReview.ACCEPTED.value, TermReview.CANDIDATE.value)
    return (TermReview.ACCEPTED.value,)


def clean_query(q: str | None) -> str:
    text = unicodedata.normalize("NFC", q or "")
    return " ".join(text.split())[:MAX_QUERY_LENGTH]


def parse_query(q: str, language: str | None = None) -> tuple[QueryField, ...]:
    """The readings of a query: Chinese when it has Han characters, else English, pinyin and initials.

    :param language: keep only the readings of this query language ("zh": characters, pinyin
        and initials; "en": English); an unknown one keeps them all.
    """
    fields = _readings(q)
    allowed = QUERY_LANGUAGES.get(language or "")
    return tuple(f for f in fields if f.name in allowed) if allowed else fields


def _readings(q: str) -> tuple[QueryField, ...]:
    q = clean_query(q)
    if not q:
        return ()
    if has_han(q):
        key = search_key(q, LANG_ZH_HANS)
        return (QueryField("zh", key, ZH_LANGUAGES, TIERS),) if key else ()
    fields: list[QueryField] = []
    en_key = search_key(q, LANG_EN)
    if en_key:
        fields.append(QueryField("en", en_key, EN_LANGUAGES, TIERS if len(en_key) >= 2 else TIERS[:2]))
    lowered = q.lower()
    folded = "".join(c for c in unicodedata.normalize("NFD", lowered) if not unicodedata.combining(c))
    if _PINYIN_QUERY_RE.fullmatch(folded.replace("u:", "ü")):
        pinyin = query_pinyin_key(q)
        if pinyin:
            tiers = TIERS if len(pinyin) >= 3 else TIERS[:2]
            fields.append(QueryField("pinyin", pinyin, ZH_LANGUAGES, tiers))
    if _INITIALS_QUERY_RE.fullmatch(lowered):
        fields.append(QueryField("initials", lowered, ZH_LANGUAGES, TIERS[:2]))
    return tuple(fields)


def _upper_bound(key: str) -> str:
    """The smallest string greater than every string that starts with ``key``."""
    last = ord(key[-1]) + 1
    if 0xD800 <= last <= 0xDFFF:  # surrogates are not characters; skip past them
        last = 0xE000
    if last > 0x10FFFF:
        return key + "\U0010ffff"
    return key[:-1] + chr(last)


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _prefix_range(column: InstrumentedAttribute[Any], key: str, postgres: bool) -> ColumnElement[bool]:
    """``column`` starts with ``key``, written so the column's index serves it on both databases."""
    upper = _upper_bound(key)
    if postgres:
        return and_(column.op("~>=~", is_comparison=True)(key), column.op("~<~", is_comparison=True)(upper))
    return and_(column >= key, column < upper)


def _index_order(column: InstrumentedAttribute[Any], postgres: bool) -> ColumnElement[Any]:
    if postgres:
        # Byte order, the order of the text_pattern_ops index, so LIMIT can stop early.
        return UnaryExpression(column.expression, modifier=custom_op("USING ~<~"))
    return column.asc()


def _status_filter(statuses: Sequence[str], postgres: bool) -> ColumnElement[bool]:
    condition = Concept.status.in_(statuses)
    if postgres:
        return condition
    # Without statistics SQLite would drive the query from the (unselective) status index and
    # probe every concept's terms; likely() tells it the status test filters little.
    return func.likely(condition)


def _escape_like(key: str) -> str:
    return key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _outside_range(
    column: InstrumentedAttribute[Any], key: Any, upper: Any, postgres: bool
) -> ColumnElement[bool]:
    """``column`` does not start with ``key`` (the complement of the prefix range)."""
    if postgres:
        return or_(column.op("~<~", is_comparison=True)(key), column.op("~>=~", is_comparison=True)(upper))
    return or_(column < key, column >= upper)


def _contains_condition(qf: QueryField, postgres: bool) -> ColumnElement[bool]:
    """A term of ``qf``'s languages contains the key past its start: one of its suffixes starts with it."""
    stem = qf.key[:SUFFIX_LENGTH]
    suffixes = select(TermSuffix.term_id).where(
        TermSuffix.field == _SUFFIX_FIELDS[qf.name], _prefix_range(TermSuffix.key, stem, postgres)
    )
    condition = and_(Term.id.in_(suffixes), _outside_range(qf.column, qf.key, _upper_bound(qf.key), postgres))
    if len(qf.key) > SUFFIX_LENGTH:  # stored suffixes are cut short: check the whole key
        condition = and_(condition, qf.column.like(f"%{_escape_like(qf.key)}%", escape="\\"))
    return condition


def _condition(qf: QueryField, tier: str, postgres: bool) -> ColumnElement[bool]:
    column = qf.column
    if tier == "exact":
        return column == qf.key
    if tier == "prefix":
        return and_(_prefix_range(column, qf.key, postgres), column != qf.key)
    return _contains_condition(qf, postgres)


def _filter_conditions(subject: bool, document: bool) -> list[ColumnElement[bool]]:
    """Conditions on (Term, Concept) rows for the active filters, their values left as parameters."""
    conditions: list[ColumnElement[bool]] = []
    if subject:
        conditions.append(Concept.subject_field == bindparam("subject", type_=String()))
    if document:
        cited = aliased(Term)
        conditions.append(
            Concept.id.in_(
                select(cited.concept_id)
                .join(Citation, Citation.term_id == cited.id)
                .join(Segment, Segment.id == Citation.segment_id)
                .join(Document, Document.id == Segment.document_id)
                .where(Document.slug == bindparam("document", type_=String()))
            )
        )
    return conditions


def _filter_parameters(filters: Filters) -> dict[str, Any]:
    parameters: dict[str, Any] = {}
    if filters.subject_field:
        parameters["subject"] = filters.subject_field
    if filters.document:
        parameters["document"] = filters.document
    return parameters


@lru_cache(maxsize=256)
def _tier_template(
    name: str,
    tier: str,
    languages: tuple[str, ...],
    statuses: tuple[str, ...],
    reviews: tuple[str, ...],
    postgres: bool,
    long_key: bool = False,
    subject: bool = False,
    document: bool = False,
) -> Select[int, int]:
    """The statement of one reading and tier with the key and limit left as parameters.

    Built once per shape: constructing a SELECT costs more Python time than SQLite
    takes to run it, and every lookup runs up to six of them.
    """
    column = _COLUMNS[name]
    key = bindparam("key", type_=String())
    upper = bindparam("upper", type_=String())
    if tier == "contains":
        return _contains_template(
            name, column, languages, statuses, reviews, postgres, long_key, subject, document
        )
    condition: ColumnElement[bool]
    if tier == "exact":
        condition = column == key
    else:
        if postgres:
            in_range = and_(
                column.op("~>=~", is_comparison=True)(key), column.op("~<~", is_comparison=True)(upper)
            )
        else:
            in_range = and_(column >= key, column < upper)
        condition = and_(in_range, column != key)
    stmt = (
        select(Term.id, Term.concept_id)
        .join(Concept, Concept.id == Term.concept_id)
        .where(
            condition,
            Term.language.in_(languages),
            Term.review.in_(reviews),
            _status_filter(statuses, postgres),
            *_filter_conditions(subject, document),
        )
        .limit(bindparam("limit", type_=Integer()))
    )
    if tier == "exact":
        # Alphabetical status order puts approved before candidate before rejected.
        return stmt.order_by(Concept.status, Term.concept_id, Term.id)
    return stmt.order_by(_index_order(column, postgres), Term.id)


def _contains_template(
    name: str,
    column: InstrumentedAttribute[Any],
    languages: tuple[str, ...],
    statuses: tuple[str, ...],
    reviews: tuple[str, ...],
    postgres: bool,
    long_key: bool,
    subject: bool = False,
    document: bool = False,
) -> Select[int, int]:
    """Terms with a suffix in [stem, upper), whose own key does not start with the query.

    Read in the suffix index's order (field, key, term id), so LIMIT stops early. Terms whose
    key starts with the query were found by the exact and prefix tiers. A query longer than the
    stored suffixes is matched on its first characters (the stem) and checked whole on the key.
    """
    stem = bindparam("stem", type_=String())
    stem_upper = bindparam("stem_upper", type_=String())
    suffix = TermSuffix.key
    if postgres:
        in_range = and_(
            suffix.op("~>=~", is_comparison=True)(stem), suffix.op("~<~", is_comparison=True)(stem_upper)
        )
    else:
        in_range = and_(suffix >= stem, suffix < stem_upper)
    conditions = [
        TermSuffix.field == _SUFFIX_FIELDS[name],
        in_range,
        _outside_range(
            column, bindparam("key", type_=String()), bindparam("upper", type_=String()), postgres
        ),
        Term.language.in_(languages),
        Term.review.in_(reviews),
        _status_filter(statuses, postgres),
        *_filter_conditions(subject, document),
    ]
    if long_key:
        conditions.append(column.like(bindparam("inside", type_=String()), escape="\\"))
    return (
        select(Term.id, Term.concept_id)
        .select_from(TermSuffix)
        .join(Term, Term.id == TermSuffix.term_id)
        .join(Concept, Concept.id == Term.concept_id)
        .where(*conditions)
        .order_by(_index_order(suffix, postgres), TermSuffix.term_id)
        .limit(bindparam("limit", type_=Integer()))
    )


def _tier_parameters(qf: QueryField, tier: str, limit: int) -> dict[str, Any]:
    if tier == "exact":
        return {"key": qf.key, "limit": limit}
    parameters = {"key": qf.key, "upper": _upper_bound(qf.key), "limit": limit}
    if tier == "contains":
        stem = qf.key[:SUFFIX_LENGTH]
        parameters.update(stem=stem, stem_upper=_upper_bound(stem))
        if len(qf.key) > SUFFIX_LENGTH:
            parameters["inside"] = f"%{_escape_like(qf.key)}%"
    return parameters


def _template(
    session: Session,
    qf: QueryField,
    tier: str,
    statuses: Sequence[str],
    reviews: Sequence[str],
    filters: Filters = NO_FILTERS,
) -> Select[int, int]:
    return _tier_template(
        qf.name,
        tier,
        tuple(qf.languages),
        tuple(statuses),
        tuple(reviews),
        _is_postgres(session),
        tier == "contains" and len(qf.key) > SUFFIX_LENGTH,
        bool(filters.subject_field),
        bool(filters.document),
    )


def tier_statement(
    session: Session,
    qf: QueryField,
    tier: str,
    statuses: Sequence[str],
    reviews: Sequence[str],
    limit: int,
    filters: Filters = NO_FILTERS,
) -> Select[int, int]:
    """SELECT (term id, concept id) of terms matching one reading at one tier, best first."""
    return _template(session, qf, tier, statuses, reviews, filters).params(
        _tier_parameters(qf, tier, limit) | _filter_parameters(filters)
    )


def search(
    session: Session,
    q: str,
    *,
    include_unapproved: bool,
    limit: int = 50,
    offset: int = 0,
    statuses: Collection[str] | None = None,
    contains: bool = True,
    filters: Filters = NO_FILTERS,
) -> SearchResults:
    """Find concepts for ``q``: exact matches first, then prefix, then contains.

    :param include_unapproved: also candidate entries and variant proposals (readers with
        ``READ_ALL``); otherwise approved entries and accepted terms only.
    :param statuses: restrict to these workflow statuses (ignored beyond approved when
        ``include_unapproved`` is false); default approved and, if allowed, candidate.
    :param contains: also look for the query inside terms: from any character of a Chinese
        term, any word of an English one, any syllable of the pinyin. That tier reads the
        suffix index (``term_suffixes``) and runs only when exact and prefix matches leave the
        page short.
    :param filters: subject field, citing document and query language (see :class:`Filters`).
    """
    query = clean_query(q)
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    fields = parse_query(query, filters.language)
    chosen = _statuses(include_unapproved, statuses)
    reviews = _reviews(include_unapproved)
    wanted = offset + limit + 1  # one more than the page, to know whether another page follows
    order: list[int] = []
    best: dict[int, tuple[int, str, str]] = {}  # concept id -> (term id, tier, field)
    exhausted = True
    if chosen:
        for tier in TIERS:
            for qf in fields:
                if tier not in qf.tiers or (tier == "contains" and not contains):
                    continue
                exhausted = (
                    _collect(session, qf, tier, chosen, reviews, wanted, order, best, filters) and exhausted
                )
                if len(order) >= wanted:
                    break
            if len(order) >= wanted:
                exhausted = False
                break
    page_ids = order[offset : offset + limit]
    hits = _hits(session, page_ids, best, include_unapproved)
    suggestions: list[Suggestion] = []
    if not order and query and fields and not filters.active:
        suggestions = suggest(session, fields, include_unapproved=include_unapproved, statuses=chosen)
    return SearchResults(
        query=query,
        hits=hits,
        offset=offset,
        limit=limit,
        has_more=len(order) > offset + limit,
        total=len(order) if exhausted else None,
        fields=tuple(qf.name for qf in fields),
        suggestions=suggestions,
    )


def _statuses(include_unapproved: bool, statuses: Collection[str] | None) -> tuple[str, ...]:
    if statuses is None:
        return default_statuses(include_unapproved)
    valid = {s.value for s in WorkflowStatus}
    chosen = tuple(sorted(s for s in statuses if s in valid))
    if not include_unapproved:
        chosen = tuple(s for s in chosen if s == WorkflowStatus.APPROVED.value)
    return chosen


def _collect(
    session: Session,
    qf: QueryField,
    tier: str,
    statuses: Sequence[str],
    reviews: Sequence[str],
    wanted: int,
    order: list[int],
    best: dict[int, tuple[int, str, str]],
    filters: Filters = NO_FILTERS,
) -> bool:
    """Add new concepts from one reading and tier until ``wanted`` are known; True when all were read."""
    batch = max(2 * (wanted - len(order)), 20)
    template = _template(session, qf, tier, statuses, reviews, filters)
    extra = _filter_parameters(filters)
    while True:
        # Core execution on the session's connection: plain rows, a fraction of the ORM's overhead.
        rows = session.connection().execute(template, _tier_parameters(qf, tier, batch) | extra).all()
        for term_id, concept_id in rows:
            if concept_id not in best:
                best[concept_id] = (term_id, tier, qf.name)
                order.append(concept_id)
        if len(rows) < batch:
            return True
        if len(order) >= wanted:
            return False
        batch *= 4  # many terms of already-seen concepts: read further


class TermLike(Protocol):
    """What ranking needs of a term: an ORM ``Term`` or a plain row of the same columns."""

    @property
    def id(self) -> int: ...
    @property
    def language(self) -> str: ...
    @property
    def usage_status(self) -> str: ...
    @property
    def review(self) -> str: ...
    @property
    def text(self) -> str: ...


TermT = TypeVar("TermT", bound=TermLike)


class _TermRow(NamedTuple):
    id: int
    concept_id: int
    language: str
    text: str
    pinyin: str | None
    usage_status: str
    review: str


def _term_rank(term: TermLike) -> tuple[int, int, int, int]:
    return (
        _USAGE_RANK.get(term.usage_status, 9),
        _REVIEW_RANK.get(term.review, 9),
        0 if term.language == LANG_ZH_HANS else 1,
        term.id,
    )


def preferred_term(terms: Iterable[TermT], languages: Collection[str]) -> TermT | None:
    """The term to show first for ``languages``: preferred, accepted, Simplified, oldest."""
    eligible = [t for t in terms if t.language in languages and t.review != TermReview.REJECTED.value]
    return min(eligible, key=_term_rank, default=None)


def traditional_form(terms: Iterable[TermLike], zh: TermLike | None) -> str | None:
    """The Traditional form to show beside ``zh``: the entry's own Traditional term, else OpenCC's.

    Every Chinese entry shows one, derived the same way everywhere (``to_traditional``);
    None when ``zh`` is itself Traditional or has no distinct Traditional form.
    """
    if zh is None:
        return None
    hant = preferred_term(terms, (LANG_ZH_HANT,))
    if hant is not None:
        return hant.text if hant is not zh else None
    derived = to_traditional(zh.text)
    return derived if derived != zh.text else None


def _hits(
    session: Session,
    concept_ids: Sequence[int],
    best: dict[int, tuple[int, str, str]],
    include_unapproved: bool,
) -> list[SearchHit]:
    if not concept_ids:
        return []
    # Plain rows of the columns a hit shows: loading ORM objects cost more than the queries.
    connection = session.connection()
    concepts = {
        row.id: row
        for row in connection.execute(
            select(Concept.id, Concept.version, Concept.status, Concept.confidence).where(
                Concept.id.in_(concept_ids)
            )
        )
    }
    reviews = _reviews(include_unapproved)
    terms_by_concept: dict[int, list[_TermRow]] = {}
    for row in connection.execute(
        select(
            Term.id, Term.concept_id, Term.language, Term.text, Term.pinyin, Term.usage_status, Term.review
        )
        .where(Term.concept_id.in_(concept_ids), Term.review.in_(reviews))
        .order_by(Term.id)
    ):
        term = _TermRow(*row)
        terms_by_concept.setdefault(term.concept_id, []).append(term)
    hits = []
    for concept_id in concept_ids:
        concept = concepts.get(concept_id)
        terms = terms_by_concept.get(concept_id, [])
        term_id, tier, field_name = best[concept_id]
        matched = next((t for t in terms if t.id == term_id), None)
        if concept is None or matched is None:  # deleted between the two queries
            continue
        zh = preferred_term(terms, ZH_LANGUAGES)
        en = preferred_term(terms, EN_LANGUAGES)
        hits.append(
            SearchHit(
                concept_id=concept.id,
                version=concept.version,
                status=concept.status,
                confidence=concept.confidence,
                zh=zh.text if zh else None,
                zh_hant=traditional_form(terms, zh),
                pinyin=zh.pinyin if zh else None,
                en=en.text if en else None,
                usage_status=matched.usage_status,
                matched_term_id=matched.id,
                matched_text=matched.text,
                matched_language=matched.language,
                match=tier,
                field=field_name,
            )
        )
    return hits


SUGGESTION_NEIGHBOURS = 60  # index neighbours read on each side of the query's key, per stem
SUGGESTION_CUTOFF = 70.0


@lru_cache(maxsize=64)
def _neighbour_template(
    name: str,
    side: str,
    languages: tuple[str, ...],
    statuses: tuple[str, ...],
    reviews: tuple[str, ...],
    postgres: bool,
) -> Select[int, str]:
    """Keys in [low, high), read upwards ("after" the query's key) or downwards ("before" it)."""
    column = _COLUMNS[name]
    low, high = bindparam("low", type_=String()), bindparam("high", type_=String())
    if postgres:
        in_range = and_(
            column.op("~>=~", is_comparison=True)(low), column.op("~<~", is_comparison=True)(high)
        )
    else:
        in_range = and_(column >= low, column < high)
    # The key alone, so the index delivers the order and LIMIT stops early whatever the plan.
    # (With a term-id tiebreak PostgreSQL estimated one row for the range and sorted all of
    # it: 140 ms for a common stem at 1M concepts. Ties are ranked by score and id afterwards.)
    if side == "after":
        order = _index_order(column, postgres)
    elif postgres:
        order = UnaryExpression(column.expression, modifier=custom_op("USING ~>~"))
    else:
        order = column.desc()
    return (
        select(Term.id, column)
        .join(Concept, Concept.id == Term.concept_id)
        .where(
            in_range,
            Term.language.in_(languages),
            Term.review.in_(reviews),
            _status_filter(statuses, postgres),
        )
        .order_by(order)
        .limit(bindparam("limit", type_=Integer()))
    )


def suggest(
    session: Session,
    fields: Sequence[QueryField],
    *,
    include_unapproved: bool,
    statuses: Sequence[str] | None = None,
    limit: int = 5,
) -> list[Suggestion]:
    """Terms close to a query that matched nothing ("did you mean").

    Candidates are the index neighbours of the query's key on both sides, among keys with
    the same first two characters, then (unless those were plenty) the same first character;
    so the cost does not grow with the termbase, and a large termbase still offers the keys
    nearest the query rather than the alphabetically first ones of its stem. rapidfuzz ranks them.
    """
    chosen = tuple(statuses) if statuses is not None else default_statuses(include_unapproved)
    reviews = _reviews(include_unapproved)
    postgres = _is_postgres(session)
    connection = session.connection()
    scored: dict[int, float] = {}  # term id -> similarity
    for qf in fields:
        if qf.name == "initials":
            continue
        choices: dict[int, str] = {}
        for width in (2, 1):
            stem = qf.key[:width]
            if len(stem) < width:
                continue
            full = True
            for side, low, high in (("after", qf.key, _upper_bound(stem)), ("before", stem, qf.key)):
                template = _neighbour_template(qf.name, side, tuple(qf.languages), chosen, reviews, postgres)
                rows = connection.execute(
                    template, {"low": low, "high": high, "limit": SUGGESTION_NEIGHBOURS}
                ).all()
                full = full and len(rows) == SUGGESTION_NEIGHBOURS
                choices.update({term_id: key for term_id, key in rows if key})
            if full:
                break  # both sides full: the wider stem would only add keys further away
        for _key, score, term_id in process.extract(
            qf.key, choices, scorer=fuzz.ratio, limit=limit * 2, score_cutoff=SUGGESTION_CUTOFF
        ):
            scored[term_id] = max(float(score), scored.get(term_id, 0.0))
    if not scored:
        return []
    terms = {
        row.id: row
        for row in session.connection().execute(
            select(Term.id, Term.text, Term.language, Term.pinyin, Term.concept_id).where(Term.id.in_(scored))
        )
    }
    ranked = sorted(scored.items(), key=lambda item: (-item[1], item[0]))
    suggestions: list[Suggestion] = []
    seen: set[str] = set()
    for term_id, score in ranked:
        term = terms.get(term_id)
        if term is None or term.text in seen:
            continue
        seen.add(term.text)
        suggestions.append(
            Suggestion(
                text=term.text,
                language=term.language,
                pinyin=term.pinyin,
                concept_id=term.concept_id,
                score=score,
            )
        )
        if len(suggestions) >= limit:
            break
    return suggestions


def concept_ids_matching(
    session: Session,
    q: str,
    *,
    include_unapproved: bool = True,
    statuses: Collection[str] | None = None,
) -> Select[int]:
    """A SELECT of the ids of concepts matching ``q`` at any tier, for filtering other queries.

    Use it as ``select(Concept).where(Concept.id.in_(concept_ids_matching(session, q)))``.
    A query that reads as nothing selects no ids.
    """
    fields = parse_query(q)
    postgres = _is_postgres(session)
    alternatives: list[ColumnElement[bool]] = []
    for qf in fields:
        conditions = [_condition(qf, tier, postgres) for tier in qf.tiers]
        alternatives.append(and_(Term.language.in_(qf.languages), or_(*conditions)))
    matches = or_(*alternatives) if alternatives else false()
    return (
        select(Term.concept_id)
        .join(Concept, Concept.id == Term.concept_id)
        .where(
            matches,
            Term.review.in_(_reviews(include_unapproved)),
            Concept.status.in_(_statuses(include_unapproved, statuses)),
        )
        .distinct()
    )


@dataclass(frozen=True, slots=True)
class Page:
    """A page of a listing: the items, where it starts, and how many there are in all."""

    items: list[Any]
    offset: int
    limit: int
    total: int

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.items) < self.total


def concepts_cited_in(document_slug: str) -> Select[int]:
    """Concepts with a term cited in the document ``document_slug`` (any of its versions)."""
    return (
        select(Term.concept_id)
        .join(Citation, Citation.term_id == Term.id)
        .join(Segment, Segment.id == Citation.segment_id)
        .join(Document, Document.id == Segment.document_id)
        .where(Document.slug == document_slug)
        .distinct()
    )


def review_queue(
    session: Session,
    *,
    status: str = WorkflowStatus.CANDIDATE.value,
    q: str | None = None,
    document: str | None = None,
    min_confidence: float | None = None,
    origin: str | None = None,
    offset: int = 0,
    limit: int = 25,
) -> Page:
    """Concepts awaiting review, most confident first (unscored ones last), with their terms loaded.

    Filters combine: a lookup query, a document that cites them, a confidence floor, an origin.
    """
    stmt = select(Concept).where(Concept.status == status)
    if q:
        stmt = stmt.where(Concept.id.in_(concept_ids_matching(session, q, statuses=(status,))))
    if document:
        stmt = stmt.where(Concept.id.in_(concepts_cited_in(document)))
    if min_confidence is not None:
        stmt = stmt.where(Concept.confidence >= min_confidence)
    if origin:
        stmt = stmt.where(Concept.origin == origin)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    items = list(
        session.scalars(
            stmt.options(selectinload(Concept.terms))
            .order_by(Concept.confidence.is_(None), Concept.confidence.desc(), Concept.id)
            .offset(max(0, offset))
            .limit(max(1, limit))
        )
    )
    return Page(items=items, offset=offset, limit=limit, total=total)


def variant_proposals(session: Session, *, offset: int = 0, limit: int = 25) -> Page:
    """Terms proposed as variants of existing concepts (review "candidate"), newest last."""
    stmt = (
        select(Term)
        .join(Concept, Concept.id == Term.concept_id)
        .where(Term.review == TermReview.CANDIDATE.value, Concept.status != WorkflowStatus.REJECTED.value)
    )
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    items = list(
        session.scalars(
            stmt.options(selectinload(Term.concept).selectinload(Concept.terms))
            .order_by(Term.concept_id, Term.id)
            .offset(max(0, offset))
            .limit(max(1, limit))
        )
    )
    return Page(items=items, offset=offset, limit=limit, total=total)


def subject_fields(session: Session, *, include_unapproved: bool) -> list[str]:
    """The subject fields of the entries a reader may see, alphabetically (the lookup's filter choices)."""
    return list(
        session.scalars(
            select(Concept.subject_field)
            .where(
                Concept.subject_field.is_not(None),
                Concept.subject_field != "",
                Concept.status.in_(default_statuses(include_unapproved)),
            )
            .distinct()
            .order_by(Concept.subject_field)
        )
    )


def document_choices(session: Session) -> list[tuple[str, str]]:
    """(slug, title) of the current version of every document, by title (the lookup's filter choices)."""
    rows = session.execute(
        select(Document.slug, Document.title).where(Document.is_current.is_(True)).order_by(Document.title)
    )
    return [(slug, title) for slug, title in rows]


def count_by_status(session: Session) -> dict[str, int]:
    rows = session.execute(select(Concept.status, func.count()).group_by(Concept.status))
    return {status: count for status, count in rows}


def pending_review_count(session: Session) -> int:
    """Candidate concepts plus proposed variants: what the review queue holds."""
    concepts = session.scalar(
        select(func.count()).select_from(Concept).where(Concept.status == WorkflowStatus.CANDIDATE.value)
    )
    variants = session.scalar(
        select(func.count())
        .select_from(Term)
        .join(Concept, Concept.id == Term.concept_id)
        .where(Term.review == TermReview.CANDIDATE.value, Concept.status != WorkflowStatus.REJECTED.value)
    )
    return (concepts or 0) + (variants or 0)


def find_duplicates(
    session: Session, terms: Iterable[tuple[str, str]], *, exclude: int | None = None
) -> list[Concept]:
    """Other concepts that already hold one of these (language, text) terms (same normalized form)."""
    pairs = {(language, normalize_term(text)) for language, text in terms if text and text.strip()}
    if not pairs:
        return []
    conditions = [and_(Term.language == language, Term.normalized == key) for language, key in sorted(pairs)]
    stmt = select(Concept).where(Concept.id.in_(select(Term.concept_id).where(or_(*conditions))))
    if exclude is not None:
        stmt = stmt.where(Concept.id != exclude)
    return list(session.scalars(stmt.order_by(Concept.id).limit(20)))
