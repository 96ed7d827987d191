"""Lookup: the home page. One box for Chinese, pinyin, initials or English; results as you type."""

from __future__ import annotations

from typing import Any

from flask import request

from termbase.auth import Permission, requires
from termbase.records import WorkflowStatus
from termbase.services import search as search_service
from termbase.web import bp
from termbase.web.helpers import db, int_arg, read_all, render_page_or_partial

PAGE_SIZE = 25
STATUS_FILTERS = {
    "": None,
    "approved": (WorkflowStatus.APPROVED.value,),
    "candidate": (WorkflowStatus.CANDIDATE.value,),
    "rejected": (WorkflowStatus.REJECTED.value,),
    "all": tuple(s.value for s in WorkflowStatus),
}
FIELD_LABELS = {"zh": "Chinese", "en": "English", "pinyin": "pinyin", "initials": "pinyin initials"}


@bp.get("/")
@requires(Permission.READ_APPROVED)
def index() -> Any:
    q = search_service.clean_query(request.args.get("q"))
    page = int_arg("page", 1, minimum=1, maximum=10_000)
    status = request.args.get("status", "")
    full_access = read_all()
    if status not in STATUS_FILTERS or not full_access:
        status = ""
    results = None
    if q:
        results = search_service.search(
            db(),
            q,
            include_unapproved=full_access,
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
            statuses=STATUS_FILTERS[status],
        )
    return render_page_or_partial(
        "search/index.html",
        "search/_results.html",
        q=q,
        page=page,
        status=status,
        results=results,
        full_access=full_access,
        field_labels=FIELD_LABELS,
    )
