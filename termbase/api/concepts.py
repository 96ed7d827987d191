"""Concepts and terms: list, fetch, create, edit, approve, reject, delete.

Writes need the concept version the client last saw, as ``version`` in the body
or as ``If-Match``; a stale version gets 409 with the current version in the
error details. Readers without ``READ_ALL`` (anonymous visitors when the
anonymous-access setting is ``read``) see approved concepts and accepted terms only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from flask import url_for
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql.elements import ColumnElement

from termbase.api import schemas
from termbase.api.routing import Reply, expected_version, operation
from termbase.auth import Permission, actor_name, can
from termbase.extensions import get_session
from termbase.models import Citation, Concept, ConceptField, Document, Segment, Term
from termbase.records import TermReview, WorkflowStatus
from termbase.services import citing
from termbase.services import concepts as concept_service
from termbase.services.errors import Conflict, Invalid, NotFound
from termbase.services.kept import kept
from termbase.services.search import concept_ids_matching
from termbase.term_columns import EDITABLE
from termbase.text.lang import is_chinese

TAG = "concepts"
_DIGITS_RE = re.compile(r"[0-9]{1,10}")
CITATIONS_PER_TERM = 50
_READ_ERRORS = (400, 401, 403, 404)
_WRITE_ERRORS = (400, 401, 403, 404, 409, 413, 415)


def _full_access() -> bool:
    return can(Permission.READ_ALL)


def _visible_terms(concept: Concept, full: bool) -> list[Term]:
    """By language, accepted before proposed, the preferred rendering first, deprecated last."""
    return sorted(
        (t for t in concept.terms if full or t.review == TermReview.ACCEPTED), key=concept_service.display_key
    )


def _load_visible(session: Session, concept_id: int) -> Concept:
    concept = concept_service.get_concept(session, concept_id)
    if not _full_access() and concept.status != WorkflowStatus.APPROVED:
        raise NotFound(f"no concept {concept_id}")
    return concept


def _citations(session: Session, terms: Sequence[Term]) -> dict[int, list[schemas.Citation]]:
    """Up to CITATIONS_PER_TERM citations per term, with their segment and document."""
    if not terms:
        return {}
    numbered = (
        select(
            Citation.id,
            Citation.term_id,
            func.row_number().over(partition_by=Citation.term_id, order_by=Citation.id).label("n"),
        )
        .where(Citation.term_id.in_([t.id for t in terms]))
        .subquery()
    )
    rows = session.execute(
        select(
            Citation.id,
            Citation.term_id,
            Citation.segment_id,
            Citation.start,
            Citation.end,
            Segment.position,
            Segment.zh_text,
            Segment.en_text,
            Document.id,
            Document.slug,
            Document.title,
        )
        .join(numbered, numbered.c.id == Citation.id)
        .join(Segment, Segment.id == Citation.segment_id)
        .join(Document, Document.id == Segment.document_id)
        .where(numbered.c.n <= CITATIONS_PER_TERM)
        .order_by(Citation.term_id, Citation.id)
    )
    chinese = {t.id: is_chinese(t.language) for t in terms}
    found: dict[int, list[schemas.Citation]] = {}
    for cid, term_id, segment_id, start, end, position, zh, en, doc_id, slug, title in rows:
        context, translation = (zh, en) if chinese[term_id] else (en, zh)
        found.setdefault(term_id, []).append(
            schemas.Citation(
                id=cid,
                segment_id=segment_id,
                document_id=doc_id,
                document_slug=slug,
                document_title=title,
                position=position,
                start=start,
                end=end,
                context=context,
                translation=translation,
            )
        )
    return found


def _field_out(row: ConceptField) -> schemas.FieldOut:
    return schemas.FieldOut(
        element=row.element, type=row.type, value=row.value, target=row.target, language=row.language
    )


def concept_out(session: Session, concept: Concept) -> schemas.Concept:
    full = _full_access()
    terms = _visible_terms(concept, full)
    citations = _citations(session, terms)
    extras = kept(session, concept.id, approved_only=not full)
    return schemas.Concept(
        id=concept.id,
        version=concept.version,
        status=WorkflowStatus(concept.status),
        subject_field=concept.subject_field,
        note=concept.note,
        confidence=concept.confidence,
        origin=concept.origin,
        definitions={d.language: d.text for d in concept.definitions},
        terms=[
            schemas.TermOut(
                id=t.id,
                language=t.language,
                **{name: getattr(t, name) for name in EDITABLE},
                citations=citations.get(t.id, []),
                fields=[_field_out(f) for f in extras.term_fields.get(t.id, [])],
            )
            for t in terms
        ],
        fields=[_field_out(f) for f in extras.fields],
        links=[
            schemas.LinkOut(
                concept_id=link.target_id,
                type=link.type,
                value=link.value,
                language=link.language,
                term_id=link.term_id,
            )
            for link in extras.links
        ],
        created_at=concept.created_at,
        updated_at=concept.updated_at,
        created_by=concept.created_by,
        updated_by=concept.updated_by,
    )


def _etag(concept: Concept) -> dict[str, str]:
    return {"ETag": f'"{concept.version}"'}


def _concept_reply(session: Session, concept_id: int, status: int | None = None) -> Reply:
    concept = concept_service.get_concept(session, concept_id)
    headers = _etag(concept)
    if status == 201:
        headers["Location"] = url_for("api.get_concept", concept_id=concept.id)
    return Reply(concept_out(session, concept), status=status, headers=headers)


# ---------------------------------------------------------------------------- reading


def _list_conditions(
    session: Session, query: schemas.ConceptListQuery, full: bool
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    reviews = [r.value for r in TermReview] if full else [TermReview.ACCEPTED.value]
    if not full:
        conditions.append(Concept.status == WorkflowStatus.APPROVED.value)
    if query.status is not None:
        conditions.append(Concept.status == query.status.value)
    if query.language is not None:
        conditions.append(
            exists().where(
                Term.concept_id == Concept.id, Term.language == query.language, Term.review.in_(reviews)
            )
        )
    if query.document is not None:
        document = Document.slug == query.document
        if _DIGITS_RE.fullmatch(query.document) and int(query.document) <= schemas.MAX_ID:
            document = or_(document, Document.id == int(query.document))
        conditions.append(
            exists()
            .where(and_(Term.concept_id == Concept.id, Citation.term_id == Term.id, document))
            .where(Segment.id == Citation.segment_id, Document.id == Segment.document_id)
        )
    q = (query.q or "").strip()
    if q:
        statuses = [query.status.value] if query.status else [s.value for s in WorkflowStatus]
        conditions.append(
            Concept.id.in_(concept_ids_matching(session, q, include_unapproved=full, statuses=statuses))
        )
    return conditions


@operation(
    "GET",
    "/concepts",
    summary="List concepts",
    tag=TAG,
    permission=Permission.READ_APPROVED,
    query=schemas.ConceptListQuery,
    response=schemas.ConceptPage,
    errors=(400, 401, 403),
)
def list_concepts(query: schemas.ConceptListQuery) -> schemas.ConceptPage:
    """Concepts by id, filtered by lookup text, status, language or citing document."""
    session = get_session()
    full = _full_access()
    conditions = _list_conditions(session, query, full)
    total = session.scalar(select(func.count()).select_from(Concept).where(*conditions)) or 0
    concepts = session.scalars(
        select(Concept)
        .where(*conditions)
        .options(selectinload(Concept.terms))
        .order_by(Concept.id)
        .offset((query.page - 1) * query.per_page)
        .limit(query.per_page)
    )
    items = [
        schemas.ConceptSummary(
            id=c.id,
            version=c.version,
            status=WorkflowStatus(c.status),
            subject_field=c.subject_field,
            confidence=c.confidence,
            updated_at=c.updated_at,
            terms=[
                schemas.TermBrief(
                    id=t.id,
                    language=t.language,
                    text=t.text,
                    usage_status=t.usage_status,  # type: ignore[arg-type]
                    review=t.review,  # type: ignore[arg-type]
                    pinyin=t.pinyin,
                )
                for t in _visible_terms(c, full)
            ],
        )
        for c in concepts
    ]
    return schemas.ConceptPage(items=items, page=query.page, per_page=query.per_page, total=total)


@operation(
    "GET",
    "/concepts/<int:concept_id>",
    summary="Fetch a concept",
    tag=TAG,
    permission=Permission.READ_APPROVED,
    response=schemas.Concept,
    errors=_READ_ERRORS,
    etag=True,
)
def get_concept(concept_id: int) -> Reply:
    """One concept with its terms, usage statuses, pinyin, definitions and citations."""
    session = get_session()
    concept = _load_visible(session, concept_id)
    return Reply(concept_out(session, concept), headers=_etag(concept))


# ---------------------------------------------------------------------------- writing


def _term_input(term: schemas.TermCreate) -> concept_service.TermInput:
    return concept_service.TermInput(
        language=term.language,
        text=term.text,
        usage_status=term.usage_status.value,
        review=term.review.value,
        part_of_speech=term.part_of_speech,
        term_type=term.term_type,
        pinyin=term.pinyin if is_chinese(term.language) else None,
        note=term.note,
    )


@operation(
    "POST",
    "/concepts",
    summary="Create a concept",
    tag=TAG,
    permission=Permission.EDIT,
    body=schemas.ConceptCreate,
    response=schemas.Concept,
    status=201,
    errors=(400, 401, 403, 409, 413, 415),
    etag=True,
)
def create_concept(body: schemas.ConceptCreate) -> Reply:
    """Create a concept with its terms; editors only."""
    session = get_session()
    concept = concept_service.create_concept(
        session,
        [_term_input(t) for t in body.terms],
        actor=actor_name(),
        origin="api",
        definitions={k: v for k, v in body.definitions.items()},
        status=body.status.value,
        subject_field=body.subject_field,
        note=body.note,
        confidence=body.confidence,
    )
    citing.cite_concept(session, concept.id, version=None, actor=actor_name())
    session.commit()
    return _concept_reply(session, concept.id, status=201)


def _concept_changes(body: schemas.ConceptPatch) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for name in body.model_fields_set - {"version"}:
        value = getattr(body, name)
        if name in ("status", "definitions") and value is None:
            continue  # null leaves these unchanged
        changes[name] = value.value if name == "status" else value
    return changes


@operation(
    "PATCH",
    "/concepts/<int:concept_id>",
    summary="Edit, approve or reject a concept",
    tag=TAG,
    permission=Permission.EDIT,
    body=schemas.ConceptPatch,
    response=schemas.Concept,
    errors=_WRITE_ERRORS,
    if_match=True,
    etag=True,
)
def update_concept(concept_id: int, body: schemas.ConceptPatch) -> Reply:
    """Change the fields sent; ``{"status": "approved", "version": n}`` approves."""
    session = get_session()
    version = expected_version(body.version)
    concept_service.update_concept(
        session, concept_id, version=version, actor=actor_name(), **_concept_changes(body)
    )
    session.commit()
    return _concept_reply(session, concept_id)


def _set_status(concept_id: int, body: schemas.VersionBody, status: WorkflowStatus) -> Reply:
    session = get_session()
    version = expected_version(body.version)
    concept_service.set_status(session, concept_id, status.value, version=version, actor=actor_name())
    session.commit()
    return _concept_reply(session, concept_id)


@operation(
    "POST",
    "/concepts/<int:concept_id>/approve",
    summary="Approve a concept",
    tag=TAG,
    permission=Permission.EDIT,
    body=schemas.VersionBody,
    body_required=False,
    response=schemas.Concept,
    errors=_WRITE_ERRORS,
    if_match=True,
    etag=True,
)
def approve_concept(concept_id: int, body: schemas.VersionBody) -> Reply:
    """Approve; the version goes in the body or in If-Match."""
    return _set_status(concept_id, body, WorkflowStatus.APPROVED)


@operation(
    "POST",
    "/concepts/<int:concept_id>/reject",
    summary="Reject a concept",
    tag=TAG,
    permission=Permission.EDIT,
    body=schemas.VersionBody,
    body_required=False,
    response=schemas.Concept,
    errors=_WRITE_ERRORS,
    if_match=True,
    etag=True,
)
def reject_concept(concept_id: int, body: schemas.VersionBody) -> Reply:
    """Reject; the version goes in the body or in If-Match."""
    return _set_status(concept_id, body, WorkflowStatus.REJECTED)


@operation(
    "DELETE",
    "/concepts/<int:concept_id>",
    summary="Delete a concept",
    tag=TAG,
    permission=Permission.EDIT,
    query=schemas.VersionQuery,
    status=204,
    errors=_WRITE_ERRORS,
    if_match=True,
)
def delete_concept(concept_id: int, query: schemas.VersionQuery) -> Reply:
    """Delete a concept and its terms; the version goes in ``?version=`` or in If-Match."""
    session = get_session()
    version = expected_version(query.version)
    concept_service.delete_concept(session, concept_id, version=version, actor=actor_name())
    session.commit()
    return Reply(None, status=204)


@operation(
    "POST",
    "/concepts/<int:concept_id>/terms",
    summary="Add a term to a concept",
    tag=TAG,
    permission=Permission.EDIT,
    body=schemas.TermCreateRequest,
    response=schemas.Concept,
    status=201,
    errors=_WRITE_ERRORS,
    if_match=True,
    etag=True,
)
def add_term(concept_id: int, body: schemas.TermCreateRequest) -> Reply:
    """Add a term; answers with the whole concept (and its new version)."""
    session = get_session()
    version = expected_version(body.version)
    concept_service.add_term(session, concept_id, _term_input(body), version=version, actor=actor_name())
    session.commit()
    return _concept_reply(session, concept_id, status=201)


def _term_changes(term: Term, body: schemas.TermPatch) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for name in body.model_fields_set - {"version"}:
        value = getattr(body, name)
        if name in ("text", "usage_status", "review") and value is None:
            continue  # null leaves these unchanged
        if name == "pinyin" and not is_chinese(term.language):
            continue
        changes[name] = value.value if name in ("usage_status", "review") else value
    if "text" in changes and (problem := schemas.term_fits(term.language, changes["text"])):
        raise Invalid(problem, details={"field": "text"})
    return changes


@operation(
    "PATCH",
    "/terms/<int:term_id>",
    summary="Edit a term",
    tag=TAG,
    permission=Permission.EDIT,
    body=schemas.TermPatch,
    response=schemas.Concept,
    errors=_WRITE_ERRORS,
    if_match=True,
    etag=True,
)
def update_term(term_id: int, body: schemas.TermPatch) -> Reply:
    """Change a term's text, usage status, review or notes; the version is its concept's."""
    session = get_session()
    term = concept_service.get_term(session, term_id)
    version = expected_version(body.version)
    concept_service.update_term(
        session, term_id, version=version, actor=actor_name(), **_term_changes(term, body)
    )
    session.commit()
    return _concept_reply(session, term.concept_id)


@operation(
    "DELETE",
    "/terms/<int:term_id>",
    summary="Remove a term",
    tag=TAG,
    permission=Permission.EDIT,
    query=schemas.VersionQuery,
    response=schemas.Concept,
    errors=_WRITE_ERRORS,
    if_match=True,
    etag=True,
)
def delete_term(term_id: int, query: schemas.VersionQuery) -> Reply:
    """Remove a term from its concept; answers with the concept. The last term cannot go (409)."""
    session = get_session()
    version = expected_version(query.version)
    try:
        concept = concept_service.remove_term(session, term_id, version=version, actor=actor_name())
    except Invalid as exc:  # the last term: a conflict with the concept's state, not a bad request
        raise Conflict(exc.message, details=exc.details) from None
    session.commit()
    return _concept_reply(session, concept.id)
