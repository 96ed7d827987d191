"""Glossary files (CSV and TSV): the layout OmegaT and spreadsheets use, both ways.

Written layout: a ``#`` header line (CAT tools skip it; OmegaT would read a plain header
as an entry), then one row per pair of a Chinese and an English term:
``source, target, comment, id``. The comment holds labelled parts joined by `` | ``
(``pinyin: …``, ``definition: …``, ``note: …``, ``avoid: …``) that the reader splits again.
The id (``c`` and the concept id) lets an import tell the rows of one concept from
entries that merely share a term; its header names the exporting termbase
(``id (termbase N)``). OmegaT reads the first three columns.

* CSV: RFC 4180 quoting, CRLF, UTF-8 with a byte-order mark (so Excel shows Chinese). A cell a
  spreadsheet would run as a formula (first character ``=``, ``+``, ``-``, ``@``, tab or carriage
  return: OWASP "CSV Injection") gets a leading ``'``, which the reader removes again.
* TSV: OmegaT's glossary format: no quoting (tabs and line breaks inside a field become
  spaces), LF, UTF-8 without a byte-order mark.

Read: a header is required (a ``#`` before it is ignored). Columns are recognised by name:
a language tag (``zh-CN``, ``en``…), ``source``/``target``/``term`` (language told by the
script of each cell), ``comment``/``note``, ``definition``, ``pinyin``, ``part of speech``, ``id``. Cells may hold
several terms separated by ``|``. UTF-8 (with or without BOM), UTF-16 with a BOM and
GB 18030 (what Chinese Excel writes) are accepted.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import IO

from termbase.records import (
    LANG_EN,
    LANG_ZH_HANS,
    LANG_ZH_HANT,
    ConceptRecord,
    TermRecord,
    UsageStatus,
)
from termbase.tbx.parse import peek
from termbase.tbx.vocab import part_of_speech_from_tbx, resolve_lang_codes, tidy_block, tidy_line
from termbase.text.lang import is_chinese, normalize_language_tag
from termbase.text.normalize import has_han, to_simplified

FLUSH_BYTES = 256 * 1024
MAX_WARNINGS = 50
MAX_LINE_CHARS = 4_000_000  # a few MB at most in memory; no real glossary row comes near
COMMENT_SEPARATOR = " | "
TERM_SEPARATOR = "|"
LABELS = ("pinyin", "definition", "note", "avoid")
_USABLE = (UsageStatus.PREFERRED, UsageStatus.ADMITTED)
_SOURCE_NAMES = {"source", "term", "source term", "src", "source text"}
_TARGET_NAMES = {"target", "translation", "target term", "tgt", "target text"}
_COMMENT_NAMES = {"comment", "comments", "note", "notes", "description", "remark", "remarks", "备注", "注释"}
_TAG_RE = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")
_POS_NAMES = {"part of speech", "partofspeech", "pos", "part_of_speech"}
_EXPORTED_BY_RE = re.compile(r"id \(termbase ([0-9]+)\)")
# CSV injection (OWASP): a cell starting with one of these runs as a formula in a spreadsheet.
# Apostrophes already in front are counted in, so that a genuine "'=x" is written "''=x" and
# reads back unchanged.
_FORMULA_RE = re.compile(r"'*[=+\-@\t\r]")
_NEUTRALISED_RE = re.compile(r"'+[=+\-@\t\r]")
# A signed number ("+86", "-1", "-0.5") cannot call anything: a spreadsheet reads it as a number,
# so it stays as it is. A word ("-based", "@mention") is not exempt: a payload such as
# "-2+3+cmd|' /C calc'!A0" also starts like a word.
_PLAIN_NUMBER_RE = re.compile(r"[+-][0-9][0-9.,]*")


class GlossaryError(ValueError):
    """A glossary file that cannot be read, with the line it failed on."""

    def __init__(self, message: str, *, line: int | None = None, column: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


# -- writing ---------------------------------------------------------------------------------


def neutralise_formula(cell: str) -> str:
    """A CSV cell a spreadsheet will not run as a formula: ``'`` before a formula-like value."""
    if _FORMULA_RE.match(cell) and not _PLAIN_NUMBER_RE.fullmatch(cell):
        return "'" + cell
    return cell


def restore_formula(cell: str) -> str:
    """Undo :func:`neutralise_formula`; an apostrophe before anything else is the text's own."""
    return cell[1:] if _NEUTRALISED_RE.match(cell) else cell


def _best(terms: Iterable[TermRecord]) -> list[TermRecord]:
    order = {status: rank for rank, status in enumerate(UsageStatus)}
    return sorted((t for t in terms if t.usage_status in _USABLE), key=lambda t: order[t.usage_status])


def glossary_rows(record: ConceptRecord) -> list[tuple[str, str, str]]:
    """The (source, target, comment) rows of one concept: each usable Chinese term with each English one.

    Simplified Chinese terms are the sources; Traditional ones are used only when a concept
    has no Simplified term. Deprecated and superseded terms are never offered as a
    source or target; English ones are listed as ``avoid`` in the comment.
    """
    sources = _best(t for t in record.terms if t.language == LANG_ZH_HANS) or _best(
        t for t in record.terms if t.language == LANG_ZH_HANT
    )
    targets = _best(t for t in record.terms if t.language == LANG_EN)
    if not sources or not targets:
        return []
    avoid = [t.text for t in record.terms if t.language == LANG_EN and t.usage_status not in _USABLE]
    definition = record.definitions.get(LANG_EN) or record.definitions.get(LANG_ZH_HANS)
    rows = []
    for source in sources:
        parts = []
        if source.pinyin:
            parts.append(f"pinyin: {tidy_line(source.pinyin)}")
        if definition:
            parts.append(f"definition: {tidy_line(definition)}")
        if record.note:
            parts.append(f"note: {tidy_line(record.note)}")
        if avoid:
            parts.append(f"avoid: {', '.join(avoid)}")
        comment = COMMENT_SEPARATOR.join(p.replace(COMMENT_SEPARATOR, " / ") for p in parts)
        for target in targets:
            rows.append((tidy_line(source.text), tidy_line(target.text), comment))
    return rows


def write_glossary(
    records: Iterable[ConceptRecord],
    *,
    delimiter: str = ",",
    lang_codes: Mapping[str, str] | None = None,
    flush_bytes: int = FLUSH_BYTES,
    termbase_id: int | None = None,
) -> Iterator[bytes]:
    """Yield a CSV (``delimiter=","``) or OmegaT TSV (``"\\t"``) glossary in chunks.

    :param termbase_id: the exporting termbase's id, named in the id column's header.
    :raises ValueError: for an unusable ``lang_codes`` mapping (before anything is yielded).
    """
    if delimiter not in (",", "\t"):
        raise ValueError("delimiter must be ',' or a tab")
    codes = resolve_lang_codes(lang_codes)
    id_column = f"id (termbase {int(termbase_id)})" if termbase_id else "id"
    return _write(
        records, delimiter, ("# " + codes[LANG_ZH_HANS], codes[LANG_EN], "comment", id_column), flush_bytes
    )


def glossary_exported_by(head: bytes) -> int | None:
    """The id of the termbase that wrote this glossary, as its header line names it."""
    found = _EXPORTED_BY_RE.search(head.split(b"\n", 1)[0].decode("utf-8", "replace"))
    return int(found.group(1)) if found else None


def _write(
    records: Iterable[ConceptRecord], delimiter: str, header: tuple[str, ...], flush_bytes: int
) -> Iterator[bytes]:
    buffer = io.StringIO()
    if delimiter == ",":
        buffer.write("\ufeff")
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(header)

        def write_row(row: Iterable[str]) -> None:
            writer.writerow([neutralise_formula(cell) for cell in row])

    else:
        # Not neutralised: the TSV is OmegaT's glossary, which shows cells as plain text (an
        # apostrophe would be seen there, and a source term must match the segment verbatim).
        buffer.write("\t".join(header) + "\n")

        def write_row(row: Iterable[str]) -> None:
            buffer.write("\t".join(" ".join(cell.split()) for cell in row) + "\n")

    for record in records:
        entry_id = f"c{record.id}" if record.id else ""
        for row in glossary_rows(record):
            write_row((*row, entry_id))
        if buffer.tell() * 2 >= flush_bytes:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


# -- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Column:
    index: int
    role: str  # "term", "comment", "definition", "pinyin", "pos"
    language: str | None = None  # None: tell by the script of each cell


def _column_for(index: int, name: str) -> _Column | None:
    raw = name.strip().lstrip("#").strip()
    key = " ".join(raw.lower().replace("_", " ").split())
    if key in _SOURCE_NAMES or key in _TARGET_NAMES:
        return _Column(index, "term")
    if key in _COMMENT_NAMES:
        return _Column(index, "comment")
    if key in ("definition", "definitions", "定义"):
        return _Column(index, "definition")
    if key == "pinyin" or key == "拼音":
        return _Column(index, "pinyin")
    if key in _POS_NAMES:
        return _Column(index, "pos")
    if key == "id" or _EXPORTED_BY_RE.fullmatch(raw):
        return _Column(index, "id")
    language = normalize_language_tag(raw) if _TAG_RE.match(raw) else None
    if language is not None:
        return _Column(index, "term", language)
    return None


def _detect_encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # Legacy Chinese text fails early; UTF-8 text that has already shown multi-byte
        # characters stays UTF-8, so one bad sequence is reported with its line instead of
        # turning the whole file into GB18030 mojibake.
        if exc.start < len(head) - 4 and head[: exc.start].isascii():
            return "gb18030"
    return "utf-8"


def _cell_language(text: str, column_language: str | None) -> str:
    if column_language is None:
        column_language = LANG_ZH_HANS if has_han(text) else LANG_EN
    if is_chinese(column_language) and to_simplified(text) != text:
        return LANG_ZH_HANT
    return column_language


class GlossaryReader:
    """Iterate a CSV/TSV glossary's rows as :class:`ConceptRecord` (one per row)."""

    def __init__(self, stream: IO[bytes], *, filename: str = "", delimiter: str | None = None) -> None:
        self.filename = filename
        head, replay = peek(stream)
        self.encoding = _detect_encoding(head)
        self._text = io.TextIOWrapper(replay, encoding=self.encoding, newline="")
        if delimiter is None:
            first_line = head.split(b"\n", 1)[0]
            delimiter = "\t" if first_line.count(b"\t") > first_line.count(b",") else ","
        self.delimiter = delimiter
        self.format = "tsv" if delimiter == "\t" else "csv"
        self.warnings: list[str] = []
        self.warning_count = 0
        self.entries = 0

    def warn(self, message: str, line: int | None = None) -> None:
        self.warning_count += 1
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(f"line {line}: {message}" if line else message)

    def _lines(self) -> Iterator[str]:
        """The file's lines, refusing one so long it cannot be a glossary row (memory stays bounded)."""
        number = 0
        while line := self._text.readline(MAX_LINE_CHARS + 1):
            number += 1
            if len(line) > MAX_LINE_CHARS:
                raise GlossaryError(
                    f"line {number} is longer than {MAX_LINE_CHARS:,} characters: this is not a glossary",
                    line=number,
                )
            yield line

    def __iter__(self) -> Iterator[ConceptRecord]:
        if self.delimiter == "\t":
            reader = csv.reader(self._lines(), delimiter="\t", quoting=csv.QUOTE_NONE)
        else:
            # Strict: an unterminated quote is an error, not a cell that swallows the rest of the file.
            reader = csv.reader(self._lines(), delimiter=self.delimiter, strict=True)
        columns: list[_Column] | None = None
        previous = 0  # the line the last row read ended on
        try:
            for row in reader:
                line, previous = previous + 1, reader.line_num
                if not any(cell.strip() for cell in row):
                    continue
                if any("\x00" in cell for cell in row):
                    # Text never holds NUL (PostgreSQL cannot even store it): a binary or broken file.
                    raise GlossaryError("the row holds a NUL character: is this a text file?", line=line)
                if columns is None:
                    columns = self._header(row, line)
                    continue
                if self.delimiter == "\t" and row[0].startswith("#"):
                    continue
                self.entries += 1
                record = self._row(row, columns, line)
                if record.terms:
                    yield record
                else:
                    self.warn("no term; skipped", line)
        except UnicodeDecodeError as exc:
            raise GlossaryError(
                f"the file is not valid {self.encoding} text ({exc.reason})", line=None
            ) from None
        except csv.Error as exc:
            if str(exc) == "unexpected end of data":
                raise GlossaryError(
                    f'malformed CSV: the quote (") opening a cell on line {previous + 1} is never closed',
                    line=previous + 1,
                ) from None
            raise GlossaryError(f"malformed CSV: {exc}", line=reader.line_num) from None
        if columns is None:
            raise GlossaryError("the file is empty: a header row and terms were expected", line=1)

    def _header(self, row: list[str], line: int) -> list[_Column]:
        columns = []
        for index, name in enumerate(row):
            column = _column_for(index, name)
            if column is None:
                if name.strip():
                    self.warn(f"column {name.strip()!r} ignored", line)
                continue
            columns.append(column)
        if not any(c.role == "term" for c in columns):
            raise GlossaryError(
                "the first row must be a header naming the term columns "
                "(for example: zh-CN, en-US, comment or source, target, comment)",
                line=line,
                column=row[0] if row else None,
            )
        return columns

    def _row(self, row: list[str], columns: list[_Column], line: int) -> ConceptRecord:
        record = ConceptRecord(line=line, status_given=False)
        notes: list[str] = []
        pinyin: str | None = None
        part_of_speech: str | None = None
        for column in columns:
            cell = row[column.index].strip() if column.index < len(row) else ""
            if self.delimiter == ",":
                cell = restore_formula(cell)
            if not cell:
                continue
            if column.role == "id":
                record.id = cell
            elif column.role == "term":
                for text in cell.split(TERM_SEPARATOR):
                    if text := tidy_line(text):
                        language = _cell_language(text, column.language)
                        record.terms.append(TermRecord(language, text, usage_status_given=False))
            elif column.role == "comment":
                pinyin = self._comment(cell, record, notes) or pinyin
            elif column.role == "definition":
                record.definitions[LANG_EN if not has_han(cell) else LANG_ZH_HANS] = tidy_block(cell)
            elif column.role == "pinyin":
                pinyin = tidy_line(cell)
            elif column.role == "pos":
                part_of_speech = part_of_speech_from_tbx(cell)
        for term in record.terms:
            term.part_of_speech = part_of_speech
            if pinyin and is_chinese(term.language) and term.pinyin is None:
                term.pinyin = pinyin
                pinyin = None  # the first Chinese term's
        record.note = "\n".join(notes) or None
        return record

    def _comment(self, cell: str, record: ConceptRecord, notes: list[str]) -> str | None:
        pinyin = None
        for part in cell.split(COMMENT_SEPARATOR):
            label, sep, value = part.partition(": ")
            label = label.strip().lower()
            value = value.strip()
            if not sep or label not in LABELS or not value:
                if part.strip():
                    notes.append(part.strip())
            elif label == "pinyin":
                pinyin = value
            elif label == "definition":
                record.definitions[LANG_ZH_HANS if has_han(value) else LANG_EN] = value
            elif label == "note":
                notes.append(value)
            else:  # avoid: deprecated English terms
                for text in value.split(","):
                    if text := tidy_line(text):
                        record.terms.append(
                            TermRecord(_cell_language(text, None), text, UsageStatus.DEPRECATED)
                        )
        return pinyin


def read_glossary(stream: IO[bytes], *, filename: str = "", delimiter: str | None = None) -> GlossaryReader:
    """Open a CSV/TSV glossary; iterate the result for records.

    :raises GlossaryError: for a file without a usable header or with broken rows.
    """
    return GlossaryReader(stream, filename=filename, delimiter=delimiter)
