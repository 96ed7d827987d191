"""The rows an export reads for a window of concepts, turned into :class:`ConceptRecord`.

No SQLAlchemy and no models here: :mod:`termbase.exchange.exporting` writes the queries
(:class:`WindowQueries`) and runs them on its own connection's driver cursor, or hands them
to worker processes (:mod:`termbase.exchange.export_worker`) that run them on their own
connections; the workers import this module without the app, the models or the text
pipeline behind them.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from termbase.records import (
    ConceptRecord,
    ContextRecord,
    FieldRecord,
    TermRecord,
    TermReview,
    TransactionRecord,
    UsageStatus,
    WorkflowStatus,
)
from termbase.tbx.vocab import TRANSACTION_MODIFICATION, TRANSACTION_ORIGINATION, labelled_note
from termbase.term_columns import ExportedTerm

# Enum members by value: a dict lookup per row instead of an Enum call.
_USAGE = {s.value: s for s in UsageStatus}
_REVIEW = {r.value: r for r in TermReview}
_WORKFLOW = {w.value: w for w in WorkflowStatus}
# json.loads without its checks and the whitespace match around the value: about half the cost.
_decode_json = json.JSONDecoder().raw_decode


class DriverQuery(NamedTuple):
    """A statement as the database driver takes it, with the parameters of an empty window:
    :meth:`bound` puts a window's bounds in place of ``AFTER`` and ``LAST``."""

    sql: str
    parameters: Sequence[Any] | Mapping[str, Any]

    def bound(self, after: int, last: int) -> Sequence[Any] | dict[str, Any]:
        bounds = {AFTER: after, LAST: last}
        if isinstance(self.parameters, Mapping):
            return {name: _bound(value, bounds) for name, value in self.parameters.items()}
        return tuple(_bound(value, bounds) for value in self.parameters)


# The bounds of the empty window the queries are written for: no id is negative, and no
# other parameter of theirs is an integer this size.
AFTER = -9_000_001
LAST = -9_000_002


def _bound(value: Any, bounds: dict[int, int]) -> Any:
    return bounds.get(value, value) if type(value) is int else value


class WindowQueries(NamedTuple):
    """What :func:`read_window` runs for the concepts with ids after ``after`` up to ``last``.

    ``concepts``: (id, subject field, note, status, confidence, created at, created by,
    updated at, updated by) in id order; ``terms``, ``definitions`` and ``contexts``: the
    rows of :class:`Window` for the same concepts (``contexts`` None when none are wanted);
    ``fields``, ``links`` and ``transactions`` too.
    """

    concepts: DriverQuery
    terms: DriverQuery
    definitions: DriverQuery
    contexts: DriverQuery | None
    fields: DriverQuery
    links: DriverQuery
    transactions: DriverQuery


class Selection(NamedTuple):
    """The export's filters as a test on one concept row: its status is one of ``statuses``,
    its confidence none or at least ``minimum``, and its id in ``cited`` (when not None)."""

    statuses: frozenset[str]
    minimum: float | None
    cited: frozenset[int] | None

    def __call__(self, concept_id: int, status: str, confidence: float | None) -> bool:
        return (
            status in self.statuses
            and (self.minimum is None or confidence is None or confidence >= self.minimum)
            and (self.cited is None or concept_id in self.cited)
        )


class Window(NamedTuple):
    """One window of an export as the driver's rows.

    ``concepts``: (id, subject field, note, status, confidence, created at, created by,
    updated at, updated by) of the selected concepts in id order, the times as datetimes or
    as ISO text (SQLite); ``terms``: the columns of :class:`~termbase.term_columns.ExportedTerm`
    in concept and term order; ``definitions``: (concept id, language, text, source);
    ``contexts``: (term id, language, zh text, en text, segment position, document title,
    document date) in term and citation order, at most ``cap`` per term; ``fields``: (concept
    id, term id, language, element, type, value, target, position); ``links``: (concept id,
    term id, language, type, value, position, target concept id); ``transactions``: (concept
    id, action, at, actor, detail as JSON) of the file's transactions an import kept in the
    history.
    """

    concepts: Sequence[Sequence[Any]]
    terms: Sequence[Sequence[Any]]
    definitions: Sequence[Sequence[Any]]
    contexts: Sequence[Sequence[Any]]
    cap: int
    fields: Sequence[Sequence[Any]] = ()
    links: Sequence[Sequence[Any]] = ()
    transactions: Sequence[Sequence[Any]] = ()


def read_window(
    cursor: Any, queries: WindowQueries, selection: Selection, after: int, last: int, cap: int
) -> Window | None:
    """The selected concepts with ids after ``after`` up to ``last`` and what goes out with
    them, read with a DB-API ``cursor``; None when the filters leave none of them.

    The filters are applied here, not in SQL, so that the statements are the same for every
    window: the rows of the range's other concepts come too, and are never looked up
    (:func:`window_records` starts from the selected concepts).
    """
    concepts = [
        row for row in _rows(cursor, queries.concepts, after, last) if selection(row[0], row[3], row[4])
    ]
    if not concepts:
        return None
    return Window(
        concepts,
        _rows(cursor, queries.terms, after, last),
        _rows(cursor, queries.definitions, after, last),
        _rows(cursor, queries.contexts, after, last) if queries.contexts else [],
        cap,
        _rows(cursor, queries.fields, after, last),
        _rows(cursor, queries.links, after, last),
        _rows(cursor, queries.transactions, after, last),
    )


def _rows(cursor: Any, query: DriverQuery, after: int, last: int) -> list[Any]:
    cursor.execute(query.sql, query.bound(after, last))
    rows: list[Any] = cursor.fetchall()
    return rows


def window_records(window: Window) -> Iterator[ConceptRecord]:
    """The window's concepts as records, in id order."""
    cap = window.cap
    terms = _terms(window.terms)
    definitions = _definitions(window.definitions)
    contexts = _contexts(window.contexts)
    fields = _fields(window.fields, window.links)
    transactions = _transactions(window.transactions)
    empty: tuple[dict[str, str], dict[str, str]] = ({}, {})
    for concept_id, subject, note, status, confidence, created, creator, updated, updater in window.concepts:
        term_records = []
        owned = terms.get(concept_id, ())
        for term_id, term in owned:
            cited = contexts.get(term_id)
            if cited or len(term.contexts) > cap:
                term.contexts = _merge_contexts(cited or [], term.contexts, cap)
            term_records.append(term)
        texts, sources = definitions.get(concept_id, empty)
        concept_fields: list[FieldRecord] = []
        concept_transactions: list[TransactionRecord] = []
        kept_fields, kept_transactions = fields.get(concept_id), transactions.get(concept_id)
        # Most concepts hold nothing an import kept: they skip this.
        if kept_fields or kept_transactions:
            by_id = dict(owned)
            for owner_id, kept in kept_fields or ():
                if owner_id is None:
                    concept_fields.append(kept)
                elif (owner := by_id.get(owner_id)) is not None:
                    owner.fields.append(kept)
            for owner_id, transaction in kept_transactions or ():
                if owner_id is None:
                    concept_transactions.append(transaction)
                elif (owner := by_id.get(owner_id)) is not None:
                    owner.transactions.append(transaction)
        yield ConceptRecord(
            str(concept_id),
            subject,
            note,
            _WORKFLOW[status],
            confidence,
            texts,
            term_records,
            [
                TransactionRecord(TRANSACTION_ORIGINATION, _moment(created), creator),
                TransactionRecord(TRANSACTION_MODIFICATION, _moment(updated), updater),
                *concept_transactions,
            ],
            sources,
            fields=concept_fields,
        )


def _moment(value: datetime | str) -> datetime:
    # SQLite keeps times as ISO text, which SQLAlchemy too reads with fromisoformat.
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _terms(rows: Sequence[Sequence[Any]]) -> dict[int, list[tuple[int, TermRecord]]]:
    result: dict[int, list[tuple[int, TermRecord]]] = defaultdict(list)
    for term in map(ExportedTerm._make, rows):
        result[term.concept_id].append(
            (
                term.id,
                TermRecord(
                    term.language,
                    term.text,
                    _USAGE[term.usage_status],
                    term.part_of_speech,
                    term.term_type,
                    term.pinyin or None,
                    term.note,
                    _imported_contexts(term.imported) if term.imported else [],
                    _REVIEW[term.review],
                ),
            )
        )
    return result


def _fields(
    field_rows: Sequence[Sequence[Any]], link_rows: Sequence[Sequence[Any]]
) -> dict[int, list[tuple[int | None, FieldRecord]]]:
    """Fields and links (as ``ref`` fields naming the target's entry) by concept, in the file's order."""
    placed: dict[int, list[tuple[int, int | None, FieldRecord]]] = defaultdict(list)
    for concept_id, term_id, language, element, kind, value, target, position in field_rows:
        if element == "ref":
            # A cross-reference whose entry never came: a ref must name an entry of the file.
            element, kind, value, target = "note", "", labelled_note(kind, value, target), None
        placed[concept_id].append((position, term_id, FieldRecord(element, kind, value, target, language)))
    for concept_id, term_id, language, kind, value, position, target_id in link_rows:
        placed[concept_id].append(
            (position, term_id, FieldRecord("ref", kind, value, f"c{target_id}", language))
        )
    return {
        concept_id: [(term_id, kept) for _position, term_id, kept in sorted(items, key=lambda item: item[0])]
        for concept_id, items in placed.items()
    }


def _transactions(rows: Sequence[Sequence[Any]]) -> dict[int, list[tuple[int | None, TransactionRecord]]]:
    """The file's transactions kept in the history, by concept: (term id or None, transaction)."""
    result: dict[int, list[tuple[int | None, TransactionRecord]]] = defaultdict(list)
    for concept_id, action, at, actor, detail in rows:
        if isinstance(detail, str):
            detail = _decode_json(detail)[0]
        if not isinstance(detail, dict):
            continue
        kind = action.partition(":")[2]
        language = detail.get("language") if detail.get("level") == "language" else None
        transaction = TransactionRecord(kind, _moment(at), actor, None, language)
        result[concept_id].append((detail.get("term_id"), transaction))
    return result


def _imported_contexts(encoded: str) -> list[ContextRecord]:
    if not encoded.startswith("["):
        return []
    return [
        ContextRecord(text=str(item["text"]), source=item.get("source"))
        for item in _decode_json(encoded)[0]
        if isinstance(item, dict) and item.get("text")
    ]


def _definitions(rows: Sequence[Sequence[Any]]) -> dict[int, tuple[dict[str, str], dict[str, str]]]:
    result: dict[int, tuple[dict[str, str], dict[str, str]]] = {}
    for concept_id, language, text, source in rows:
        texts, sources = result.setdefault(concept_id, ({}, {}))
        texts[language] = text
        if source:
            sources[language] = source
    return result


def context_source(title: str | None, date: str | None, position: int) -> str:
    """Where a context sentence comes from: ``Title (2015-12-16), segment 12``."""
    title = title or "untitled document"
    return f"{title} ({date}), segment {position}" if date else f"{title}, segment {position}"


def _contexts(rows: Sequence[Sequence[Any]]) -> dict[int, list[ContextRecord]]:
    result: dict[int, list[ContextRecord]] = defaultdict(list)
    for term_id, language, zh_text, en_text, position, title, date in rows:
        sentence = en_text if language == "en" else zh_text
        if sentence:
            result[term_id].append(ContextRecord(sentence, context_source(title, date, position)))
    return result


def _merge_contexts(
    cited: list[ContextRecord], imported: list[ContextRecord], cap: int
) -> list[ContextRecord]:
    seen = {(c.text, c.source) for c in cited}
    merged = list(cited)
    for context in imported:
        if (context.text, context.source) not in seen:
            seen.add((context.text, context.source))
            merged.append(context)
    return merged[:cap]
