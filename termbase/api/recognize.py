"""Term recognition in a segment, and terminology QA of a translation."""

from __future__ import annotations

from collections.abc import Callable

from termbase.api import schemas
from termbase.api.routing import operation
from termbase.auth import Permission, can
from termbase.extensions import get_session
from termbase.services import qa as qa_service
from termbase.services import recognition
from termbase.services.recognition import Equivalent

TAG = "recognition"


def offset_converter(text: str, unit: schemas.OffsetUnit) -> Callable[[int], int]:
    """Map code-point offsets to the unit the client counts in (UTF-16 for JavaScript, Java, .NET)."""
    if unit == "codepoint" or text.isascii() or all(ord(c) < 0x10000 for c in text):
        return lambda offset: offset
    extra = [0]
    for char in text:
        extra.append(extra[-1] + (1 if ord(char) >= 0x10000 else 0))
    return lambda offset: offset + extra[offset]


def _equivalents(found: tuple[Equivalent, ...]) -> list[schemas.Equivalent]:
    return [
        schemas.Equivalent(
            term_id=e.term_id,
            language=e.language,  # type: ignore[arg-type]
            text=e.text,
            usage_status=e.usage_status,  # type: ignore[arg-type]
            reviewed=e.reviewed,
        )
        for e in found
    ]


@operation(
    "POST",
    "/recognize",
    summary="Recognize known terms in a segment",
    tag=TAG,
    permission=Permission.READ_APPROVED,
    body=schemas.RecognizeRequest,
    response=schemas.RecognizeResponse,
    errors=(400, 401, 403, 413, 415),
)
def recognize(body: schemas.RecognizeRequest) -> schemas.RecognizeResponse:
    """Every known term in a Chinese or English text: leftmost-longest, non-overlapping.

    English matches whole words whatever the case, plural or hyphenation; Chinese
    matches in Traditional or Simplified. Each match carries its offsets, the form
    as written, its concept and status, and the preferred term(s) in the other language.
    A span that is a term of several concepts is reported once per concept.

    Only approved entries and accepted terms are used unless ``include_unapproved`` is
    set; then every match and equivalent says whether it is ``reviewed``. The longest
    known term owns its span: a shorter approved term inside a longer unreviewed one is
    not offered in its place.
    """
    include_unapproved = body.include_unapproved and can(Permission.READ_ALL)
    matches = recognition.recognize(get_session(), body.text, include_unapproved=include_unapproved)
    at = offset_converter(body.text, body.offsets)
    return schemas.RecognizeResponse(
        matches=[
            schemas.RecognizedTerm(
                start=at(m.start),
                end=at(m.end),
                text=m.text,
                term_id=m.term_id,
                term_text=m.term_text,
                language=m.language,  # type: ignore[arg-type]
                usage_status=m.usage_status,  # type: ignore[arg-type]
                review=m.review,  # type: ignore[arg-type]
                concept_id=m.concept_id,
                concept_status=m.concept_status,  # type: ignore[arg-type]
                reviewed=m.reviewed,
                equivalents=_equivalents(m.equivalents),
            )
            for m in matches
        ],
        includes_unreviewed=include_unapproved,
    )


@operation(
    "POST",
    "/qa",
    summary="Check a translation's terminology",
    tag=TAG,
    permission=Permission.READ_APPROVED,
    body=schemas.QARequest,
    response=schemas.QAResponse,
    errors=(400, 401, 403, 413, 415),
)
def qa(body: schemas.QARequest) -> schemas.QAResponse:
    """Terminology problems of ``target`` as a translation of ``source``, against approved entries.

    Reports a source term none of whose approved target terms occurs in the target
    (``missing_term``, offsets into the source) and a deprecated or superseded term
    used in the target (``deprecated_term``, offsets into the target). The longest
    term in the source is the one checked. With ``include_unapproved`` candidates are
    checked too, and their issues have ``reviewed`` false.
    """
    include_unapproved = body.include_unapproved and can(Permission.READ_ALL)
    issues = qa_service.check(get_session(), body.source, body.target, include_unapproved=include_unapproved)
    converters = {
        "source": offset_converter(body.source, body.offsets),
        "target": offset_converter(body.target, body.offsets),
    }
    return schemas.QAResponse(
        issues=[
            schemas.QAIssue(
                kind=i.kind,  # type: ignore[arg-type]
                side=i.side,  # type: ignore[arg-type]
                start=converters[i.side](i.start),
                end=converters[i.side](i.end),
                text=i.text,
                term_id=i.term_id,
                concept_id=i.concept_id,
                usage_status=i.usage_status,  # type: ignore[arg-type]
                message=i.message,
                suggestions=_equivalents(i.suggestions),
                reviewed=i.reviewed,
            )
            for i in issues
        ],
        includes_unreviewed=include_unapproved,
    )
