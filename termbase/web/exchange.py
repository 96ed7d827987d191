"""Export (anyone who may read) and import with a dry-run preview (editors).

Import is two steps: the uploaded file is checked in a dry run and kept in a private
folder under a random token; the preview shows what would happen, and confirming
imports that same file (POST-redirect-GET). Tokens are bound to the user's session and
files older than a day are removed.
"""

from __future__ import annotations

import secrets
import tempfile
import time
from pathlib import Path
from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    stream_with_context,
    url_for,
)

from termbase.auth import Permission, actor_name, can, requires
from termbase.exchange import exporting
from termbase.exchange.importing import ImportReport, import_file
from termbase.services.errors import Invalid, ServiceError
from termbase.tbx.vocab import DEFAULT_LANG_CODES, parse_lang_codes
from termbase.web import bp
from termbase.web.helpers import db

PENDING_KEY = "pending_import"
PENDING_MAX_AGE = 24 * 3600
ACCEPT = ".tbx,.xml,.csv,.tsv,.tab,.txt,.utf8"
FORMAT_LABELS = {
    "tbx-basic-2008": "TBX-Basic 2008 (memoQ, Trados, Phrase, OmegaT, Weblate)",
    "tbx-basic-v3": "TBX-Basic v3 (ISO 30042:2019)",
    "csv": "CSV glossary (spreadsheets)",
    "tsv": "Tab-separated glossary for OmegaT (named .utf8, which OmegaT 3.6 and later load)",
}
STATUS_LABELS = {
    "approved": "Approved entries",
    "candidate": "Candidates only",
    "all": "Approved and candidates",
}


def _default_cap() -> int:
    return min(int(current_app.config["EXPORT_CONTEXT_CAP"]), exporting.MAX_CONTEXT_CAP)


def _export_form(values: dict[str, Any], error: str | None = None, status: int = 200) -> Any:
    statuses = list(STATUS_LABELS) if can(Permission.READ_ALL) else ["approved"]
    return (
        render_template(
            "exchange/export.html",
            values=values,
            error=error,
            formats=FORMAT_LABELS,
            statuses={s: STATUS_LABELS[s] for s in statuses},
            default_codes=DEFAULT_LANG_CODES,
            max_cap=exporting.MAX_CONTEXT_CAP,
        ),
        status,
    )


def _form_values() -> dict[str, Any]:
    args = request.args
    return {
        "format": args.get("format", exporting.ExportFormat.TBX_2008.value),
        "status": args.get("status", exporting.StatusFilter.APPROVED.value),
        "min_confidence": args.get("min_confidence", "").strip(),
        "document": args.get("document", "").strip(),
        "lang_codes": args.get("lang_codes", "").strip(),
        "context_cap": args.get("context_cap", "").strip() or str(_default_cap()),
        # A checkbox after a hidden "0": unchecked sends only the 0; a first visit sends nothing (on).
        "for_cat_tools": args.getlist("for_cat_tools")[-1:] != ["0"],
    }


@bp.get("/export")
@requires(Permission.READ_APPROVED)
def export() -> Any:
    """The export form."""
    return _export_form(_form_values())


@bp.get("/export/download")
@requires(Permission.READ_APPROVED)
def export_download() -> Any:
    """Stream the chosen export as a download; a bad choice re-shows the form with the reason."""
    values = _form_values()
    if values["status"] != exporting.StatusFilter.APPROVED and not can(Permission.READ_ALL):
        abort(
            403, description="Only approved entries may be exported without a login that may read candidates."
        )
    try:
        options = _options(values)
        stream = exporting.export_stream(db(), options)
    except Invalid as exc:
        return _export_form(values, exc.message, 400)
    response = Response(stream_with_context(stream), content_type=exporting.content_type(options))
    response.headers["Content-Disposition"] = f'attachment; filename="{exporting.filename(options)}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _options(values: dict[str, Any]) -> exporting.ExportOptions:
    try:
        min_confidence = float(values["min_confidence"]) if values["min_confidence"] else None
    except ValueError:
        raise Invalid("Minimum confidence must be a number between 0 and 1.") from None
    try:
        cap = int(values["context_cap"])
    except ValueError:
        raise Invalid(
            f"Context sentences must be a whole number from 0 to {exporting.MAX_CONTEXT_CAP}."
        ) from None
    try:
        codes = parse_lang_codes(values["lang_codes"])
    except ValueError as exc:
        raise Invalid(str(exc)) from None
    return exporting.ExportOptions(
        format=values["format"],
        status=values["status"],
        min_confidence=min_confidence,
        document=values["document"] or None,
        lang_codes=codes,
        context_cap=cap,
        for_cat_tools=bool(values["for_cat_tools"]),
    )


# -- import ----------------------------------------------------------------------------------


def _pending_dir() -> Path:
    base = current_app.config.get("INGEST_TMP") or tempfile.gettempdir()
    folder = Path(base) / "termbase-imports"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _sweep(folder: Path) -> None:
    cutoff = time.time() - PENDING_MAX_AGE
    for path in folder.glob("*.upload"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            pass


def _pending_path(token: str) -> Path:
    if not token.replace("-", "").replace("_", "").isalnum():
        abort(400, description="bad import token")
    return _pending_dir() / f"{token}.upload"


def _import_form(error: str | None = None, status: int = 200, report: ImportReport | None = None) -> Any:
    max_bytes = current_app.config.get("MAX_CONTENT_LENGTH")
    return (
        render_template(
            "exchange/import.html", error=error, report=report, accept=ACCEPT, max_bytes=max_bytes
        ),
        status,
    )


@bp.get("/import")
@requires(Permission.EDIT)
def import_page() -> Any:
    """The import form."""
    return _import_form()


@bp.post("/import")
@requires(Permission.EDIT)
def import_preview() -> Any:
    """Check the upload in a dry run and show what importing it would do."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _import_form("Choose a file to import.", 400)
    default_status = request.form.get("default_status", "candidate")
    folder = _pending_dir()
    _sweep(folder)
    _discard_pending()
    token = secrets.token_urlsafe(18)
    path = folder / f"{token}.upload"
    upload.save(path)
    name = Path(upload.filename).name or "upload"
    try:
        report = import_file(
            db(), path, filename=name, dry_run=True, actor=actor_name(), default_status=default_status
        )
    except ServiceError as exc:
        db().rollback()
        path.unlink(missing_ok=True)
        return _import_form(_with_details(exc), 400)
    finally:
        db().rollback()  # a dry run writes nothing; end its transaction
    session[PENDING_KEY] = {"token": token, "filename": name, "default_status": default_status}
    return render_template("exchange/preview.html", report=report, token=token)


@bp.post("/import/confirm")
@requires(Permission.EDIT)
def import_confirm() -> Any:
    """Import the file the preview checked, then go back to the import page."""
    pending = session.get(PENDING_KEY) or {}
    token = request.form.get("token", "")
    if not token or not secrets.compare_digest(str(pending.get("token", "")), token):
        flash("That preview has expired; upload the file again.", "warning")
        return redirect(url_for("web.import_page"))
    path = _pending_path(token)
    if not path.exists():
        session.pop(PENDING_KEY, None)
        flash("That preview has expired; upload the file again.", "warning")
        return redirect(url_for("web.import_page"))
    name = str(pending.get("filename") or "upload")
    try:
        report = import_file(
            db(),
            path,
            filename=name,
            dry_run=False,
            actor=actor_name(),
            default_status=str(pending.get("default_status") or "candidate"),
        )
        db().commit()
    except ServiceError as exc:
        db().rollback()
        flash("Nothing was imported: " + _with_details(exc), "error")
        return redirect(url_for("web.import_page"))
    finally:
        _discard_pending()
    flash(report.summary(), "success")
    return redirect(url_for("web.import_page"))


@bp.post("/import/cancel")
@requires(Permission.EDIT)
def import_cancel() -> Any:
    _discard_pending()
    flash("Import cancelled; nothing was written.", "info")
    return redirect(url_for("web.import_page"))


def _discard_pending() -> None:
    pending = session.pop(PENDING_KEY, None)
    if pending and pending.get("token"):
        _pending_path(str(pending["token"])).unlink(missing_ok=True)


def _with_details(exc: ServiceError) -> str:
    where = [f"{key} {exc.details[key]}" for key in ("line", "element") if exc.details.get(key) is not None]
    return f"{exc.message} ({', '.join(where)})" if where else exc.message
