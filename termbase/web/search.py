"""Lookup: the home page. One box for Chinese, pinyin, initials or English; results as you type."""

from __future__ import annotations

from typing import Any

from flask import g, request

from termbase.auth import Permission, requires
from termbase.records import WorkflowStatus
from termbase.services import overview as overview_service
from termbase.services import search as search_service
from termbase.web import bp
from termbase.web.helpers import db, int_arg, is_partial, read_all, render_page_or_partial

PAGE_SIZE = 25
MAX_HIDDEN_COUNT = 20
STATUS_FILTERS = {
    "": None,
    "approved": (WorkflowStatus.APPROVED.value,),
    "candidate": (WorkflowStatus.CANDIDATE.value,),
    "rejected": (WorkflowStatus.REJECTED.value,),
    "all": tuple(s.value for s in WorkflowStatus),
}
FIELD_LABELS = {"zh": "Chinese", "en": "English", "pinyin": "pinyin", "initials": "pinyin initials"}
QUERY_LANGUAGE_LABELS = {"zh": "Chinese, pinyin or initials", "en": "English"}


def _filters() -> search_service.Filters:
    """The lookup's filters from the URL; unknown values are ignored rather than refused."""
    language = request.args.get("lang", "")
    return search_service.Filters(
        subject_field=request.args.get("subject", "").strip()[:200] or None,
        document=request.args.get("document", "").strip()[:200] or None,
        language=language if language in search_service.QUERY_LANGUAGES else None,
    )


@bp.get("/")
@requires(Permission.READ_APPROVED)
def index() -> Any:
    q = search_service.clean_query(request.args.get("q"))
    page = int_arg("page", 1, minimum=1, maximum=10_000)
    status = request.args.get("status", "")
    full_access = read_all()
    if status not in STATUS_FILTERS or not full_access:
        status = ""
    filters = _filters()
    results = None
    if q:
        results = search_service.search(
            db(),
            q,
            include_unapproved=full_access,
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
            statuses=STATUS_FILTERS[status],
            filters=filters,
        )
    overview = None
    if not q:
        overview = overview_service.overview(db(), include_unapproved=full_access)
        g.lookup_examples = overview.examples  # the placeholder shows the same examples
    hidden = 0
    if results is not None and results.empty and not full_access and not filters.active:
        # Say that unreviewed entries exist (not what they are), so visitors know logging in helps.
        unreviewed = search_service.search(db(), q, include_unapproved=True, limit=MAX_HIDDEN_COUNT)
        hidden = len(unreviewed.hits)
    documents = search_service.document_choices(db())
    return render_page_or_partial(
        "search/index.html",
        "search/_results.html",
        q=q,
        page=page,
        status=status,
        results=results,
        full_access=full_access,
        field_labels=FIELD_LABELS,
        hidden=hidden,
        overview=overview,
        filters=filters,
        # The filter row is not part of the live-search fragment: its choices only for whole pages.
        subject_fields=[]
        if is_partial()
        else search_service.subject_fields(db(), include_unapproved=full_access),
        documents=documents,
        document_titles=dict(documents),
        query_languages=QUERY_LANGUAGE_LABELS,
        more_hidden=hidden >= MAX_HIDDEN_COUNT,
    )
