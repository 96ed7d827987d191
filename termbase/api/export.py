"""Exports: the same TBX and CSV/TSV files as ``termbase export``, streamed."""

from __future__ import annotations

from typing import Annotated, Literal

from flask import Response, current_app, stream_with_context
from flask_login import current_user
from pydantic import Field
from werkzeug.exceptions import Forbidden, Unauthorized

from termbase.api import schemas
from termbase.api.routing import operation
from termbase.auth import Permission, can
from termbase.exchange import exporting
from termbase.extensions import get_session
from termbase.services.errors import Invalid, NotFound

MEDIA_TYPES = ("application/x-tbx+xml", "text/csv", "text/tab-separated-values")


class ExportQuery(schemas.Model):
    format: Literal["tbx-basic-2008", "tbx-basic-v3", "csv", "tsv"] = Field(
        default="tbx-basic-2008", description="TBX-Basic 2008 (most CAT tools), TBX-Basic v3, CSV or TSV."
    )
    status: Literal["approved", "candidate", "all"] = Field(
        default="approved", description="`candidate` and `all` need a login that may read candidates."
    )
    min_confidence: Annotated[float, Field(ge=0, le=1)] | None = Field(
        default=None, description="Leave out extracted concepts scored lower; entries without a score pass."
    )
    document: Annotated[str, Field(min_length=1, max_length=200, pattern=schemas.NO_NUL)] | None = Field(
        default=None, description="Only concepts cited in the document with this slug."
    )
    context_cap: Annotated[int, Field(ge=0, le=exporting.MAX_CONTEXT_CAP)] | None = Field(
        default=None, description="Context sentences per term (default: the server's setting)."
    )
    for_cat_tools: bool = Field(
        default=False,
        description="TBX for a CAT tool: deprecated and superseded terms only named in an `avoid` note.",
    )


assert {f.value for f in exporting.ExportFormat} == {"tbx-basic-2008", "tbx-basic-v3", "csv", "tsv"}


@operation(
    "GET",
    "/export",
    summary="Export the termbase",
    tag="export",
    permission=Permission.READ_APPROVED,
    query=ExportQuery,
    errors=(400, 401, 403, 404),
    media_types=MEDIA_TYPES,
)
def export(query: ExportQuery) -> Response:
    """Stream TBX or CSV/TSV, as the CLI writes it; rejected entries are never exported.

    404 when nothing matches the filters or the document is unknown.
    """
    if query.status != "approved" and not can(Permission.READ_ALL):
        if not current_user.is_authenticated:
            raise Unauthorized("exporting candidates needs an API token")
        raise Forbidden("exporting candidates needs a login that may read them")
    options = exporting.ExportOptions(
        format=query.format,
        status=query.status,
        min_confidence=query.min_confidence,
        document=query.document,
        context_cap=(
            query.context_cap
            if query.context_cap is not None
            else min(int(current_app.config["EXPORT_CONTEXT_CAP"]), exporting.MAX_CONTEXT_CAP)
        ),
        for_cat_tools=query.for_cat_tools,
    )
    session = get_session()
    try:
        chunks = exporting.export_stream(session, options)
    except Invalid as exc:  # nothing to export, or no such document: the export does not exist
        raise NotFound(exc.message, details=exc.details) from None
    response = Response(stream_with_context(chunks), content_type=exporting.content_type(options))
    response.headers["Content-Disposition"] = f'attachment; filename="{exporting.filename(options)}"'
    return response
