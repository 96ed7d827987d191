"""Import TBX (2008 or v3) and CSV/TSV glossaries into the termbase, atomically.

Matching policy: an entry updates an existing concept only when it is the same concept:

- its id is a concept id, and the file is one this termbase exported (its header names
  this termbase's id, :data:`~termbase.models.TERMBASE_ID_COUNTER`);
- or its id is one an entry of a file of the same name had, which became that concept
  (``concept_sources`` keeps each imported entry's id per concept);
- or, for an entry without an id (CSV/TSV), the concept holds the same terms: one of its
  Chinese terms and one of its English terms (or neither, where the entry has none).

Otherwise the entry becomes a new concept, even when it shares a term with others (two
senses of one word stay apart); sharing one makes it a possible duplicate, flagged in the
report and its history for an editor to merge or keep (the entry page lists them, as
:func:`~termbase.services.search.find_duplicates` finds them). Values the file states win;
values it leaves out are kept. An update that changes nothing counts as unchanged and
writes no history. The report lists what each entry did (up to :data:`MAX_CHANGES_LISTED`).

What the termbase has no column for is kept (see :mod:`termbase.services.kept`): other data
categories as ``concept_fields`` at their level, cross-references as ``concept_links`` (resolved
once the whole file is in), transactions of language sections and terms (and any beyond the
entry's first origination and latest modification) as history entries ``tbx:<kind>``, and the
back matter's details of the persons they name as ``persons``.

Every concept created or changed gets a history entry (action ``import``) in the shape
:func:`termbase.services.concepts.snapshot` gives, with the importing user as actor; the
file's origination and modification (date and person) become the concept's
created/updated fields.

The service flushes and never commits: the edge commits once, or rolls back on any error,
so a failed import leaves the database as it was. ``dry_run`` runs the whole import
inside a savepoint and rolls it back, so the report is exact and nothing is written.

Speed: a file of :data:`PARALLEL_FROM_BYTES` or more is read, checked and keyed by a worker
process (:mod:`~termbase.exchange.import_worker`) while this one matches and writes, when the
caller allows one (``termbase import`` does). New concepts are written a batch at a time through
the driver (COPY on PostgreSQL, executemany on SQLite; ids allocated up front, see
:class:`_IdAllocator`, so terms, their ``term_suffixes`` and history need no RETURNING) rather
than one ORM object at a time; the derived columns and suffixes come from
:func:`termbase.text.keys.term_keys`, as the concept service's do. Concepts that already exist
go through the ORM and the concept service. Into an empty termbase on SQLite, the plain
indexes of the tables written in bulk are built once after the rows (see
:meth:`_Importer.defer_indexes`).
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Generator, Iterable, Sequence
from contextlib import ExitStack, closing
from dataclasses import asdict, dataclass, field
from itertools import repeat
from typing import IO, Any

from sqlalchemy import bindparam, delete, false, func, literal, select, update
from sqlalchemy import text as sql
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, selectinload

from termbase.exchange.export_rows import context_source
from termbase.exchange.exporting import IMPORTED_CONTEXTS_KEY, TRANSACTION_ACTION_PREFIX, termbase_id
from termbase.exchange.import_reading import (
    Entry,
    ImportSource,
    ReaderSummary,
    keyed_batches,
    open_reader,
    summary,
    where,
)
from termbase.exchange.import_worker import BATCH, FAILED
from termbase.exchange.import_worker import MODULE as WORKER_MODULE
from termbase.exchange.workers import WorkerProcesses
from termbase.models import (
    TERMBASE_COUNTER,
    Citation,
    Concept,
    ConceptField,
    ConceptLink,
    ConceptSource,
    Counter,
    Definition,
    HistoryEntry,
    Person,
    Segment,
    Term,
    TermSuffix,
    utcnow,
)
from termbase.records import ConceptRecord, ContextRecord, FieldRecord, TransactionRecord, WorkflowStatus
from termbase.services import citing
from termbase.services.concepts import (
    CONCEPT_FIELDS,
    TermInput,
    apply_term_text,
    build_term,
    checked_term_text,
    derived_overflow,
    record,
    snapshot,
)
from termbase.services.errors import Invalid, ServiceError
from termbase.tbx.parse import origination_and_modification
from termbase.tbx.vocab import CROSS_REFERENCES, Generation, part_of_speech_to_tbx, term_type_to_tbx
from termbase.term_columns import DERIVED, EDITABLE, TermRow, derived_values
from termbase.text.keys import TermKeys, term_keys
from termbase.text.normalize import clean_term_text, normalize_term
from termbase.text.wording import counted

BATCH_SIZE = 500
# Files smaller than this are read in the importing process even when it may use a worker:
# they are done in about the time a worker takes to start.
PARALLEL_FROM_BYTES = 2 * 1024 * 1024
ACTION = "import"
# Columns of the rows ``_Importer._insert`` writes, in the order of its tuples.
_CONCEPT_COLUMNS = (
    "id",
    "subject_field",
    "note",
    "status",
    "confidence",
    "origin",
    "created_at",
    "created_by",
    "updated_at",
    "updated_by",
    "version",
)
# Tables ``_Importer._insert`` writes, and the index ``_Importer._existing_keys`` reads.
_BULK_TABLES = (
    Concept.__tablename__,
    Term.__tablename__,
    TermSuffix.__tablename__,
    Definition.__tablename__,
    HistoryEntry.__tablename__,
)
_LOOKUP_INDEX = "ix_terms_normalized"
_DEFINITION_COLUMNS = ("concept_id", "language", "text", "source")
_SOURCE_COLUMNS = ("concept_id", "source", "source_id")
_FIELD_COLUMNS = ("concept_id", "term_id", "language", "element", "type", "value", "target", "position")
_LINK_COLUMNS = ("concept_id", "term_id", "language", "type", "value", "position", "target_id")
# Entries a report lists one by one; the counts are always exact.
MAX_CHANGES_LISTED = 1000
NEW = "new"
UPDATED = "updated"
FLAGGED = "flagged"  # new, and shares a term with another concept: a possible duplicate
_OWN_ID_RE = re.compile(r"c([1-9][0-9]{0,17})")


@dataclass
class ImportChange:
    """What one entry did: ``action`` is new, updated or flagged (new, a possible duplicate).

    ``concept`` is the concept it became or updated (None for new ones in a dry run, whose
    ids are not kept); ``added`` lists terms added to an existing concept, ``renamed`` the
    (old, new) text of terms whose spelling changed, ``duplicates`` the concepts a flagged
    entry shares a term with.
    """

    action: str
    label: str
    line: int | None = None
    entry_id: str | None = None
    concept: int | None = None
    added: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)
    duplicates: list[int] = field(default_factory=list)


_HISTORY_COLUMNS = ("concept_id", "actor", "at", "action", "summary", "before", "after")


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do)."""

    filename: str
    format: str
    dry_run: bool
    entries: int = 0  # entries (or rows) read from the file
    new: int = 0  # flagged ones included
    updated: int = 0
    unchanged: int = 0
    flagged: int = 0  # new concepts that share a term with another: possible duplicates
    skipped: int = 0  # entries without a Chinese or English term
    terms_added: int = 0
    cited: int = 0  # new entries given citations found in the corpus
    skipped_terms: int = 0  # terms in languages the termbase does not hold
    warnings: list[str] = field(default_factory=list)
    warning_count: int = 0
    changes: list[ImportChange] = field(default_factory=list)  # new, updated and flagged entries

    def summary(self) -> str:
        mode = "dry run, nothing written" if self.dry_run else "imported"
        flagged = f" ({self.flagged} possible duplicates)" if self.flagged else ""
        text = (
            f"{self.filename} ({self.format}, {mode}): {self.new} new{flagged}, {self.updated} updated, "
            f"{self.unchanged} unchanged"
        )
        if self.skipped:
            text += f", {self.skipped} skipped"
        if self.skipped_terms:
            text += f"; {counted(self.skipped_terms, 'term')} with unusable language tags ignored"
        if self.cited:
            text += f"; {counted(self.cited, 'new entry')} cited from the documents"
        return text

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def listing(self) -> bool:
        """Whether the report still lists entries one by one (up to :data:`MAX_CHANGES_LISTED`)."""
        return len(self.changes) < MAX_CHANGES_LISTED

    def change_lines(self) -> list[str]:
        """One line per listed entry, for a terminal."""
        lines = []
        for change in self.changes:
            where_ = f"line {change.line}" if change.line else "entry"
            if change.entry_id:
                where_ += f" (id {change.entry_id})"
            text = f"{change.action:8} {where_}: {change.label}"
            if change.concept is not None:
                text += f" -> concept {change.concept}"
            if change.added:
                text += "; adds " + ", ".join(change.added)
            if change.renamed:
                text += "; renames " + ", ".join(f"{old} -> {new}" for old, new in change.renamed)
            if change.duplicates:
                text += "; shares a term with concept " + ", ".join(str(c) for c in change.duplicates)
            lines.append(text)
        listed = self.new + self.updated
        if listed > len(self.changes):
            lines.append(f"… and {listed - len(self.changes)} more")
        return lines


# -- derived term columns --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DerivedTerm:
    """A term's columns and the (field, key) rows of its ``term_suffixes``."""

    columns: dict[str, Any]
    suffixes: list[tuple[str, str]]


def derive_term(
    language: str, text: str, pinyin: str | None, *, normalized: str | None = None
) -> DerivedTerm:
    """What :func:`~termbase.services.concepts.apply_term_text` sets, computed the same way.

    :param normalized: ``normalize_term`` of the cleaned text, when the caller has it already.
    :raises Invalid: for empty or over-long text, or text no term may hold.
    """
    cleaned = checked_term_text(text, language)
    return _derived(language, cleaned, term_keys(language, cleaned, pinyin, normalized))


def _derived(language: str, cleaned: str, keys: TermKeys) -> DerivedTerm:
    """The columns of a term with these keys; :class:`Invalid` if a key overflows its column."""
    columns: dict[str, Any] = {"language": language, "text": cleaned, **derived_values(keys)}
    if problem := derived_overflow(columns):
        raise Invalid(problem, details={"field": "text"})
    return DerivedTerm(columns, keys.suffixes)


def derive_term_columns(
    language: str, text: str, pinyin: str | None, *, normalized: str | None = None
) -> dict[str, Any]:
    """The columns :func:`~termbase.services.concepts.apply_term_text` sets (see :func:`derive_term`)."""
    return derive_term(language, text, pinyin, normalized=normalized).columns


def insert_rows(
    connection: Connection, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Write rows through the driver: COPY on PostgreSQL, executemany on SQLite.

    SQLAlchemy's per-row parameter processing cost more than the INSERT itself; the values
    must be what the driver takes (see :class:`_RowWriter` for JSON and timestamps).
    """
    if not rows:
        return
    names = ", ".join(f'"{name}"' for name in columns)
    if connection.dialect.name == "postgresql":
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.close()
        return
    marks = ", ".join("?" for _ in columns)
    connection.exec_driver_sql(f"INSERT INTO {table} ({names}) VALUES ({marks})", list(rows))


def plain_indexes(connection: Connection, tables: Sequence[str]) -> list[tuple[str, str]]:
    """(name, DDL) of the indexes on ``tables`` that no constraint owns, as the database states them.

    Dropping them before a bulk load and running their own DDL afterwards builds each index
    once, sorted, instead of row by row; constraints (primary keys, unique) stay on.
    """
    if connection.dialect.name == "postgresql":
        query = sql(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename IN :tables AND indexname NOT IN (SELECT conname FROM pg_constraint) "
            "ORDER BY indexname"
        )
    else:
        # Indexes a constraint owns have no SQL of their own in SQLite's catalogue.
        query = sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            "AND tbl_name IN :tables ORDER BY name"
        )
    rows = connection.execute(query.bindparams(bindparam("tables", expanding=True)), {"tables": list(tables)})
    return [(name, ddl) for name, ddl in rows]


def insert_term_suffixes(connection: Connection, rows: Sequence[tuple[int, str, str]]) -> None:
    """Write (term id, field, key) rows of ``term_suffixes`` (a term has a dozen of them)."""
    insert_rows(connection, TermSuffix.__tablename__, ("term_id", "field", "key"), rows)


_UNSET = object()


class _RowWriter:
    """Writes rows of a model's table in bulk, converting values as the column types would.

    JSON and timestamp columns go through their types' own bind processors, so what is
    stored is exactly what an ORM or Core INSERT would store (JSON text, SQLite's date format).
    """

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self._processors: dict[tuple[str, tuple[str, ...]], list[tuple[int, Any]]] = {}

    def write(self, model: type[Any], columns: tuple[str, ...], rows: Sequence[tuple[Any, ...]]) -> None:
        table = model.__table__
        processors = self._processors.get((table.name, columns))
        if processors is None:
            dialect = self.connection.dialect
            processors = self._processors[(table.name, columns)] = [
                (index, processor)
                for index, name in enumerate(columns)
                if (processor := table.c[name].type.dialect_impl(dialect).bind_processor(dialect)) is not None
            ]
        if processors:
            # Rows of a batch share values (the import's own timestamp): convert each object once.
            last: list[tuple[Any, Any]] = [(_UNSET, None)] * len(processors)
            converted: list[tuple[Any, ...]] = []
            for row in rows:
                values = list(row)
                for slot, (index, processor) in enumerate(processors):
                    value = values[index]
                    seen, result = last[slot]
                    if value is not seen:
                        result = processor(value)
                        last[slot] = (value, result)
                    values[index] = result
                converted.append(tuple(values))
            insert_rows(self.connection, table.name, columns, converted)
        else:
            insert_rows(self.connection, table.name, columns, rows)


# -- the import ------------------------------------------------------------------------------


def _context_dicts(contexts: Iterable[ContextRecord]) -> list[dict[str, Any]]:
    return [{"text": c.text, "source": c.source} for c in contexts if c.text]


class _IdAllocator:
    """Primary keys for rows written in bulk, so no INSERT needs RETURNING.

    (SQLAlchemy can only keep RETURNING rows in parameter order on SQLite by inserting one
    row per statement, which made bulk imports slow.) PostgreSQL hands out numbers from the
    table's own sequence, safe under concurrent writers. SQLite counts on from the largest
    id after this transaction has taken the database's write lock, so no other writer can
    insert until it ends; ``max(id)`` on the primary key is a single index lookup.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self.dialect = session.get_bind().dialect.name
        self._locked = False

    def lock(self) -> None:
        """On SQLite, take the database's write lock for the rest of the transaction."""
        if self.dialect != "postgresql" and not self._locked:
            # A statement that writes nothing still takes it (and opens the driver's transaction).
            self.session.execute(update(Counter).where(false()).values(value=Counter.value))
            self._locked = True

    def allocate(self, model: type[Concept] | type[Term], count: int) -> list[int]:
        table = str(model.__tablename__)
        if self.dialect == "postgresql":
            sequence = self.session.execute(
                sql("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": table}
            ).scalar_one()
            ids = self.session.execute(
                sql("SELECT nextval(:sequence) FROM generate_series(1, :count)"),
                {"sequence": sequence, "count": count},
            ).scalars()
            return sorted(ids)
        self.lock()
        # Read the largest id every time: rows the ORM adds in between take ids too.
        start = (self.session.execute(select(func.max(model.id))).scalar() or 0) + 1
        return list(range(start, start + count))


class _Importer:
    def __init__(
        self,
        session: Session,
        *,
        filename: str,
        actor: str | None,
        default_status: str,
        report: ImportReport,
        own_file: bool = False,
    ) -> None:
        self.session = session
        # The file is one this termbase exported: its entry ids are concept ids.
        self.own_file = own_file
        # Entry ids of this file written as new concepts in this batch and the one before: a
        # glossary repeats an id on consecutive rows, and the ids of a file not exported here
        # are found in concept_sources as well. Memory stays bounded by the batch size.
        self.sources: dict[str, int] = {}
        self.previous_sources: dict[str, int] = {}
        # (language, normalized) keys of concepts, for matching by terms; one batch's worth.
        self.concept_keys: dict[int, set[tuple[str, str]]] = {}
        self.read_summary: ReaderSummary | None = None
        self.filename = filename
        self.actor = actor
        self.default_status = default_status
        self.report = report
        self.person_refs: list[tuple[int, str, str]] = []  # (concept id, column, back-matter id)
        # Cross-references, resolved once the whole file is in (a target may come later):
        # (concept id, term id, language, type, value, position, the entry id it names).
        self.link_refs: list[tuple[int, int | None, str | None, str, str, int, str]] = []
        # Names transactions give, with the back-matter id they point at (for its details).
        self.named_persons: dict[str, str] = {}
        # History rows of transactions naming their person only by a back-matter id:
        # (concept id, action, date, back-matter id), named once the back matter is read.
        self.history_refs: list[tuple[int, str, Any, str]] = []
        self.inserted_any = False
        self.new_ids: list[int] = []  # concepts this import created, to be cited from the corpus
        self.connection = session.connection()
        self.rows = _RowWriter(self.connection)
        self.ids = _IdAllocator(session)
        self.deferred_indexes: list[tuple[str, str]] = []

    def defer_indexes(self) -> None:
        """Into an empty termbase on SQLite, drop the plain indexes of the tables written in bulk.

        :meth:`restore_indexes` runs their own DDL after the rows, in the same transaction, so
        each is built once instead of row by row, and a failed import (rolled back) leaves them
        as they were. Indexes of tables that hold rows already stay, and so does the one the
        merge looks terms up by. PostgreSQL keeps its indexes: DROP INDEX would lock the tables
        against every reader until the commit (and its server process maintains them beside
        the import's own work).
        """
        if self.ids.dialect != "sqlite":
            return
        self.ids.lock()  # also opens the driver's transaction before any DDL
        if self.session.execute(select(Concept.id).limit(1)).first() is not None:
            return
        empty = [
            table
            for table in _BULK_TABLES
            if self.connection.exec_driver_sql(f"SELECT 1 FROM {table} LIMIT 1").first() is None
        ]
        self.deferred_indexes = [
            (name, ddl) for name, ddl in plain_indexes(self.connection, empty) if name != _LOOKUP_INDEX
        ]
        for name, _ddl in self.deferred_indexes:
            self.connection.exec_driver_sql(f'DROP INDEX "{name}"')

    def restore_indexes(self) -> None:
        for _name, ddl in self.deferred_indexes:
            self.connection.exec_driver_sql(ddl)
        self.deferred_indexes = []

    def warn(self, message: str, line: int | None = None) -> None:
        self.report.warning_count += 1
        if len(self.report.warnings) < 50:
            self.report.warnings.append(f"line {line}: {message}" if line else message)

    def read_apart(self, source: ImportSource) -> Generator[list[Entry]]:
        """The file's batches as a worker reads, checks and keys them (:mod:`~termbase.exchange.import_worker`)."""
        with WorkerProcesses(WORKER_MODULE, 1, source, name="import worker") as worker:
            for _request, (kind, payload, warnings) in worker.map(repeat(None), lambda request: request):
                for message, line in warnings:
                    self.warn(message, line)
                if kind == BATCH:
                    yield payload
                elif kind == FAILED:
                    raise payload
                else:
                    self.read_summary = payload
                    return

    # One batch: match against the database, update matches, insert the rest in bulk.
    def run(self, batch: list[Entry]) -> None:
        self.previous_sources, self.sources = self.sources, {}
        self.concept_keys = {}
        existing = self._existing_keys({norm for entry in batch for _, norm in entry.keys})
        by_id = self._ids_known([entry.rec.id for entry in batch if entry.rec.id is not None])
        ids = {cid for cids in existing.values() for cid in cids} | set(by_id.values())
        if ids:
            self._prefetch(ids)
        pending: list[Entry] = []
        pending_keys: set[tuple[str, str]] = set()
        pending_ids: set[str] = set()
        for entry in batch:
            rec, keys = entry.rec, entry.keys
            if pending_keys.intersection(keys) or (rec.id is not None and rec.id in pending_ids):
                # Depends on an entry earlier in this batch (the same id, or a shared term that
                # makes it the same concept or a possible duplicate): write those first.
                self._insert(pending, existing)
                pending, pending_keys, pending_ids = [], set(), set()
            target = self._same_concept(entry, existing, by_id)
            if target is not None:
                self._update(target, entry, existing)
            else:
                pending.append(entry)
                pending_keys.update(keys)
                if rec.id is not None:
                    pending_ids.add(rec.id)
        self._insert(pending, existing)

    def _ids_known(self, entry_ids: list[str]) -> dict[str, int]:
        """The concepts these entry ids name: concept ids of an own file, or ids kept from this file."""
        if not entry_ids:
            return {}
        if self.own_file:
            wanted = {
                int(m.group(1)): entry_id for entry_id in entry_ids if (m := _OWN_ID_RE.fullmatch(entry_id))
            }
            if not wanted:
                return {}
            found = self.session.scalars(select(Concept.id).where(Concept.id.in_(sorted(wanted))))
            return {wanted[cid]: cid for cid in found}
        rows = self.session.execute(
            select(ConceptSource.source_id, ConceptSource.concept_id).where(
                ConceptSource.source == self.filename[:255],
                ConceptSource.source_id.in_(sorted(set(entry_ids))),
            )
        )
        return {source_id: concept_id for source_id, concept_id in rows}

    def _same_concept(
        self, entry: Entry, existing: dict[tuple[str, str], set[int]], by_id: dict[str, int]
    ) -> int | None:
        """The concept this entry is (see the module's matching policy), or None for a new one."""
        entry_id = entry.rec.id
        if entry_id is not None:
            # An id seen earlier in this file (a glossary writes one row per pair of terms) is the
            # concept that entry became; an own file's id that names no concept is a new one.
            found = by_id.get(entry_id)
            if found is None:
                found = self.sources.get(entry_id, self.previous_sources.get(entry_id))
            return found
        candidates = {cid for key in entry.keys for cid in existing.get(key, ())}
        if not candidates:
            return None
        mine = _grouped(entry.keys)
        matches = []
        for cid in sorted(candidates):
            theirs = self._keys_of(cid)
            if all((mine[group] & theirs[group]) or not (mine[group] or theirs[group]) for group in _GROUPS):
                matches.append((-len(mine[_ZH] & theirs[_ZH]) - len(mine[_EN] & theirs[_EN]), cid))
        return min(matches)[1] if matches else None

    def _keys_of(self, concept_id: int) -> dict[str, set[str]]:
        keys = self.concept_keys.get(concept_id)
        if keys is None:
            concept = self.session.get(Concept, concept_id)
            keys = {(t.language, t.normalized) for t in concept.terms} if concept is not None else set()
            self.concept_keys[concept_id] = keys
        return _grouped(keys)

    def _existing_keys(self, norms: set[str]) -> dict[tuple[str, str], set[int]]:
        found: dict[tuple[str, str], set[int]] = {}
        values = sorted(norms)
        postgresql = self.ids.dialect == "postgresql"
        if postgresql:
            # The terms table grows inside this one transaction and has no statistics yet, so
            # PostgreSQL would scan it whole for every batch (quadratic on a large import);
            # the lookup by normalized form must use its index. A generic plan, which psycopg's
            # prepared statements get after a few batches, was made for a tiny table and read
            # the whole unique (concept, language, normalized) index instead: 3 s per batch
            # at 100,000 concepts. Plan each lookup for its values and the table as it is.
            self.session.execute(sql("SET LOCAL enable_seqscan = off"))
            self.session.execute(sql("SET LOCAL plan_cache_mode = force_custom_plan"))
        for start in range(0, len(values), 1000):
            rows = self.session.execute(
                select(Term.concept_id, Term.language, Term.normalized).where(
                    Term.normalized.in_(values[start : start + 1000])
                )
            )
            for row in rows:
                found.setdefault((row.language, row.normalized), set()).add(row.concept_id)
        if postgresql:
            self.session.execute(sql("SET LOCAL enable_seqscan = on"))
        return found

    def _prefetch(self, ids: set[int]) -> None:
        self.session.scalars(
            select(Concept)
            .where(Concept.id.in_(sorted(ids)))
            .options(
                selectinload(Concept.terms)
                .selectinload(Term.citations)
                .joinedload(Citation.segment)
                .joinedload(Segment.document),
                selectinload(Concept.definitions),
            )
        ).all()

    # -- new concepts ----------------------------------------------------------------------

    def _insert(self, pending: list[Entry], existing: dict[tuple[str, str], set[int]]) -> None:
        if not pending:
            return
        now = utcnow()
        concept_ids = self.ids.allocate(Concept, len(pending))
        self.new_ids.extend(concept_ids)
        term_ids = iter(self.ids.allocate(Term, sum(len(entry.rec.terms) for entry in pending)))
        concept_rows: list[tuple[Any, ...]] = []
        term_rows: list[TermRow] = []
        suffix_rows: list[tuple[int, str, str]] = []
        definition_rows: list[tuple[int, str, str, str | None]] = []
        history_rows: list[tuple[Any, ...]] = []
        source_rows: list[tuple[int, str, str]] = []
        field_rows: list[tuple[Any, ...]] = []
        for concept_id, entry in zip(concept_ids, pending, strict=True):
            rec, keys = entry.rec, entry.keys
            origination, modification = origination_and_modification(rec)
            created_at = origination.date if origination else now
            created_by = origination.responsible if origination else self.actor
            status = rec.status.value if rec.status_given else self.default_status
            concept_rows.append(
                (
                    concept_id,
                    rec.subject_field,
                    rec.note,
                    status,
                    rec.confidence,
                    "import",
                    created_at,
                    created_by,
                    modification.date if modification else created_at,
                    modification.responsible if modification else created_by,
                    1,
                )
            )
            duplicates = sorted({cid for key in keys for cid in existing.get(key, ())})
            summary = f"imported from {self.filename}"
            if duplicates:
                summary += "; possible duplicate of " + ", ".join(str(c) for c in duplicates)
            if self.report.listing():
                self.report.changes.append(
                    ImportChange(
                        FLAGGED if duplicates else NEW,
                        _label(rec),
                        rec.line,
                        rec.id,
                        None if self.report.dry_run else concept_id,
                        duplicates=duplicates,
                    )
                )
            self.report.flagged += bool(duplicates)
            if rec.id is not None:
                self.sources[rec.id] = concept_id
                if not self.own_file:
                    source_rows.append((concept_id, self.filename[:255], rec.id))
            for key in keys:
                existing.setdefault(key, set()).add(concept_id)
            self.concept_keys[concept_id] = set(keys)
            terms_after = []
            entry_term_ids: list[int] = []
            for term, term_keys_ in zip(rec.terms, entry.term_keys, strict=True):
                try:
                    derived = _derived(term.language, term.text, term_keys_)
                except Invalid as exc:
                    raise Invalid(
                        exc.message, details={**where(self.filename, rec), "element": "term"}
                    ) from None
                term_id = next(term_ids)
                entry_term_ids.append(term_id)
                columns = derived.columns
                contexts = _context_dicts(term.contexts)
                row = TermRow(
                    id=term_id,
                    concept_id=concept_id,
                    **columns,
                    usage_status=term.usage_status.value,
                    term_type=term.term_type,
                    part_of_speech=term.part_of_speech,
                    note=term.note,
                    review=term.review.value,
                    evidence={IMPORTED_CONTEXTS_KEY: contexts} if contexts else None,
                    created_at=now,
                )
                term_rows.append(row)
                suffix_rows.extend((term_id, field_name, key) for field_name, key in derived.suffixes)
                # The history's view of the term, in the shape ``concepts.snapshot`` gives.
                terms_after.append(
                    {
                        "id": term_id,
                        "language": term.language,
                        **{name: getattr(row, name) for name in EDITABLE},
                        "citations": [],
                    }
                )
            definitions: dict[str, str] = {}
            for language, text in rec.definitions.items():
                if text:
                    definition_rows.append((concept_id, language, text, rec.definition_sources.get(language)))
                    definitions[language] = text
            for transaction, column in zip(
                (origination, modification), ("created_by", "updated_by"), strict=True
            ):
                if transaction is not None and transaction.responsible_ref and not transaction.responsible:
                    self.person_refs.append((concept_id, column, transaction.responsible_ref))
            field_rows.extend(self._field_rows(concept_id, rec, entry_term_ids))
            kept = [t for t in (origination, modification) if t is not None]
            history_rows.extend(self._transaction_rows(concept_id, rec, entry_term_ids, kept))
            concept_values = {
                "subject_field": rec.subject_field,
                "note": rec.note,
                "status": status,
                "confidence": rec.confidence,
            }
            after = {
                "id": concept_id,
                "version": 1,
                **{name: concept_values[name] for name in CONCEPT_FIELDS},
                "definitions": dict(sorted(definitions.items())),
                "terms": terms_after,
            }
            history_rows.append((concept_id, self.actor, now, ACTION, summary, None, after))
        self.rows.write(Concept, _CONCEPT_COLUMNS, concept_rows)
        self.rows.write(Term, TermRow._fields, term_rows)
        insert_term_suffixes(self.connection, suffix_rows)
        self.rows.write(Definition, _DEFINITION_COLUMNS, definition_rows)
        self.rows.write(HistoryEntry, _HISTORY_COLUMNS, history_rows)
        self.rows.write(ConceptSource, _SOURCE_COLUMNS, source_rows)
        self.rows.write(ConceptField, _FIELD_COLUMNS, field_rows)
        self.inserted_any = True
        self.report.new += len(pending)
        self.report.terms_added += len(term_rows)

    def _field_rows(self, concept_id: int, rec: ConceptRecord, term_ids: list[int]) -> list[tuple[Any, ...]]:
        """The rows of ``concept_fields`` for a record; cross-references wait in :attr:`link_refs`."""
        rows: list[tuple[Any, ...]] = []
        owned: list[tuple[int | None, FieldRecord]] = [(None, kept) for kept in rec.fields]
        owned += [
            (term_id, kept) for term_id, term in zip(term_ids, rec.terms, strict=True) for kept in term.fields
        ]
        for position, (term_id, kept) in enumerate(owned):
            if kept.element == "ref" and kept.type in CROSS_REFERENCES and kept.target:
                self.link_refs.append(
                    (concept_id, term_id, kept.language, kept.type, kept.value, position, kept.target)
                )
            else:
                rows.append(
                    (
                        concept_id,
                        term_id,
                        kept.language,
                        kept.element,
                        kept.type,
                        kept.value,
                        kept.target,
                        position,
                    )
                )
        return rows

    def _transaction_rows(
        self, concept_id: int, rec: ConceptRecord, term_ids: list[int], kept: list[TransactionRecord]
    ) -> list[tuple[Any, ...]]:
        """History rows for the file's transactions that the concept's own dates do not hold."""
        owned: list[tuple[int | None, TransactionRecord]] = [
            (None, t) for t in rec.transactions if not any(t is k for k in kept)
        ]
        owned += [
            (term_id, t) for term_id, term in zip(term_ids, rec.terms, strict=True) for t in term.transactions
        ]
        terms = dict(zip(term_ids, rec.terms, strict=True))
        rows: list[tuple[Any, ...]] = []
        for transaction in [*rec.transactions, *(t for term in rec.terms for t in term.transactions)]:
            if transaction.responsible and transaction.responsible_ref:
                self.named_persons.setdefault(transaction.responsible[:80], transaction.responsible_ref)
        for term_id, transaction in owned:
            if term_id is not None:
                term = terms[term_id]
                level, where_ = "term", f"term “{term.text}” ({term.language})"
            elif transaction.language is not None:
                level, where_ = "language", f"the {transaction.language} section"
            else:
                level, where_ = "concept", "the entry"
            detail = {
                "transaction": transaction.kind,
                "level": level,
                "language": transaction.language,
                "term_id": term_id,
                "person_ref": transaction.responsible_ref,
            }
            action = TRANSACTION_ACTION_PREFIX + transaction.kind
            if not transaction.responsible and transaction.responsible_ref:
                self.history_refs.append((concept_id, action, transaction.date, transaction.responsible_ref))
            rows.append(
                (
                    concept_id,
                    (transaction.responsible or "")[:80] or None,
                    transaction.date,
                    action,
                    f"{transaction.kind} of {where_}, as recorded in {self.filename}",
                    None,
                    detail,
                )
            )
        return rows

    def _replace_extras(self, concept: Concept, rec: ConceptRecord) -> bool:
        """Put the file's fields, links and transactions on an existing concept; whether anything changed.

        Fields and links the file states replace the concept's; transactions the concept's
        history already holds are not added again.
        """
        self.session.flush()
        by_key = {(t.language, t.normalized): t.id for t in concept.terms}
        term_ids = [by_key[(t.language, normalize_term(t.text))] for t in rec.terms]
        links_before = len(self.link_refs)
        rows = self._field_rows(concept.id, rec, term_ids)
        stated = bool(rows) or len(self.link_refs) > links_before
        changed = False
        if stated:
            # Compared without targets: a cross-reference's target is resolved at the end.
            stated_now = [(r[1], r[2], r[3], r[4], r[5], r[7]) for r in rows]
            stated_now += [(r[1], r[2], "ref", r[3], r[4], r[5]) for r in self.link_refs[links_before:]]
            held: list[Any] = list(
                self.session.execute(
                    select(
                        ConceptField.term_id,
                        ConceptField.language,
                        ConceptField.element,
                        ConceptField.type,
                        ConceptField.value,
                        ConceptField.position,
                    ).where(ConceptField.concept_id == concept.id)
                )
            )
            held += self.session.execute(
                select(
                    ConceptLink.term_id,
                    ConceptLink.language,
                    literal("ref"),
                    ConceptLink.type,
                    ConceptLink.value,
                    ConceptLink.position,
                ).where(ConceptLink.concept_id == concept.id)
            ).all()
            if sorted(map(repr, map(tuple, held))) == sorted(map(repr, stated_now)):
                del self.link_refs[links_before:]
            else:
                self.session.execute(delete(ConceptField).where(ConceptField.concept_id == concept.id))
                self.session.execute(delete(ConceptLink).where(ConceptLink.concept_id == concept.id))
                self.rows.write(ConceptField, _FIELD_COLUMNS, rows)
                changed = True
        origination, modification = origination_and_modification(rec)
        kept = [t for t in (origination, modification) if t is not None]
        history = self._transaction_rows(concept.id, rec, term_ids, kept)
        # The file's transactions came in with an earlier import when the history has any.
        if history and not self.session.scalar(
            select(HistoryEntry.id)
            .where(
                HistoryEntry.concept_id == concept.id,
                HistoryEntry.action.startswith(TRANSACTION_ACTION_PREFIX),
            )
            .limit(1)
        ):
            self.rows.write(HistoryEntry, _HISTORY_COLUMNS, history)
            changed = True
        return changed

    # -- existing concepts -----------------------------------------------------------------

    def _update(self, concept_id: int, entry: Entry, existing: dict[tuple[str, str], set[int]]) -> None:
        rec = entry.rec
        concept = self.session.get(Concept, concept_id)
        if concept is None:  # pragma: no cover - ids come from the same transaction
            raise Invalid(
                f"concept {concept_id} vanished during the import", details=where(self.filename, rec)
            )
        before = snapshot(concept)
        before_extra = _extra_state(concept)
        added, renamed = self._merge(concept, rec)
        extras_changed = self._replace_extras(concept, rec)
        if snapshot(concept) == before and _extra_state(concept) == before_extra and not extras_changed:
            self.report.unchanged += 1
            return
        concept.updated_at = utcnow()
        concept.updated_by = self.actor
        try:
            record(self.session, concept, ACTION, self.actor, before, f"updated from {self.filename}")
        except ServiceError as exc:
            raise Invalid(exc.message, details=where(self.filename, rec)) from None
        for key in entry.keys:
            existing.setdefault(key, set()).add(concept.id)
        self.concept_keys[concept.id] = {(t.language, t.normalized) for t in concept.terms}
        self.report.updated += 1
        self.report.terms_added += len(added)
        if self.report.listing():
            self.report.changes.append(
                ImportChange(UPDATED, _label(rec), rec.line, rec.id, concept.id, added=added, renamed=renamed)
            )

    def _merge(self, concept: Concept, rec: ConceptRecord) -> tuple[list[str], list[tuple[str, str]]]:
        """Apply what the file states; return the terms added and the (old, new) text of those respelled."""
        _set(concept, "subject_field", rec.subject_field)
        _set(concept, "note", rec.note)
        if rec.status_given:
            _set(concept, "status", rec.status.value)
        _set(concept, "confidence", rec.confidence)
        definitions = {d.language: d for d in concept.definitions}
        for language, text in rec.definitions.items():
            source = rec.definition_sources.get(language)
            if language in definitions:
                _set(definitions[language], "text", text)
                _set(definitions[language], "source", source)
            elif text:
                concept.definitions.append(Definition(language=language, text=text, source=source))
        by_key = {(t.language, t.normalized): t for t in concept.terms}
        added: list[str] = []
        renamed: list[tuple[str, str]] = []
        for term_record in rec.terms:
            key = (term_record.language, normalize_term(clean_term_text(term_record.text)))
            term = by_key.get(key)
            if term is None:
                try:
                    term = build_term(
                        TermInput(
                            language=term_record.language,
                            text=term_record.text,
                            usage_status=term_record.usage_status.value,
                            part_of_speech=term_record.part_of_speech,
                            term_type=term_record.term_type,
                            pinyin=term_record.pinyin,
                            note=term_record.note,
                            review=term_record.review.value,
                        ),
                        kept_languages=True,
                    )
                except Invalid as exc:
                    raise Invalid(
                        exc.message, details={**where(self.filename, rec), "element": "term"}
                    ) from None
                contexts = _context_dicts(term_record.contexts)
                term.evidence = {IMPORTED_CONTEXTS_KEY: contexts} if contexts else None
                concept.terms.append(term)
                by_key[key] = term
                added.append(term.text)
                continue
            cleaned = clean_term_text(term_record.text)
            if cleaned != term.text or (
                term_record.pinyin and clean_term_text(term_record.pinyin) != term.pinyin
            ):
                if cleaned != term.text:
                    renamed.append((term.text, cleaned))
                apply_term_text(term, cleaned, term_record.pinyin or term.pinyin)
                if problem := derived_overflow({c: getattr(term, c) for c in DERIVED}):
                    raise Invalid(problem, details={**where(self.filename, rec), "element": "term"})
            if term_record.usage_status_given:
                _set(term, "usage_status", term_record.usage_status.value)
            # A value that exports the same way is the same value ("n" and "noun"; None and "other").
            if part_of_speech_to_tbx(term.part_of_speech, Generation.TBX_2008) != part_of_speech_to_tbx(
                term_record.part_of_speech, Generation.TBX_2008
            ):
                _set(term, "part_of_speech", term_record.part_of_speech)
            if term_type_to_tbx(term.term_type) is None or term_type_to_tbx(
                term.term_type
            ) != term_type_to_tbx(term_record.term_type):
                _set(term, "term_type", term_record.term_type)
            _set(term, "note", term_record.note)
            _add_contexts(term, term_record.contexts)
        return added, renamed


def _resolve_links(session: Session, importer: _Importer) -> None:
    """Cross-references become links to the concepts their entry ids became; dangling ones stay fields.

    An entry id names a concept of this file (earlier or later in it) or of an earlier import
    of a file with the same name (``concept_sources``); in a file this termbase exported, the
    concept of that id.
    """
    refs = importer.link_refs
    if not refs:
        return
    wanted = sorted({ref[6] for ref in refs})
    found: dict[str, int] = {}
    if importer.own_file:
        numbers = {int(m.group(1)): ref for ref in wanted if (m := _OWN_ID_RE.fullmatch(ref))}
        for start in range(0, len(numbers), 1000):
            chunk = sorted(numbers)[start : start + 1000]
            found.update(
                (numbers[cid], cid)
                for cid in session.scalars(select(Concept.id).where(Concept.id.in_(chunk)))
            )
    else:
        for start in range(0, len(wanted), 1000):
            rows = session.execute(
                select(ConceptSource.source_id, ConceptSource.concept_id).where(
                    ConceptSource.source == importer.filename[:255],
                    ConceptSource.source_id.in_(wanted[start : start + 1000]),
                )
            )
            found.update((source_id, concept_id) for source_id, concept_id in rows)
    links = []
    dangling = []
    for concept_id, term_id, language, kind, value, position, target in refs:
        target_id = found.get(target)
        if target_id is not None:
            links.append((concept_id, term_id, language, kind, value, position, target_id))
        else:
            dangling.append((concept_id, term_id, language, "ref", kind, value, target, position))
    importer.rows.write(ConceptLink, _LINK_COLUMNS, links)
    importer.rows.write(ConceptField, _FIELD_COLUMNS, dangling)


def _keep_persons(session: Session, named: dict[str, str], details: dict[str, list[tuple[str, str]]]) -> None:
    """Keep the back-matter details (fn, email, role…) of each person the file's transactions name."""
    for name, ref in sorted(named.items()):
        items = [[kind, value] for kind, value in details.get(ref, [])]
        if not items:
            continue
        person = session.scalar(select(Person).where(Person.name == name))
        if person is None:
            session.add(Person(name=name, details=items))
        elif person.details != items:
            person.details = items


_ZH = "zh"
_EN = "en"
_GROUPS = (_ZH, _EN)


def _grouped(keys: Iterable[tuple[str, str]]) -> dict[str, set[str]]:
    """Normalized terms by language, Simplified and Traditional Chinese together."""
    grouped: dict[str, set[str]] = {_ZH: set(), _EN: set()}
    for language, normalized in keys:
        grouped.setdefault(_ZH if language.startswith("zh") else language, set()).add(normalized)
    return grouped


def _label(rec: ConceptRecord) -> str:
    """An entry's first Chinese and first English term, as a report names it."""
    chinese = next((t.text for t in rec.terms if t.language.startswith("zh")), None)
    english = next((t.text for t in rec.terms if t.language == "en"), None)
    return " / ".join(text for text in (chinese, english) if text) or (rec.terms[0].text if rec.terms else "")


def _set(obj: Any, name: str, value: Any) -> None:
    """Set an attribute the file states, only when it differs (so unchanged stays unchanged)."""
    if value is not None and getattr(obj, name) != value:
        setattr(obj, name, value)


def _cited_contexts(term: Term) -> set[tuple[str, str | None]]:
    cited: set[tuple[str, str | None]] = set()
    for citation in term.citations:
        segment = citation.segment
        sentence = segment.en_text if term.language == "en" else segment.zh_text
        if sentence:
            document = segment.document
            cited.add(
                (" ".join(sentence.split()), context_source(document.title, document.date, segment.position))
            )
    return cited


def _add_contexts(term: Term, contexts: list[ContextRecord]) -> None:
    if not contexts:
        return
    evidence = dict(term.evidence or {})
    current = list(evidence.get(IMPORTED_CONTEXTS_KEY) or [])
    known = {(c.get("text"), c.get("source")) for c in current if isinstance(c, dict)} | _cited_contexts(term)
    fresh = [c for c in _context_dicts(contexts) if (c["text"], c["source"]) not in known]
    if fresh:
        evidence[IMPORTED_CONTEXTS_KEY] = current + fresh
        term.evidence = evidence


def _extra_state(concept: Concept) -> tuple[Any, ...]:
    """What ``snapshot`` leaves out but an import can change: definition sources, imported contexts."""
    return (
        sorted((d.language, d.source or "") for d in concept.definitions),
        [(t.language, t.normalized, (t.evidence or {}).get(IMPORTED_CONTEXTS_KEY)) for t in concept.terms],
    )


def import_file(
    session: Session,
    path_or_stream: str | os.PathLike[str] | IO[bytes],
    *,
    filename: str,
    dry_run: bool,
    actor: str | None,
    default_status: str = WorkflowStatus.CANDIDATE.value,
    batch_size: int = BATCH_SIZE,
    workers: int = 0,
    parallel_from: int | None = None,
) -> ImportReport:
    """Import a TBX or CSV/TSV file (format detected from its content and name).

    :param filename: the name shown in messages and history (a path's own name is not used).
    :param default_status: workflow status of new concepts whose file does not state one.
    :param workers: 1 to read, check and key a file of ``parallel_from`` bytes or more in a
        worker process (:mod:`~termbase.exchange.import_worker`) while this one writes; 0
        (or a stream) reads it here. ``parallel_from`` defaults to :data:`PARALLEL_FROM_BYTES`.
    :raises Invalid: for unreadable, hostile or inconsistent input; ``details`` name the
        file and, where known, the line and element. Nothing is written then (the caller
        rolls back); in a dry run nothing is written in any case.
    """
    if default_status not in (WorkflowStatus.CANDIDATE.value, WorkflowStatus.APPROVED.value):
        raise Invalid("default_status must be candidate or approved", details={"field": "default_status"})
    apart: ImportSource | None = None
    with ExitStack() as stack:
        if isinstance(path_or_stream, str | os.PathLike):
            try:
                stream: IO[bytes] = stack.enter_context(open(path_or_stream, "rb"))
                found = os.fstat(stream.fileno())
            except OSError as exc:
                raise Invalid(f"cannot open the file: {exc.strerror}", details={"file": filename}) from None
            # Only a regular file: a worker opening /dev/stdin would read its own input.
            large = found.st_size >= (PARALLEL_FROM_BYTES if parallel_from is None else parallel_from)
            if workers and stat.S_ISREG(found.st_mode) and large:
                path = os.path.realpath(path_or_stream)
                apart = ImportSource(path, (found.st_dev, found.st_ino), filename, batch_size)
        else:
            stream = path_or_stream
        reader, fmt, exporter = open_reader(stream, filename)
        report = ImportReport(filename=filename, format=fmt, dry_run=dry_run)
        savepoint = session.begin_nested() if dry_run else None
        try:
            own_file = exporter is not None and exporter == termbase_id(session)
            importer = _Importer(
                session,
                filename=filename,
                actor=actor,
                default_status=default_status,
                report=report,
                own_file=own_file,
            )
            importer.defer_indexes()
            if apart is None:
                batches = keyed_batches(reader, filename, batch_size, importer.warn)
            else:
                stack.close()  # the worker reads the file on its own
                batches = importer.read_apart(apart)
            with closing(batches):
                for batch in batches:
                    importer.run(batch)
            read = summary(reader) if apart is None else importer.read_summary
            assert read is not None  # the worker's last reply
            _finish(session, importer, read)
            session.flush()
            importer.restore_indexes()
            if importer.new_ids and not dry_run:
                report.cited = len(citing.cite_from_corpus(session, importer.new_ids))
        except BaseException:
            if savepoint is not None:
                savepoint.rollback()
            raise
        if savepoint is not None:
            savepoint.rollback()
    report.entries = read.entries
    report.skipped = report.entries - report.new - report.updated - report.unchanged
    report.warnings = (report.warnings + read.warnings)[:50]
    report.warning_count += read.warning_count
    report.skipped_terms = read.skipped_terms
    for code, count in sorted(read.skipped_languages.items()):
        if len(report.warnings) < 50:
            noun = "term" if count == 1 else "terms"
            report.warnings.append(f"{count} {noun} in {code} ignored (not a BCP 47 language tag)")
    return report


def _finish(session: Session, importer: _Importer, read: ReaderSummary) -> None:
    """Resolve persons named only in the back matter and cross-references, keep the persons'
    details, and mark the termbase as changed."""
    for concept_id, column, ref in importer.person_refs:
        name = read.persons.get(ref)
        if name:
            session.execute(update(Concept).where(Concept.id == concept_id).values({column: name[:80]}))
            importer.named_persons.setdefault(name[:80], ref)
    for concept_id, action, at, ref in importer.history_refs:
        if name := read.persons.get(ref):
            session.execute(
                update(HistoryEntry)
                .where(
                    HistoryEntry.concept_id == concept_id,
                    HistoryEntry.action == action,
                    HistoryEntry.at == at,
                    HistoryEntry.actor.is_(None),
                )
                .values(actor=name[:80])
            )
            importer.named_persons.setdefault(name[:80], ref)
    _resolve_links(session, importer)
    _keep_persons(session, importer.named_persons, read.person_items)
    if importer.inserted_any:
        # Bulk inserts bypass the flush hook that bumps the recognition-cache stamp.
        bumped = session.execute(
            update(Counter).where(Counter.name == TERMBASE_COUNTER).values(value=Counter.value + 1)
        )
        if bumped.rowcount == 0:  # type: ignore[attr-defined]
            session.add(Counter(name=TERMBASE_COUNTER, value=1))
