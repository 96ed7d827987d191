"""What an import kept beyond the termbase's own columns: fields, links to other concepts, and
the file's transactions and persons (see ``ConceptField``, ``ConceptLink``, ``Person``)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from termbase.models import Concept, ConceptField, ConceptLink, ConceptSource, Term
from termbase.records import WorkflowStatus


@dataclass(frozen=True, slots=True)
class Link:
    """A cross-reference to another concept, with what the viewer needs to show it."""

    target_id: int
    target_status: str
    type: str
    value: str
    language: str | None
    term_id: int | None


@dataclass(slots=True)
class Kept:
    """A concept's kept fields (the entry's and its language sections', and per term) and links."""

    fields: list[ConceptField] = field(default_factory=list)
    term_fields: dict[int, list[ConceptField]] = field(default_factory=dict)
    links: list[Link] = field(default_factory=list)

    def language_fields(self, language: str | None) -> list[ConceptField]:
        return [f for f in self.fields if f.language == language]


def kept(session: Session, concept_id: int, *, approved_only: bool = False) -> Kept:
    """The concept's kept fields and links, in the file's order.

    :param approved_only: leave out links to concepts that are not approved (for viewers who
        may see only those).
    """
    result = Kept()
    for row in session.scalars(
        select(ConceptField)
        .where(ConceptField.concept_id == concept_id)
        .order_by(ConceptField.position, ConceptField.id)
    ):
        if row.term_id is None:
            result.fields.append(row)
        else:
            result.term_fields.setdefault(row.term_id, []).append(row)
    rows = session.execute(
        select(ConceptLink, Concept.status)
        .join(Concept, Concept.id == ConceptLink.target_id)
        .where(ConceptLink.concept_id == concept_id)
        .order_by(ConceptLink.position, ConceptLink.id)
    )
    for link, status in rows:
        if approved_only and status != WorkflowStatus.APPROVED.value:
            continue
        result.links.append(Link(link.target_id, status, link.type, link.value, link.language, link.term_id))
    return result


def move_kept(
    session: Session,
    source_id: int,
    target_id: int,
    *,
    term_ids: set[int] | None = None,
    twins: dict[int, int] | None = None,
) -> None:
    """Move kept fields and links from one concept to another (a merge, or a split's terms).

    :param term_ids: move only what belongs to these terms (a split); None moves everything (a merge).
    :param twins: terms of the source that a merge folds into a term of the target: their
        fields and links go to that term.
    """
    for model in (ConceptField, ConceptLink):
        owned = model.concept_id == source_id
        if term_ids is not None:
            session.execute(
                update(model).where(owned, model.term_id.in_(sorted(term_ids))).values(concept_id=target_id)
            )
            continue
        for old, new in (twins or {}).items():
            session.execute(update(model).where(owned, model.term_id == old).values(term_id=new))
        session.execute(update(model).where(owned).values(concept_id=target_id))
    if term_ids is None:
        # Links between the two concepts would now point at themselves; links to the source, at the target.
        session.execute(
            delete(ConceptLink).where(
                ConceptLink.concept_id == target_id, ConceptLink.target_id.in_((source_id, target_id))
            )
        )
        session.execute(
            update(ConceptLink).where(ConceptLink.target_id == source_id).values(target_id=target_id)
        )


def kept_before_merge(session: Session, source_id: int, target_id: int) -> dict[str, Any]:
    """What a merge moves or drops of the source's kept data, for undoing it: its fields and
    links by id with their terms, the links of other concepts to it, and the links between the
    two concepts, which the merge deletes."""
    between = session.scalars(
        select(ConceptLink).where(
            (ConceptLink.concept_id == source_id) & (ConceptLink.target_id == target_id)
            | (ConceptLink.concept_id == target_id) & (ConceptLink.target_id == source_id)
        )
    ).all()
    return {
        "fields": [
            [row.id, row.term_id]
            for row in session.scalars(select(ConceptField).where(ConceptField.concept_id == source_id))
        ],
        "links": [
            [row.id, row.term_id]
            for row in session.scalars(
                select(ConceptLink).where(
                    ConceptLink.concept_id == source_id, ConceptLink.target_id != target_id
                )
            )
        ],
        "incoming": list(
            session.scalars(
                select(ConceptLink.id).where(
                    ConceptLink.target_id == source_id, ConceptLink.concept_id != target_id
                )
            )
        ),
        "between": [
            {
                "concept_id": row.concept_id,
                "target_id": row.target_id,
                "term_id": row.term_id,
                "language": row.language,
                "type": row.type,
                "value": row.value,
                "position": row.position,
            }
            for row in between
        ],
    }


def restore_kept(
    session: Session, saved: dict[str, Any], source_id: int, target_id: int, term_ids: dict[int, int]
) -> None:
    """Undo a merge's moves of kept data (``saved`` from :func:`kept_before_merge`); ``term_ids``
    maps the source's terms as they were to the restored ones."""

    def move_back(row: ConceptField | ConceptLink | None, term_id: int | None) -> None:
        if row is None or row.concept_id != target_id:
            return  # removed, or moved on since the merge
        row.concept_id = source_id
        row.term_id = term_ids.get(term_id) if term_id is not None else None

    for row_id, term_id in saved.get("fields", []):
        move_back(session.get(ConceptField, row_id), term_id)
    for row_id, term_id in saved.get("links", []):
        move_back(session.get(ConceptLink, row_id), term_id)
    for row_id in saved.get("incoming", []):
        link = session.get(ConceptLink, row_id)
        if link is not None and link.target_id == target_id:
            link.target_id = source_id
    for data in saved.get("between", []):
        term_id = data["term_id"]
        if data["concept_id"] == source_id and term_id is not None:
            term_id = term_ids.get(term_id)
        session.add(ConceptLink(**{**data, "term_id": term_id}))


FIELD_COLUMNS = ("term_id", "language", "element", "type", "value", "target", "position")
LINK_COLUMNS = ("term_id", "target_id", "language", "type", "value", "position")
INCOMING_COLUMNS = ("concept_id", "term_id", "language", "type", "value", "position")


def kept_rows(
    session: Session, concept_id: int, *, term_ids: Collection[int] | None = None
) -> dict[str, Any]:
    """What a change deletes of a concept's kept data, as plain JSON for its history entry, so
    that reverting the change brings it back: the fields and links of some terms (their
    removal), or, with ``term_ids`` None (a deletion), all of them, other concepts' links to
    it and the ids its entry had in imported files. Empty when there is nothing to keep."""

    def own(model: type[ConceptField] | type[ConceptLink]) -> list[Any]:
        query = select(model).where(model.concept_id == concept_id)
        if term_ids is not None:
            query = query.where(model.term_id.in_(sorted(term_ids)))
        return list(session.scalars(query.order_by(model.position, model.id)))

    out: dict[str, Any] = {
        "fields": [{c: getattr(row, c) for c in FIELD_COLUMNS} for row in own(ConceptField)],
        "links": [{c: getattr(row, c) for c in LINK_COLUMNS} for row in own(ConceptLink)],
    }
    if term_ids is None:
        incoming = session.scalars(
            select(ConceptLink)
            .where(ConceptLink.target_id == concept_id, ConceptLink.concept_id != concept_id)
            .order_by(ConceptLink.id)
        )
        out["incoming"] = [{c: getattr(row, c) for c in INCOMING_COLUMNS} for row in incoming]
        out["sources"] = [
            [row.source, row.source_id]
            for row in session.scalars(select(ConceptSource).where(ConceptSource.concept_id == concept_id))
        ]
    return out if any(out.values()) else {}


def restore_kept_rows(
    session: Session, saved: Mapping[str, Any], concept_id: int, term_ids: Mapping[int, int]
) -> None:
    """Bring back what :func:`kept_rows` saved for a concept that a revert restored; ``term_ids``
    maps the saved terms to the restored ones. Rows of terms that did not come back, and links
    to or from concepts that are gone, stay away; rows still there are not doubled."""

    def restored_term(saved_id: int | None) -> tuple[bool, int | None]:
        if saved_id is None:
            return True, None
        return saved_id in term_ids, term_ids.get(saved_id)

    def add_once(model: type[ConceptField] | type[ConceptLink], values: dict[str, Any]) -> None:
        same = select(model.id).where(*(getattr(model, name) == value for name, value in values.items()))
        if session.scalars(same.limit(1)).first() is None:
            session.add(model(**values))

    session.flush()
    for data in saved.get("fields", []):
        found, term_id = restored_term(data["term_id"])
        if found:
            add_once(ConceptField, {**data, "concept_id": concept_id, "term_id": term_id})
    for data in saved.get("links", []):
        found, term_id = restored_term(data["term_id"])
        if found and session.get(Concept, data["target_id"]) is not None:
            add_once(ConceptLink, {**data, "concept_id": concept_id, "term_id": term_id})
    for data in saved.get("incoming", []):
        other_term = data["term_id"]
        if session.get(Concept, data["concept_id"]) is None or (
            other_term is not None and session.get(Term, other_term) is None
        ):
            continue
        add_once(ConceptLink, {**data, "target_id": concept_id})
    for source, source_id in saved.get("sources", []):
        taken = select(ConceptSource.id).where(
            ConceptSource.source == source, ConceptSource.source_id == source_id
        )
        if session.scalars(taken.limit(1)).first() is None:
            session.add(ConceptSource(concept_id=concept_id, source=source, source_id=source_id))
