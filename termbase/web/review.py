"""The review queue: candidates by confidence with their evidence and citations; decide one or many."""

from __future__ import annotations

import re
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy.orm.exc import StaleDataError

from termbase.auth import Permission, actor_name, can, requires
from termbase.models import Term
from termbase.records import TermReview, WorkflowStatus
from termbase.services import concepts as concept_service
from termbase.services import documents as document_service
from termbase.services import search as search_service
from termbase.services.errors import Conflict, Invalid, NotFound
from termbase.text.wording import counted
from termbase.web import bp
from termbase.web.entries import headline
from termbase.web.helpers import db, int_arg, optional_int, safe_next

PAGE_SIZE = 20
CITATIONS_PER_ITEM = 2
DECISIONS = {
    WorkflowStatus.APPROVED.value: "Approved",
    WorkflowStatus.REJECTED.value: "Rejected",
    WorkflowStatus.CANDIDATE.value: "Sent back to candidates",
}


def with_anchor(target: str) -> str:
    """The page to go back to, at the item the page asked to keep its place on (``anchor``)."""
    anchor = request.form.get("anchor") or ""
    return f"{target}#{anchor}" if re.fullmatch(r"[ct]\d{1,12}", anchor) else target


def _min_confidence() -> float | None:
    try:
        value = float(request.args.get("min", ""))
    except ValueError:
        return None
    return min(max(value, 0.0), 1.0)


@bp.get("/review")
@requires(Permission.READ_ALL)
def review() -> Any:
    session = db()
    page = int_arg("page", 1, minimum=1)
    status = request.args.get("status", WorkflowStatus.CANDIDATE.value)
    if status not in DECISIONS:
        status = WorkflowStatus.CANDIDATE.value
    q = search_service.clean_query(request.args.get("q"))
    document = request.args.get("document") or None
    min_confidence = _min_confidence()
    queue = search_service.review_queue(
        session,
        status=status,
        q=q or None,
        document=document,
        min_confidence=min_confidence,
        offset=(page - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
    )
    citations = {
        c.id: document_service.concept_citations(
            session, c.id, include_unapproved=True, limit=CITATIONS_PER_ITEM
        )
        for c in queue.items
    }
    return render_template(
        "review/queue.html",
        queue=queue,
        citations=citations,
        names={c.id: headline(c) for c in queue.items},
        page=page,
        per_page=PAGE_SIZE,
        status=status,
        q=q,
        document=document,
        min_confidence=min_confidence,
        documents=document_service.list_documents(session),
        counts=search_service.count_by_status(session),
        variants_total=search_service.variant_proposals(session, limit=1).total,
        editor=can(Permission.EDIT),
    )


@bp.get("/review/variants")
@requires(Permission.READ_ALL)
def review_variants() -> Any:
    session = db()
    page = int_arg("page", 1, minimum=1)
    proposals = search_service.variant_proposals(session, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    return render_template(
        "review/variants.html",
        citations={
            t.id: document_service.term_citations(session, t.id, limit=CITATIONS_PER_ITEM)
            for t in proposals.items
        },
        proposals=proposals,
        names={t.concept_id: headline(t.concept) for t in proposals.items},
        page=page,
        per_page=PAGE_SIZE,
        counts=search_service.count_by_status(session),
        editor=can(Permission.EDIT),
    )


@bp.post("/review/decide")
@requires(Permission.EDIT)
def review_decide() -> Any:
    """Approve, reject or re-queue one entry (``one=ID:STATUS``) or every selected one (``ids`` + ``status``).

    Each entry is checked against the version the queue showed; entries changed meanwhile are
    left alone and listed, the rest are decided in one transaction.
    """
    session = db()
    ids, status = _chosen("status")
    if status not in DECISIONS:
        abort(400, description="Choose approve or reject.")
    back = with_anchor(safe_next(request.form.get("next")) or url_for("web.review"))
    if not ids:
        flash("Select at least one entry first.", "error")
        return redirect(back, code=303)
    decided: list[str] = []
    skipped: list[str] = []
    for concept_id in dict.fromkeys(ids):
        seen = optional_int(request.form.get(f"version_{concept_id}"))
        if seen is None:
            abort(400, description=f"The form did not say which version of entry {concept_id} it showed.")
        try:
            # Both errors are raised before anything changes, so the other decisions stand.
            concept = concept_service.set_status(
                session, concept_id, status, version=seen, actor=actor_name()
            )
        except Conflict:
            skipped.append(f"#{concept_id}")
            continue
        except NotFound:
            skipped.append(f"#{concept_id} (gone)")
            continue
        decided.append(headline(concept))
    try:
        session.commit()
    except StaleDataError:
        session.rollback()
        flash(
            "Someone else saved some of these entries at the same moment; nothing was changed. Try again.",
            "error",
        )
        return redirect(back, code=303)
    if decided:
        shown = ", ".join(decided[:5]) + (f" and {len(decided) - 5} more" if len(decided) > 5 else "")
        flash(
            f"{DECISIONS[status]} {len(decided)} {'entry' if len(decided) == 1 else 'entries'}: {shown}.",
            "success",
        )
    if skipped:
        flash(
            f"Left alone because someone changed them after you loaded the queue: {', '.join(skipped)}. "
            "Review them again.",
            "warning",
        )
    return redirect(back, code=303)


VARIANT_DECISIONS = {TermReview.ACCEPTED.value: "Accepted", TermReview.REJECTED.value: "Rejected"}


def _chosen(field: str) -> tuple[list[int], str]:
    """The ids a queue form decides on, and the decision: one button (``one=ID:DECISION``) or
    the selection (``ids`` with ``field``)."""
    one = request.form.get("one", "")
    if one:
        raw_id, _, decision = one.partition(":")
        return [i for i in [optional_int(raw_id)] if i is not None], decision
    ids = [i for i in (optional_int(v) for v in request.form.getlist("ids")) if i is not None]
    return ids, request.form.get(field, "")


@bp.post("/review/variants/decide")
@requires(Permission.EDIT)
def review_variants_decide() -> Any:
    """Accept or reject one proposed variant (``one=TERM:REVIEW``) or every selected one (``ids``)."""
    session = db()
    ids, review = _chosen("review")
    if review not in VARIANT_DECISIONS:
        abort(400, description="Choose accept or reject.")
    back = with_anchor(safe_next(request.form.get("next")) or url_for("web.review_variants"))
    if not ids:
        flash("Select at least one variant first.", "error")
        return redirect(back, code=303)
    decided: list[str] = []
    skipped: list[str] = []
    checked: set[int] = set()  # concepts whose version was checked (and bumped) by an earlier decision
    for term_id in dict.fromkeys(ids):
        term = session.get(Term, term_id)
        if term is None:
            skipped.append(f"#{term_id} (gone)")
            continue
        concept_id = term.concept_id
        seen = optional_int(request.form.get(f"version_{concept_id}"))
        if seen is None and concept_id not in checked:
            abort(400, description=f"The form did not say which version of entry {concept_id} it showed.")
        try:
            concept_service.review_term(
                session, term_id, review, version=None if concept_id in checked else seen, actor=actor_name()
            )
        except Conflict:
            skipped.append(f"“{term.text}”")
            continue
        except Invalid as exc:
            skipped.append(f"“{term.text}” ({exc.message})")
            continue
        checked.add(concept_id)
        decided.append(f"“{term.text}”")
    try:
        session.commit()
    except StaleDataError:
        session.rollback()
        flash("Someone else saved some of these entries at the same moment; nothing was changed.", "error")
        return redirect(back, code=303)
    if decided:
        shown = ", ".join(decided[:5]) + (f" and {len(decided) - 5} more" if len(decided) > 5 else "")
        flash(
            f"{VARIANT_DECISIONS[review]} {counted(len(decided), 'variant')}: {shown}.",
            "success",
        )
    if skipped:
        flash(
            f"Left alone (changed by someone else after you loaded the page, or not allowed): {', '.join(skipped)}.",
            "warning",
        )
    return redirect(back, code=303)
