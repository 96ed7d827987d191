"""What an import kept beyond the termbase's own columns: fields, links to other concepts, and
the file's transactions and persons (see ``ConceptField``, ``ConceptLink``, ``Person``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from termbase.models import Concept, ConceptField, ConceptLink
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
