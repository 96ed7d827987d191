"""Lookup, with the same semantics as the UI's search box."""

from __future__ import annotations

from termbase.api import schemas
from termbase.api.routing import operation
from termbase.auth import Permission, can
from termbase.extensions import get_session
from termbase.records import WorkflowStatus
from termbase.services import search as search_service


@operation(
    "GET",
    "/search",
    summary="Look up terms",
    tag="lookup",
    permission=Permission.READ_APPROVED,
    query=schemas.SearchQuery,
    response=schemas.SearchPage,
    errors=(400, 401, 403),
)
def search(query: schemas.SearchQuery) -> schemas.SearchPage:
    """Chinese in either script, pinyin with or without tones, initials, or English.

    Exact matches rank before prefix matches before substring matches; when nothing
    matches, ``suggestions`` proposes close terms ("did you mean"). Filters (``lang``,
    ``subject_field``, ``document``, ``status``) combine, as the lookup page's do.
    """
    statuses = None
    if query.status == "all":
        statuses = [s.value for s in WorkflowStatus]
    elif query.status:
        statuses = [query.status]
    results = search_service.search(
        get_session(),
        query.q,
        include_unapproved=can(Permission.READ_ALL),
        limit=query.per_page,
        offset=(query.page - 1) * query.per_page,
        contains=query.contains,
        statuses=statuses,
        filters=search_service.Filters(
            subject_field=query.subject_field or None, document=query.document or None, language=query.lang
        ),
    )
    return schemas.SearchPage(
        items=[
            schemas.SearchHit(
                concept_id=hit.concept_id,
                version=hit.version,
                status=hit.status,  # type: ignore[arg-type]
                confidence=hit.confidence,
                zh=hit.zh,
                zh_hant=hit.zh_hant,
                pinyin=hit.pinyin,
                en=hit.en,
                matched_term_id=hit.matched_term_id,
                matched_text=hit.matched_text,
                matched_language=hit.matched_language,  # type: ignore[arg-type]
                usage_status=hit.usage_status,  # type: ignore[arg-type]
                match=hit.match,  # type: ignore[arg-type]
                field=hit.field,  # type: ignore[arg-type]
            )
            for hit in results.hits
        ],
        page=query.page,
        per_page=query.per_page,
        total=results.total,
        has_more=results.has_more,
        query=results.query,
        fields=list(results.fields),
        suggestions=[
            schemas.Suggestion(
                text=s.text,
                language=s.language,  # type: ignore[arg-type]
                pinyin=s.pinyin,
                concept_id=s.concept_id,
                score=s.score,
            )
            for s in results.suggestions
        ],
    )
