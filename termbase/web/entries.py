"""Entry pages: reading, creating, editing, approving, deleting an entry; comments and reverts.

Edits go through ``conflicts.guarded``: a stale form becomes the conflict page.
"""

from __future__ import annotations

from typing import Any

from babel import Locale, UnknownLocaleError
from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from termbase.auth import Permission, actor_name, can, requires
from termbase.models import Concept, HistoryEntry, Segment, Term
from termbase.records import LANGUAGES, TermReview, WorkflowStatus
from termbase.services import citing
from termbase.services import concepts as concept_service
from termbase.services import documents as document_service
from termbase.services import search as search_service
from termbase.services.errors import Conflict, Invalid, NotFound
from termbase.services.kept import kept
from termbase.text.normalize import to_simplified
from termbase.text.wording import counted
from termbase.web import bp
from termbase.web.conflicts import CONCEPT_FORM_FIELDS, conflict_page, guarded, is_response
from termbase.web.forms import (
    LANGUAGE_LABELS,
    CommentForm,
    ConceptForm,
    NewConceptForm,
    NewTermForm,
)
from termbase.web.helpers import (
    concept_form_version,
    db,
    form_version,
    int_arg,
    optional_int,
    read_all,
    safe_next,
)
from termbase.web.history import action_label, diff_snapshots, undone_merges

CITATIONS_ON_ENTRY = 10
CITATIONS_PAGE = 50
HISTORY_ON_ENTRY = 6
STATUS_VERBS = {
    WorkflowStatus.APPROVED.value: "Approved",
    WorkflowStatus.REJECTED.value: "Rejected",
    WorkflowStatus.CANDIDATE.value: "Sent back to candidates:",
}


# ---------------------------------------------------------------- loading and display helpers


def load_concept(concept_id: int) -> Concept:
    """The concept if this viewer may see it; 404 otherwise (approved-only viewers never learn of others)."""
    concept = concept_service.get_concept(db(), concept_id)
    if not read_all() and concept.status != WorkflowStatus.APPROVED.value:
        raise NotFound(f"no concept {concept_id}")
    return concept


def visible_terms(concept: Concept) -> list[Term]:
    if read_all():
        return list(concept.terms)
    return [t for t in concept.terms if t.review == TermReview.ACCEPTED.value]


def terms_by_language(terms: list[Term]) -> list[tuple[str, list[Term]]]:
    """Terms grouped Simplified, Traditional, English, then other languages an import kept (by tag);
    preferred first, proposals and rejections last."""
    others = sorted({t.language for t in terms if t.language not in LANGUAGES})
    groups = []
    for language in (*LANGUAGES, *others):
        chosen = [t for t in terms if t.language == language]
        if chosen:
            groups.append((language, sorted(chosen, key=concept_service.display_key)))
    return groups


def headline(concept: Concept) -> str:
    """A short name for an entry: its preferred Chinese and English terms."""
    terms = visible_terms(concept)
    parts = [
        t.text
        for t in (
            search_service.preferred_term(terms, search_service.ZH_LANGUAGES),
            search_service.preferred_term(terms, search_service.EN_LANGUAGES),
        )
        if t is not None
    ]
    return " · ".join(parts) or f"entry {concept.id}"


def redirect_to_concept(concept_id: int, anchor: str | None = None) -> Any:
    return redirect(url_for("web.concept", concept_id=concept_id, _anchor=anchor), code=303)


# ---------------------------------------------------------------- reading


def language_label(tag: str) -> str:
    """A language section's heading: Chinese and English by our own names, any other BCP 47 tag
    an import kept by its English name (Spanish (es)), or the tag itself when unknown."""
    if tag in LANGUAGE_LABELS:
        return LANGUAGE_LABELS[tag]
    try:
        name = Locale.parse(tag, sep="-").get_display_name("en")
    except (ValueError, UnknownLocaleError):
        return tag
    return f"{name} ({tag})" if name else tag


@bp.get("/concepts/<int:concept_id>")
@requires(Permission.READ_APPROVED)
def concept(concept_id: int) -> Any:
    session = db()
    try:
        entry = load_concept(concept_id)
    except NotFound:
        return _gone(concept_id)
    terms = visible_terms(entry)
    full = read_all()
    citations = document_service.concept_citations(
        session, concept_id, include_unapproved=full, limit=CITATIONS_ON_ENTRY
    )
    history = concept_service.history(session, concept_id)[:HISTORY_ON_ENTRY] if full else []
    duplicates = (
        search_service.find_duplicates(session, [(t.language, t.text) for t in terms], exclude=concept_id)
        if full
        else []
    )
    editor = can(Permission.EDIT)
    removed = citing.removed_citations(session, entry) if editor else []
    removed_segments = {
        segment.id: segment
        for segment in session.scalars(
            select(Segment)
            .options(joinedload(Segment.document))
            .where(Segment.id.in_([r.segment_id for r in removed]))
        )
    }
    term_form = NewTermForm(formdata=None, version=entry.version) if editor else None
    comment_form = CommentForm(formdata=None) if can(Permission.COMMENT) else None
    return render_template(
        "concepts/detail.html",
        concept=entry,
        headline=headline(entry),
        groups=terms_by_language(terms),
        definitions={d.language: d for d in entry.definitions},
        definition_order=sorted(
            (d.language for d in entry.definitions),
            key=lambda code: (LANGUAGES.index(code) if code in LANGUAGES else len(LANGUAGES), code),
        ),
        kept=kept(session, concept_id, approved_only=not full),
        citations=citations,
        history=history,
        duplicates=duplicates,
        duplicate_names={d.id: headline(d) for d in duplicates},
        term_form=term_form,
        comment_form=comment_form,
        full=full,
        live_terms=sum(1 for t in entry.terms if t.review != TermReview.REJECTED.value),
        removed_citations=removed,
        removed_segments=removed_segments,
        language_label=language_label,
        action_label=action_label,
        diff=diff_snapshots,
        undone=undone_merges(history),
    )


def _gone(concept_id: int) -> Any:
    """A deleted or merged entry: say so (and offer a restore) to those who may read history."""
    if not read_all():
        abort(404, description=f"There is no entry {concept_id}.")
    entries = concept_service.history(db(), concept_id)
    if not entries:
        abort(404, description=f"There is no entry {concept_id}.")
    last = entries[0]
    merged = (
        concept_service.MERGED_INTO_RE.match(last.summary or "") if last.action == "merged-into" else None
    )
    return (
        render_template(
            "concepts/gone.html",
            concept_id=concept_id,
            last=last,
            merged_into=int(merged.group(1)) if merged else None,
            name=", ".join(t["text"] for t in (last.before or {}).get("terms", [])[:3]),
            action_label=action_label,
        ),
        410,
    )


@bp.get("/concepts/<int:concept_id>/citations")
@requires(Permission.READ_APPROVED)
def concept_citations(concept_id: int) -> Any:
    entry = load_concept(concept_id)
    page = int_arg("page", 1, minimum=1)
    citations = document_service.concept_citations(
        db(),
        concept_id,
        include_unapproved=read_all(),
        offset=(page - 1) * CITATIONS_PAGE,
        limit=CITATIONS_PAGE,
    )
    return render_template(
        "concepts/citations.html",
        concept=entry,
        headline=headline(entry),
        citations=citations,
        page=page,
        per_page=CITATIONS_PAGE,
    )


@bp.get("/concepts/<int:concept_id>/history")
@requires(Permission.READ_ALL)
def concept_history(concept_id: int) -> Any:
    session = db()
    entries = concept_service.history(session, concept_id)
    if not entries:
        abort(404, description=f"Entry {concept_id} has no history.")
    current = session.get(Concept, concept_id)
    return render_template(
        "concepts/history.html",
        concept_id=concept_id,
        concept=current,
        headline=headline(current) if current is not None else f"entry {concept_id}",
        entries=entries,
        action_label=action_label,
        diff=diff_snapshots,
        undone=undone_merges(entries),
    )


# ---------------------------------------------------------------- creating


@bp.route("/concepts/new", methods=["GET", "POST"])
@requires(Permission.EDIT)
def concept_new() -> Any:
    form = NewConceptForm()
    if request.method == "GET":
        form.zh.data = request.args.get("zh", "")[:500]
        form.en.data = request.args.get("en", "")[:500]
    duplicates: list[Concept] = []
    if form.validate_on_submit():
        session = db()
        pairs = [("zh-Hans", form.zh.data or ""), ("en", form.en.data or "")]
        if not any(text.strip() for _, text in pairs):
            form.zh.errors = [*form.zh.errors, "Give at least one term, in Chinese or English."]
        else:
            duplicates = search_service.find_duplicates(session, pairs)
            if not duplicates or request.form.get("confirm_duplicate") == "1":
                created = _create(form)
                if created is not None:
                    cited = citing.cite_concept(session, created.id, version=None, actor=actor_name())
                    session.commit()
                    found = (
                        f" Cited in {counted(cited, 'aligned segment')} of the documents." if cited else ""
                    )
                    flash(f"Created entry {created.id}: {headline(created)}.{found}", "success")
                    return redirect_to_concept(created.id)
    return render_template(
        "concepts/new.html",
        form=form,
        duplicates=duplicates,
        duplicate_names={d.id: headline(d) for d in duplicates},
    )


def _create(form: NewConceptForm) -> Concept | None:
    terms = []
    if (form.zh.data or "").strip():
        terms.append(
            concept_service.TermInput(
                language=_chinese_language(form.zh.data),
                text=form.zh.data,
                usage_status="preferred",
                pinyin=form.zh_pinyin.data or None,
            )
        )
    if (form.en.data or "").strip():
        terms.append(concept_service.TermInput(language="en", text=form.en.data, usage_status="preferred"))
    try:
        return concept_service.create_concept(
            db(),
            terms,
            actor=actor_name(),
            origin="manual",
            status=WorkflowStatus.APPROVED.value if form.approve.data else WorkflowStatus.CANDIDATE.value,
            subject_field=(form.subject_field.data or "").strip() or None,
            note=(form.note.data or "").strip() or None,
            definitions={"zh-Hans": form.definition_zh.data, "en": form.definition_en.data},
        )
    except (Invalid, Conflict) as exc:
        db().rollback()
        field_error(form, exc, default="zh")
        return None


def _chinese_language(text: str) -> str:
    """zh-Hant when the text changes under Traditional-to-Simplified conversion, else zh-Hans."""
    return "zh-Hant" if to_simplified(text) != text else "zh-Hans"


def field_error(form: Any, exc: Invalid | Conflict, default: str) -> None:
    name = exc.details.get("field", default)
    target = getattr(form, name, None) or getattr(form, default)
    target.errors = [*target.errors, exc.message]


# ---------------------------------------------------------------- editing the concept


@bp.route("/concepts/<int:concept_id>/edit", methods=["GET", "POST"])
@requires(Permission.EDIT)
def concept_edit(concept_id: int) -> Any:
    entry = load_concept(concept_id)
    definitions = {d.language: d.text for d in entry.definitions}
    form = ConceptForm(
        formdata=request.form if request.method == "POST" else None,
        subject_field=entry.subject_field,
        note=entry.note,
        definition_zh=definitions.get("zh-Hans", ""),
        definition_en=definitions.get("en", ""),
        version=entry.version,
    )
    if request.method == "POST" and form.validate():
        seen = form_version()

        def change() -> Concept:
            return concept_service.update_concept(
                db(),
                concept_id,
                version=seen,
                actor=actor_name(),
                subject_field=(form.subject_field.data or "").strip() or None,
                note=(form.note.data or "").strip() or None,
                definitions={"zh-Hans": form.definition_zh.data, "en": form.definition_en.data},
            )

        try:
            result = guarded(concept_id, seen, change, CONCEPT_FORM_FIELDS)
        except Invalid as exc:
            db().rollback()
            field_error(form, exc, default="note")
        else:
            if is_response(result):
                return result
            db().commit()
            flash("Saved the entry.", "success")
            return redirect_to_concept(concept_id)
    return render_template("concepts/edit.html", concept=entry, headline=headline(entry), form=form)


@bp.post("/concepts/<int:concept_id>/status")
@requires(Permission.EDIT)
def concept_status(concept_id: int) -> Any:
    status = request.form.get("status", "")
    if status not in STATUS_VERBS:
        abort(400, description="Choose approve, reject or back to candidate.")
    seen = form_version()
    result = guarded(
        concept_id,
        seen,
        lambda: concept_service.set_status(db(), concept_id, status, version=seen, actor=actor_name()),
        CONCEPT_FORM_FIELDS,
    )
    if is_response(result):
        return result
    db().commit()
    flash(f"{STATUS_VERBS[status]} {headline(result)}.", "success")
    target = safe_next(request.form.get("next"))
    return redirect(target, code=303) if target else redirect_to_concept(concept_id)


@bp.route("/concepts/<int:concept_id>/delete", methods=["GET", "POST"])
@requires(Permission.EDIT)
def concept_delete(concept_id: int) -> Any:
    entry = load_concept(concept_id)
    if request.method == "GET":
        return render_template("concepts/delete.html", concept=entry, headline=headline(entry))
    seen = form_version()
    name = headline(entry)
    result = guarded(
        concept_id,
        seen,
        lambda: concept_service.delete_concept(db(), concept_id, version=seen, actor=actor_name()),
    )
    if is_response(result):
        return result
    db().commit()
    flash(
        f"Deleted entry {concept_id} ({name}). Its history keeps it, and it can be restored from there.",
        "success",
    )
    return redirect_to_concept(concept_id)


# ---------------------------------------------------------------- comments and history


@bp.post("/concepts/<int:concept_id>/comments")
@requires(Permission.COMMENT)
def comment_add(concept_id: int) -> Any:
    load_concept(concept_id)
    form = CommentForm()
    if not form.validate():
        flash("Write a comment first (at most 5000 characters).", "error")
        return redirect_to_concept(concept_id, "comments")
    author = actor_name()
    assert author is not None  # commenting needs an account
    try:
        concept_service.add_comment(db(), concept_id, author=author, body=form.body.data)
    except Invalid as exc:
        db().rollback()
        flash(exc.message, "error")
        return redirect_to_concept(concept_id, "comments")
    db().commit()
    flash("Comment added.", "success")
    return redirect_to_concept(concept_id, "comments")


@bp.post("/concepts/<int:concept_id>/citations/<int:segment_id>/remove")
@requires(Permission.EDIT)
def citation_remove(concept_id: int, segment_id: int) -> Any:
    """Stop citing one segment for this entry (a wrong citation); restorable from the entry page."""
    load_concept(concept_id)
    seen = concept_form_version(concept_id)
    target = safe_next(request.form.get("next"))
    anchor = request.form.get("anchor") or ""
    back = (
        redirect(target + (f"#{anchor}" if anchor.isalnum() else ""), code=303)
        if target
        else redirect_to_concept(concept_id, "citations")
    )
    try:
        result = guarded(
            concept_id,
            seen,
            lambda: citing.remove_citation(db(), concept_id, segment_id, version=seen, actor=actor_name()),
        )
    except Invalid as exc:
        db().rollback()
        flash(exc.message, "error")
        return back
    if is_response(result):
        return result
    db().commit()
    flash("Removed the citation. The entry page lists removed citations and can restore them.", "success")
    return back


@bp.post("/concepts/<int:concept_id>/citations/find")
@requires(Permission.EDIT)
def citations_find(concept_id: int) -> Any:
    """Search the documents for aligned segments holding this entry's terms, and cite them."""
    load_concept(concept_id)
    seen = form_version()
    result = guarded(
        concept_id,
        seen,
        lambda: citing.cite_concept(db(), concept_id, version=seen, actor=actor_name()),
    )
    if is_response(result):
        return result
    db().commit()
    if result:
        flash(f"Found {counted(result, 'new aligned segment')} citing this entry.", "success")
    else:
        flash(
            "No new citations: no aligned segment of the current documents holds both a Chinese and "
            "an English term of this entry (removed citations are not brought back).",
            "info",
        )
    return redirect_to_concept(concept_id, "citations")


@bp.post("/history/<int:entry_id>/restore-citation")
@requires(Permission.EDIT)
def citation_restore(entry_id: int) -> Any:
    entry = db().get(HistoryEntry, entry_id)
    if entry is None:
        abort(404, description=f"There is no history entry {entry_id}.")
    concept_id = entry.concept_id
    load_concept(concept_id)
    seen = form_version()
    try:
        result = guarded(
            concept_id,
            seen,
            lambda: citing.restore_citation(db(), entry_id, version=seen, actor=actor_name()),
        )
    except (Invalid, NotFound) as exc:
        db().rollback()
        flash(exc.message, "error")
        return redirect_to_concept(concept_id, "citations")
    if is_response(result):
        return result
    db().commit()
    flash("Restored the citation.", "success")
    return redirect_to_concept(concept_id, "citations")


@bp.post("/history/<int:entry_id>/revert")
@requires(Permission.EDIT)
def history_revert(entry_id: int) -> Any:
    session = db()
    entry = session.get(HistoryEntry, entry_id)
    if entry is None:
        abort(404, description=f"There is no history entry {entry_id}.")
    concept_id = entry.concept_id
    seen = optional_int(request.form.get("version"))
    current = session.get(Concept, concept_id)
    if current is not None and seen is not None and current.version != seen:
        return conflict_page(
            concept_id,
            seen,
            f"Entry {concept_id} changed after you opened its history (you saw version {seen}, "
            f"it is now version {current.version}). Check the changes below before reverting.",
            resubmit=False,
        )
    try:
        # A form without a version comes from a page that showed the entry deleted.
        result = concept_service.revert(
            session, entry_id, actor=actor_name(), version=seen, expect_deleted=seen is None
        )
    except Conflict as exc:
        return conflict_page(concept_id, seen, exc.message, resubmit=False)
    except Invalid as exc:
        session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("web.concept_history", concept_id=concept_id), code=303)
    except (StaleDataError, IntegrityError):  # IntegrityError: restored twice at the same moment
        return conflict_page(
            concept_id, seen, "Someone else saved this entry at the same moment.", resubmit=False
        )
    session.commit()
    if entry.action in ("merge", "merged-into"):
        flash(
            f"Undid the merge: entry {concept_id} and the entry merged with it are back as they were.",
            "success",
        )
    else:
        flash(
            f"Restored entry {concept_id} as it was before change #{entry_id} ({action_label(entry.action)}).",
            "success",
        )
    return redirect_to_concept(result.id)
