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
from pathlib import PurePath
from types import ModuleType
from typing import Any

from flask import current_app, render_template, request, stream_template, url_for

from termbase.auth import Permission, actor_name, requires
from termbase.services import preparing
from termbase.services.errors import ServiceError
from termbase.text.lang import is_chinese, normalize_language_tag
from termbase.text.wording import counted
from termbase.web import bp
from termbase.web.helpers import db, is_partial

ACCEPT = ".txt,.text,.tmx,.tsv,.tab,.xml,.html,.htm,.xhtml,.docx,.pdf,.xlf,.xliff,.sdlxliff,.mqxliff"
SLOW_BYTES = 512 * 1024  # from this size, say that a file is being read before the result comes


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
        stream_template(
            template,
            steps=_run(
                ingesting,
                _service("extraction"),
                files,
                pair=request.form.get("pair") == "1",
                max_bytes=int(current_app.config.get("MAX_INGEST_BYTES") or 64 * 1024 * 1024),
            ),
            files=files,
        )
    )
    response.headers["X-Accel-Buffering"] = "no"  # let proxies pass each step on at once
    response.headers["Cache-Control"] = "no-store"
    return response


def _language_pair_key(name: str) -> tuple[str, str] | None:
    """``("report", "zh")`` for ``report.zh.txt`` (any Chinese or English tag), else None."""
    parts = PurePath(name).name.split(".")
    language = normalize_language_tag(parts[-2]) if len(parts) >= 3 else None
    if language is None:
        return None
    return ".".join(parts[:-2]), "zh" if is_chinese(language) else "en"


def _batches(files: list[tuple[str, bytes]], pair: bool) -> list[list[tuple[str, bytes]]]:
    """One ingest call per document: two files that are one text's two sides (by the box, or by
    names such as NAME.zh.txt and NAME.en.txt) go together, every other file alone."""
    if pair and len(files) == 2:
        return [files]
    sides: dict[str, dict[str, tuple[str, bytes]]] = {}
    for file in files:
        if (key := _language_pair_key(file[0])) is not None:
            sides.setdefault(key[0], {}).setdefault(key[1], file)
    batches: list[list[tuple[str, bytes]]] = []
    paired: set[str] = set()
    for file in files:
        key = _language_pair_key(file[0])
        found = sides.get(key[0], {}) if key else {}
        if key and "zh" in found and "en" in found:
            if key[0] not in paired:
                paired.add(key[0])
                batches.append([found["zh"], found["en"]])
        else:
            batches.append([file])
    return batches


def _run(
    ingesting: ModuleType,
    extraction: ModuleType | None,
    files: list[tuple[str, bytes]],
    *,
    pair: bool,
    max_bytes: int,
) -> Iterator[Any]:
    """Do the work, yielding a Step after each stage and a Summary at the end; never raises.

    Each document is committed on its own, so one unreadable file does not cost the others.
    """
    session = db()
    actor = actor_name()
    total = sum(len(data) for _, data in files)
    yield Step(f"Received {len(files)} file{'s' if len(files) != 1 else ''} ({_size(total)}).")
    summary = Summary(ok=True)
    failures = 0
    for batch in _batches(files, pair):
        names = " + ".join(name for name, _ in batch)
        size = sum(len(data) for _, data in batch)
        if size >= SLOW_BYTES or PurePath(batch[0][0]).suffix.lower() in (".pdf", ".docx"):
            yield Step(f"Reading {names} ({_size(size)}): finding its layout and aligning it…", kind="note")
        try:
            report = ingesting.ingest_upload(session, batch, actor=actor, max_bytes=max_bytes)
            session.commit()
        except ServiceError as exc:
            session.rollback()
            failures += 1
            yield Step(f"{names}: not stored. {_with_details(exc)}", kind="error")
            continue
        except Exception:  # the page is already streaming; report instead of breaking it
            session.rollback()
            failures += 1
            current_app.logger.exception("upload: ingest of %s failed", names)
            yield Step(
                f"{names}: not stored; the file could not be read (the error was logged).", kind="error"
            )
            continue
        for result in report.documents:
            doc = _document(result)
            summary.documents.append(doc)
            yield Step(doc["line"], kind="done" if doc["changed"] else "note")
            if not doc["changed"]:
                continue
            if extraction is None:
                yield Step("Term extraction is not available; the document is stored.", kind="note")
                continue
            yield from _extract(extraction, session, doc, actor, summary)
    if failures and not summary.documents:
        summary.ok = False
        summary.message = "None of the files could be stored; see the messages above."
    yield summary


def _extract(
    extraction: ModuleType, session: Any, doc: dict[str, Any], actor: str | None, summary: Summary
) -> Iterator[Step]:
    try:
        result = extraction.extract(session, document_slug=doc["slug"], actor=actor)
        session.commit()
    except ServiceError as exc:
        session.rollback()
        yield Step(f"Extraction failed for “{doc['title']}”: {_with_details(exc)}", kind="error")
        return
    except Exception:
        session.rollback()
        current_app.logger.exception("upload: extraction failed for %s", doc["slug"])
        yield Step(f"Extraction failed for “{doc['title']}” (the error was logged).", kind="error")
        return
    if doc["layout"] == "zh-only":  # a text to translate: propose its new terms as needing a rendering
        try:
            proposed = preparing.propose_source_terms(
                session, document_slug=doc["slug"], actor=actor, cite=False
            )
            session.commit()
        except ServiceError as exc:
            session.rollback()
            yield Step(f"No glossary for “{doc['title']}”: {_with_details(exc)}", kind="error")
        else:
            result.new_concepts += proposed.new_candidates
            yield Step(
                f"“{doc['title']}” is Chinese only: {proposed.new_candidates} new terms need a rendering; "
                f"its job glossary is at {url_for('web.prepared', slug=doc['slug'])}"
            )
    doc["candidates"] = result.new_concepts
    summary.new_candidates += result.new_concepts
    summary.new_variants += result.new_variants
    summary.new_citations += result.new_citations
    yield Step(
        f"“{doc['title']}”: {counted(result.new_concepts, 'new candidate entry')}, "
        f"{counted(result.new_variants, 'variant proposal')}, {counted(result.new_citations, 'new citation')}."
    )


def _size(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return f"{n} bytes"


def _with_details(exc: ServiceError) -> str:
    where = ", ".join(f"{k} {v}" for k, v in exc.details.items() if k in {"file", "line", "field"})
    return f"{where}: {exc.message}" if where else exc.message


STATUS_LABELS = {
    "new": "stored as a new document",
    "new-version": "stored as a new version (earlier citations keep their text)",
    "unchanged": "unchanged since it was last read: nothing to do",
    "updated": "unchanged text; details brought up to date",
}


def _document(result: Any) -> dict[str, Any]:
    """One ingested document, as a plain dict for the template."""
    changed = result.status in ("new", "new-version")
    line = f"“{result.title}”: {STATUS_LABELS.get(result.status, result.status)}"
    if changed:
        line += f"; {counted(result.segments, 'segment')}, {counted(result.pairs, 'aligned pair')}"
    return {
        "slug": result.slug,
        "title": result.title,
        "layout": result.layout,
        "action": STATUS_LABELS.get(result.status, result.status),
        "changed": changed,
        "line": line + (f" ({result.note})" if getattr(result, "note", None) else "") + ".",
        "url": url_for("web.document", slug=result.slug),
        "review_url": url_for("web.review", document=result.slug),
    }
