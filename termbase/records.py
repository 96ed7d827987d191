"""Plain records and enums shared by the pure core and the services.

Nothing here imports Flask or SQLAlchemy, so readers, extractors and TBX code can
produce and consume these without touching the database.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime


class WorkflowStatus(enum.StrEnum):
    CANDIDATE = "candidate"
    APPROVED = "approved"
    REJECTED = "rejected"


class UsageStatus(enum.StrEnum):
    PREFERRED = "preferred"
    ADMITTED = "admitted"
    DEPRECATED = "deprecated"
    SUPERSEDED = "superseded"


class TermReview(enum.StrEnum):
    """Review state of one term inside a concept (variant proposals start as candidates)."""

    ACCEPTED = "accepted"
    CANDIDATE = "candidate"
    REJECTED = "rejected"


class Role(enum.StrEnum):
    TRANSLATOR = "translator"
    EDITOR = "editor"
    ADMIN = "admin"


class SegmentKind(enum.StrEnum):
    PAIR = "pair"  # aligned Chinese-English pair
    ZH = "zh"  # Chinese only (unaligned)
    EN = "en"  # English only (unaligned or English-only document)


class Layout(enum.StrEnum):
    PIPE_PAIRS = "pipe-pairs"  # "中文 | English" per line
    EN_THEN_ZH = "en-then-zh"  # whole English text followed by whole Chinese text
    ZH_THEN_EN = "zh-then-en"  # whole Chinese text followed by whole English text
    ALTERNATING = "alternating"  # Chinese and English paragraphs or lines taking turns
    LINE_PAIRS = "line-pairs"  # "中文 English" per line, without a separator
    EN_ONLY = "en-only"
    ZH_ONLY = "zh-only"  # a Chinese document to translate
    TABLE = "table"  # two-column tables (Chinese, English) in a Word file or web page
    XLIFF = "xliff"  # a CAT tool's bilingual XLIFF 1.2 or 2.0 file
    TMX = "tmx"
    TEXT_PAIR = "text-pair"  # two plain-text files, one per language
    TSV = "tsv"


LANG_ZH_HANS = "zh-Hans"
LANG_ZH_HANT = "zh-Hant"
LANG_EN = "en"
LANGUAGES = (LANG_ZH_HANS, LANG_ZH_HANT, LANG_EN)
# The longest text each field takes, in characters: the web forms, the API and imports all
# hold to these, so whatever one door stores another can save again.
MAX_TERM_LENGTH = 500  # a term's text (the width of its column)
MAX_PINYIN_LENGTH = 1_000  # a Chinese term's pinyin (the width of its column)
MAX_LABEL_LENGTH = 40  # a term's part of speech or type
MAX_SUBJECT_FIELD_LENGTH = 200
MAX_NOTE_LENGTH = 5_000  # a concept's or a term's note
MAX_DEFINITION_LENGTH = 20_000
MAX_COMMENT_LENGTH = 5_000


@dataclass(frozen=True, slots=True)
class SegmentRecord:
    """One citable unit of a document, as a reader produces it.

    ``en_splits`` lists offsets into ``en_text`` where a space was inserted to
    split glued words; the matching text is derived from it, the original is kept.
    """

    kind: SegmentKind
    zh_text: str | None = None
    en_text: str | None = None
    alignment: str = "source"  # how the pair was made: source, gale-church, tmx, tsv, unaligned
    score: float | None = None
    en_splits: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class DocumentRecord:
    """A document read from a file: metadata plus its segments in order."""

    slug: str
    title: str
    layout: Layout
    segments: tuple[SegmentRecord, ...]
    content_hash: str
    filename: str = ""
    author: str | None = None
    date: str | None = None
    venue: str | None = None
    source_url: str | None = None
    zh_script: str = LANG_ZH_HANS  # script of the Chinese side as written


@dataclass(slots=True)
class ContextRecord:
    """A context sentence for a term, with where it came from."""

    text: str
    source: str | None = None  # e.g. "Speech at ... (2015-12-16), segment 12"


@dataclass(slots=True)
class FieldRecord:
    """A data category the termbase has no column for, kept as the file wrote it.

    ``element`` is the DCA element (``descrip``, ``admin``, ``termNote``, ``xref``, ``ref``,
    ``note``), ``type`` its data category (empty for a note), ``target`` its link (a URL, or
    for ``ref`` the entry id it points at). ``language`` is the language section a
    concept-level record's field sits in (None: the entry itself).
    """

    element: str
    type: str
    value: str
    target: str | None = None
    language: str | None = None


@dataclass(slots=True)
class TransactionRecord:
    kind: str  # "origination" | "modification"
    date: datetime
    responsible: str | None = None
    # The id of a person in a file's back matter, when the file names nobody inline.
    responsible_ref: str | None = None
    # The language section it sits in (None: the entry, or the term that holds it).
    language: str | None = None


@dataclass(slots=True)
class TermRecord:
    """One term of a concept as exchanged through TBX/CSV.

    ``usage_status_given`` is False when a file did not state a status, so an import
    does not overwrite a status the termbase already has with the default.
    """

    language: str
    text: str
    usage_status: UsageStatus = UsageStatus.ADMITTED
    part_of_speech: str | None = None
    term_type: str | None = None
    pinyin: str | None = None
    note: str | None = None
    contexts: list[ContextRecord] = field(default_factory=list)
    review: TermReview = TermReview.ACCEPTED
    usage_status_given: bool = True
    fields: list[FieldRecord] = field(default_factory=list)
    transactions: list[TransactionRecord] = field(default_factory=list)


@dataclass(slots=True)
class ConceptRecord:
    """A concept as exchanged through TBX/CSV: what import and export agree on.

    ``definitions`` and ``definition_sources`` are keyed by language. ``transactions`` are
    the entry's and its language sections' (those carry a ``language``). ``status_given``
    is False when a file did not carry a workflow status. ``line`` is where the entry
    starts in the file it was read from (for error messages).
    """

    id: str | None = None
    subject_field: str | None = None
    note: str | None = None
    status: WorkflowStatus = WorkflowStatus.CANDIDATE
    confidence: float | None = None
    definitions: dict[str, str] = field(default_factory=dict)
    terms: list[TermRecord] = field(default_factory=list)
    transactions: list[TransactionRecord] = field(default_factory=list)
    definition_sources: dict[str, str] = field(default_factory=dict)
    status_given: bool = True
    line: int | None = None
    # Entry- and language-level fields (see FieldRecord.language).
    fields: list[FieldRecord] = field(default_factory=list)
