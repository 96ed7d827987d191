"""The rows an export reads for a window of concepts, turned into :class:`ConceptRecord`.

No database and no models here: :mod:`termbase.services.exporting` runs the queries, and
either converts the rows itself or hands them to worker processes
(:mod:`termbase.services.export_worker`), which import this module without the app, the
models or the text pipeline behind them.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

from termbase.records import (
    ConceptRecord,
    ContextRecord,
    TermRecord,
    TermReview,
    TransactionRecord,
    UsageStatus,
    WorkflowStatus,
)
from termbase.tbx.vocab import TRANSACTION_MODIFICATION, TRANSACTION_ORIGINATION

# Enum members by value: a dict lookup per row instead of an Enum call.
_USAGE = {s.value: s for s in UsageStatus}
_REVIEW = {r.value: r for r in TermReview}
_WORKFLOW = {w.value: w for w in WorkflowStatus}
# json.loads without its checks and the whitespace match around the value: about half the cost.
_decode_json = json.JSONDecoder().raw_decode


class Window(NamedTuple):
    """One window of an export as plain tuples (picklable without SQLAlchemy).

    ``concepts``: (id, subject field, note, status, confidence, created at, created by,
    updated at, updated by) of the selected concepts in id order; ``terms``: (id, concept id,
    language, text, usage status, part of speech, term type, pinyin, note, review, imported
    contexts as JSON) in concept and term order; ``definitions``: (concept id, language,
    text, source); ``contexts``: (term id, language, zh text, en text, segment position,
    document title, document date) in term and citation order, at most ``cap`` per term.
    """

    concepts: Sequence[Sequence[Any]]
    terms: Sequence[Sequence[Any]]
    definitions: Sequence[Sequence[Any]]
    contexts: Sequence[Sequence[Any]]
    cap: int


def window_records(window: Window) -> Iterator[ConceptRecord]:
    """The window's concepts as records, in id order."""
    cap = window.cap
    terms = _terms(window.terms)
    definitions = _definitions(window.definitions)
    contexts = _contexts(window.contexts)
    empty: tuple[dict[str, str], dict[str, str]] = ({}, {})
    for concept_id, subject, note, status, confidence, created, creator, updated, updater in window.concepts:
        term_records = []
        for term_id, term in terms.get(concept_id, ()):
            cited = contexts.get(term_id)
            if cited or len(term.contexts) > cap:
                term.contexts = _merge_contexts(cited or [], term.contexts, cap)
            term_records.append(term)
        texts, sources = definitions.get(concept_id, empty)
        yield ConceptRecord(
            str(concept_id),
            subject,
            note,
            _WORKFLOW[status],
            confidence,
            texts,
            term_records,
            [
                TransactionRecord(TRANSACTION_ORIGINATION, created, creator),
                TransactionRecord(TRANSACTION_MODIFICATION, updated, updater),
            ],
            sources,
        )


def _terms(rows: Sequence[Sequence[Any]]) -> dict[int, list[tuple[int, TermRecord]]]:
    result: dict[int, list[tuple[int, TermRecord]]] = defaultdict(list)
    for term_id, concept_id, language, text, usage, pos, term_type, pinyin, note, review, imported in rows:
        result[concept_id].append(
            (
                term_id,
                TermRecord(
                    language,
                    text,
                    _USAGE[usage],
                    pos,
                    term_type,
                    pinyin or None,
                    note,
                    _imported_contexts(imported) if imported else [],
                    _REVIEW[review],
                ),
            )
        )
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
