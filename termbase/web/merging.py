"""Merging two entries into one and splitting terms off into a new entry."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy.orm.exc import StaleDataError

from termbase.auth import Permission, actor_name, requires
from termbase.models import Concept
from termbase.records import WorkflowStatus
from termbase.services import concepts as concept_service
from termbase.services import search as search_service
from termbase.services.errors import Conflict, Invalid, NotFound
from termbase.web import bp
from termbase.web.conflicts import conflict_page, guarded, is_response
from termbase.web.entries import headline, load_concept, redirect_to_concept, terms_by_language
from termbase.web.helpers import db, form_version, optional_int

# ---------------------------------------------------------------- merge and split


@bp.route("/concepts/<int:concept_id>/merge", methods=["GET", "POST"])
@requires(Permission.EDIT)
def concept_merge(concept_id: int) -> Any:
    session = db()
    entry = load_concept(concept_id)
    if request.method == "POST":
        return _do_merge(concept_id)
    other_arg = (request.args.get("other") or "").strip()
    other_id = optional_int(other_arg.lstrip("#"))
    other = None
    results = None
    if other_id is not None and other_id != concept_id:
        try:
            other = load_concept(other_id)
        except NotFound:
            flash(f"There is no entry {other_id}.", "error")
    elif other_arg and other_id is None:
        results = search_service.search(
            session, other_arg, include_unapproved=True, limit=20, statuses=[s.value for s in WorkflowStatus]
        )
    suggestions = search_service.find_duplicates(
        session, [(t.language, t.text) for t in entry.terms], exclude=concept_id
    )
    return render_template(
        "concepts/merge.html",
        concept=entry,
        headline=headline(entry),
        groups=terms_by_language(list(entry.terms)),
        other=other,
        other_headline=headline(other) if other is not None else "",
        other_groups=terms_by_language(list(other.terms)) if other is not None else [],
        other_arg=other_arg,
        results=results,
        suggestions=suggestions,
        suggestion_names={d.id: headline(d) for d in suggestions},
    )


def _do_merge(concept_id: int) -> Any:
    session = db()
    target_id = optional_int(request.form.get("target_id"))
    other_id = optional_int(request.form.get("other_id"))
    if (
        target_id is None
        or other_id is None
        or target_id not in (concept_id, other_id)
        or other_id == concept_id
    ):
        abort(400, description="Choose which entry to keep.")
    source_id = other_id if target_id == concept_id else concept_id
    target_version = optional_int(request.form.get(f"version_{target_id}"))
    source_version = optional_int(request.form.get(f"version_{source_id}"))
    if target_version is None or source_version is None:
        abort(400, description="The form did not say which versions of the entries it was based on.")
    load_concept(other_id)

    def change() -> Concept:
        return concept_service.merge_concepts(
            session,
            target_id,
            source_id,
            actor=actor_name(),
            target_version=target_version,
            source_version=source_version,
        )

    try:
        result = change()
    except Conflict as exc:
        stale = exc.details.get("current", {}).get("id")
        seen = source_version if stale == source_id else target_version
        return conflict_page(stale if stale is not None else target_id, seen, exc.message, resubmit=False)
    except StaleDataError:
        return conflict_page(
            target_id, target_version, "Someone else saved one of the entries at the same moment."
        )
    except Invalid as exc:
        session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("web.concept_merge", concept_id=concept_id, other=other_id), code=303)
    session.commit()
    flash(f"Merged entry {source_id} into entry {target_id} ({headline(result)}).", "success")
    return redirect_to_concept(target_id)


@bp.route("/concepts/<int:concept_id>/split", methods=["GET", "POST"])
@requires(Permission.EDIT)
def concept_split(concept_id: int) -> Any:
    entry = load_concept(concept_id)
    error = None
    if request.method == "POST":
        seen = form_version()
        term_ids = [i for i in (optional_int(v) for v in request.form.getlist("term_ids")) if i is not None]
        try:
            result = guarded(
                concept_id,
                seen,
                lambda: concept_service.split_concept(
                    db(), concept_id, term_ids, version=seen, actor=actor_name()
                ),
            )
        except Invalid as exc:
            db().rollback()
            error = exc.message
            entry = load_concept(concept_id)
        else:
            if is_response(result):
                return result
            db().commit()
            flash(f"Split {len(term_ids)} term(s) off into the new entry {result.id}.", "success")
            return redirect_to_concept(result.id)
    return (
        render_template(
            "concepts/split.html",
            concept=entry,
            headline=headline(entry),
            groups=terms_by_language(list(entry.terms)),
            error=error,
        ),
        400 if error else 200,
    )
