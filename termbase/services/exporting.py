"""Export the termbase as TBX-Basic (2008 or v3) or as a CSV/TSV glossary, streamed.

Concepts are read in keyset-paginated chunks with plain column queries (no ORM objects,
nothing kept in the session), turned into :class:`ConceptRecord` and handed to the pure
writers in :mod:`termbase.tbx.export` and :mod:`termbase.ingest.glossary`. Memory stays
bounded by the chunk size whatever the size of the termbase.

What goes out, per concept: subject field, note, workflow status and confidence,
definitions (with their source), origination and modification (date and person); per
term: usage status, part of speech, term type, note, pinyin, review state (when not
simply accepted) and up to ``context_cap`` context sentences with their source (document
title, date, position), taken from citations first and then from contexts an earlier
import brought in. Not exported: extraction evidence, comments and the full history.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, exists, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from termbase.ingest.glossary import write_glossary
from termbase.models import Citation, Concept, Definition, Document, Segment, Term
from termbase.records import ConceptRecord, TermReview, WorkflowStatus
from termbase.services.errors import Invalid
from termbase.services.export_rows import Window, window_records
from termbase.services.export_worker import Renderers
from termbase.tbx.export import MarkedPart, TbxHeader, write_tbx, write_tbx_parts
from termbase.tbx.vocab import Generation, resolve_lang_codes

CHUNK_SIZE = 1000
MAX_CONTEXT_CAP = 50
# From this many concepts in the termbase a TBX export asked to use worker processes does:
# below, starting them (about a fifth of a second each) costs more than they save.
PARALLEL_FROM = 20_000
# Term.evidence key under which contexts read from an imported file are kept (see importing.py).
IMPORTED_CONTEXTS_KEY = "imported_contexts"


class ExportFormat(enum.StrEnum):
    TBX_2008 = Generation.TBX_2008.value
    TBX_V3 = Generation.TBX_V3.value
    CSV = "csv"
    TSV = "tsv"


class StatusFilter(enum.StrEnum):
    APPROVED = "approved"
    CANDIDATE = "candidate"
    ALL = "all"  # approved and candidate; rejected entries are never exported


_STATUSES = {
    StatusFilter.APPROVED: (WorkflowStatus.APPROVED.value,),
    StatusFilter.CANDIDATE: (WorkflowStatus.CANDIDATE.value,),
    StatusFilter.ALL: (WorkflowStatus.APPROVED.value, WorkflowStatus.CANDIDATE.value),
}


@dataclass(frozen=True)
class ExportOptions:
    """What to export and how. Invalid values raise :class:`Invalid` on construction.

    ``min_confidence`` keeps concepts scored at least that high; concepts without a
    score (entered or imported by people) always pass. ``document`` keeps concepts with
    a term cited in the document with that slug. ``lang_codes`` maps termbase languages
    (``zh``/``zh-Hans``, ``zh-Hant``, ``en``) to the codes written (defaults zh-CN, zh-TW,
    en-US). ``exported_at`` goes into the file header (default: now).
    """

    format: str = ExportFormat.TBX_2008.value
    status: str = StatusFilter.APPROVED.value
    min_confidence: float | None = None
    document: str | None = None
    lang_codes: Mapping[str, str] = field(default_factory=dict)
    context_cap: int = 3
    exported_at: datetime | None = None

    def __post_init__(self) -> None:
        _check_choice(self.format, ExportFormat, "format")
        _check_choice(self.status, StatusFilter, "status")
        if self.min_confidence is not None:
            try:
                value = float(self.min_confidence)
            except (TypeError, ValueError):
                value = -1.0
            if not 0.0 <= value <= 1.0:
                raise Invalid(
                    "min_confidence must be a number between 0 and 1", details={"field": "min_confidence"}
                )
            object.__setattr__(self, "min_confidence", value)
        if isinstance(self.context_cap, bool) or not isinstance(self.context_cap, int):
            raise Invalid("context_cap must be a whole number", details={"field": "context_cap"})
        if not 0 <= self.context_cap <= MAX_CONTEXT_CAP:
            raise Invalid(
                f"context_cap must be between 0 and {MAX_CONTEXT_CAP}", details={"field": "context_cap"}
            )
        if self.document is not None and not self.document.strip():
            object.__setattr__(self, "document", None)
        try:
            object.__setattr__(self, "lang_codes", resolve_lang_codes(self.lang_codes))
        except ValueError as exc:
            raise Invalid(str(exc), details={"field": "lang_codes"}) from None


def _check_choice(value: str, choices: type[enum.StrEnum], name: str) -> None:
    allowed = [c.value for c in choices]
    if value not in allowed:
        raise Invalid(f"{name} must be one of: {', '.join(allowed)}", details={"field": name})


_CONTENT_TYPES = {
    ExportFormat.TBX_2008: "application/x-tbx+xml; charset=utf-8",
    ExportFormat.TBX_V3: "application/x-tbx+xml; charset=utf-8",
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.TSV: "text/tab-separated-values; charset=utf-8",
}
_EXTENSIONS = {
    ExportFormat.TBX_2008: "tbx",
    ExportFormat.TBX_V3: "v3.tbx",
    ExportFormat.CSV: "csv",
    ExportFormat.TSV: "tsv",
}


def content_type(options: ExportOptions) -> str:
    return _CONTENT_TYPES[ExportFormat(options.format)]


def filename(options: ExportOptions) -> str:
    """A download name such as ``termbase-approved-2026-11-23.tbx``."""
    parts = ["termbase", options.status]
    if options.document:
        parts.append("".join(c if c.isalnum() or c in "-_" else "-" for c in options.document)[:60])
    parts.append(_when(options).date().isoformat())
    return "-".join(parts) + "." + _EXTENSIONS[ExportFormat(options.format)]


def _when(options: ExportOptions) -> datetime:
    return options.exported_at or datetime.now(UTC)


def describe(options: ExportOptions) -> str:
    """The filters in words, for the file header."""
    parts = [f"status {options.status}"]
    if options.min_confidence is not None:
        parts.append(f"confidence at least {options.min_confidence:g}")
    if options.document:
        parts.append(f"document {options.document}")
    return ", ".join(parts)


def _filters(options: ExportOptions) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = [Concept.status.in_(_STATUSES[StatusFilter(options.status)])]
    if options.min_confidence is not None:
        clauses.append(or_(Concept.confidence.is_(None), Concept.confidence >= options.min_confidence))
    if options.document:
        clauses.append(Concept.id.in_(_cited_in(options.document)))
    return clauses


def _cited_in(slug: str) -> Select[int]:
    """Concepts with a term cited in the document ``slug`` (any of its versions)."""
    return (
        select(Term.concept_id)
        .join(Citation, Citation.term_id == Term.id)
        .join(Segment, Segment.id == Citation.segment_id)
        .join(Document, Document.id == Segment.document_id)
        .where(Document.slug == slug)
        .distinct()
    )


def _reviews(options: ExportOptions) -> tuple[str, ...]:
    # Variant proposals still under review go out only where candidates are wanted.
    if options.status == StatusFilter.APPROVED:
        return (TermReview.ACCEPTED.value,)
    return (TermReview.ACCEPTED.value, TermReview.CANDIDATE.value)


def check_exportable(session: Session, options: ExportOptions) -> None:
    """Refuse an export that would be empty or names an unknown document."""
    if options.document and not session.scalar(select(exists().where(Document.slug == options.document))):
        raise Invalid(f"there is no document {options.document!r}", details={"field": "document"})
    found = session.scalar(
        select(
            exists().where(
                *_filters(options),
                Term.concept_id == Concept.id,
                Term.review.in_(_reviews(options)),
            )
        )
    )
    if not found:
        raise Invalid(f"nothing to export: no entries match ({describe(options)})")


class ExportStream(Iterator[bytes]):
    """The file as byte chunks; :attr:`entries` counts the concepts written so far.

    With ``workers`` above 1 a TBX file is rendered by that many worker processes (see
    :mod:`termbase.services.export_worker`) while this one reads the database and writes
    their parts in order: the same bytes, about twice as fast on two cores.
    """

    def __init__(self, session: Session, options: ExportOptions, *, workers: int = 1) -> None:
        self.entries = 0
        fmt = ExportFormat(options.format)
        self._source: Generator[Any]
        if fmt in (ExportFormat.CSV, ExportFormat.TSV):
            delimiter = "," if fmt is ExportFormat.CSV else "\t"
            self._source = iter_records(session, options)
            self._chunks = write_glossary(
                self._counted(self._source), delimiter=delimiter, lang_codes=options.lang_codes
            )
            return
        header = TbxHeader(
            title="termbase export (zh-en)",
            description=f"Exported from termbase on {_when(options).strftime('%Y-%m-%dT%H:%M:%SZ')}; "
            f"{describe(options)}",
        )
        generation = Generation(fmt.value)
        if workers > 1:
            self._source = _rendered_apart(session, options, workers)
            self._chunks = write_tbx_parts(
                self._counted_parts(self._source),
                generation=generation,
                lang_codes=options.lang_codes,
                header=header,
            )
        else:
            self._source = iter_records(session, options)
            self._chunks = write_tbx(
                self._counted(self._source),
                generation=generation,
                lang_codes=options.lang_codes,
                header=header,
            )

    def _counted(self, records: Iterator[ConceptRecord]) -> Iterator[ConceptRecord]:
        for record in records:
            if record.terms:
                self.entries += 1
            yield record

    def _counted_parts(self, parts: Iterator[MarkedPart]) -> Iterator[MarkedPart]:
        for part in parts:
            self.entries += part.records
            yield part

    def __iter__(self) -> ExportStream:
        return self

    def __next__(self) -> bytes:
        return next(self._chunks)

    def close(self) -> None:
        """Stop early: the reading ends while the session is still open (see :func:`iter_records`),
        and worker processes, if any, are stopped."""
        self._source.close()


def export_stream(
    session: Session, options: ExportOptions, *, workers: int = 1, parallel_from: int = PARALLEL_FROM
) -> ExportStream:
    """Check the options against the database, then return the file as a stream of byte chunks.

    Errors (unknown document, nothing to export) are raised here, before the first chunk,
    so an edge can still answer with a proper error. The session must stay open while the
    stream is consumed. A TBX export of a termbase of at least ``parallel_from`` concepts
    uses ``workers`` worker processes when that is more than 1.
    """
    check_exportable(session, options)
    parallel = (
        workers > 1
        and options.format in (ExportFormat.TBX_2008, ExportFormat.TBX_V3)
        and (session.scalar(select(func.count()).select_from(Concept)) or 0) >= parallel_from
    )
    return ExportStream(session, options, workers=workers if parallel else 1)


def _selected(session: Session, options: ExportOptions) -> Callable[[int, str, float | None], bool]:
    """The export's filters as a test on one concept row (see :func:`iter_records`)."""
    statuses = frozenset(_STATUSES[StatusFilter(options.status)])
    minimum = options.min_confidence
    cited: frozenset[int] | None = None
    if options.document:
        cited = frozenset(session.scalars(_cited_in(options.document)))

    def test(concept_id: int, status: str, confidence: float | None) -> bool:
        return (
            status in statuses
            and (minimum is None or confidence is None or confidence >= minimum)
            and (cited is None or concept_id in cited)
        )

    return test


def iter_records(session: Session, options: ExportOptions) -> Generator[ConceptRecord]:
    """The selected concepts as records, in id order, read a chunk at a time.

    Each chunk is the next ``CHUNK_SIZE`` concepts in primary-key order, filtered here
    rather than in SQL: with the status filter in the query, SQLite (and PostgreSQL
    without fresh statistics) picks the status index and sorts every matching row again
    for each chunk, which made a large export quadratic. Plain Core queries on the
    session's connection: rows are tuples, nothing enters the identity map, so memory
    does not grow with the termbase.
    """
    connection = session.connection()
    with _unmapped(connection):
        for window in _read_windows(session, connection, options):
            yield from window_records(window)


def _rendered_apart(session: Session, options: ExportOptions, workers: int) -> Generator[MarkedPart]:
    """The selected concepts as TBX parts rendered by ``workers`` processes, in file order.

    Only this process reads the database, through the session's connection as
    :func:`iter_records` does, so the parts show the data exactly as an export in one
    process would: the workers never connect, and need no shared snapshot.
    """
    connection = session.connection()
    with (
        _unmapped(connection),
        Renderers(workers, Generation(options.format), options.lang_codes) as renderers,
    ):
        yield from renderers.render(_read_windows(session, connection, options, plain=True))


@contextmanager
def _unmapped(connection: Connection) -> Iterator[None]:
    """Read a SQLite file through SQLite's page cache, not the memory map, while exporting.

    An export reads the whole file once: mapped pages count in the resident memory of the
    process (the whole file by the end, 190 MB at 100k concepts), and a sequential scan
    gains nothing from the map. The connection's own setting comes back afterwards.
    """
    mapped = (
        connection.exec_driver_sql("PRAGMA mmap_size").scalar()
        if connection.dialect.name == "sqlite"
        else None
    )
    if not mapped:  # not SQLite, an in-memory database, or no map
        yield
        return
    connection.exec_driver_sql("PRAGMA mmap_size=0")
    try:
        yield
    finally:
        if not connection.closed:
            connection.exec_driver_sql(f"PRAGMA mmap_size={int(mapped)}")


def _read_windows(
    session: Session, connection: Connection, options: ExportOptions, *, plain: bool = False
) -> Iterator[Window]:
    """The selected concepts and what goes out with them, ``CHUNK_SIZE`` concepts at a time.

    ``plain``: concept rows as tuples rather than SQLAlchemy rows, to pickle.
    """
    selected = _selected(session, options)
    reviews = _reviews(options)
    cap = options.context_cap
    last_id = 0
    while True:
        window = connection.execute(
            select(
                Concept.id,
                Concept.subject_field,
                Concept.note,
                Concept.status,
                Concept.confidence,
                Concept.created_at,
                Concept.created_by,
                Concept.updated_at,
                Concept.updated_by,
            )
            .where(Concept.id > last_id)
            .order_by(Concept.id)
            .limit(CHUNK_SIZE)
        ).all()
        if not window:
            return
        concepts = []
        left_out = []
        for row in window:
            if selected(row[0], row[3], row[4]):
                concepts.append(row)
            else:
                left_out.append(row[0])
        chunk = _Chunk(last_id, window[-1][0], [c[0] for c in concepts], left_out)
        last_id = chunk.last_id
        if not concepts:
            continue
        yield Window(
            [tuple(row) for row in concepts] if plain else concepts,
            _term_rows(connection, chunk, reviews),
            _definition_rows(connection, chunk),
            _context_rows(connection, chunk, reviews, cap),
            cap,
        )


@dataclass(frozen=True, slots=True)
class _Chunk:
    """The concepts of one chunk: ids after ``after_id`` up to ``last_id``, ``ids`` selected,
    ``left_out`` not."""

    after_id: int
    last_id: int
    ids: list[int]
    left_out: list[int]

    def has(self, concept_id: InstrumentedAttribute[int]) -> list[ColumnElement[bool]]:
        """Rows of the selected concepts. The id range gives an index range scan whatever the
        planner's statistics (PostgreSQL scanned the whole table for a bare ``IN`` right after
        a bulk import); a list of ids is added only when the filters left some out, the
        shorter of the two: SQLAlchemy coerces and binds every value of the list, for each query."""
        clauses = [concept_id > self.after_id, concept_id <= self.last_id]
        if self.left_out:
            if len(self.left_out) < len(self.ids):
                clauses.append(concept_id.not_in(self.left_out))
            else:
                clauses.append(concept_id.in_(self.ids))
        return clauses


def _driver_rows(connection: Connection, statement: Select[*tuple[Any, ...]]) -> Sequence[Any]:
    """Run a select and take its rows as the driver's tuples.

    SQLAlchemy still compiles the statement (once, from its cache) and binds the parameters
    in the database's paramstyle; only its per-row result handling (a row object per row
    and the machinery around it) is skipped. For selects of columns the drivers already
    return as wanted, with no result processor: integers, floats, strings.
    """
    result = connection.execute(statement)
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


def _term_rows(connection: Connection, chunk: _Chunk, reviews: tuple[str, ...]) -> Sequence[Any]:
    return _driver_rows(
        connection,
        select(
            Term.id,
            Term.concept_id,
            Term.language,
            Term.text,
            Term.usage_status,
            Term.part_of_speech,
            Term.term_type,
            Term.pinyin,
            Term.note,
            Term.review,
            # The list as JSON text, NULL when there is none: only terms with imported
            # contexts pay for decoding JSON.
            Term.evidence[IMPORTED_CONTEXTS_KEY].as_string().label("imported"),
        )
        .where(*chunk.has(Term.concept_id), Term.review.in_(reviews))
        .order_by(Term.concept_id, Term.id),
    )


def _definition_rows(connection: Connection, chunk: _Chunk) -> Sequence[Any]:
    return _driver_rows(
        connection,
        select(Definition.concept_id, Definition.language, Definition.text, Definition.source)
        .where(*chunk.has(Definition.concept_id))
        .order_by(Definition.concept_id, Definition.language),
    )


def _context_rows(connection: Connection, chunk: _Chunk, reviews: tuple[str, ...], cap: int) -> Sequence[Any]:
    """Up to ``cap`` cited sentences per term (one per segment, in citation order)."""
    if cap <= 0:
        return []
    first = (
        select(
            Citation.term_id,
            Citation.segment_id,
            Term.language,
            func.min(Citation.id).label("first_id"),
        )
        .join(Term, Term.id == Citation.term_id)
        .where(*chunk.has(Term.concept_id), Term.review.in_(reviews))
        .group_by(Citation.term_id, Citation.segment_id, Term.language)
        .subquery()
    )
    ranked = select(
        first,
        func.row_number().over(partition_by=first.c.term_id, order_by=first.c.first_id).label("rank"),
    ).subquery()
    return _driver_rows(
        connection,
        select(
            ranked.c.term_id,
            ranked.c.language,
            Segment.zh_text,
            Segment.en_text,
            Segment.position,
            Document.title,
            Document.date,
        )
        .join(Segment, Segment.id == ranked.c.segment_id)
        .join(Document, Document.id == Segment.document_id)
        .where(ranked.c.rank <= cap)
        .order_by(ranked.c.term_id, ranked.c.rank),
    )
