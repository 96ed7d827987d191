"""Read TBX (2008 ``martif`` and v3 ``tbx``, DCA and DCT style) into concept records, safely.

Untrusted XML is parsed with no entity resolution, no network and no DTD loading. A file
whose DOCTYPE declares anything (entities, elements: the XXE and billion-laughs shapes) is
refused before its body is read, and so is any entity reference in a value. libxml2's
own depth limit (256) stays on. The body is streamed with ``iterparse``: each entry is
turned into a :class:`ConceptRecord` and dropped, so memory stays flat for files of any
size.

Values are read generously (both status vocabularies, ``creation`` for origination,
``ntig`` as well as ``tig``), Chinese and English language tags are normalized to the
termbase's (other languages are kept under their own tag), and data categories the termbase
has no column for are kept as :class:`FieldRecord` at the level they sit at (entry, language
section, term), as the DCA element that carries them.
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from typing import IO, Any

from lxml import etree

from termbase.ingest.decode import detect_encoding
from termbase.ingest.errors import IngestError
from termbase.records import (
    LANG_EN,
    LANG_ZH_HANS,
    LANG_ZH_HANT,
    ConceptRecord,
    ContextRecord,
    FieldRecord,
    TermRecord,
    TermReview,
    TransactionRecord,
    WorkflowStatus,
)
from termbase.tbx.vocab import (
    DCA_ELEMENTS,
    DCT_NAMESPACES,
    EXPORTED_BY_LABEL,
    MARKER_LABEL,
    PINYIN_LABEL,
    PINYIN_LANG,
    STATUS_CATEGORIES,
    TBX_V3_NS,
    TRANSACTION_MODIFICATION,
    TRANSACTION_ORIGINATION,
    Generation,
    dca_element,
    part_of_speech_from_tbx,
    term_type_from_tbx,
    tidy_block,
    tidy_line,
    transaction_kind,
    usage_status_from_tbx,
)
from termbase.text.lang import is_chinese, normalize_language_tag, term_language
from termbase.text.normalize import has_han, to_simplified

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# A term with a Latin letter is English even with Han characters in it ("the 一带一路 initiative").
_LATIN_RE = re.compile("[A-Za-z]")
HEAD_LIMIT = 1024 * 1024  # the prolog (declaration, DOCTYPE, comments) must end within this
READ_CHUNK = 64 * 1024
MAX_WARNINGS = 50

_ENTRY_TAGS = ("termEntry", "conceptEntry", f"{{{TBX_V3_NS}}}conceptEntry", f"{{{TBX_V3_NS}}}termEntry")
_PERSON_TAGS = ("refObject", f"{{{TBX_V3_NS}}}refObject")
_ROOTS = {"martif": Generation.TBX_2008, "tbx": Generation.TBX_V3}
_MARKER_PAIR_RE = re.compile(r"(\w+)\s*=\s*([^;\n]+)")
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


class TbxError(ValueError):
    """A file that cannot be read as TBX, with where the problem is."""

    def __init__(self, message: str, *, line: int | None = None, element: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.element = element


_LOCAL_NAMES: dict[Any, str] = {}
_DCT_CATEGORIES: dict[str, str | None] = {}


def local_name(tag: Any) -> str:
    """An element's name without its namespace ("" for comments, PIs and entities); memoised."""
    name = _LOCAL_NAMES.get(tag)
    if name is None:
        name = "" if not isinstance(tag, str) else tag.rpartition("}")[2] if tag[0] == "{" else tag
        _LOCAL_NAMES[tag] = name
    return name


def _category(el: etree._Element) -> str:
    """The data category of an element: its ``type`` (DCA) or its own name (DCT)."""
    tag = el.tag
    if isinstance(tag, str) and tag[0] == "{":
        category = _DCT_CATEGORIES.get(tag, "")
        if category == "":
            namespace, _, name = tag[1:].partition("}")
            category = _DCT_CATEGORIES[tag] = name if namespace in DCT_NAMESPACES else None
        if category:
            return category
    return el.get("type") or ""


def _value(el: etree._Element) -> str:
    """The text of an element, inline markup (``hi``, ``foreign``…) flattened; entities refused."""
    if not len(el):
        return el.text or ""
    for node in el.iter():
        if isinstance(node, etree._Entity):
            raise TbxError(
                f"entity reference {node.text} is not allowed (entities are never expanded)",
                line=el.sourceline,
                element=local_name(el.tag),
            )
    return "".join(el.itertext())


def looks_like_xml(head: bytes) -> bool:
    """Whether a file starts like XML (after an optional byte-order mark and whitespace)."""
    for bom in _BOMS:
        if head.startswith(bom):
            if bom == b"\xef\xbb\xbf":
                head = head[len(bom) :]
                break
            encoding = "utf-16-le" if bom == b"\xff\xfe" else "utf-16-be"
            return head[2:].decode(encoding, errors="ignore").lstrip().startswith("<")
    stripped = head.lstrip()
    if stripped.startswith(b"<"):
        return True
    # UTF-16 without a byte-order mark: "<" followed or preceded by a zero byte.
    return stripped[:2] in (b"<\x00", b"\x00<")


class _Replay(io.RawIOBase):
    """A stream that first returns bytes already read from another stream, then the rest of it."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def peek(stream: IO[bytes], size: int = READ_CHUNK) -> tuple[bytes, IO[bytes]]:
    """Read the first ``size`` bytes and return them with a stream that still starts at byte 0."""
    head = stream.read(size)
    if not isinstance(head, bytes):
        raise TypeError("open the file in binary mode")
    return head, io.BufferedReader(_Replay(head, stream), buffer_size=READ_CHUNK)


def _syntax_error(exc: etree.XMLSyntaxError) -> TbxError:
    message = re.sub(r"(, line \d+, column \d+)?( \(.*, line \d+\))?$", "", str(exc.msg or exc)).strip()
    line = exc.lineno if exc.lineno else None
    if "Excessive depth" in message:
        return TbxError(f"elements are nested too deeply ({message})", line=line)
    if "ntity" in message and ("loop" in message or "amplification" in message):
        return TbxError(f"entity expansion refused ({message})", line=line)
    return TbxError(f"not well-formed XML: {message}", line=line)


def _parser_options() -> dict[str, Any]:
    return {
        "resolve_entities": False,
        "no_network": True,
        "load_dtd": False,
        "dtd_validation": False,
        "huge_tree": False,
        "remove_comments": True,
        "remove_pis": True,
    }


_EXPORTED_BY_RE = re.compile(
    rb"<sourceDesc>.*?<p>" + re.escape(EXPORTED_BY_LABEL.encode()) + rb"(\d+)</p>", re.S
)


def exported_by(head: bytes) -> int | None:
    """The id of the termbase that wrote this TBX file (its header's first bytes), if it says so."""
    found = _EXPORTED_BY_RE.search(head)
    return int(found.group(1)) if found else None


def sniff_root(stream: IO[bytes]) -> tuple[str, IO[bytes]]:
    """Parse up to the root element; refuse DOCTYPEs that declare anything.

    :returns: the root element's tag and a stream positioned at the start again.
    :raises TbxError: for a document that is not XML or declares entities or elements.
    """
    buffered = bytearray()
    parser = etree.XMLPullParser(events=("start",), **_parser_options())
    root: etree._Element | None = None
    guard: _EncodingGuard | None = None
    while root is None:
        chunk = stream.read(READ_CHUNK)
        if not isinstance(chunk, bytes):
            raise TypeError("open the file in binary mode")
        if not buffered and (declared := declared_encoding(chunk)):
            kind = _kind(declared)
            guard = _EncodingGuard(declared, kind) if kind in ("single-byte", "multi-byte") else None
        if guard is not None:
            guard.check(chunk)
        buffered += chunk
        try:
            if chunk:
                parser.feed(chunk)
            else:
                parser.close()
            for _event, element in parser.read_events():
                root = element
                break
        except etree.XMLSyntaxError as exc:
            raise _syntax_error(exc) from None
        if root is None and (not chunk or len(buffered) > HEAD_LIMIT):
            raise TbxError("no root element found near the start of the file", line=1)
    assert root is not None
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None:
        entities = [e.name for e in dtd.iterentities()]
        if entities:
            raise TbxError(
                f"the DOCTYPE declares entities ({', '.join(entities[:5])}); "
                "files that declare entities are refused for safety",
                line=root.sourceline,
                element="DOCTYPE",
            )
        if list(dtd.iterelements()):
            raise TbxError(
                "the DOCTYPE has an internal subset; only a plain DOCTYPE line is accepted",
                line=root.sourceline,
                element="DOCTYPE",
            )
    rest = io.BufferedReader(_Guarded(stream, guard), buffer_size=READ_CHUNK) if guard else stream
    replay = io.BufferedReader(_Replay(bytes(buffered), rest), buffer_size=READ_CHUNK)
    return root.tag, replay


_DECLARATION = re.compile(
    rb"""\A(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z][\w.:-]*)["']"""
)
_HIGH_BYTE = re.compile(rb"[\x80-\xff]")
_SAFE_START = re.compile(rb"[\x00-\x3f]")
_CJK_READINGS = {"gb18030": "GB18030/GBK", "big5": "Big5"}
_MULTI_BYTE = frozenset(
    [
        "gb2312",
        "gbk",
        "gb18030",
        "hz",
        "big5",
        "big5hkscs",
        "cp950",
        "euc_jp",
        "euc_jis_2004",
        "euc_jisx0213",
        "shift_jis",
        "cp932",
        "shift_jis_2004",
        "shift_jisx0213",
        "iso2022_jp",
        "iso2022_kr",
        "euc_kr",
        "cp949",
        "johab",
    ]
)


def declared_encoding(head: bytes) -> str | None:
    """The encoding named by the XML declaration at the start of ``head``, if any."""
    match = _DECLARATION.match(head)
    return match.group(1).decode("ascii") if match else None


def _kind(encoding: str) -> str | None:
    """ "unicode", "single-byte", or "multi-byte" (GBK, Big5 and the like); None when unknown."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return None
    if name.startswith(("utf", "ucs")):
        return "unicode"
    return "multi-byte" if name in _MULTI_BYTE else "single-byte"


def _check_reading(declared: str, kind: str, data: bytes, first_line: int) -> None:
    """Refuse ``data`` when its non-ASCII bytes plainly read as another encoding than ``declared``.

    UTF-8 bytes under any legacy declaration, and Chinese (GB18030/GBK, Big5) under a
    single-byte one such as ISO-8859-1, would otherwise import as mojibake.
    """
    high = _HIGH_BYTE.search(data)
    if high is None:
        return
    try:
        reading = detect_encoding(data, name="", complete=False)
    except IngestError:
        return  # not text in any encoding known here: the XML parser says what is wrong
    if reading == "utf-8" or (kind == "single-byte" and reading in _CJK_READINGS):
        label = "UTF-8" if reading == "utf-8" else _CJK_READINGS[reading]
        fix = "UTF-8" if reading == "utf-8" else reading.upper()
        raise TbxError(
            f'the file declares encoding="{declared}", but its text reads as {label}; '
            f'correct the declaration (encoding="{fix}") or save the file as UTF-8',
            line=first_line + data.count(b"\n", 0, high.start()),
        )


class _EncodingGuard:
    """Checks the chunks of a file, in order, against its declared legacy encoding.

    Once enough non-ASCII text has read as declared it stops: a file has one encoding, and
    judging every chunk of a large Chinese file would cost more than the import.
    """

    ENOUGH = 256  # non-ASCII bytes judged

    def __init__(self, declared: str, kind: str) -> None:
        self.declared = declared
        self.kind = kind
        self.line = 1
        self.judged = 0

    def check(self, data: bytes) -> None:
        if self.judged < self.ENOUGH and _HIGH_BYTE.search(data) is not None:
            # Start where no multi-byte character can be continuing (a newline, tag or space).
            safe = _SAFE_START.search(data)
            start = safe.start() if safe is not None else len(data)
            _check_reading(self.declared, self.kind, data[start:], self.line + data.count(b"\n", 0, start))
            self.judged += len(_HIGH_BYTE.findall(data))
        self.line += data.count(b"\n")


class _Guarded(io.RawIOBase):
    """A stream whose chunks pass an :class:`_EncodingGuard` as they are read."""

    def __init__(self, stream: IO[bytes], guard: _EncodingGuard) -> None:
        self._stream = stream
        self._guard = guard

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._stream.read(len(buffer))
        self._guard.check(data)
        buffer[: len(data)] = data
        return len(data)


def parse_date(value: str) -> datetime | None:
    """xs:date or xs:dateTime (naive times are UTC); None when it is neither."""
    value = value.strip()
    if not value:
        return None
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), time(), tzinfo=UTC)
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


class TbxReader:
    """Iterate a TBX file's entries as :class:`ConceptRecord`.

    After iteration, :attr:`persons` maps back-matter ids to names (for transactions that
    name their person only by reference), :attr:`warnings` lists what was skipped and which
    entry ids repeat, and :attr:`skipped_terms` counts terms in languages the termbase does not hold.
    """

    def __init__(self, stream: IO[bytes], *, filename: str = "") -> None:
        self.filename = filename
        tag, self._stream = sniff_root(stream)
        name = local_name(tag)
        namespace = tag[1:].partition("}")[0] if tag.startswith("{") else ""
        if name not in _ROOTS or (namespace and namespace != TBX_V3_NS):
            raise TbxError(
                f"this is not a TBX file: the root element is <{name}>, not <martif> or <tbx>",
                line=1,
                element=name,
            )
        self.generation = _ROOTS[name]
        self.persons: dict[str, str] = {}
        # Back-matter id -> every (item type, value) of that person, in order.
        self.person_items: dict[str, list[tuple[str, str]]] = {}
        self.warnings: list[str] = []
        self.warning_count = 0
        self.skipped_terms = 0
        self.skipped_languages: dict[str, int] = {}
        self.entries = 0
        self._entry_ids: dict[str, int] = {}  # id -> line of the first entry with it
        self._default_language = LANG_EN

    def warn(self, message: str, line: int | None = None) -> None:
        self.warning_count += 1
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(f"line {line}: {message}" if line else message)

    def __iter__(self) -> Iterator[ConceptRecord]:
        context = etree.iterparse(
            self._stream, events=("end",), tag=(*_ENTRY_TAGS, *_PERSON_TAGS), **_parser_options()
        )
        first = True
        try:
            for _event, el in context:
                if first:
                    first = False
                    root_lang = el.getroottree().getroot().get(XML_LANG)
                    self._default_language = (root_lang and normalize_language_tag(root_lang)) or LANG_EN
                name = local_name(el.tag)
                if name == "refObject":
                    self._person(el)
                else:
                    self.entries += 1
                    self._check_id(el)
                    record = self._entry(el)
                    if record.terms:
                        yield record
                    else:
                        self.warn("entry has no term; skipped", el.sourceline)
                # Drop what has been read so memory does not grow with the file.
                el.clear(keep_tail=False)
                parent = el.getparent()
                if parent is not None:
                    while el.getprevious() is not None:
                        del parent[0]
        except etree.XMLSyntaxError as exc:
            raise _syntax_error(exc) from None

    # -- entries ---------------------------------------------------------------------------

    def _check_id(self, el: etree._Element) -> None:
        """Warn of an entry id used before: ids name entries, so a repeat is usually a bad merge."""
        entry_id = el.get("id")
        if not entry_id:
            return
        first = self._entry_ids.get(entry_id)
        if first is None:
            self._entry_ids[entry_id] = el.sourceline or 0
            return
        where = f" (first on line {first})" if first else ""
        self.warn(f"entry id {entry_id!r} is used again{where}; both entries are read", el.sourceline)

    def _entry(self, el: etree._Element) -> ConceptRecord:
        record = ConceptRecord(id=el.get("id") or None, line=el.sourceline, status_given=False)
        notes: list[str] = []
        for child in el:
            name = local_name(child.tag)
            if name in ("langSet", "langSec"):
                self._language(child, record, notes)
            elif name == "transacGrp":
                if transaction := self._transaction(child):
                    record.transactions.append(transaction)
            elif name == "note":
                self._concept_note(child, record, notes)
            elif name in ("descripGrp", "adminGrp"):
                self._concept_group(child, record, notes, None)
            elif name:
                self._concept_category(child, _category(child), record, notes, None)
        record.note = "\n".join(notes) or None
        record.transactions.sort(key=lambda t: (t.language is not None, t.kind != TRANSACTION_ORIGINATION))
        return record

    def _concept_note(self, el: etree._Element, record: ConceptRecord, notes: list[str]) -> None:
        value = tidy_block(_value(el))
        if value.startswith(MARKER_LABEL):
            # The marker is one line; a peer that joined our notes into one text put the rest after it.
            marker, _, rest = value.partition("\n")
            if rest := rest.strip():
                notes.append(rest)
            for key, raw in _MARKER_PAIR_RE.findall(marker[len(MARKER_LABEL) :]):
                raw = raw.strip()
                if key == "status":
                    try:
                        record.status = WorkflowStatus(raw)
                        record.status_given = True
                    except ValueError:
                        self.warn(f"unknown workflow status {raw!r} ignored", el.sourceline)
                elif key == "confidence":
                    try:
                        confidence = float(raw)
                    except ValueError:
                        confidence = -1.0
                    if 0.0 <= confidence <= 1.0:
                        record.confidence = confidence
                    else:
                        self.warn(f"confidence {raw!r} is not between 0 and 1; ignored", el.sourceline)
        elif kept := labelled_field(value):
            record.fields.append(kept)
        elif value:
            notes.append(value)

    def _concept_group(
        self, el: etree._Element, record: ConceptRecord, notes: list[str], language: str | None
    ) -> None:
        """A descripGrp/adminGrp: a definition takes the group's source; other groups' parts are fields."""
        children = [c for c in el if local_name(c.tag)]
        if not children:
            return
        main, rest = children[0], children[1:]
        if _category(main) != "definition":
            for child in children:
                self._concept_category(child, _category(child), record, notes, language)
            return
        source = "; ".join(tidy_line(_value(c)) for c in rest if _category(c) == "source") or None
        self._concept_category(main, "definition", record, notes, language, source)
        for extra in rest:
            if _category(extra) != "source":
                self._concept_category(extra, _category(extra), record, notes, language)

    def _concept_category(
        self,
        el: etree._Element,
        category: str,
        record: ConceptRecord,
        notes: list[str],
        language: str | None,
        source: str | None = None,
    ) -> None:
        """A concept- or language-level value: subject field, definition, or a labelled note line."""
        if category == "definition":
            lang_attr = el.get(XML_LANG)
            if language is None:
                language = term_language(lang_attr) if lang_attr else self._untagged_language(el)
            if language is None:
                self.warn(f"definition in {lang_attr!r} skipped", el.sourceline)
                return
            value = tidy_block(_value(el))
            if value:
                previous = record.definitions.get(language)
                record.definitions[language] = f"{previous}\n{value}" if previous else value
                if source:
                    record.definition_sources[language] = source
            return
        if category == "subjectField" and language is None:
            value = tidy_line(_value(el))
            if value:
                record.subject_field = f"{record.subject_field}; {value}" if record.subject_field else value
            return
        if category in ("transactionType", "responsibility"):
            return
        if kept := _field(el, category):
            kept.language = language
            record.fields.append(kept)

    def _untagged_language(self, el: etree._Element) -> str | None:
        """The language of entry-level text without a tag: Chinese when written in Han, else the file's."""
        text = _value(el)
        if has_han(text) and not is_chinese(self._default_language or ""):
            return LANG_ZH_HANT if to_simplified(text) != text else LANG_ZH_HANS
        return self._default_language

    def _language(self, el: etree._Element, record: ConceptRecord, notes: list[str]) -> None:
        code = el.get(XML_LANG)
        if not code:
            raise TbxError(
                f"<{local_name(el.tag)}> has no xml:lang attribute", line=el.sourceline, element="langSet"
            )
        language = term_language(code)
        if language is None:
            count = sum(1 for c in el if local_name(c.tag) in ("tig", "ntig", "termSec"))
            self.skipped_terms += count
            self.skipped_languages[code] = self.skipped_languages.get(code, 0) + count
            return
        for child in el:
            name = local_name(child.tag)
            if name in ("tig", "ntig", "termSec"):
                if term := self._term(child, language):
                    if language == LANG_EN and has_han(term.text) and not _LATIN_RE.search(term.text):
                        term.language = (
                            LANG_ZH_HANT if to_simplified(term.text) != term.text else LANG_ZH_HANS
                        )
                        self.warn(
                            f"term {term.text!r} in an English language section is Chinese; "
                            f"kept as {term.language}",
                            child.sourceline,
                        )
                    record.terms.append(term)
            elif name == "note":
                # A language section's note stays with its language.
                if value := tidy_block(_value(child)):
                    kept = labelled_field(value) or FieldRecord("note", "", value)
                    kept.language = language
                    record.fields.append(kept)
            elif name in ("descripGrp", "adminGrp"):
                self._concept_group(child, record, notes, language)
            elif name == "transacGrp":
                if transaction := self._transaction(child):
                    transaction.language = language
                    record.transactions.append(transaction)
            elif name:
                self._concept_category(child, _category(child), record, notes, language)

    def _term(self, el: etree._Element, language: str) -> TermRecord | None:
        children = list(el)
        if local_name(el.tag) == "ntig":
            # ntig: term and termNotes sit in termGrp; the rest beside it.
            grouped = [c for c in children if local_name(c.tag) == "termGrp"]
            children = [inner for group in grouped for inner in group] + children
        term = TermRecord(language=language, text="", usage_status_given=False)
        notes: list[str] = []
        for child in children:
            name = local_name(child.tag)
            if name == "term":
                if not term.text:
                    term.text = tidy_line(_value(child))
            elif name == "termNote":
                self._term_category(child, child.get("type") or "", term, notes)
            elif name == "note":
                self._term_note(child, term, notes)
            elif name in ("descripGrp", "adminGrp"):
                self._term_group(child, term, notes)
            elif name == "termNoteGrp":
                for inner in child:
                    if local_name(inner.tag):
                        self._term_category(inner, _category(inner), term, notes)
            elif name == "transacGrp":
                if transaction := self._transaction(child):
                    term.transactions.append(transaction)
            elif name and name != "termGrp":
                self._term_category(child, _category(child), term, notes)
        if not term.text:
            self.warn("term without text skipped", el.sourceline)
            return None
        term.note = "\n".join(notes) or None
        return term

    def _term_group(self, el: etree._Element, term: TermRecord, notes: list[str]) -> None:
        children = [c for c in el if local_name(c.tag)]
        if not children:
            return
        main = children[0]
        if _category(main) == "context":
            sentence = tidy_line(_value(main))
            if sentence:
                sources = [tidy_line(_value(c)) for c in children[1:] if _category(c) == "source"]
                term.contexts.append(ContextRecord(text=sentence, source="; ".join(sources) or None))
            return
        for inner in children:
            self._term_category(inner, _category(inner), term, notes)

    def _term_note(self, el: etree._Element, term: TermRecord, notes: list[str]) -> None:
        value = tidy_block(_value(el))
        if not value:
            return
        is_pinyin = (el.get(XML_LANG) or "").lower() == PINYIN_LANG.lower() or value.startswith(PINYIN_LABEL)
        if is_pinyin and is_chinese(term.language):
            term.pinyin = tidy_line(value.removeprefix(PINYIN_LABEL)) or None
        elif value.startswith(MARKER_LABEL):
            marker, _, rest = value.partition("\n")
            for key, raw in _MARKER_PAIR_RE.findall(marker[len(MARKER_LABEL) :]):
                if key == "review":
                    try:
                        term.review = TermReview(raw.strip())
                    except ValueError:
                        self.warn(f"unknown term review {raw.strip()!r} ignored", el.sourceline)
            for line in rest.split("\n"):
                if line := line.strip():
                    self._term_note_text(line, el, term, notes)
        else:
            self._term_note_text(value, el, term, notes)

    def _term_note_text(self, value: str, el: etree._Element, term: TermRecord, notes: list[str]) -> None:
        if value.startswith(PINYIN_LABEL) and is_chinese(term.language):
            term.pinyin = tidy_line(value.removeprefix(PINYIN_LABEL)) or None
        elif kept := labelled_field(value):
            term.fields.append(kept)
        else:
            notes.append(value)

    def _term_category(self, el: etree._Element, category: str, term: TermRecord, notes: list[str]) -> None:
        value = tidy_line(_value(el))
        if category == "context":
            if value:
                term.contexts.append(ContextRecord(text=value))
        elif category in STATUS_CATEGORIES:
            status = usage_status_from_tbx(value)
            if status is None:
                self.warn(f"unknown term status {value!r} ignored", el.sourceline)
            else:
                term.usage_status = status
                term.usage_status_given = True
        elif category == "partOfSpeech":
            term.part_of_speech = part_of_speech_from_tbx(value)
        elif category == "termType":
            term.term_type = term_type_from_tbx(value)
        elif category == "pronunciation" and is_chinese(term.language):
            term.pinyin = value or None
        elif kept := _field(el, category):
            term.fields.append(kept)

    def _transaction(self, el: etree._Element) -> TransactionRecord | None:
        kind: str | None = None
        when: datetime | None = None
        responsible: str | None = None
        ref: str | None = None
        for child in el:
            name = local_name(child.tag)
            category = _category(child)
            if name == "transac" or category == "transactionType":
                raw = tidy_line(_value(child))
                kind = transaction_kind(raw)
                if kind is None:
                    self.warn(f"transaction type {raw!r} ignored", child.sourceline)
            elif name == "date":
                raw = tidy_line(_value(child))
                when = parse_date(raw)
                if when is None:
                    self.warn(f"date {raw!r} is not an ISO date; ignored", child.sourceline)
            elif name == "transacNote" or category == "responsibility":
                responsible = tidy_line(_value(child)) or None
                ref = child.get("target")
        if kind is None or when is None:
            return None
        return TransactionRecord(kind=kind, date=when, responsible=responsible, responsible_ref=ref)

    def _person(self, el: etree._Element) -> None:
        person_id = el.get("id")
        if not person_id:
            return
        items = [c for c in el.iter() if local_name(c.tag) == "item"]
        chosen = next((i for i in items if i.get("type") == "fn"), items[0] if items else None)
        if chosen is not None and (name := tidy_line(_value(chosen))):
            self.persons[person_id] = name
        details = [(i.get("type") or "", value) for i in items if (value := tidy_line(_value(i)))]
        if details:
            self.person_items[person_id] = details


# A data category an export wrote as a note because TBX-Basic does not take it there
# (vocab.labelled_note): "grammaticalNumber: plural", "relatedTerm: cloud <c12>".
_LABELLED_RE = re.compile(r"^([a-z]+(?:[A-Z][a-z]*)+): (.*?)(?: <([^<>\s]+)>)?$", re.DOTALL)


def labelled_field(note: str) -> FieldRecord | None:
    """The field a labelled note stands for, so that a second round trip keeps it as a field."""
    match = _LABELLED_RE.match(note)
    if match is None or "\n" in note:
        return None
    category, value, target = match.group(1), match.group(2).strip(), match.group(3)
    if not value and not target:
        return None
    return FieldRecord(dca_element(category), category, value, target)


def _field(el: etree._Element, category: str) -> FieldRecord | None:
    """A value the termbase has no column for, as the DCA element that carries it (with its link)."""
    value = tidy_line(_value(el))
    target = (el.get("target") or "").strip() or None
    if not value and not target:
        return None
    name = local_name(el.tag)
    element = name if name in DCA_ELEMENTS else dca_element(category)
    return FieldRecord(element, category if element != "note" else "", value, target)


def read_tbx(stream: IO[bytes], *, filename: str = "") -> TbxReader:
    """Open a TBX stream for reading; iterate the result for records.

    :raises TbxError: for non-TBX, hostile or malformed input (also while iterating).
    """
    return TbxReader(stream, filename=filename)


def origination_and_modification(
    record: ConceptRecord,
) -> tuple[TransactionRecord | None, TransactionRecord | None]:
    """The first origination and the latest modification of a record's entry (not its language sections)."""
    entry = [t for t in record.transactions if t.language is None]
    origination = next((t for t in entry if t.kind == TRANSACTION_ORIGINATION), None)
    modifications = [t for t in entry if t.kind == TRANSACTION_MODIFICATION]
    modification = max(modifications, key=lambda t: t.date) if modifications else None
    return origination, modification
