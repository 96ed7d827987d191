"""ORM models: a concept-oriented termbase like TBX (concept > language > term).

Models hold persistence and trivial derived properties only; queries and rules
live in ``termbase.services``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from termbase.db import Base
from termbase.records import Role, SegmentKind, TermReview, UsageStatus, WorkflowStatus
from termbase.text.suffixes import FIELDS, SUFFIX_LENGTH

intpk = Annotated[int, mapped_column(primary_key=True)]
lang_tag = Annotated[str, mapped_column(String(16))]


def utcnow() -> datetime:
    return datetime.now(UTC)


def _enum_values(enum_cls: Any) -> str:
    return ", ".join(f"'{member.value}'" for member in enum_cls)


class Concept(Base):
    """One meaning, with its terms in every language."""

    __tablename__ = "concepts"
    __table_args__ = (
        CheckConstraint(f"status IN ({_enum_values(WorkflowStatus)})", name="status"),
        CheckConstraint("confidence IS NULL OR (confidence >= 0 AND confidence <= 1)", name="confidence"),
        Index("ix_concepts_status_confidence", "status", "confidence"),
    )

    id: Mapped[intpk]
    subject_field: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=WorkflowStatus.CANDIDATE.value)
    confidence: Mapped[float | None] = mapped_column(Float)
    # How the confidence came about: counts, dictionary coverage, method. Shown to editors.
    evidence: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    origin: Mapped[str] = mapped_column(String(20), default="manual")  # manual, extraction, import
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(80))
    updated_by: Mapped[str | None] = mapped_column(String(80))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    terms: Mapped[list[Term]] = relationship(
        back_populates="concept", cascade="all, delete-orphan", order_by="Term.id"
    )
    definitions: Mapped[list[Definition]] = relationship(
        back_populates="concept", cascade="all, delete-orphan", order_by="Definition.language"
    )
    comments: Mapped[list[Comment]] = relationship(
        back_populates="concept", cascade="all, delete-orphan", order_by="Comment.id"
    )

    # Optimistic locking: every UPDATE checks and bumps the version (StaleDataError on mismatch).
    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Concept {self.id} {self.status}>"


class ConceptSource(Base):
    """The id an entry had in a file it was imported from (not one this termbase exported).

    A later import of the same file (by name) updates the concept its entry became, so
    ids are kept per concept and entries that merely share a term stay apart.
    """

    __tablename__ = "concept_sources"
    __table_args__ = (UniqueConstraint("source", "source_id"),)

    id: Mapped[intpk]
    concept_id: Mapped[int] = mapped_column(ForeignKey("concepts.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(255))  # the file's name
    source_id: Mapped[str] = mapped_column(String(255))  # the entry's id in that file

    def __repr__(self) -> str:
        return f"<ConceptSource {self.concept_id} {self.source}#{self.source_id}>"


class Definition(Base):
    """A definition on the concept's language level, as TBX keeps it."""

    __tablename__ = "definitions"
    __table_args__ = (UniqueConstraint("concept_id", "language"),)

    id: Mapped[intpk]
    concept_id: Mapped[int] = mapped_column(ForeignKey("concepts.id", ondelete="CASCADE"), index=True)
    language: Mapped[lang_tag]
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(500))

    concept: Mapped[Concept] = relationship(back_populates="definitions")

    def __repr__(self) -> str:
        return f"<Definition {self.concept_id} {self.language}>"


class ConceptField(Base):
    """A data category an imported file held that the termbase has no column for.

    It belongs to the entry, to one of its language sections (``language``) or to one of
    its terms (``term_id``), and is exported again as the same element at the same level:
    ``element`` is the DCA element (descrip, admin, termNote, xref, ref, note), ``type`` the
    data category, ``target`` its link (a URL, or an entry id a cross-reference could not
    resolve to a concept).
    """

    __tablename__ = "concept_fields"

    id: Mapped[intpk]
    concept_id: Mapped[int] = mapped_column(ForeignKey("concepts.id", ondelete="CASCADE"), index=True)
    term_id: Mapped[int | None] = mapped_column(ForeignKey("terms.id", ondelete="CASCADE"), index=True)
    language: Mapped[str | None] = mapped_column(String(16))
    element: Mapped[str] = mapped_column(String(20))
    type: Mapped[str] = mapped_column(String(100))
    value: Mapped[str] = mapped_column(Text)
    target: Mapped[str | None] = mapped_column(String(2000))
    position: Mapped[int] = mapped_column(Integer, default=0)

    def __repr__(self) -> str:
        return f"<ConceptField {self.concept_id} {self.element} {self.type}>"


class ConceptLink(Base):
    """A cross-reference from a concept (or one of its terms or language sections) to another concept.

    ``type`` is the file's reference type (crossReference, relatedConcept, relatedTerm) and
    ``value`` the text it showed; exports write it as a ``ref`` pointing at the target's entry.
    """

    __tablename__ = "concept_links"

    id: Mapped[intpk]
    concept_id: Mapped[int] = mapped_column(ForeignKey("concepts.id", ondelete="CASCADE"), index=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("concepts.id", ondelete="CASCADE"), index=True)
    term_id: Mapped[int | None] = mapped_column(ForeignKey("terms.id", ondelete="CASCADE"), index=True)
    language: Mapped[str | None] = mapped_column(String(16))
    type: Mapped[str] = mapped_column(String(100))
    value: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)

    def __repr__(self) -> str:
        return f"<ConceptLink {self.concept_id} -> {self.target_id} {self.type}>"


class Person(Base):
    """Someone an imported file named in its back matter: the name its transactions give, and
    every detail the file had (``details``: [item type, value] pairs: fn, email, role…)."""

    __tablename__ = "persons"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(80), unique=True)
    details: Mapped[list[list[str]]] = mapped_column(JSON)

    def __repr__(self) -> str:
        return f"<Person {self.name}>"


class Term(Base):
    __tablename__ = "terms"
    __table_args__ = (
        UniqueConstraint("concept_id", "language", "normalized"),
        CheckConstraint(f"usage_status IN ({_enum_values(UsageStatus)})", name="usage_status"),
        CheckConstraint(f"review IN ({_enum_values(TermReview)})", name="review"),
        Index("ix_terms_search_key", "search_key", postgresql_ops={"search_key": "text_pattern_ops"}),
        Index("ix_terms_pinyin_key", "pinyin_key", postgresql_ops={"pinyin_key": "text_pattern_ops"}),
        Index(
            "ix_terms_pinyin_initials",
            "pinyin_initials",
            postgresql_ops={"pinyin_initials": "text_pattern_ops"},
        ),
    )

    id: Mapped[intpk]
    concept_id: Mapped[int] = mapped_column(ForeignKey("concepts.id", ondelete="CASCADE"), index=True)
    language: Mapped[lang_tag]
    text: Mapped[str] = mapped_column(String(500))
    # NFKC, Simplified, case-folded: unique per concept and language.
    normalized: Mapped[str] = mapped_column(String(500), index=True)
    # Lookup key ignoring case, plural, hyphens and spaces (see text.normalize.search_key).
    search_key: Mapped[str] = mapped_column(String(500))
    pinyin: Mapped[str | None] = mapped_column(String(1000))
    pinyin_key: Mapped[str | None] = mapped_column(String(1000))
    pinyin_initials: Mapped[str | None] = mapped_column(String(200))
    usage_status: Mapped[str] = mapped_column(String(16), default=UsageStatus.ADMITTED.value)
    term_type: Mapped[str | None] = mapped_column(String(40))
    part_of_speech: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text)
    # Variant proposals from extraction start as candidates inside an existing concept.
    review: Mapped[str] = mapped_column(String(16), default=TermReview.ACCEPTED.value)
    evidence: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    concept: Mapped[Concept] = relationship(back_populates="terms")
    citations: Mapped[list[Citation]] = relationship(
        back_populates="term", cascade="all, delete-orphan", order_by="Citation.id"
    )
    # Derived from the text (services.concepts.apply_term_text sets them); the database's
    # ON DELETE CASCADE removes them with the term, so deleting a term never loads them.
    suffixes: Mapped[list[TermSuffix]] = relationship(cascade="all, delete-orphan", passive_deletes=True)

    def __repr__(self) -> str:
        return f"<Term {self.id} {self.language} {self.text!r}>"


class TermSuffix(Base):
    """A proper suffix of a term's search key or pinyin key: the index of the "contains" search tier.

    ``key`` starts at a character (Chinese), word (English) or syllable (pinyin) boundary of the
    term's key; see ``termbase.text.suffixes``. A lookup finds terms containing the query with a
    prefix range scan on (field, key), as exact and prefix lookups scan the terms' own keys.
    """

    __tablename__ = "term_suffixes"
    __table_args__ = (
        CheckConstraint(f"field IN ({', '.join(repr(f) for f in FIELDS)})", name="field"),
        # term_id last: the index alone answers a lookup (a covering index on both databases).
        Index(
            "ix_term_suffixes_field_key",
            "field",
            "key",
            "term_id",
            postgresql_ops={"key": "text_pattern_ops"},
        ),
        # Small rows keyed by their primary key: SQLite stores them in the key's own B-tree.
        {"sqlite_with_rowid": False},
    )

    # The primary key starts with term_id, so it also serves the foreign key's cascade.
    term_id: Mapped[int] = mapped_column(ForeignKey("terms.id", ondelete="CASCADE"), primary_key=True)
    field: Mapped[str] = mapped_column(String(8), primary_key=True)
    key: Mapped[str] = mapped_column(String(SUFFIX_LENGTH), primary_key=True)

    def __repr__(self) -> str:
        return f"<TermSuffix {self.term_id} {self.field} {self.key!r}>"


class Document(Base):
    """A source document; a changed file becomes a new version under the same slug."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("slug", "version"),)

    id: Mapped[intpk]
    slug: Mapped[str] = mapped_column(String(200), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    is_current: Mapped[bool] = mapped_column(default=True)
    title: Mapped[str] = mapped_column(String(500))
    author: Mapped[str | None] = mapped_column(String(200))
    date: Mapped[str | None] = mapped_column(String(40))
    venue: Mapped[str | None] = mapped_column(String(300))
    source_url: Mapped[str | None] = mapped_column(String(1000))
    layout: Mapped[str] = mapped_column(String(20))
    zh_script: Mapped[str] = mapped_column(String(16), default="zh-Hans")
    filename: Mapped[str | None] = mapped_column(String(500))
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    segments: Mapped[list[Segment]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="Segment.position"
    )

    def __repr__(self) -> str:
        return f"<Document {self.slug} v{self.version}>"


class Segment(Base):
    """A citable unit: an aligned pair, or one side only. Addressed as document slug + position."""

    __tablename__ = "segments"
    __table_args__ = (
        UniqueConstraint("document_id", "position"),
        CheckConstraint(f"kind IN ({_enum_values(SegmentKind)})", name="kind"),
    )

    id: Mapped[intpk]
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(8))
    zh_text: Mapped[str | None] = mapped_column(Text)  # original, as written (may be Traditional)
    en_text: Mapped[str | None] = mapped_column(Text)
    zh_match: Mapped[str | None] = mapped_column(Text)  # text.normalize.match_text: same length as zh_text
    en_match: Mapped[str | None] = mapped_column(Text)
    en_splits: Mapped[list[int] | None] = mapped_column(JSON)  # where glued English words were split
    alignment: Mapped[str] = mapped_column(String(20), default="source")
    score: Mapped[float | None] = mapped_column(Float)

    document: Mapped[Document] = relationship(back_populates="segments")

    def __repr__(self) -> str:
        return f"<Segment {self.document_id}#{self.position} {self.kind}>"


class Citation(Base):
    """An occurrence of a term in a segment, with offsets into the original text of its language side."""

    __tablename__ = "citations"
    __table_args__ = (
        UniqueConstraint("term_id", "segment_id", "start"),
        CheckConstraint('start >= 0 AND "end" > start', name="span"),
    )

    id: Mapped[intpk]
    term_id: Mapped[int] = mapped_column(ForeignKey("terms.id", ondelete="CASCADE"), index=True)
    segment_id: Mapped[int] = mapped_column(ForeignKey("segments.id", ondelete="CASCADE"), index=True)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)

    term: Mapped[Term] = relationship(back_populates="citations")
    segment: Mapped[Segment] = relationship()

    def __repr__(self) -> str:
        return f"<Citation term={self.term_id} seg={self.segment_id} {self.start}:{self.end}>"


class User(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(f"role IN ({_enum_values(Role)})", name="role"),)

    id: Mapped[intpk]
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=Role.TRANSLATOR.value)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Part of every login session's id: logging out or changing the password raises it, which
    # ends every session saved before (cookie sessions are otherwise valid until they expire).
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user", cascade="all, delete-orphan")

    # Flask-Login's user protocol, kept as plain attributes so models stay Flask-free.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}.{self.session_version}"

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


class ApiToken(Base):
    """A per-user API token; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))  # first characters, so users can tell tokens apart
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship(back_populates="tokens")

    def __repr__(self) -> str:
        return f"<ApiToken {self.prefix}… user={self.user_id}>"


class Comment(Base):
    __tablename__ = "comments"

    id: Mapped[intpk]
    concept_id: Mapped[int] = mapped_column(ForeignKey("concepts.id", ondelete="CASCADE"), index=True)
    author: Mapped[str] = mapped_column(String(80))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    concept: Mapped[Concept] = relationship(back_populates="comments")

    def __repr__(self) -> str:
        return f"<Comment {self.id} on {self.concept_id}>"


class HistoryEntry(Base):
    """One change to a concept or its terms: who, when, what, and full snapshots before and after.

    ``concept_id`` is deliberately not a foreign key, so the history of a deleted or
    merged concept survives it.
    """

    __tablename__ = "history"

    id: Mapped[intpk]
    concept_id: Mapped[int] = mapped_column(Integer, index=True)
    actor: Mapped[str | None] = mapped_column(String(80))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    action: Mapped[str] = mapped_column(String(40))
    summary: Mapped[str | None] = mapped_column(Text)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    def __repr__(self) -> str:
        return f"<HistoryEntry {self.id} {self.action} concept={self.concept_id}>"


class Counter(Base):
    """Named counters; ``termbase`` is bumped on every term or concept change (recognition cache stamp)."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)

    def __repr__(self) -> str:
        return f"<Counter {self.name}={self.value}>"


TERMBASE_COUNTER = "termbase"
# A random number naming this termbase in its TBX exports, so an import knows its own files
# (entry ids are concept ids only there). A counter row so backup and restore carry it.
TERMBASE_ID_COUNTER = "termbase_id"


@event.listens_for(Session, "before_flush")
def _bump_termbase_counter(session: Session, _context: Any, _instances: Any) -> None:
    """Bump the termbase stamp whenever terms or concepts change, so caches know to rebuild."""
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(obj, Term | Concept) for obj in changed):
        result = session.execute(
            update(Counter).where(Counter.name == TERMBASE_COUNTER).values(value=Counter.value + 1)
        )
        if result.rowcount == 0:  # type: ignore[attr-defined]
            session.add(Counter(name=TERMBASE_COUNTER, value=1))


class LoginFailure(Base):
    """A failed login, kept for a short window to rate-limit password guessing across workers."""

    __tablename__ = "login_failures"

    id: Mapped[intpk]
    username: Mapped[str] = mapped_column(String(80), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)

    def __repr__(self) -> str:
        return f"<LoginFailure {self.username} from {self.address}>"
