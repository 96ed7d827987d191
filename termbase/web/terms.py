"""Term edits on an entry: add, edit, remove, accept or reject one term."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, render_template, request

from termbase.auth import Permission, actor_name, requires
from termbase.models import Concept, Term
from termbase.records import TermReview, UsageStatus
from termbase.services import concepts as concept_service
from termbase.services.errors import Conflict, Invalid
from termbase.web import bp
from termbase.web.conflicts import guarded, is_response, term_form_fields
from termbase.web.entries import field_error, headline, load_concept, redirect_to_concept
from termbase.web.forms import (
    EditTermForm,
    NewTermForm,
)
from termbase.web.helpers import concept_form_version, db, form_version, safe_next

# ---------------------------------------------------------------- terms


@bp.post("/concepts/<int:concept_id>/terms")
@requires(Permission.EDIT)
def term_add(concept_id: int) -> Any:
    entry = load_concept(concept_id)
    form = NewTermForm()
    if not form.validate():
        return _term_form_page(entry, form, None, 400)
    seen = form_version()
    data = concept_service.TermInput(
        language=form.language.data,
        text=form.text.data,
        usage_status=form.usage_status.data,
        pinyin=form.pinyin.data or None,
        part_of_speech=form.part_of_speech.data or None,
        term_type=form.term_type.data or None,
        note=(form.note.data or "").strip() or None,
    )
    try:
        result = guarded(
            concept_id,
            seen,
            lambda: concept_service.add_term(db(), concept_id, data, version=seen, actor=actor_name()),
        )
    except (Invalid, Conflict) as exc:
        db().rollback()
        field_error(form, exc, default="text")
        return _term_form_page(load_concept(concept_id), form, None, 400)
    if is_response(result):
        return result
    db().commit()
    flash(f"Added the term “{result.text}”.", "success")
    return redirect_to_concept(concept_id, "terms")


def _term_form_page(entry: Concept, form: Any, term: Term | None, status: int = 200) -> Any:
    return (
        render_template(
            "concepts/term_form.html", concept=entry, headline=headline(entry), form=form, term=term
        ),
        status,
    )


@bp.route("/terms/<int:term_id>/edit", methods=["GET", "POST"])
@requires(Permission.EDIT)
def term_edit(term_id: int) -> Any:
    session = db()
    term = concept_service.get_term(session, term_id)
    entry = load_concept(term.concept_id)
    form = EditTermForm(
        formdata=request.form if request.method == "POST" else None,
        text=term.text,
        usage_status=term.usage_status,
        pinyin=term.pinyin,
        part_of_speech=term.part_of_speech or "",
        term_type=term.term_type or "",
        note=term.note,
        review=term.review,
        version=entry.version,
    )
    if request.method == "POST" and form.validate():
        seen = form_version()
        changes: dict[str, Any] = {
            "text": form.text.data,
            "usage_status": form.usage_status.data,
            "part_of_speech": form.part_of_speech.data or None,
            "term_type": form.term_type.data or None,
            "note": (form.note.data or "").strip() or None,
            "review": form.review.data,
        }
        if term.language.startswith("zh"):
            # An emptied pinyin field means "derive it again from the characters".
            changes["pinyin"] = (form.pinyin.data or "").strip() or None
        try:
            result = guarded(
                entry.id,
                seen,
                lambda: concept_service.update_term(
                    session, term_id, version=seen, actor=actor_name(), **changes
                ),
                term_form_fields(term_id),
            )
        except (Invalid, Conflict) as exc:
            session.rollback()
            field_error(form, exc, default="text")
        else:
            if is_response(result):
                return result
            session.commit()
            flash(f"Saved the term “{result.text}”.", "success")
            return redirect_to_concept(entry.id, "terms")
    return _term_form_page(entry, form, term, 400 if form.errors else 200)


@bp.post("/terms/<int:term_id>/remove")
@requires(Permission.EDIT)
def term_remove(term_id: int) -> Any:
    session = db()
    term = concept_service.get_term(session, term_id)
    concept_id, text = term.concept_id, term.text
    load_concept(concept_id)
    seen = form_version()
    try:
        result = guarded(
            concept_id,
            seen,
            lambda: concept_service.remove_term(session, term_id, version=seen, actor=actor_name()),
        )
    except Invalid as exc:
        session.rollback()
        flash(exc.message, "error")
        return redirect_to_concept(concept_id, "terms")
    if is_response(result):
        return result
    session.commit()
    flash(f"Removed the term “{text}”. The entry's history can restore it.", "success")
    return redirect_to_concept(concept_id, "terms")


def back_to(concept_id: int, term_id: int) -> Any:
    """To the page the decision was made on (the queue keeps its place at the entry), else the entry."""
    target = safe_next(request.form.get("next"))
    if target:
        anchor = request.form.get("anchor") or ""
        return redirect(target + (f"#{anchor}" if anchor.replace("-", "").isalnum() else ""), code=303)
    return redirect_to_concept(concept_id, f"term-{term_id}")


REVIEW_VERBS = {
    TermReview.ACCEPTED.value: "Accepted",
    TermReview.REJECTED.value: "Rejected",
    TermReview.CANDIDATE.value: "Sent back to proposed:",
}
USAGE_WORDS = {
    UsageStatus.PREFERRED.value: "preferred",
    UsageStatus.ADMITTED.value: "admitted",
    UsageStatus.DEPRECATED.value: "deprecated (do not use)",
}


@bp.post("/terms/<int:term_id>/review")
@requires(Permission.EDIT)
def term_review(term_id: int) -> Any:
    """Accept or reject one term or proposed variant of an entry."""
    session = db()
    term = concept_service.get_term(session, term_id)
    review = request.form.get("review", "")
    if review not in REVIEW_VERBS:
        abort(400, description="Choose accept or reject.")
    noun = "variant" if term.review == TermReview.CANDIDATE.value else "term"
    return _one_click(
        term,
        lambda seen: concept_service.review_term(session, term_id, review, version=seen, actor=actor_name()),
        f"{REVIEW_VERBS[review]} the {noun} “{term.text}”. The entry's history can undo this.",
    )


@bp.post("/terms/<int:term_id>/usage")
@requires(Permission.EDIT)
def term_usage(term_id: int) -> Any:
    """Mark one term preferred, admitted or deprecated, in one click."""
    session = db()
    term = concept_service.get_term(session, term_id)
    usage = request.form.get("usage", "")
    if usage not in USAGE_WORDS:
        abort(400, description="Choose preferred, admitted or deprecated.")
    return _one_click(
        term,
        lambda seen: concept_service.set_usage(session, term_id, usage, version=seen, actor=actor_name()),
        f"Marked “{term.text}” {USAGE_WORDS[usage]}. The entry's history can undo this.",
    )


def _one_click(term: Term, change: Callable[[int], Any], done: str) -> Any:
    """Apply a one-click decision on ``term`` against the entry version the page showed."""
    session = db()
    concept_id, term_id = term.concept_id, term.id
    load_concept(concept_id)
    seen = concept_form_version(concept_id)
    try:
        result = guarded(concept_id, seen, lambda: change(seen))
    except Invalid as exc:
        session.rollback()
        flash(exc.message, "error")
        return back_to(concept_id, term_id)
    if is_response(result):
        return result
    session.commit()
    flash(done, "success")
    return back_to(concept_id, term_id)
