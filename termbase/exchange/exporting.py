"""Export the termbase as TBX-Basic (2008 or v3) or as a CSV/TSV glossary, streamed.

Concepts are read in windows of consecutive ids with plain column queries (no ORM objects,
nothing kept in the session), turned into :class:`ConceptRecord` and handed to the pure
writers in :mod:`termbase.tbx.export` and :mod:`termbase.ingest.glossary`. Memory stays
bounded by the chunk size whatever the size of the termbase.

What goes out, per concept: subject field, note, workflow status and confidence,
definitions (with their source), origination and modification (date and person); per
term: usage status, part of speech, term type, note, pinyin, review state (when not
simply accepted) and up to ``context_cap`` context sentences with their source (document
title, date, position), taken from citations first and then from contexts an earlier
import brought in. What an import kept goes out at the level it came from: fields (as the
element they were, or a labelled note where TBX-Basic takes no such category), links to other
concepts (a ``crossReference`` to the linked entry), the file's transactions below the entry,
and the back matter's person details. Not exported: extraction evidence, comments and the
rest of the history.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Generator, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, Select, bindparam, exists, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from termbase.exchange.export_rows import (
    AFTER,
    LAST,
    DriverQuery,
    Selection,
    WindowQueries,
    read_window,
    window_records,
)
from termbase.exchange.export_worker import Renderers, Source
from termbase.ingest.glossary import write_glossary
from termbase.models import (
    TERMBASE_ID_COUNTER,
    Citation,
    Concept,
    ConceptField,
    ConceptLink,
    Counter,
    Definition,
    Document,
    HistoryEntry,
    Person,
    Segment,
    Term,
)
from termbase.records import ConceptRecord, TermReview, WorkflowStatus
from termbase.services.errors import Invalid
from termbase.services.search import concepts_cited_in
from termbase.tbx.export import MarkedPart, TbxHeader, write_tbx, write_tbx_parts
from termbase.tbx.vocab import Generation, resolve_lang_codes
from termbase.term_columns import EXPORTED_COLUMNS

CHUNK_SIZE = 1000
MAX_CONTEXT_CAP = 50
# From this many concepts in the termbase a TBX export asked to use worker processes does:
# below, starting them (about a fifth of a second each) costs more than they save.
PARALLEL_FROM = 20_000
# Term.evidence key under which contexts read from an imported file are kept (see importing.py).
IMPORTED_CONTEXTS_KEY = "imported_contexts"
# History actions of the transactions a file recorded that the concept's own dates do not
# hold (below the entry, or more than one origination and modification): exported again.
TRANSACTION_ACTION_PREFIX = "tbx:"


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
    en-US). ``exported_at`` goes into the file header (default: now). ``for_cat_tools``
    shapes a TBX for a CAT tool, which offers every term of a language section as a
    translation: deprecated and superseded terms only named in an ``avoid`` note, no
    termbase marker notes, no default status (see :class:`~termbase.tbx.export.TbxWriter`).
    """

    format: str = ExportFormat.TBX_2008.value
    status: str = StatusFilter.APPROVED.value
    min_confidence: float | None = None
    document: str | None = None
    lang_codes: Mapping[str, str] = field(default_factory=dict)
    context_cap: int = 1
    exported_at: datetime | None = None
    for_cat_tools: bool = False

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
    # OmegaT 3.6 (and every OmegaT since) reads a tab-separated glossary named .utf8 as UTF-8;
    # it ignores .tsv before 5.5.
    ExportFormat.TSV: "utf8",
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
        clauses.append(Concept.id.in_(concepts_cited_in(options.document)))
    return clauses


def _reviews(options: ExportOptions) -> tuple[str, ...]:
    # Variant proposals still under review go out only where candidates are wanted.
    if options.status == StatusFilter.APPROVED:
        return (TermReview.ACCEPTED.value,)
    return (TermReview.ACCEPTED.value, TermReview.CANDIDATE.value)


def termbase_id(session: Session) -> int | None:
    """The number naming this termbase in its TBX exports (see :data:`~termbase.models.TERMBASE_ID_COUNTER`)."""
    counter = session.get(Counter, TERMBASE_ID_COUNTER)
    return counter.value if counter is not None else None


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

    With ``workers`` above 1 a TBX file is read and rendered by that many worker processes
    (see :mod:`termbase.exchange.export_worker` and :func:`_rendered_apart`) while this one
    writes their parts in order: the same bytes, about twice as fast on two cores. They read
    what is committed, on connections of their own: not what the session holds uncommitted.
    """

    def __init__(self, session: Session, options: ExportOptions, *, workers: int = 1) -> None:
        self.entries = 0
        fmt = ExportFormat(options.format)
        self._source: Generator[Any]
        if fmt in (ExportFormat.CSV, ExportFormat.TSV):
            delimiter = "," if fmt is ExportFormat.CSV else "\t"
            self._source = iter_records(session, options)
            self._chunks = write_glossary(
                self._counted(self._source),
                delimiter=delimiter,
                lang_codes=options.lang_codes,
                termbase_id=termbase_id(session),
            )
            return
        header = TbxHeader(
            title="termbase export (zh-en)",
            description=f"Exported from termbase on {_when(options).strftime('%Y-%m-%dT%H:%M:%SZ')}; "
            f"{describe(options)}",
            termbase_id=termbase_id(session),
            persons=person_details(session),
        )
        generation = Generation(fmt.value)
        if workers > 1:
            self._source = _rendered_apart(session.get_bind().engine, options, workers)
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
                for_cat_tools=options.for_cat_tools,
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
    uses ``workers`` worker processes when that is more than 1 (and they can open the
    database: not an in-memory SQLite one).
    """
    check_exportable(session, options)
    parallel = (
        workers > 1
        and options.format in (ExportFormat.TBX_2008, ExportFormat.TBX_V3)
        and _readable_apart(session.get_bind().engine)
        and (session.scalar(select(func.count()).select_from(Concept)) or 0) >= parallel_from
    )
    return ExportStream(session, options, workers=workers if parallel else 1)


def _selection(connection: Connection, options: ExportOptions) -> Selection:
    """The export's filters as a test on one concept row (see :func:`read_window`)."""
    cited = None
    if options.document:
        cited = frozenset(connection.scalars(concepts_cited_in(options.document)))
    return Selection(frozenset(_STATUSES[StatusFilter(options.status)]), options.min_confidence, cited)


def iter_records(session: Session, options: ExportOptions) -> Generator[ConceptRecord]:
    """The selected concepts as records, in id order, read a window at a time.

    Each window is the next ``CHUNK_SIZE`` concepts in primary-key order (see
    :func:`_window_limits`), read on the session's connection with the driver's cursor
    (:func:`read_window`): rows are tuples, nothing enters the identity map, so memory does
    not grow with the termbase.
    """
    connection = session.connection()
    with _unmapped(connection):
        queries = _window_queries(connection, options)
        selection = _selection(connection, options)
        cursor = connection.connection.cursor()
        try:
            for after, last in _window_limits(connection):
                window = read_window(cursor, queries, selection, after, last, options.context_cap)
                if window is not None:
                    yield from window_records(window)
        finally:
            cursor.close()


def _rendered_apart(engine: Engine, options: ExportOptions, workers: int) -> Generator[MarkedPart]:
    """The selected concepts as TBX parts that ``workers`` processes read and render, in file order.

    Each worker reads its windows on a connection of its own, all in one view of the
    database: the committed data as it was when the export started (a write committed
    meanwhile shows in no window). This process takes that view on a connection of its own,
    reads the window limits in it, and lets go once every worker has taken the same view
    (:func:`_shared_view`), so writers wait only while the workers start.
    """
    with engine.connect() as reader, _unmapped(reader):
        view = _shared_view(reader) + _WORKER_PLANS.get(reader.dialect.name, [])
        limits = list(_window_limits(reader))
        args, kwargs = _connect_args(engine)
        source = Source(
            module=reader.dialect.loaded_dbapi.__name__,
            args=args,
            kwargs=kwargs,
            begin=view,
            queries=_window_queries(reader, options),
            selection=_selection(reader, options),
            cap=options.context_cap,
        )
        with Renderers(
            workers,
            Generation(options.format),
            options.lang_codes,
            source,
            for_cat_tools=options.for_cat_tools,
        ) as renderers:
            reader.rollback()
            yield from renderers.render(iter(limits))


def _connect_args(engine: Engine) -> tuple[list[Any], dict[str, Any]]:
    """What a worker passes the driver's ``connect``: the settings SQLAlchemy would, less the
    objects of its own (psycopg gets SQLAlchemy's adapters, which the queries do not need)."""
    args, kwargs = engine.dialect.create_connect_args(engine.url)
    plain = (str, int, float, bool)
    return list(args), {name: value for name, value in kwargs.items() if isinstance(value, plain)}


_SNAPSHOT_ID = re.compile(r"[0-9A-Fa-f-]+")
# Plans for the window queries on a worker's connection. PostgreSQL, costing each index probe
# as a read from disk, joined a window's terms to their citations by hashing or merging the
# whole citation table, for every window (22 ms a window at 1M concepts with 100,000
# citations, and growing with the table): by index, per term, it takes 4 ms and grows with
# the window only.
_WORKER_PLANS = {"postgresql": ["SET LOCAL enable_hashjoin = off", "SET LOCAL enable_mergejoin = off"]}


def _shared_view(reader: Connection) -> list[str]:
    """Begin a transaction on ``reader`` whose view of the database other connections can take
    while it lasts; return the statements with which a worker's connection takes it.

    PostgreSQL exports the snapshot of a repeatable-read transaction, which the workers
    import. SQLite (in WAL mode, see :func:`termbase.db.make_engine`) holds the write lock
    (``BEGIN IMMEDIATE``): no commit can come between the reader's view and the read
    transactions the workers begin meanwhile, so all see the same commit.
    """
    if reader.dialect.name == "postgresql":
        reader.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        snapshot = str(reader.exec_driver_sql("SELECT pg_export_snapshot()").scalar())
        if not _SNAPSHOT_ID.fullmatch(snapshot):
            raise RuntimeError(f"unexpected snapshot id {snapshot!r}")
        return [
            "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY",
            f"SET TRANSACTION SNAPSHOT '{snapshot}'",
        ]
    reader.exec_driver_sql("BEGIN IMMEDIATE")
    # A WAL read transaction takes its view at its first read.
    return ["BEGIN", "SELECT count(*) FROM sqlite_master"]


def _readable_apart(engine: Engine) -> bool:
    """Whether worker processes can open the database too (not an in-memory SQLite one)."""
    return engine.dialect.name != "sqlite" or engine.url.database not in (None, "", ":memory:")


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


def _window_limits(connection: Connection) -> Iterator[tuple[int, int]]:
    """(after, last): the ids around each window of ``CHUNK_SIZE`` concepts in id order; a
    window holds the concepts with ids after ``after`` up to ``last``."""
    ids = select(Concept.id).where(Concept.id > bindparam("after")).order_by(Concept.id).limit(CHUNK_SIZE)
    statement = select(func.max(ids.subquery().c.id))
    after = 0
    while (last := connection.execute(statement, {"after": after}).scalar()) is not None:
        yield after, last
        after = last


def _window_queries(connection: Connection, options: ExportOptions) -> WindowQueries:
    """The queries of a window as the driver takes them on ``connection`` (see :class:`DriverQuery`)."""
    reviews = _reviews(options)
    cap = options.context_cap
    return WindowQueries(
        _driver_query(connection, _concept_rows()),
        _driver_query(connection, _term_rows(reviews)),
        _driver_query(connection, _definition_rows()),
        _driver_query(connection, _context_rows(reviews, cap)) if cap > 0 else None,
        _driver_query(connection, _field_rows()),
        _driver_query(connection, _link_rows()),
        _driver_query(connection, _transaction_rows()),
    )


def _driver_query(connection: Connection, statement: Select[*tuple[Any, ...]]) -> DriverQuery:
    """``statement`` as SQLAlchemy hands it to the driver, taken from running it on an empty window.

    The driver's rows are what :func:`read_window` reads: the selected columns are integers,
    floats and strings, which the drivers return as wanted, and times, which
    :func:`~termbase.exchange.export_rows.window_records` reads from SQLite's text itself.
    """
    result = connection.execute(statement, {"after": AFTER, "last": LAST})
    result.close()
    context = result.context
    return DriverQuery(context.statement, context.parameters[0])


def _in_window(concept_id: InstrumentedAttribute[int]) -> list[ColumnElement[bool]]:
    """Rows of the window's concepts. The id range gives an index range scan whatever the
    planner's statistics (PostgreSQL scanned the whole table for a bare ``IN`` right after
    a bulk import)."""
    return [concept_id > bindparam("after"), concept_id <= bindparam("last")]


def _concept_rows() -> Select[*tuple[Any, ...]]:
    return (
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
        .where(*_in_window(Concept.id))
        .order_by(Concept.id)
    )


def _term_rows(reviews: tuple[str, ...]) -> Select[*tuple[Any, ...]]:
    return (
        select(
            *(Term.__table__.c[name] for name in EXPORTED_COLUMNS),
            # The list as JSON text, NULL when there is none: only terms with imported
            # contexts pay for decoding JSON.
            Term.evidence[IMPORTED_CONTEXTS_KEY].as_string().label("imported"),
        )
        .where(*_in_window(Term.concept_id), Term.review.in_(reviews))
        .order_by(Term.concept_id, Term.id)
    )


def _definition_rows() -> Select[*tuple[Any, ...]]:
    return (
        select(Definition.concept_id, Definition.language, Definition.text, Definition.source)
        .where(*_in_window(Definition.concept_id))
        .order_by(Definition.concept_id, Definition.language)
    )


def _field_rows() -> Select[*tuple[Any, ...]]:
    return (
        select(
            ConceptField.concept_id,
            ConceptField.term_id,
            ConceptField.language,
            ConceptField.element,
            ConceptField.type,
            ConceptField.value,
            ConceptField.target,
            ConceptField.position,
        )
        .where(*_in_window(ConceptField.concept_id))
        .order_by(ConceptField.concept_id, ConceptField.position, ConceptField.id)
    )


def _link_rows() -> Select[*tuple[Any, ...]]:
    return (
        select(
            ConceptLink.concept_id,
            ConceptLink.term_id,
            ConceptLink.language,
            ConceptLink.type,
            ConceptLink.value,
            ConceptLink.position,
            ConceptLink.target_id,
        )
        .where(*_in_window(ConceptLink.concept_id))
        .order_by(ConceptLink.concept_id, ConceptLink.position, ConceptLink.id)
    )


def _transaction_rows() -> Select[*tuple[Any, ...]]:
    """The transactions a file recorded that the concept's dates do not hold (:data:`TRANSACTION_ACTION_PREFIX`)."""
    return (
        select(
            HistoryEntry.concept_id,
            HistoryEntry.action,
            HistoryEntry.at,
            HistoryEntry.actor,
            HistoryEntry.after,
        )
        .where(
            *_in_window(HistoryEntry.concept_id), HistoryEntry.action.startswith(TRANSACTION_ACTION_PREFIX)
        )
        .order_by(HistoryEntry.concept_id, HistoryEntry.id)
    )


def person_details(session: Session | Connection) -> dict[str, list[tuple[str, str]]]:
    """Each person's back-matter details (fn, email, role…) by the name transactions give."""
    rows = session.execute(select(Person.name, Person.details))
    return {name: [(str(kind), str(value)) for kind, value in details] for name, details in rows}


def _context_rows(reviews: tuple[str, ...], cap: int) -> Select[*tuple[Any, ...]]:
    """Up to ``cap`` cited sentences per term (one per segment, in citation order)."""
    first = (
        select(
            Citation.term_id,
            Citation.segment_id,
            Term.language,
            func.min(Citation.id).label("first_id"),
        )
        .join(Term, Term.id == Citation.term_id)
        .where(*_in_window(Term.concept_id), Term.review.in_(reviews))
        .group_by(Citation.term_id, Citation.segment_id, Term.language)
        .subquery()
    )
    ranked = select(
        first,
        func.row_number().over(partition_by=first.c.term_id, order_by=first.c.first_id).label("rank"),
    ).subquery()
    return (
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
        .order_by(ranked.c.term_id, ranked.c.rank)
    )
