"""Reading an import file into checked entries whose terms' keys are derived, batch by batch.

This is all of an import's work that needs no database: parsing the file, checking each
record, and deriving its terms' lookup keys (:func:`termbase.text.keys.term_keys`). The
import runs it in its own process for small files and streams, and in a worker process
(:mod:`termbase.exchange.import_worker`) for large files, so that reading overlaps writing.
It imports neither SQLAlchemy nor the models, so a worker starts small.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from itertools import islice
from typing import IO, Any, NamedTuple

from termbase.ingest.glossary import GlossaryError, GlossaryReader, glossary_exported_by, read_glossary
from termbase.records import (
    MAX_DEFINITION_LENGTH,
    MAX_LABEL_LENGTH,
    MAX_NOTE_LENGTH,
    MAX_PINYIN_LENGTH,
    MAX_SUBJECT_FIELD_LENGTH,
    MAX_TERM_LENGTH,
    ConceptRecord,
    TermRecord,
)
from termbase.services.errors import Invalid
from termbase.tbx.parse import TbxError, TbxReader, exported_by, looks_like_xml, peek
from termbase.text.keys import TermKeys, term_keys
from termbase.text.lang import term_language
from termbase.text.normalize import clean_term_text, normalize_term
from termbase.text.validate import term_text_problem

# The limits the web forms and the API hold to (records.py), and the widths of the columns
# that have no form, checked before writing so an error names the file and the entry.
_LIMITS = {
    "subject_field": MAX_SUBJECT_FIELD_LENGTH,
    "note": MAX_NOTE_LENGTH,
    "definition": MAX_DEFINITION_LENGTH,
    "term note": MAX_NOTE_LENGTH,
    "pinyin": MAX_PINYIN_LENGTH,
    "part_of_speech": MAX_LABEL_LENGTH,
    "term_type": MAX_LABEL_LENGTH,
    "person": 80,
    "definition source": 500,
    "entry id": 255,
    "field": MAX_DEFINITION_LENGTH,
    "field type": 100,
    "field target": 2000,
}
_TSV_SUFFIXES = (".tsv", ".tab", ".txt", ".utf8")

Warn = Callable[[str, "int | None"], None]


class ImportSource(NamedTuple):
    """A file to read apart: where it is, the name messages give, and the batch size.

    ``identity`` is the (device, inode) the importing process opened, so that the worker
    reads that very file.
    """

    path: str
    identity: tuple[int, int]
    filename: str
    batch_size: int


@dataclass(slots=True)
class Entry:
    """A checked record: its terms' (language, normalized) keys and their derived keys."""

    rec: ConceptRecord
    keys: list[tuple[str, str]]
    term_keys: list[TermKeys]


@dataclass(slots=True)
class ReaderSummary:
    """What the reader learned besides the records, for the report and the back matter."""

    entries: int
    warnings: list[str]
    warning_count: int
    skipped_terms: int = 0
    skipped_languages: dict[str, int] = field(default_factory=dict)
    persons: dict[str, str] = field(default_factory=dict)
    person_items: dict[str, list[tuple[str, str]]] = field(default_factory=dict)


class Opened(NamedTuple):
    """A reader for an import file, the file's format, and the termbase that exported it (if one says so)."""

    reader: TbxReader | GlossaryReader
    format: str
    exported_by: int | None


def open_reader(stream: IO[bytes], filename: str) -> Opened:
    """A reader for a TBX or CSV/TSV file, told apart by content (and a glossary's name).

    :raises Invalid: for an empty, unreadable or hostile file.
    """
    try:
        head, stream = peek(stream)
        if looks_like_xml(head):
            tbx = TbxReader(stream, filename=filename)
            return Opened(tbx, tbx.generation.value, exported_by(head))
        if not head.strip():
            raise Invalid("the file is empty", details={"file": filename})
        glossary = read_glossary(stream, filename=filename, delimiter=_glossary_delimiter(filename))
        return Opened(glossary, glossary.format, glossary_exported_by(head))
    except (TbxError, GlossaryError) as exc:
        raise as_invalid(exc, filename) from None


def summary(reader: TbxReader | GlossaryReader) -> ReaderSummary:
    if isinstance(reader, TbxReader):
        return ReaderSummary(
            reader.entries,
            reader.warnings,
            reader.warning_count,
            reader.skipped_terms,
            reader.skipped_languages,
            reader.persons,
            reader.person_items,
        )
    return ReaderSummary(reader.entries, reader.warnings, reader.warning_count)


def keyed_batches(
    reader: TbxReader | GlossaryReader, filename: str, batch_size: int, warn: Warn
) -> Generator[list[Entry]]:
    """The reader's records in batches, checked (:func:`check`) and with their terms' keys.

    :raises Invalid: for an unreadable or inconsistent record, naming its line.
    """
    records = iter(reader)
    try:
        while batch := list(islice(records, batch_size)):
            yield [_keyed(rec, check(rec, filename, warn)) for rec in batch]
    except (TbxError, GlossaryError) as exc:
        raise as_invalid(exc, filename) from None


def _keyed(rec: ConceptRecord, keys: list[tuple[str, str]]) -> Entry:
    return Entry(
        rec,
        keys,
        [
            term_keys(term.language, term.text, term.pinyin, normalized)
            for term, (_language, normalized) in zip(rec.terms, keys, strict=True)
        ],
    )


def where(filename: str, rec: ConceptRecord) -> dict[str, Any]:
    details: dict[str, Any] = {"file": filename}
    if rec.line is not None:
        details["line"] = rec.line
    return details


def as_invalid(exc: TbxError | GlossaryError, filename: str) -> Invalid:
    details: dict[str, Any] = {"file": filename}
    if exc.line is not None:
        details["line"] = exc.line
    element = exc.element if isinstance(exc, TbxError) else exc.column
    if element:
        details["element"] = element
    return Invalid(exc.message, details=details)


def _check_length(value: str | None, limit_name: str, filename: str, rec: ConceptRecord) -> None:
    if value is not None and len(value) > _LIMITS[limit_name]:
        raise Invalid(
            f"{limit_name} is longer than {_LIMITS[limit_name]:,} characters "
            f"({len(value):,}): {value[:40]!r}…",
            details={**where(filename, rec), "element": limit_name},
        )


def check(rec: ConceptRecord, filename: str, warn: Warn) -> list[tuple[str, str]]:
    """Validate a record before anything is written; return its (language, normalized) keys.

    Terms get their cleaned text; a second term with the same key in one entry is dropped.
    """
    _check_length(rec.subject_field, "subject_field", filename, rec)
    _check_length(rec.note, "note", filename, rec)
    for definition in rec.definitions.values():
        _check_length(definition, "definition", filename, rec)
    if rec.id is not None and len(rec.id) > _LIMITS["entry id"]:
        warn(f"entry id {rec.id[:40]!r}… is longer than {_LIMITS['entry id']} characters; ignored", rec.line)
        rec.id = None
    for transaction in [*rec.transactions, *(t for term in rec.terms for t in term.transactions)]:
        _check_length(transaction.responsible, "person", filename, rec)
    for kept in [*rec.fields, *(f for term in rec.terms for f in term.fields)]:
        _check_length(kept.value, "field", filename, rec)
        _check_length(kept.type, "field type", filename, rec)
        _check_length(kept.target, "field target", filename, rec)
    for source in rec.definition_sources.values():
        _check_length(source, "definition source", filename, rec)
    keys: list[tuple[str, str]] = []
    unique: list[TermRecord] = []
    for term in rec.terms:
        if term_language(term.language) != term.language:
            raise Invalid(f"unsupported language {term.language!r}", details=where(filename, rec))
        for name in ("part_of_speech", "term_type"):
            value = getattr(term, name)
            if value is not None and len(value) > _LIMITS[name]:
                warn(f"{name} {value[:40]!r} is too long; ignored", rec.line)
                setattr(term, name, None)
        cleaned = clean_term_text(term.text)
        if not cleaned:
            raise Invalid("term text is empty", details={**where(filename, rec), "element": "term"})
        if len(cleaned) > MAX_TERM_LENGTH:
            raise Invalid(
                f"term text is longer than {MAX_TERM_LENGTH} characters: {cleaned[:40]!r}…",
                details={**where(filename, rec), "element": "term"},
            )
        problem = term_text_problem(term.language, cleaned)
        if problem:
            raise Invalid(f"{problem}: {cleaned[:40]!r}", details={**where(filename, rec), "element": "term"})
        term.text = cleaned
        _check_length(term.note, "term note", filename, rec)
        _check_length(term.pinyin, "pinyin", filename, rec)
        key = (term.language, normalize_term(cleaned))
        if key in keys:
            warn(f"{term.language} term {cleaned!r} appears twice in one entry; the first is kept", rec.line)
            continue
        keys.append(key)
        unique.append(term)
    rec.terms = unique
    return keys


def _glossary_delimiter(filename: str) -> str | None:
    lower = filename.lower()
    if lower.endswith(".csv"):
        return ","
    if lower.endswith(_TSV_SUFFIXES):
        return "\t"
    return None
