"""Upload documents (editors): ingest, extract, and report each step as it happens.

The response is streamed: the browser shows every step (files read, documents stored,
terms extracted per document) as the server finishes it, and the page ends with a
summary of the new candidates. Without JavaScript the streamed page renders as it
arrives; with it, the page's script also shows the upload's own progress bar.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from flask import current_app, render_template, request, stream_template, url_for

from termbase.auth import Permission, actor_name, requires
from termbase.services.errors import ServiceError
from termbase.web import bp
from termbase.web.helpers import db, is_partial

ACCEPT = ".txt,.tmx,.tsv,.tab,.csv,.utf8,.xml"


def _service(name: str) -> ModuleType | None:
    """A service module another part of the project provides, or None while it does not exist."""
    try:
        return importlib.import_module(f"termbase.services.{name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"termbase.services.{name}":
            raise
        return None


@dataclass
class Step:
    """One line of the progress report."""

    text: str
    kind: str = "done"  # "done", "error", "note"
    detail: list[str] = field(default_factory=list)


@dataclass
class Summary:
    ok: bool
    documents: list[dict[str, Any]] = field(default_factory=list)
    new_candidates: int = 0
    new_variants: int = 0
    new_citations: int = 0
    message: str = ""


@bp.get("/upload")
@requires(Permission.EDIT)
def upload() -> Any:
    available = _service("ingesting") is not None
    return render_template(
        "upload/index.html",
        available=available,
        extraction=_service("extraction") is not None,
        accept=ACCEPT,
        max_bytes=current_app.config.get("MAX_INGEST_BYTES") or current_app.config.get("MAX_CONTENT_LENGTH"),
    ), (200 if available else 503)


@bp.post("/upload")
@requires(Permission.EDIT)
def upload_post() -> Any:
    ingesting = _service("ingesting")
    if ingesting is None:
        return upload()
    files = [(f.filename or "upload", f.read()) for f in request.files.getlist("files") if f and f.filename]
    if not files:
        return (
            render_template(
                "upload/index.html",
                available=True,
                extraction=_service("extraction") is not None,
                accept=ACCEPT,
                max_bytes=current_app.config.get("MAX_INGEST_BYTES"),
                error="Choose at least one file.",
            ),
            400,
        )
    template = "upload/_progress.html" if is_partial() else "upload/progress.html"
    response = current_app.response_class(
        stream_template(template, steps=_run(ingesting, _service("extraction"), files), files=files)
    )
    response.headers["X-Accel-Buffering"] = "no"  # let proxies pass each step on at once
    response.headers["Cache-Control"] = "no-store"
    return response


def _run(
    ingesting: ModuleType, extraction: ModuleType | None, files: list[tuple[str, bytes]]
) -> Iterator[Any]:
    """Do the work, yielding a Step after each stage and a Summary at the end; never raises."""
    session = db()
    actor = actor_name()
    total = sum(len(data) for _, data in files)
    yield Step(f"Received {len(files)} file{'s' if len(files) != 1 else ''} ({_size(total)}).")
    try:
        report = ingesting.ingest_upload(session, files, actor=actor)
        session.commit()
    except ServiceError as exc:
        session.rollback()
        yield Step("Nothing was stored: " + _with_details(exc), kind="error")
        yield Summary(ok=False, message=exc.message)
        return
    except Exception:  # the page is already streaming; report instead of breaking it
        session.rollback()
        current_app.logger.exception("upload: ingest failed")
        yield Step("Nothing was stored: the files could not be read (the error was logged).", kind="error")
        yield Summary(ok=False, message="internal error")
        return
    documents = _documents(report)
    for doc in documents:
        yield Step(doc["line"], kind="done" if doc["changed"] else "note")
    summary = Summary(ok=True, documents=documents)
    changed = [d for d in documents if d["changed"] and d.get("slug")]
    if extraction is None:
        yield Step("Term extraction is not available yet; the documents are stored.", kind="note")
    for doc in changed:
        yield Step(f"Extracting terms from “{doc['title']}”…", kind="note")
        try:
            result = (
                extraction.extract(session, document_slug=doc["slug"], actor=actor) if extraction else None
            )
            session.commit()
        except ServiceError as exc:
            session.rollback()
            yield Step(f"Extraction failed for “{doc['title']}”: {_with_details(exc)}", kind="error")
            continue
        except Exception:
            session.rollback()
            current_app.logger.exception("upload: extraction failed for %s", doc["slug"])
            yield Step(f"Extraction failed for “{doc['title']}” (the error was logged).", kind="error")
            continue
        counts = _extraction_counts(result)
        summary.new_candidates += counts.get("new_candidates", 0)
        summary.new_variants += counts.get("new_variants", 0)
        summary.new_citations += counts.get("new_citations", 0)
        doc["candidates"] = counts.get("new_candidates", 0)
        yield Step(
            f"“{doc['title']}”: {counts.get('new_candidates', 0)} new candidates, "
            f"{counts.get('new_variants', 0)} variant proposals, {counts.get('new_citations', 0)} new citations."
        )
    yield summary


def _size(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return f"{n} bytes"


def _with_details(exc: ServiceError) -> str:
    where = ", ".join(f"{k} {v}" for k, v in exc.details.items() if k in {"file", "line", "field"})
    return f"{where}: {exc.message}" if where else exc.message


def _documents(report: Any) -> list[dict[str, Any]]:
    """The documents an ingest report describes, as plain dicts for the template."""
    out = []
    for doc in getattr(report, "documents", []) or []:
        slug = getattr(doc, "slug", None)
        title = getattr(doc, "title", None) or slug or "document"
        action = str(getattr(doc, "action", getattr(doc, "status", "stored")))
        segments = getattr(doc, "segments", None)
        changed = action not in {"unchanged", "skipped"}
        line = f"“{title}”: {action}"
        if isinstance(segments, int):
            line += f", {segments} segments"
        out.append(
            {
                "slug": slug,
                "title": title,
                "action": action,
                "changed": changed,
                "line": line + ".",
                "url": url_for("web.document", slug=slug) if slug else None,
            }
        )
    return out


def _extraction_counts(result: Any) -> dict[str, int]:
    counts = {}
    for name in ("new_candidates", "new_variants", "new_citations"):
        value = getattr(result, name, 0)
        counts[name] = value if isinstance(value, int) else len(value or [])
    return counts
