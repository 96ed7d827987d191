"""Write concept records as TBX-Basic, 2008 (``martif``) or v3 (``tbx``), as a stream of bytes.

The writer is streaming and deterministic: it holds one entry at a time (plus the list of
responsible persons for the back matter), names entries ``c`` and the record's id (the
concept id; ``c1, c2…`` in the order given for records without one), names persons
``p1, p2…`` in order of first appearance, sorts languages and terms, and writes UTF-8
with a fixed layout. The same records therefore give the same bytes.

Where TBX-Basic has no data category for a termbase value, the writer adds a ``note``
that CAT tools show and :mod:`termbase.tbx.parse` reads back: pinyin as
``<note xml:lang="zh-Latn-pinyin">Pinyin: …</note>``, workflow status and confidence as
``<note>termbase: status=approved; confidence=0.9</note>``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import NamedTuple

from termbase.records import (
    LANG_EN,
    LANG_ZH_HANS,
    LANGUAGES,
    ConceptRecord,
    FieldRecord,
    TermRecord,
    TermReview,
    TransactionRecord,
    UsageStatus,
)
from termbase.tbx.vocab import (
    CROSS_REFERENCE,
    EXPORTED_BY_LABEL,
    MARKER_LABEL,
    PINYIN_LABEL,
    PINYIN_LANG,
    TBX_V3_NS,
    Generation,
    admin_status,
    is_basic,
    labelled_note,
    part_of_speech_to_tbx,
    resolve_lang_codes,
    review_marker,
    term_type_to_tbx,
    tidy_block,
    tidy_line,
)

FLUSH_BYTES = 256 * 1024

# Characters XML 1.0 cannot carry at all; they are dropped rather than producing a broken file.
_NOT_XML_CHAR_RE = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# An entry id is an xs:ID: anything but letters, digits, "_", "-" and "." is replaced.
_ID_UNSAFE_RE = re.compile(r"[^\w.-]", re.ASCII)
_XS_ID_RE = re.compile(r"[A-Za-z_][\w.-]*", re.ASCII)
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_ATTR_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#13;", "\n": "&#10;", "\t": "&#9;"}
)
_STATUS_ORDER = {status: rank for rank, status in enumerate(UsageStatus)}
# Simplified Chinese, English, then the others: a tool that takes the first two language
# sections as source and target (translate-toolkit without language hints) gets zh -> en.
EXPORT_LANGUAGE_ORDER = (
    LANG_ZH_HANS,
    LANG_EN,
    *(language for language in LANGUAGES if language not in (LANG_ZH_HANS, LANG_EN)),
)
_LANGUAGE_ORDER = {language: rank for rank, language in enumerate(EXPORT_LANGUAGE_ORDER)}
# Terms a CAT tool may offer as a translation; the others are listed as "avoid" (see TbxWriter).
_USABLE = frozenset({UsageStatus.PREFERRED, UsageStatus.ADMITTED})

XML_MODEL_V3 = (
    '<?xml-model href="https://raw.githubusercontent.com/LTAC-Global/TBX_Core_RNG/master/'
    'TBXcoreStructV03.rng" type="application/xml" schematypens="http://relaxng.org/ns/structure/1.0"?>\n'
    '<?xml-model href="https://raw.githubusercontent.com/LTAC-Global/TBX-Basic_dialect/master/DCA/'
    'TBX-Basic_DCA.sch" type="application/xml" schematypens="http://purl.oclc.org/dsdl/schematron"?>\n'
)


@dataclass(frozen=True, slots=True)
class TbxHeader:
    """What goes into the file header; ``description`` is where an export puts its date and filters."""

    title: str = "termbase export (zh-en)"
    description: str = "Exported from the termbase service"
    # The exporting termbase's id (models.TERMBASE_ID_COUNTER): an import into it matches entry ids.
    termbase_id: int | None = None
    # Back-matter details (item type, value) of persons by the name transactions give.
    persons: Mapping[str, Sequence[tuple[str, str]]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Names:
    """Element names that differ between the generations."""

    root_open: str
    root_close: str
    header: str
    entry: str
    language: str
    term: str
    persons: str


_NAMES = {
    Generation.TBX_2008: _Names(
        root_open='<martif type="TBX-Basic" xml:lang="{lang}">',
        root_close="</martif>",
        header="martifHeader",
        entry="termEntry",
        language="langSet",
        term="tig",
        persons="refObjectList",
    ),
    Generation.TBX_V3: _Names(
        root_open=f'<tbx type="TBX-Basic" style="dca" xml:lang="{{lang}}" xmlns="{TBX_V3_NS}">',
        root_close="</tbx>",
        header="tbxHeader",
        entry="conceptEntry",
        language="langSec",
        term="termSec",
        persons="refObjectSec",
    ),
}


def text(value: str) -> str:
    """Escape character data (and drop characters XML cannot hold)."""
    if _NOT_XML_CHAR_RE.search(value):
        value = _NOT_XML_CHAR_RE.sub("", value)
    if "&" in value or "<" in value or ">" in value or "\r" in value:
        return value.translate(_TEXT_ESCAPES)
    return value


def line(value: str | None) -> str:
    """A one-line field, whitespace collapsed (as :func:`tidy_line`) and escaped, in one pass."""
    if not value:
        return ""
    # A printable string holds no whitespace but the ASCII space and no character XML
    # cannot hold (those are all control, separator, surrogate or unassigned characters),
    # so most values skip both the collapse and the search.
    if not value.isprintable() or "  " in value or value[0] == " " or value[-1] == " ":
        value = " ".join(value.split())
        if _NOT_XML_CHAR_RE.search(value):
            value = _NOT_XML_CHAR_RE.sub("", value)
    if "&" in value or "<" in value or ">" in value:
        return value.translate(_TEXT_ESCAPES)
    return value


def attr(value: str) -> str:
    return _NOT_XML_CHAR_RE.sub("", value).translate(_ATTR_ESCAPES)


def _date_2008(value: datetime) -> str:
    """xs:date: the 2008 schema allows only a date (the day in UTC)."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.date().isoformat()


def _date_v3(value: datetime) -> str:
    """xs:dateTime in UTC."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def format_confidence(value: float) -> str:
    return repr(float(value))


def concept_marker(record: ConceptRecord) -> str:
    parts = [f"status={record.status.value}"]
    if record.confidence is not None:
        parts.append(f"confidence={format_confidence(record.confidence)}")
    return MARKER_LABEL + "; ".join(parts)


def sorted_terms(terms: Iterable[TermRecord]) -> list[TermRecord]:
    """Languages in termbase order (other languages after them, by tag), then preferred before
    admitted before deprecated (stable)."""
    return sorted(
        terms,
        key=lambda t: (
            _LANGUAGE_ORDER.get(t.language, len(LANGUAGES)),
            "" if t.language in _LANGUAGE_ORDER else t.language,
            _STATUS_ORDER[t.usage_status],
        ),
    )


class TbxWriter:
    """Serialise records one entry at a time; see :func:`write_tbx`."""

    def __init__(
        self,
        generation: Generation,
        *,
        lang_codes: Mapping[str, str] | None = None,
        header: TbxHeader | None = None,
        for_cat_tools: bool = False,
    ) -> None:
        self.generation = Generation(generation)
        self.for_cat_tools = for_cat_tools
        self.names = _NAMES[self.generation]
        self.lang_codes = resolve_lang_codes(lang_codes)
        self.header = header or TbxHeader()
        self.persons: dict[str, str] = {}
        self.count = 0
        n = self.names
        self._codes = {language: attr(code) for language, code in self.lang_codes.items()}
        self._language_open = {
            language: f'        <{n.language} xml:lang="{code}">\n' for language, code in self._codes.items()
        }
        self._language_close = f"        </{n.language}>\n"
        self._term_open = f"          <{n.term}>\n            <term>"
        # The review marker (for terms not simply accepted) and the end of the term section.
        self._term_closings = {review: _term_closing(review, n.term) for review in TermReview}
        # The end of a transacGrp (transacNote and all) for each responsible person as given.
        self._transaction_closings: dict[str | None, str] = {}
        self._date = _date_2008 if self.generation is Generation.TBX_2008 else _date_v3

    def prologue(self) -> str:
        n = self.names
        root_lang = attr(self.lang_codes["en"])
        if self.generation is Generation.TBX_2008:
            head = (
                '<?xml version="1.0" encoding="UTF-8"?>\n'
                '<!DOCTYPE martif SYSTEM "TBXBasiccoreStructV02.dtd">\n'
            )
            encoding = '    <encodingDesc><p type="XCSURI">TBXBasicXCSV02.xcs</p></encodingDesc>\n'
        else:
            head = '<?xml version="1.0" encoding="UTF-8"?>\n' + XML_MODEL_V3
            encoding = ""
        exported_by = (
            f"<p>{EXPORTED_BY_LABEL}{int(self.header.termbase_id)}</p>" if self.header.termbase_id else ""
        )
        return (
            f"{head}{n.root_open.format(lang=root_lang)}\n"
            f"  <{n.header}>\n"
            "    <fileDesc>\n"
            f"      <titleStmt><title>{text(tidy_line(self.header.title))}</title></titleStmt>\n"
            f"      <sourceDesc><p>{text(tidy_line(self.header.description))}</p>{exported_by}</sourceDesc>\n"
            "    </fileDesc>\n"
            f"{encoding}"
            f"  </{n.header}>\n"
            "  <text>\n"
        )

    def body_open(self) -> str:
        return "    <body>\n"

    def body_close(self) -> str:
        return "    </body>\n"

    def epilogue(self) -> str:
        n = self.names
        parts = []
        if self.persons:
            parts.append(f'    <back>\n      <{n.persons} type="respPerson">\n')
            for name, person_id in self.persons.items():
                details = self.header.persons.get(name) or [("fn", name)]
                items = "".join(f'<item type="{attr(kind)}">{line(value)}</item>' for kind, value in details)
                parts.append(f'        <refObject id="{person_id}">{items}</refObject>\n')
            parts.append(f"      </{n.persons}>\n    </back>\n")
        parts.append(f"  </text>\n{n.root_close}\n")
        return "".join(parts)

    def person(self, name: str) -> str:
        person_id = self.persons.get(name)
        if person_id is None:
            person_id = self.persons[name] = f"p{len(self.persons) + 1}"
        return person_id

    def _number(self) -> str:
        """The next entry's number."""
        self.count += 1
        return str(self.count)

    def _entry_id(self, record_id: str | None) -> str:
        """``c`` and the concept id (so an import into this termbase finds it), a file's own id
        (an xs:ID) as it was, or the entry's number for a record without one."""
        if not record_id:
            return f"c{self._number()}"
        if _XS_ID_RE.fullmatch(record_id):
            return record_id
        return "c" + _ID_UNSAFE_RE.sub("_", record_id)

    def entry(self, record: ConceptRecord) -> str:
        """One termEntry/conceptEntry; an entry without terms in known languages is skipped ("")."""
        terms = [t for t in sorted_terms(record.terms) if t.text]
        avoid: list[TermRecord] = []
        if self.for_cat_tools:
            avoid = [t for t in terms if t.usage_status not in _USABLE]
            terms = [t for t in terms if t.usage_status in _USABLE]
        if not terms:
            return ""
        n = self.names
        out = [f'      <{n.entry} id="{self._entry_id(record.id)}">\n']
        if record.subject_field:
            out.append(_subject_field(record.subject_field))
        definitions = record.definitions
        if definitions:
            term_languages = {t.language for t in terms}
            for language in sorted(definitions, key=lambda x: (_LANGUAGE_ORDER.get(x, len(LANGUAGES)), x)):
                if language not in term_languages and (definition := definitions.get(language)):
                    # No language section to hold it: keep it on the entry, tagged with its language.
                    code = self._code(language)
                    self._definition(
                        out, definition, record.definition_sources.get(language), "        ", code
                    )
        if record.note and (note := tidy_block(record.note)):
            out.append(f"        <note>{text(note)}</note>\n")
        if self.for_cat_tools:
            # A CAT tool offers every term of the target language as a translation: deprecated
            # and superseded ones are named only, as the glossaries' "avoid" does.
            for language in dict.fromkeys(t.language for t in avoid):
                names = [line(t.text) for t in avoid if t.language == language]
                out.append(f"        <note>avoid ({self._code(language)}): {', '.join(names)}</note>\n")
        else:
            # The marker holds a status name and a number: nothing to escape.
            out.append(f"        <note>{concept_marker(record)}</note>\n")
        by_language: dict[str | None, list[FieldRecord]] = {}
        if record.fields:
            for kept in record.fields:
                by_language.setdefault(kept.language, []).append(kept)
            self._fields(out, by_language.get(None, ()), "        ")
        # Transactions of language sections are rare: most records hold the entry's two only.
        language_transactions = [t for t in record.transactions if t.language is not None]
        for transaction in record.transactions:
            if transaction.language is None:
                self._transaction(out, transaction)
        current: str | None = None
        for term in terms:
            if term.language != current:
                if current is not None:
                    out.append(self._language_close)
                current = language = term.language
                out.append(self._language_opening(language))
                if definitions and (definition := definitions.get(language)):
                    self._definition(out, definition, record.definition_sources.get(language), "          ")
                if by_language:
                    self._fields(out, by_language.get(language, ()), "          ")
                for transaction in language_transactions:
                    if transaction.language == language:
                        self._transaction(out, transaction)
            self._term(out, term)
        out.append(f"{self._language_close}      </{n.entry}>\n")
        return "".join(out)

    def _code(self, language: str) -> str:
        """The code written for a language: the chosen one for the termbase's, else its own tag."""
        return self._codes.get(language) or attr(language)

    def _language_opening(self, language: str) -> str:
        opening = self._language_open.get(language)
        if opening is None:
            opening = self._language_open[language] = (
                f'        <{self.names.language} xml:lang="{self._code(language)}">\n'
            )
        return opening

    def _fields(self, out: list[str], fields: Iterable[FieldRecord], indent: str) -> None:
        """Fields kept from an imported file, as the elements they were; what TBX-Basic does not
        take there (another category, a value off its picklist) as a labelled note."""
        for kept in fields:
            element, kind, value, target = kept.element, kept.type, kept.value, kept.target
            if element == "ref":
                kind = CROSS_REFERENCE
            elif not is_basic(element, kind, line(value)):
                element, value, target = "note", labelled_note(kind or element, value, target), None
            if element == "note":
                out.append(f"{indent}<note>{text(tidy_block(value))}</note>\n")
                continue
            attributes = f' type="{attr(kind)}"' + (f' target="{attr(target)}"' if target else "")
            out.append(f"{indent}<{element}{attributes}>{line(value)}</{element}>\n")

    def _definition(
        self, out: list[str], definition: str, source: str | None, indent: str, lang: str | None = None
    ) -> None:
        definition = tidy_block(definition)
        if not definition:
            return
        lang_attr = f' xml:lang="{lang}"' if lang else ""
        source = tidy_line(source)
        if source:
            out.append(
                f"{indent}<descripGrp>\n"
                f'{indent}  <descrip type="definition"{lang_attr}>{text(definition)}</descrip>\n'
                f'{indent}  <admin type="source">{text(source)}</admin>\n'
                f"{indent}</descripGrp>\n"
            )
        else:
            out.append(f'{indent}<descrip type="definition"{lang_attr}>{text(definition)}</descrip>\n')

    def _transaction(self, out: list[str], transaction: TransactionRecord) -> None:
        out.append(_transaction_opening(transaction.kind))
        out.append(self._date(transaction.date))
        responsible = transaction.responsible
        closing = self._transaction_closings.get(responsible)
        if closing is None:
            closing = "</date>\n"
            if responsible and (name := tidy_line(responsible)):
                closing += (
                    f'          <transacNote type="responsibility" target="{self.person(name)}">'
                    f"{line(name)}</transacNote>\n"
                )
            closing = self._transaction_closings[responsible] = closing + "        </transacGrp>\n"
        out.append(closing)

    def _term(self, out: list[str], term: TermRecord) -> None:
        out.append(self._term_open)
        out.append(line(term.text))
        out.append(
            _term_notes(
                self.generation, term.part_of_speech, term.usage_status, term.term_type, self.for_cat_tools
            )
        )
        if term.fields:
            # termNotes come first, right after the term, in both generations.
            self._fields(out, [f for f in term.fields if f.element == "termNote"], "            ")
        for context in term.contexts:
            sentence = line(context.text)
            if not sentence:
                continue
            source = line(context.source)
            if source:
                out.append(
                    "            <descripGrp>\n"
                    f'              <descrip type="context">{sentence}</descrip>\n'
                    f'              <admin type="source">{source}</admin>\n'
                    "            </descripGrp>\n"
                )
            else:
                out.append(f'            <descrip type="context">{sentence}</descrip>\n')
        if term.fields:
            self._fields(out, [f for f in term.fields if f.element != "termNote"], "            ")
        if term.note and (note := tidy_block(term.note)):
            out.append(f"            <note>{text(note)}</note>\n")
        if pinyin := line(term.pinyin):
            out.append(f'            <note xml:lang="{PINYIN_LANG}">{PINYIN_LABEL}{pinyin}</note>\n')
        if term.transactions:
            for transaction in term.transactions:
                self._transaction(out, transaction)
        out.append(self._term_closings[term.review])


def _term_closing(review: TermReview, element: str) -> str:
    marker = review_marker(review)
    note = f"            <note>{text(marker)}</note>\n" if marker else ""
    return f"{note}          </{element}>\n"


# Rendered once per distinct value: these fields take few values over a whole termbase.
@functools.lru_cache(maxsize=1024)
def _subject_field(value: str) -> str:
    subject = tidy_line(value)
    return f'        <descrip type="subjectField">{text(subject)}</descrip>\n' if subject else ""


@functools.lru_cache(maxsize=64)
def _transaction_opening(kind: str) -> str:
    return (
        "        <transacGrp>\n"
        f'          <transac type="transactionType">{line(kind)}</transac>\n'
        "          <date>"
    )


@functools.lru_cache(maxsize=1024)
def _term_notes(
    generation: Generation,
    part_of_speech: str | None,
    usage_status: UsageStatus,
    term_type: str | None,
    brief: bool = False,
) -> str:
    """What follows the term's text up to its contexts: the termNotes every term carries.

    ``brief`` (for CAT tools, which show every termNote in the entry's comment): no status
    when it is the default (admitted). TBX-Basic wants a part of speech on every term.
    """
    pos = part_of_speech_to_tbx(part_of_speech, generation)
    notes = f'</term>\n            <termNote type="partOfSpeech">{pos}</termNote>\n'
    if not brief or usage_status != UsageStatus.ADMITTED:
        notes += (
            f'            <termNote type="administrativeStatus">{admin_status(usage_status)}</termNote>\n'
        )

    if tbx_term_type := term_type_to_tbx(term_type):
        notes += f'            <termNote type="termType">{tbx_term_type}</termNote>\n'
    return notes


def write_tbx(
    records: Iterable[ConceptRecord],
    *,
    generation: Generation = Generation.TBX_2008,
    lang_codes: Mapping[str, str] | None = None,
    header: TbxHeader | None = None,
    flush_bytes: int = FLUSH_BYTES,
    for_cat_tools: bool = False,
) -> Iterator[bytes]:
    """Yield a TBX-Basic document for ``records`` in chunks of about ``flush_bytes``.

    ``for_cat_tools``: deprecated and superseded terms are named in an ``avoid (code): …``
    note on the entry instead of being terms a CAT tool would offer; no termbase marker note;
    no status when it is admitted (CAT tools show every termNote as comment text).

    An empty ``records`` gives a v3 file without a body (valid) or a 2008 file with an
    empty body (which the 2008 schema rejects: callers should not export nothing).

    :raises ValueError: for an unusable ``lang_codes`` mapping (before anything is yielded).
    """
    writer = TbxWriter(generation, lang_codes=lang_codes, header=header, for_cat_tools=for_cat_tools)
    return _stream(writer, records, flush_bytes)


def _stream(writer: TbxWriter, records: Iterable[ConceptRecord], flush_bytes: int) -> Iterator[bytes]:
    buffer: list[str] = [writer.prologue()]
    size = 0
    opened = False
    for record in records:
        chunk = writer.entry(record)
        if not chunk:
            continue
        if not opened:
            buffer.append(writer.body_open())
            opened = True
        buffer.append(chunk)
        size += len(chunk)
        if size * 2 >= flush_bytes:  # most characters here take one or three bytes in UTF-8
            yield "".join(buffer).encode("utf-8")
            buffer.clear()
            size = 0
    buffer.append(_ending(writer, opened))
    yield "".join(buffer).encode("utf-8")


def _ending(writer: TbxWriter, opened: bool) -> str:
    """The end of the file, once every entry is out (``opened``: the body holds entries)."""
    if opened:
        return writer.body_close() + writer.epilogue()
    if writer.generation is Generation.TBX_2008:
        return "    <body/>\n" + writer.epilogue()
    return writer.epilogue()


# Entry numbers and person ids depend on everything before them in the file: a part written
# on its own leaves them as marks, NUL-delimited since XML text can hold no NUL (the escaping
# functions above drop it). An empty mark is the next entry number; a mark holding a number
# is the part's own index of a person.
_MARK = "\0"


class MarkedPart(NamedTuple):
    """Entries for one stretch of a file, rendered apart from the rest (see :class:`PartWriter`)."""

    data: bytes  # UTF-8, with marks for entry numbers and person ids
    persons: list[str]  # persons the part refers to, in order of first appearance
    entries: int  # entries written
    records: int  # records given that had terms (skipped ones included)
    numbered: int  # entries without an id of their own, numbered by their place in the file


class PartWriter(TbxWriter):
    """Render records into a :class:`MarkedPart`, for a file that several processes write.

    :func:`write_tbx_parts` puts the parts in order and fills in the marks, which gives the
    same bytes as :func:`write_tbx` over all the records.
    """

    def person(self, name: str) -> str:
        person_id = self.persons.get(name)
        if person_id is None:
            person_id = self.persons[name] = f"p{_MARK}{len(self.persons)}{_MARK}"
        return person_id

    def _number(self) -> str:
        self.count += 1
        return _MARK + _MARK

    def part(self, records: Iterable[ConceptRecord]) -> MarkedPart:
        self.persons.clear()
        self._transaction_closings.clear()
        self.count = 0
        chunks = []
        with_terms = written = 0
        for record in records:
            if record.terms:
                with_terms += 1
            if chunk := self.entry(record):
                chunks.append(chunk)
                written += 1
        return MarkedPart(
            "".join(chunks).encode("utf-8"), list(self.persons), written, with_terms, self.count
        )


def write_tbx_parts(
    parts: Iterable[MarkedPart],
    *,
    generation: Generation = Generation.TBX_2008,
    lang_codes: Mapping[str, str] | None = None,
    header: TbxHeader | None = None,
) -> Iterator[bytes]:
    """Yield a TBX-Basic document from parts rendered by :class:`PartWriter`, given in file order.

    :raises ValueError: for an unusable ``lang_codes`` mapping (before anything is yielded), or
        for a part whose marks do not match its counts.
    """
    writer = TbxWriter(generation, lang_codes=lang_codes, header=header)
    return _stream_parts(writer, parts)


def _stream_parts(writer: TbxWriter, parts: Iterable[MarkedPart]) -> Iterator[bytes]:
    yield writer.prologue().encode("utf-8")
    opened = False
    for part in parts:
        if not part.entries:
            continue
        if not opened:
            yield writer.body_open().encode("utf-8")
            opened = True
        person_ids = [writer.person(name)[1:].encode("ascii") for name in part.persons]
        yield _filled(part, writer.count + 1, person_ids)
        writer.count += part.numbered
    yield _ending(writer, opened).encode("utf-8")


def _filled(part: MarkedPart, first_number: int, person_ids: list[bytes]) -> bytes:
    """``part.data`` with its entries numbered from ``first_number`` and its persons' file-wide ids."""
    pieces = part.data.split(_MARK.encode())
    marks = pieces[1::2]
    by_mark = {str(index).encode(): person_id for index, person_id in enumerate(person_ids)}
    number = first_number
    fills = []
    try:
        for mark in marks:
            if mark:
                fills.append(by_mark[mark])
            else:
                fills.append(b"%d" % number)
                number += 1
    except KeyError:
        raise ValueError("a rendered part refers to a person it does not list") from None
    if len(pieces) % 2 == 0 or number - first_number != part.numbered:
        raise ValueError("a rendered part's marks do not match its entries")
    pieces[1::2] = fills
    return b"".join(pieces)
