"""Prepare a document: a Chinese text to translate becomes its job glossary.

The text (an uploaded file of any format ingest reads, or a paste) is stored as a document,
its known terms are cited and its new terms proposed as entries that need a rendering
(:mod:`termbase.services.preparing`); the glossary page lists both and exports them for the
CAT tool as TBX or CSV (TBX through the ordinary export, filtered by the document; CSV written here, so that the
entries still without English are in it too).
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import current_app, redirect, render_template, request, url_for

from termbase.auth import Permission, actor_name, requires
from termbase.ingest.manifest import Metadata
from termbase.ingest.readers import slugify
from termbase.services import ingesting, preparing
from termbase.services.errors import ServiceError
from termbase.web import bp
from termbase.web.helpers import db
from termbase.web.upload import ACCEPT

MAX_PASTE = 200_000


def _form(error: str | None = None, status: int = 200, **values: Any) -> Any:
    return (
        render_template("prepare/index.html", error=error, accept=ACCEPT, max_paste=MAX_PASTE, values=values),
        status,
    )


@bp.get("/prepare")
@requires(Permission.EDIT)
def prepare() -> Any:
    return _form()


@bp.post("/prepare")
@requires(Permission.EDIT)
def prepare_post() -> Any:
    title = request.form.get("title", "").strip()[:500] or None
    text = request.form.get("text", "")
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        files = [(upload.filename, upload.read())]
    elif text.strip():
        if len(text) > MAX_PASTE:
            return _form(
                f"The text is longer than {MAX_PASTE:,} characters; upload it as a file.", 400, title=title
            )
        data = text.encode("utf-8")
        slug = slugify(title) if title else f"prepared-{hashlib.sha256(data).hexdigest()[:10]}"
        files = [(f"{slug}.txt", data)]
    else:
        return _form("Choose a file or paste the text to translate.", 400, title=title, text=text)
    session = db()
    actor = actor_name()
    try:
        report = ingesting.ingest_upload(
            session,
            files,
            actor=actor,
            max_bytes=int(current_app.config.get("MAX_INGEST_BYTES") or 64 * 1024 * 1024),
            metadata=Metadata(title=title),
        )
        slug = report.documents[0].slug
        preparing.propose_source_terms(session, document_slug=slug, actor=actor)
        session.commit()
    except ServiceError as exc:
        session.rollback()
        where = exc.details.get("file")
        message = f"{where}: {exc.message}" if where else exc.message
        return _form(message, 400, title=title, text=text)
    return redirect(url_for("web.prepared", slug=slug))


@bp.get("/prepare/<slug>")
@requires(Permission.READ_ALL)
def prepared(slug: str) -> Any:
    glossary = preparing.job_glossary(db(), slug)
    return render_template("prepare/glossary.html", glossary=glossary)


@bp.get("/prepare/<slug>/glossary.csv")
@requires(Permission.READ_ALL)
def prepared_csv(slug: str) -> Any:
    glossary = preparing.job_glossary(db(), slug)
    response = current_app.response_class(preparing.glossary_csv(glossary), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{slug}-glossary.csv"'
    return response
