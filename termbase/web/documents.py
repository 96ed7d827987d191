"""Documents: the list, and each one as aligned bilingual text with known terms linked to their entries."""

from __future__ import annotations

from typing import Any

from flask import render_template, request

from termbase.auth import Permission, requires
from termbase.services import documents as document_service
from termbase.web import bp
from termbase.web.helpers import db, int_arg, optional_int, read_all

PAGE_SIZE = document_service.DEFAULT_PAGE_SIZE


@bp.get("/documents")
@requires(Permission.READ_APPROVED)
def documents() -> Any:
    return render_template(
        "documents/list.html",
        documents=document_service.list_documents(db(), include_old_versions=read_all()),
    )


@bp.get("/documents/<slug>")
@requires(Permission.READ_APPROVED)
def document(slug: str) -> Any:
    offset = int_arg("offset", 0, minimum=0)
    offset -= offset % PAGE_SIZE
    page = document_service.document_page(
        db(),
        slug,
        version=optional_int(request.args.get("v")),
        offset=offset,
        limit=PAGE_SIZE,
        include_unapproved=read_all(),
        highlight=request.args.get("highlight") != "off",
    )
    return render_template(
        "documents/view.html",
        page=page,
        doc=page.document,
        highlight=request.args.get("highlight") != "off",
        page_size=PAGE_SIZE,
    )
