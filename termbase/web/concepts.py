"""Entry pages and everything editors do to an entry: edit, approve, terms, merge, split, revert.

Every edit form carries the concept version the page showed. When someone else changed the
entry meanwhile the service raises ``Conflict`` (or the ORM ``StaleDataError``), and the
editor gets a conflict page with both versions, what changed in between, and a way to
re-apply their change to the current version.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from termbase.auth import Permission, actor_name, can, requires
from termbase.models import Concept, HistoryEntry, Term
from termbase.records import LANGUAGES, TermReview, WorkflowStatus
from termbase.services import concepts as concept_service
from termbase.services import documents as document_service
from termbase.services import search as search_service
from termbase.services.errors import Conflict, Invalid, NotFound
from termbase.text.normalize import to_simplified
from termbase.web import bp
from termbase.web.forms import (
    LANGUAGE_LABELS,
    CommentForm,
    ConceptForm,
    EditTermForm,
    NewConceptForm,
    NewTermForm,
)
from termbase.web.helpers import db, form_version, int_arg, optional_int, read_all, safe_next
from termbase.web.history import action_label, diff_snapshots

T = TypeVar("T")
CITATIONS_ON_ENTRY = 10
CITATIONS_PAGE = 50
HISTORY_ON_ENTRY = 6
STATUS_VERBS = {
    WorkflowStatus.APPROVED.value: "Approved",
    WorkflowStatus.REJECTED.value: "Rejected",
    WorkflowStatus.CANDIDATE.value: "Sent back to candidates:",
}
_MERGED_INTO_RE = re.compile(r"merged into concept (\d+)")


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
    """Terms grouped Simplified, Traditional, English; preferred first, proposals and rejections last."""
    groups = []
    for language in LANGUAGES:
        chosen = [t for t in terms if t.language == language]
        if chosen:
            groups.append((language, sorted(chosen, key=_display_rank)))
    others = [t for t in terms if t.language not in LANGUAGES]
    if others:
        groups.append(("other", others))
    return groups


def _display_rank(term: Term) -> tuple[int, int, int]:
    review = {"accepted": 0, "candidate": 1, "rejected": 2}.get(term.review, 3)
    usage = {"preferred": 0, "admitted": 1, "superseded": 2, "deprecated": 3}.get(term.usage_status, 4)
    return (review, usage, term.id)


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


def _redirect_to_concept(concept_id: int, anchor: str | None = None) -> Any:
    return redirect(url_for("web.concept", concept_id=concept_id, _anchor=anchor), code=303)


Extractor = Callable[[dict[str, Any]], Any]

# How each field of the edit forms reads from a history snapshot, so that a conflict can tell
# what the editor changed from what someone else changed.
CONCEPT_FORM_FIELDS: dict[str, Extractor] = {
    "subject_field": lambda snap: snap.get("subject_field"),
    "note": lambda snap: snap.get("note"),
    "definition_zh": lambda snap: (snap.get("definitions") or {}).get("zh-Hans"),
    "definition_en": lambda snap: (snap.get("definitions") or {}).get("en"),
    "status": lambda snap: snap.get("status"),
}


def term_form_fields(term_id: int) -> dict[str, Extractor]:
    def reader(name: str) -> Extractor:
        def read(snap: dict[str, Any]) -> Any:
            term = next((t for t in snap.get("terms", []) if t.get("id") == term_id), None)
            return None if term is None else term.get(name)

        return read

    names = ("text", "usage_status", "pinyin", "part_of_speech", "term_type", "note", "review")
    return {name: reader(name) for name in names}


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field of the editor's form that differs from the version they saw."""

    name: str
    mine: str
    current: str | None  # what someone else changed it to meanwhile, or None when they did not


def _plain(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _submitted_fields() -> list[tuple[str, list[str]]]:
    """The form as posted, minus the CSRF token and versions."""
    return [
        (name, values)
        for name, values in request.form.lists()
        if name not in ("csrf_token", "version", "next") and not name.startswith("version_")
    ]


def reconcile(
    submitted: list[tuple[str, list[str]]],
    seen: dict[str, Any] | None,
    current: dict[str, Any] | None,
    fields: dict[str, Extractor],
) -> tuple[list[FieldChange], list[tuple[str, list[str]]]]:
    """Split a stale form into the editor's own changes and a re-submission that keeps everyone's.

    A field the editor left as they saw it is re-submitted with its *current* value, so applying
    the form again never undoes a colleague's change. Fields the form does not describe are
    taken as changes of the editor's.
    """
    changes: list[FieldChange] = []
    resubmission: list[tuple[str, list[str]]] = []
    for name, values in submitted:
        extract = fields.get(name)
        if extract is None or seen is None or current is None or len(values) != 1:
            changes.append(FieldChange(name, ", ".join(values), None))
            resubmission.append((name, values))
            continue
        mine, before, now = _plain(values[0]), _plain(extract(seen)), _plain(extract(current))
        if mine in (before, now):
            resubmission.append((name, [now]))  # untouched, or already as the editor wants it
            continue
        changes.append(FieldChange(name, mine, now if now != before else None))
        resubmission.append((name, values))
    return changes, resubmission


def conflict_page(
    concept_id: int,
    seen: int | None,
    message: str,
    *,
    resubmit: bool = True,
    fields: dict[str, Extractor] | None = None,
) -> Any:
    """409 with the version the editor saw, the current one, the changes in between, and theirs."""
    session = db()
    session.rollback()
    try:
        current = concept_service.get_concept(session, concept_id)
    except NotFound:
        current = None
    entries = concept_service.history(session, concept_id)
    seen_snapshot = next(
        (e.after for e in entries if e.after is not None and e.after.get("version") == seen),
        None,
    )
    since = [
        e
        for e in reversed(entries)
        if e.after is None or (seen is not None and e.after.get("version", 0) > seen)
    ]
    current_snapshot = concept_service.snapshot(current) if current is not None else None
    changes, resubmission = reconcile(_submitted_fields(), seen_snapshot, current_snapshot, fields or {})
    return (
        render_template(
            "concepts/conflict.html",
            concept_id=concept_id,
            message=message,
            seen=seen,
            seen_snapshot=seen_snapshot,
            current=current,
            current_snapshot=current_snapshot,
            since=since,
            changes=changes,
            resubmission=resubmission,
            resubmit=resubmit and current is not None and bool(changes),
            action_label=action_label,
            diff=diff_snapshots,
        ),
        409,
    )


def guarded(
    concept_id: int, seen: int | None, change: Callable[[], T], fields: dict[str, Extractor] | None = None
) -> T | Any:
    """Run a change; a stale version becomes the conflict page instead of an error."""
    try:
        return change()
    except Conflict as exc:
        if exc.details.get("field") != "version" and "current_version" not in exc.details:
            raise
        return conflict_page(concept_id, seen, exc.message, fields=fields)
    except StaleDataError:
        return conflict_page(
            concept_id,
            seen,
            "Someone else saved this entry at the same moment; nothing of yours was saved.",
            fields=fields,
        )


def _is_response(value: Any) -> bool:
    return isinstance(value, tuple) or hasattr(value, "status_code")


# ---------------------------------------------------------------- reading


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
    term_form = NewTermForm(formdata=None, version=entry.version) if can(Permission.EDIT) else None
    comment_form = CommentForm(formdata=None) if can(Permission.COMMENT) else None
    return render_template(
        "concepts/detail.html",
        concept=entry,
        headline=headline(entry),
        groups=terms_by_language(terms),
        definitions={d.language: d for d in entry.definitions},
        citations=citations,
        history=history,
        duplicates=duplicates,
        duplicate_names={d.id: headline(d) for d in duplicates},
        term_form=term_form,
        comment_form=comment_form,
        full=full,
        language_labels=LANGUAGE_LABELS,
        action_label=action_label,
        diff=diff_snapshots,
    )


def _gone(concept_id: int) -> Any:
    """A deleted or merged entry: say so (and offer a restore) to those who may read history."""
    if not read_all():
        abort(404, description=f"There is no entry {concept_id}.")
    entries = concept_service.history(db(), concept_id)
    if not entries:
        abort(404, description=f"There is no entry {concept_id}.")
    last = entries[0]
    merged = _MERGED_INTO_RE.search(last.summary or "") if last.action == "merged-into" else None
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
                    session.commit()
                    flash(f"Created entry {created.id}: {headline(created)}.", "success")
                    return _redirect_to_concept(created.id)
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
        _field_error(form, exc, default="zh")
        return None


def _chinese_language(text: str) -> str:
    """zh-Hant when the text changes under Traditional-to-Simplified conversion, else zh-Hans."""
    return "zh-Hant" if to_simplified(text) != text else "zh-Hans"


def _field_error(form: Any, exc: Invalid | Conflict, default: str) -> None:
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
            _field_error(form, exc, default="note")
        else:
            if _is_response(result):
                return result
            db().commit()
            flash("Saved the entry.", "success")
            return _redirect_to_concept(concept_id)
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
    if _is_response(result):
        return result
    db().commit()
    flash(f"{STATUS_VERBS[status]} {headline(result)}.", "success")
    target = safe_next(request.form.get("next"))
    return redirect(target, code=303) if target else _redirect_to_concept(concept_id)


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
    if _is_response(result):
        return result
    db().commit()
    flash(
        f"Deleted entry {concept_id} ({name}). Its history keeps it, and it can be restored from there.",
        "success",
    )
    return _redirect_to_concept(concept_id)


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
        _field_error(form, exc, default="text")
        return _term_form_page(load_concept(concept_id), form, None, 400)
    if _is_response(result):
        return result
    db().commit()
    flash(f"Added the term “{result.text}”.", "success")
    return _redirect_to_concept(concept_id, "terms")


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
            _field_error(form, exc, default="text")
        else:
            if _is_response(result):
                return result
            session.commit()
            flash(f"Saved the term “{result.text}”.", "success")
            return _redirect_to_concept(entry.id, "terms")
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
        return _redirect_to_concept(concept_id, "terms")
    if _is_response(result):
        return result
    session.commit()
    flash(f"Removed the term “{text}”. The entry's history can restore it.", "success")
    return _redirect_to_concept(concept_id, "terms")


@bp.post("/terms/<int:term_id>/review")
@requires(Permission.EDIT)
def term_review(term_id: int) -> Any:
    """Accept or reject a proposed variant term."""
    session = db()
    term = concept_service.get_term(session, term_id)
    review = request.form.get("review", "")
    if review not in (TermReview.ACCEPTED.value, TermReview.REJECTED.value):
        abort(400, description="Choose accept or reject.")
    concept_id, text = term.concept_id, term.text
    seen = form_version()
    result = guarded(
        concept_id,
        seen,
        lambda: concept_service.update_term(
            session, term_id, version=seen, actor=actor_name(), review=review
        ),
    )
    if _is_response(result):
        return result
    session.commit()
    flash(f"{'Accepted' if review == 'accepted' else 'Rejected'} the variant “{text}”.", "success")
    target = safe_next(request.form.get("next"))
    return redirect(target, code=303) if target else _redirect_to_concept(concept_id, "terms")


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
    return _redirect_to_concept(target_id)


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
            if _is_response(result):
                return result
            db().commit()
            flash(f"Split {len(term_ids)} term(s) off into the new entry {result.id}.", "success")
            return _redirect_to_concept(result.id)
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


# ---------------------------------------------------------------- comments and history


@bp.post("/concepts/<int:concept_id>/comments")
@requires(Permission.COMMENT)
def comment_add(concept_id: int) -> Any:
    load_concept(concept_id)
    form = CommentForm()
    if not form.validate():
        flash("Write a comment first (at most 5000 characters).", "error")
        return _redirect_to_concept(concept_id, "comments")
    author = actor_name()
    assert author is not None  # commenting needs an account
    try:
        concept_service.add_comment(db(), concept_id, author=author, body=form.body.data)
    except Invalid as exc:
        db().rollback()
        flash(exc.message, "error")
        return _redirect_to_concept(concept_id, "comments")
    db().commit()
    flash("Comment added.", "success")
    return _redirect_to_concept(concept_id, "comments")


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
    flash(
        f"Restored entry {concept_id} as it was before change #{entry_id} ({action_label(entry.action)}).",
        "success",
    )
    return _redirect_to_concept(result.id)
