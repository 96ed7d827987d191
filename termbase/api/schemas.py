"""Request and response schemas of the JSON API (pydantic v2, used nowhere else).

Requests are validated by these models and the OpenAPI document is generated
from them. Constraints mirror what the services and the database accept, so a
request that passes validation is not turned away later for its shape.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)

from termbase.db import MAX_INTEGER
from termbase.models import Term
from termbase.records import (
    LANGUAGES,
    MAX_DEFINITION_LENGTH,
    MAX_LABEL_LENGTH,
    MAX_NOTE_LENGTH,
    MAX_PINYIN_LENGTH,
    MAX_SUBJECT_FIELD_LENGTH,
    MAX_TERM_LENGTH,
    TermReview,
    UsageStatus,
    WorkflowStatus,
)
from termbase.services.concepts import apply_term_text, derived_overflow
from termbase.term_columns import DERIVED
from termbase.text.normalize import clean_term_text
from termbase.text.validate import term_text_problem

Language = Literal["zh-Hans", "zh-Hant", "en"]
assert set(get_args(Language)) == set(LANGUAGES)

MAX_SEGMENT_LENGTH = 100_000
MAX_PER_PAGE = 100
MAX_PAGE = 100_000
MAX_ID = MAX_INTEGER  # ids are 32-bit on PostgreSQL; the app's URL converter stops larger ones

# PostgreSQL text cannot hold NUL; refuse it in anything that is stored or queried.
NO_NUL = r"^[^\x00]*$"
# At least one character that survives tidying (not whitespace, not invisible).
_VISIBLE = (
    r"[^\x00-\x20\x7f-\xa0\u00ad\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u2064\u2066-\u206f"
    r"\u3000\ufeff]"
)
HAS_VISIBLE = rf"^[^\x00]*{_VISIBLE}[^\x00]*$"
# What each pattern requires, in the words a validation error uses instead of the pattern itself.
PATTERN_MESSAGES = {
    NO_NUL: "must not contain a NUL character (U+0000)",
    HAS_VISIBLE: "must contain at least one visible character, and no NUL character (U+0000)",
}


def _integral(value: object) -> object:
    # JSON Schema counts 3.0 as an integer; strict validation would not.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


Version = Annotated[
    int,
    Field(ge=1, le=MAX_ID, description="The concept version the change is based on."),
    BeforeValidator(_integral),
]
ShortText = Annotated[str, Field(max_length=MAX_LABEL_LENGTH, pattern=NO_NUL)]
LongText = Annotated[str, Field(max_length=MAX_NOTE_LENGTH, pattern=NO_NUL)]
Pinyin = Annotated[str, Field(max_length=MAX_PINYIN_LENGTH, pattern=NO_NUL)]
SubjectField = Annotated[str, Field(max_length=MAX_SUBJECT_FIELD_LENGTH, pattern=NO_NUL)]


def _aware(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; they were stored as UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


Timestamp = Annotated[datetime, AfterValidator(_aware)]


def term_fits(language: str, text: str) -> str | None:
    """Why a term cannot hold ``text``: the term text rule, or derived keys (normal form, pinyin)
    that would not fit their columns; None when it can."""
    if problem := term_text_problem(language, clean_term_text(text)):
        return problem
    term = Term(language=language)
    try:
        apply_term_text(term, text)
    except Exception:  # the service reports empty or over-long text itself, naming the field
        return None
    return derived_overflow({column: getattr(term, column) for column in DERIVED})


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class Body(Model):
    """A JSON request body: types are not coerced (``false`` is no number, ``"3"`` no version)."""

    model_config = ConfigDict(strict=True)


# ---------------------------------------------------------------------------- errors


class ErrorDetail(Model):
    code: str = Field(description="The HTTP status as a snake_case word, e.g. `conflict`.")
    message: str
    details: dict[str, Any] = Field(
        description="Context such as `field` (the bad field), `errors`, or `current_version`."
    )


class ErrorResponse(Model):
    error: ErrorDetail


# ---------------------------------------------------------------------------- terms and concepts


TERM_TEXT_RULE = (
    "A Chinese term may not contain an emoji or pictograph, nor a combining mark that belongs to no letter."
)


class TermCreate(Body):
    language: Language
    text: Annotated[
        str, Field(min_length=1, max_length=MAX_TERM_LENGTH, pattern=HAS_VISIBLE, description=TERM_TEXT_RULE)
    ]
    usage_status: UsageStatus = UsageStatus.ADMITTED
    review: TermReview = TermReview.ACCEPTED
    part_of_speech: ShortText | None = None
    term_type: ShortText | None = None
    pinyin: Pinyin | None = Field(
        default=None, description="Only for Chinese terms; derived from the text when omitted."
    )
    note: LongText | None = None

    @field_validator("text")
    @classmethod
    def _fits(cls, text: str, info: ValidationInfo) -> str:
        if "language" in info.data and (problem := term_fits(info.data["language"], text)):
            raise ValueError(problem)
        return text


class TermCreateRequest(TermCreate):
    version: Version | None = Field(default=None, description="Or send the version as If-Match.")


class TermPatch(Body):
    """Only the fields sent are changed; null clears a note, type or part of speech, and leaves
    text, usage status and review unchanged."""

    version: Version | None = Field(default=None, description="Or send the version as If-Match.")
    text: (
        Annotated[
            str,
            Field(min_length=1, max_length=MAX_TERM_LENGTH, pattern=HAS_VISIBLE, description=TERM_TEXT_RULE),
        ]
        | None
    ) = None
    usage_status: UsageStatus | None = None
    review: TermReview | None = None
    part_of_speech: ShortText | None = None
    term_type: ShortText | None = None
    pinyin: Pinyin | None = None
    note: LongText | None = None


Definitions = dict[Language, Annotated[str, Field(max_length=MAX_DEFINITION_LENGTH, pattern=NO_NUL)] | None]


class ConceptCreate(Body):
    terms: Annotated[list[TermCreate], Field(min_length=1, max_length=20)]
    status: WorkflowStatus = WorkflowStatus.CANDIDATE
    subject_field: SubjectField | None = None
    note: LongText | None = None
    confidence: Annotated[float, Field(ge=0, le=1)] | None = None
    definitions: Definitions = Field(
        default_factory=dict, description="Definition per language; null or empty removes one."
    )


class ConceptPatch(Body):
    """Only the fields sent are changed; ``status`` approves or rejects.

    Null clears the subject field, note or confidence, and leaves status and definitions unchanged.
    """

    version: Version | None = Field(default=None, description="Or send the version as If-Match.")
    status: WorkflowStatus | None = None
    subject_field: SubjectField | None = None
    note: LongText | None = None
    confidence: Annotated[float, Field(ge=0, le=1)] | None = None
    definitions: Definitions | None = None


class VersionBody(Body):
    version: Version | None = Field(default=None, description="Or send the version as If-Match.")


class VersionQuery(Model):
    version: Version | None = Field(default=None, description="Or send the version as If-Match.")


class Citation(Model):
    id: int
    segment_id: int
    document_id: int
    document_slug: str
    document_title: str
    position: int = Field(description="The segment's position in its document.")
    start: int = Field(description="Offset of the term in `context`.")
    end: int
    context: str | None = Field(description="The segment's text in the term's language.")
    translation: str | None = Field(description="The aligned segment in the other language, if any.")


TermLanguage = Annotated[
    str,
    Field(
        max_length=16,
        description="zh-Hans, zh-Hant or en; or the BCP 47 tag of another language an import kept "
        "(shown and exported, not looked up or recognized).",
    ),
]


class FieldOut(Model):
    """A data category an imported file held that the termbase has no column for."""

    element: str = Field(description="The TBX element: descrip, admin, termNote, xref, ref or note.")
    type: str = Field(description="Its data category (empty for a note).")
    value: str
    target: str | None = Field(
        description="Its link: a URL, or the entry id of a cross-reference never resolved."
    )
    language: str | None = Field(
        description="The language section it belongs to; null: the entry or the term."
    )


class LinkOut(Model):
    """A cross-reference to another concept."""

    concept_id: int = Field(description="The concept it points at.")
    type: str = Field(description="The file's reference type (crossReference, relatedConcept, relatedTerm).")
    value: str
    language: str | None
    term_id: int | None = Field(description="The term that holds it; null: the entry or a language section.")


class TermOut(Model):
    id: int
    language: TermLanguage
    text: str
    usage_status: UsageStatus
    review: TermReview
    pinyin: str | None
    part_of_speech: str | None
    term_type: str | None
    note: str | None
    citations: list[Citation]
    fields: list[FieldOut] = Field(description="Fields an import kept on this term.")


class Concept(Model):
    id: int
    version: int
    status: WorkflowStatus
    subject_field: str | None
    note: str | None
    confidence: float | None
    origin: str
    definitions: dict[str, str]
    terms: list[TermOut] = Field(
        description="By language (zh-Hans, zh-Hant, en), accepted before proposed, the preferred rendering "
        "first; a term whose usage_status is 'deprecated' is a rendering not to use."
    )
    fields: list[FieldOut] = Field(
        description="Fields an import kept on the entry and its language sections."
    )
    links: list[LinkOut] = Field(description="Cross-references to other concepts.")
    created_at: Timestamp
    updated_at: Timestamp
    created_by: str | None
    updated_by: str | None


class TermBrief(Model):
    id: int
    language: TermLanguage
    text: str
    usage_status: UsageStatus
    review: TermReview
    pinyin: str | None


class ConceptSummary(Model):
    id: int
    version: int
    status: WorkflowStatus
    subject_field: str | None
    confidence: float | None
    updated_at: Timestamp
    terms: list[TermBrief]


class Page(Model):
    page: int
    per_page: int


class ConceptPage(Page):
    items: list[ConceptSummary]
    total: int


class PageQuery(Model):
    page: Annotated[int, Field(ge=1, le=MAX_PAGE)] = 1
    per_page: Annotated[int, Field(ge=1, le=MAX_PER_PAGE)] = 20


class ConceptListQuery(PageQuery):
    q: Annotated[str, Field(max_length=200, pattern=NO_NUL)] | None = Field(
        default=None, description="Lookup text, matched as `GET /search` matches it."
    )
    status: WorkflowStatus | None = None
    language: Language | None = Field(default=None, description="Concepts with a term in this language.")
    document: Annotated[str, Field(min_length=1, max_length=200, pattern=NO_NUL)] | None = Field(
        default=None, description="Concepts cited in this document (its slug or numeric id)."
    )


# ---------------------------------------------------------------------------- search


class SearchQuery(Model):
    page: Annotated[int, Field(ge=1, le=100)] = 1
    per_page: Annotated[int, Field(ge=1, le=MAX_PER_PAGE)] = 20
    contains: bool = Field(
        default=True,
        description="Also find the query inside terms (from any character of a Chinese term, any word of "
        "an English term, any pinyin syllable) when exact and prefix matches leave the page short.",
    )
    q: Annotated[str, Field(max_length=200, pattern=NO_NUL)] = Field(
        description="Chinese (either script), pinyin with or without tones, pinyin initials, or English."
    )
    lang: Literal["zh", "en"] | None = Field(
        default=None,
        description="The query's language: zh reads it as Chinese characters, pinyin or initials only; "
        "en as English only. By default every reading is tried.",
    )
    subject_field: Annotated[str, Field(max_length=200, pattern=NO_NUL)] | None = Field(
        default=None, description="Only entries of this subject field (exactly)."
    )
    document: Annotated[str, Field(max_length=200, pattern=NO_NUL)] | None = Field(
        default=None, description="Only entries with a term cited in this document (its slug)."
    )
    status: Literal["approved", "candidate", "rejected", "all"] | None = Field(
        default=None,
        description="Only entries of this status; by default approved and candidate ones. Readers of "
        "approved entries only always get approved ones.",
    )


class SearchHit(Model):
    concept_id: int
    version: int
    status: WorkflowStatus
    confidence: float | None
    zh: str | None
    zh_hant: str | None = Field(
        description="The Traditional form: the entry's own Traditional term, else derived with OpenCC."
    )
    pinyin: str | None = Field(description="Hanyu pinyin with tone marks, written word by word.")
    en: str | None
    matched_term_id: int
    matched_text: str
    matched_language: Language
    usage_status: UsageStatus
    match: Literal["exact", "prefix", "contains"]
    field: Literal["zh", "en", "pinyin", "initials"]


class Suggestion(Model):
    text: str
    language: Language
    pinyin: str | None
    concept_id: int
    score: float


class SearchPage(Page):
    items: list[SearchHit]
    total: int | None = Field(description="Null when the matches were not all counted (more pages follow).")
    has_more: bool
    query: str
    fields: list[str] = Field(description="How the query was read: zh, en, pinyin, initials.")
    suggestions: list[Suggestion] = Field(description="Did you mean: close terms, when nothing matched.")


# ---------------------------------------------------------------------------- recognition and QA

OffsetUnit = Literal["codepoint", "utf16"]


UNREVIEWED_PARAMETER = (
    "Also use unreviewed candidates: candidate entries and proposed variants (only for users who may "
    "read them). By default only approved entries and accepted terms are used; every item of the "
    "reply says whether it is reviewed."
)
REVIEWED_FLAG = (
    "True when an editor approved the entry and accepted the term; false for an unreviewed "
    "candidate, which must not be offered as an approved translation."
)


class RecognizeRequest(Body):
    text: Annotated[str, Field(max_length=MAX_SEGMENT_LENGTH)]
    include_unapproved: bool = Field(default=False, description=UNREVIEWED_PARAMETER)
    offsets: OffsetUnit = Field(
        default="codepoint", description="Count offsets in Unicode code points or in UTF-16 code units."
    )


class Equivalent(Model):
    term_id: int
    language: Language
    text: str
    usage_status: UsageStatus
    reviewed: bool = Field(description=REVIEWED_FLAG)


class RecognizedTerm(Model):
    start: int
    end: int
    text: str = Field(description="The text as written at [start, end).")
    term_id: int
    term_text: str = Field(description="The term as the termbase has it.")
    language: Language
    usage_status: UsageStatus
    review: TermReview
    concept_id: int
    concept_status: WorkflowStatus
    reviewed: bool = Field(description=REVIEWED_FLAG)
    equivalents: list[Equivalent] = Field(description="Preferred terms in the other language.")


INCLUDES_UNREVIEWED = "Whether unreviewed candidates were used (asked for, and allowed to this user)."


class RecognizeResponse(Model):
    includes_unreviewed: bool = Field(description=INCLUDES_UNREVIEWED)
    matches: list[RecognizedTerm]


class QARequest(Body):
    source: Annotated[str, Field(max_length=MAX_SEGMENT_LENGTH)]
    target: Annotated[str, Field(max_length=MAX_SEGMENT_LENGTH)]
    include_unapproved: bool = Field(default=False, description=UNREVIEWED_PARAMETER)
    offsets: OffsetUnit = "codepoint"


class QAIssue(Model):
    kind: Literal["missing_term", "deprecated_term"]
    side: Literal["source", "target"]
    start: int
    end: int
    text: str
    term_id: int
    concept_id: int
    usage_status: UsageStatus
    message: str
    suggestions: list[Equivalent]
    reviewed: bool = Field(description="False when an unreviewed candidate entry or term raised the issue.")


class QAResponse(Model):
    includes_unreviewed: bool = Field(description=INCLUDES_UNREVIEWED)
    issues: list[QAIssue]
