"""Concepts and terms: create, edit, approve, merge, split, revert. Every change goes to history.

Functions take the session first, flush, and never commit. Mutations accept the
version the caller last saw; a different current version raises :class:`Conflict`
(the ORM's version check also catches a race between load and flush).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from termbase.models import (
    Citation,
    Comment,
    Concept,
    Definition,
    HistoryEntry,
    Segment,
    Term,
    TermSuffix,
    utcnow,
)
from termbase.records import LANGUAGES, MAX_TERM_LENGTH, TermReview, UsageStatus, WorkflowStatus
from termbase.services.errors import Conflict, Invalid, NotFound
from termbase.services.kept import kept_before_merge, kept_rows, move_kept, restore_kept, restore_kept_rows
from termbase.term_columns import DERIVED, EDITABLE, derived_values
from termbase.text.keys import term_keys
from termbase.text.lang import term_language
from termbase.text.normalize import clean_term_text, normalize_term
from termbase.text.validate import term_text_problem
from termbase.text.wording import counted

CONCEPT_FIELDS = ("subject_field", "note", "status", "confidence")
# What restoring a term from a snapshot sets as saved; its text and pinyin go through apply_term_text.
RESTORED_TERM_FIELDS = tuple(name for name in EDITABLE if name not in ("text", "pinyin"))


@dataclass(slots=True)
class TermInput:
    """A term as a caller supplies it; keys and pinyin are derived on write."""

    language: str
    text: str
    usage_status: str = UsageStatus.ADMITTED
    part_of_speech: str | None = None
    term_type: str | None = None
    pinyin: str | None = None
    note: str | None = None
    review: str = TermReview.ACCEPTED
    evidence: dict[str, Any] | None = None
    citations: list[tuple[int, int, int]] = field(default_factory=list)  # (segment_id, start, end)


def _choice(value: str, allowed: Iterable[str], field_name: str) -> str:
    allowed = list(allowed)
    if value not in allowed:
        raise Invalid(f"{field_name} must be one of: {', '.join(allowed)}", details={"field": field_name})
    return value


def _language(value: str, field_name: str, kept_languages: bool) -> str:
    """A termbase language, or with ``kept_languages`` another language's BCP 47 tag as an import keeps it."""
    if not kept_languages:
        return _choice(value, LANGUAGES, field_name)
    if value not in LANGUAGES and term_language(value) != value:
        raise Invalid(
            f"{field_name} must be one of {', '.join(LANGUAGES)} or a BCP 47 language tag",
            details={"field": field_name},
        )
    return value


def checked_term_text(text: str, language: str) -> str:
    """A term's text cleaned, or Invalid when it is empty, too long or text no term may hold."""
    cleaned = clean_term_text(text or "")
    if not cleaned:
        raise Invalid("term text is empty", details={"field": "text"})
    if len(cleaned) > MAX_TERM_LENGTH:
        raise Invalid(f"term text is longer than {MAX_TERM_LENGTH} characters", details={"field": "text"})
    problem = term_text_problem(language, cleaned)
    if problem:
        raise Invalid(problem, details={"field": "text"})
    return cleaned


_DERIVED_LIMITS = [
    (column, limit)
    for column in DERIVED
    if (limit := getattr(Term.__table__.c[column].type, "length", None)) is not None
]


def derived_overflow(values: Mapping[str, Any]) -> str | None:
    """Why a term's derived keys would not fit their columns, or None.

    A Chinese term's pinyin is several times as long as the term: 300 Han characters fit the
    text column but not the pinyin ones, which PostgreSQL enforces (SQLite does not).
    """
    for column, limit in _DERIVED_LIMITS:
        value = values.get(column)
        if value is not None and len(value) > limit:
            return f"the term is too long: its {column.replace('_', ' ')} would exceed {limit} characters"
    return None


def _check_fits(term: Term) -> None:
    if problem := derived_overflow({column: getattr(term, column) for column in DERIVED}):
        raise Invalid(problem, details={"field": "text"})


def apply_term_text(term: Term, text: str, pinyin: str | None = None) -> None:
    """Set a term's text and derive its normalized form, search key, pinyin and key suffixes.

    The suffixes (what the "contains" search tier finds the term by) are rewritten only when
    the text changes: they follow from the text and language alone.
    """
    cleaned = checked_term_text(text, term.language)
    rewrite_suffixes = term.id is None or cleaned != term.text
    keys = term_keys(term.language, cleaned, pinyin)
    term.text = cleaned
    for column, value in derived_values(keys).items():
        setattr(term, column, value)
    if rewrite_suffixes:
        term.suffixes = [TermSuffix(field=field, key=key) for field, key in keys.suffixes]


def build_term(data: TermInput, *, kept_languages: bool = False) -> Term:
    """A new, unattached Term with all derived columns filled.

    :param kept_languages: also take other languages' tags (an import, or restoring a term one brought).
    """
    term = Term(
        language=_language(data.language, "language", kept_languages),
        usage_status=_choice(str(data.usage_status), [s.value for s in UsageStatus], "usage_status"),
        review=_choice(str(data.review), [s.value for s in TermReview], "review"),
        part_of_speech=data.part_of_speech,
        term_type=data.term_type,
        note=data.note,
        evidence=data.evidence,
    )
    apply_term_text(term, data.text, data.pinyin)
    _check_fits(term)
    term.citations = [Citation(segment_id=s, start=a, end=b) for s, a, b in data.citations]
    return term


def snapshot(concept: Concept) -> dict[str, Any]:
    """Everything about a concept as plain JSON, for history and revert."""
    return {
        "id": concept.id,
        "version": concept.version,
        **{name: getattr(concept, name) for name in CONCEPT_FIELDS},
        "definitions": {d.language: d.text for d in concept.definitions},
        "terms": [
            {
                "id": t.id,
                "language": t.language,
                **{name: getattr(t, name) for name in EDITABLE},
                "citations": [[c.segment_id, c.start, c.end] for c in t.citations],
            }
            for t in concept.terms
        ],
    }


def tombstone(concept: Concept) -> dict[str, Any]:
    """The snapshot kept when a concept goes away: also what restoring it needs to be as it was."""
    return {
        **snapshot(concept),
        "origin": concept.origin,
        "evidence": concept.evidence,
        "created_by": concept.created_by,
        "comments": [c.id for c in concept.comments],
    }


def record(
    session: Session,
    concept: Concept,
    action: str,
    actor: str | None,
    before: dict[str, Any] | None,
    summary: str | None = None,
    *,
    deleted: bool = False,
) -> HistoryEntry:
    session.flush()
    entry = HistoryEntry(
        concept_id=concept.id,
        actor=actor,
        action=action,
        summary=summary,
        before=before,
        after=None if deleted else snapshot(concept),
    )
    session.add(entry)
    session.flush()
    return entry


def get_concept(session: Session, concept_id: int) -> Concept:
    concept = session.get(
        Concept,
        concept_id,
        options=[selectinload(Concept.terms).selectinload(Term.citations), selectinload(Concept.definitions)],
    )
    if concept is None:
        raise NotFound(f"no concept {concept_id}")
    return concept


def check_version(concept: Concept, version: int | None) -> None:
    """Refuse a change made against an older version of the concept."""
    if version is not None and version != concept.version:
        raise Conflict(
            f"concept {concept.id} was changed by someone else (you saw version {version}, "
            f"it is now version {concept.version})",
            details={"field": "version", "current_version": concept.version, "current": snapshot(concept)},
        )


def touch(concept: Concept, actor: str | None) -> None:
    # Touching the row bumps the version even when only terms changed.
    concept.updated_at = utcnow()
    concept.updated_by = actor


def _set_definitions(
    concept: Concept, definitions: Mapping[str, str | None], *, kept_languages: bool = False
) -> None:
    by_language = {d.language: d for d in concept.definitions}
    for language, text in definitions.items():
        _language(language, "definitions", kept_languages)
        text = (text or "").strip()
        if not text:
            if language in by_language:
                concept.definitions.remove(by_language[language])
        elif language in by_language:
            by_language[language].text = text
        else:
            concept.definitions.append(Definition(language=language, text=text))


def _validate_concept_changes(changes: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(changes) - set(CONCEPT_FIELDS) - {"definitions", "evidence"}
    if unknown:
        raise Invalid(f"unknown field {sorted(unknown)[0]!r}", details={"field": sorted(unknown)[0]})
    clean = dict(changes)
    if "status" in clean:
        clean["status"] = _choice(str(clean["status"]), [s.value for s in WorkflowStatus], "status")
    if clean.get("confidence") is not None:
        confidence = float(clean["confidence"])
        if not 0.0 <= confidence <= 1.0:
            raise Invalid("confidence must be between 0 and 1", details={"field": "confidence"})
        clean["confidence"] = confidence
    return clean


def _ensure_unique(concept: Concept, term: Term) -> None:
    for other in concept.terms:
        if other is not term and other.language == term.language and other.normalized == term.normalized:
            raise Conflict(
                f"concept {concept.id} already has the {term.language} term {other.text!r}",
                details={"field": "text"},
            )


def create_concept(
    session: Session,
    terms: Iterable[TermInput],
    *,
    actor: str | None,
    origin: str = "manual",
    definitions: Mapping[str, str | None] | None = None,
    **fields: Any,
) -> Concept:
    concept = Concept(origin=origin, created_by=actor, updated_by=actor, **_validate_concept_changes(fields))
    for data in terms:
        term = build_term(data)
        _ensure_unique(concept, term)
        concept.terms.append(term)
    if not concept.terms:
        raise Invalid("a concept needs at least one term", details={"field": "terms"})
    _set_definitions(concept, definitions or {})
    if concept.status == WorkflowStatus.APPROVED.value:
        prefer_on_approval(session, concept)
    session.add(concept)
    record(session, concept, "create", actor, None, f"created with {counted(len(concept.terms), 'term')}")
    return concept


def update_concept(
    session: Session, concept_id: int, *, version: int | None, actor: str | None, **changes: Any
) -> Concept:
    concept = get_concept(session, concept_id)
    check_version(concept, version)
    before = snapshot(concept)
    clean = _validate_concept_changes(changes)
    definitions = clean.pop("definitions", None)
    approving = clean.get("status") == WorkflowStatus.APPROVED.value != concept.status
    for name, value in clean.items():
        setattr(concept, name, value)
    if approving:
        prefer_on_approval(session, concept)
    if definitions is not None:
        _set_definitions(concept, definitions)
    touch(concept, actor)
    action = f"status:{clean['status']}" if set(clean) == {"status"} else "update"
    record(session, concept, action, actor, before, ", ".join(sorted(changes)))
    return concept


USAGE_ORDER = {
    UsageStatus.PREFERRED.value: 0,
    UsageStatus.ADMITTED.value: 1,
    UsageStatus.SUPERSEDED.value: 2,
    UsageStatus.DEPRECATED.value: 3,
}
REVIEW_ORDER = {TermReview.ACCEPTED.value: 0, TermReview.CANDIDATE.value: 1, TermReview.REJECTED.value: 2}


def display_key(term: Any) -> tuple[int, int, int, int]:
    """Order terms as readers see them: by language, accepted before proposed, preferred first."""
    language = LANGUAGES.index(term.language) if term.language in LANGUAGES else len(LANGUAGES)
    return (language, REVIEW_ORDER.get(term.review, 9), USAGE_ORDER.get(term.usage_status, 9), term.id or 0)


def _usage_chosen(session: Session, concept: Concept) -> set[str]:
    """Languages in which an editor has decided a usage status: not to be overridden on approval."""
    chosen = {t.language for t in concept.terms if t.usage_status != UsageStatus.ADMITTED.value}
    with session.no_autoflush:  # a flush here would bump the concept's version a second time
        entries = session.scalars(
            select(HistoryEntry).where(
                HistoryEntry.concept_id == concept.id, HistoryEntry.action.in_(("usage", "edit-term"))
            )
        ).all()
    for entry in entries:
        before = {t["id"]: t for t in (entry.before or {}).get("terms", [])}
        for term in (entry.after or {}).get("terms", []):
            old = before.get(term["id"])
            if old is not None and old.get("usage_status") != term.get("usage_status"):
                chosen.add(term["language"])
    return chosen


def prefer_on_approval(session: Session, concept: Concept) -> None:
    """On approval, the approved term of each language becomes preferred, unless an editor chose.

    In a language where an editor has set any usage status, nothing changes; elsewhere the
    first accepted term (the one extraction or the editor entered first) is made preferred.
    """
    chosen = _usage_chosen(session, concept)
    for language in LANGUAGES:
        if language in chosen:
            continue
        accepted = [
            t for t in concept.terms if t.language == language and t.review == TermReview.ACCEPTED.value
        ]
        if accepted and not any(t.usage_status == UsageStatus.PREFERRED.value for t in accepted):
            min(accepted, key=lambda t: t.id or 0).usage_status = UsageStatus.PREFERRED.value


def set_usage(
    session: Session, term_id: int, usage_status: str, *, version: int | None, actor: str | None
) -> Term:
    """Mark one term preferred, admitted or deprecated (superseded). A preferred term is the only
    one of its language: any other preferred term of that language becomes admitted."""
    term = get_term(session, term_id)
    concept = get_concept(session, term.concept_id)
    check_version(concept, version)
    usage = _choice(str(usage_status), [u.value for u in UsageStatus], "usage_status")
    if usage == UsageStatus.PREFERRED.value and term.review == TermReview.REJECTED.value:
        raise Invalid(
            "a rejected term cannot be preferred; accept it first", details={"field": "usage_status"}
        )
    before = snapshot(concept)
    term.usage_status = usage
    if usage == UsageStatus.PREFERRED.value:
        term.review = TermReview.ACCEPTED.value
        for other in concept.terms:
            if other is not term and other.language == term.language and other.usage_status == usage:
                other.usage_status = UsageStatus.ADMITTED.value
    touch(concept, actor)
    record(session, concept, "usage", actor, before, f"marked {term.language} {term.text!r} {usage}")
    return term


def review_term(
    session: Session, term_id: int, review: str, *, version: int | None, actor: str | None
) -> Term:
    """Accept or reject one term or proposed variant of a concept (or send it back to proposed)."""
    term = get_term(session, term_id)
    concept = get_concept(session, term.concept_id)
    check_version(concept, version)
    review = _choice(str(review), [r.value for r in TermReview], "review")
    if review == TermReview.REJECTED.value and not any(
        t.review != TermReview.REJECTED.value for t in concept.terms if t is not term
    ):
        raise Invalid(
            "cannot reject the last term of an entry; reject the entry instead", details={"field": "review"}
        )
    before = snapshot(concept)
    term.review = review
    if review == TermReview.REJECTED.value and term.usage_status == UsageStatus.PREFERRED.value:
        term.usage_status = UsageStatus.ADMITTED.value
    touch(concept, actor)
    verb = {"accepted": "accepted", "rejected": "rejected", "candidate": "re-proposed"}[review]
    record(session, concept, f"term:{review}", actor, before, f"{verb} {term.language} {term.text!r}")
    return term


def set_status(
    session: Session, concept_id: int, status: str, *, version: int | None, actor: str | None
) -> Concept:
    """Approve or reject (or send back to candidate) one concept."""
    return update_concept(session, concept_id, version=version, actor=actor, status=status)


def set_status_many(
    session: Session, concept_ids: Iterable[int], status: str, *, actor: str | None
) -> list[Concept]:
    """Approve or reject a selection; each concept gets its own history entry."""
    return [set_status(session, cid, status, version=None, actor=actor) for cid in concept_ids]


def add_term(
    session: Session, concept_id: int, data: TermInput, *, version: int | None, actor: str | None
) -> Term:
    concept = get_concept(session, concept_id)
    check_version(concept, version)
    before = snapshot(concept)
    term = build_term(data)
    _ensure_unique(concept, term)
    concept.terms.append(term)
    touch(concept, actor)
    record(session, concept, "add-term", actor, before, f"added {term.language} {term.text!r}")
    return term


def get_term(session: Session, term_id: int) -> Term:
    term = session.get(Term, term_id)
    if term is None:
        raise NotFound(f"no term {term_id}")
    return term


def update_term(
    session: Session, term_id: int, *, version: int | None, actor: str | None, **changes: Any
) -> Term:
    term = get_term(session, term_id)
    concept = get_concept(session, term.concept_id)
    check_version(concept, version)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise Invalid(f"unknown field {sorted(unknown)[0]!r}", details={"field": sorted(unknown)[0]})
    before = snapshot(concept)
    if "usage_status" in changes:
        term.usage_status = _choice(
            str(changes["usage_status"]), [s.value for s in UsageStatus], "usage_status"
        )
    if "review" in changes:
        term.review = _choice(str(changes["review"]), [s.value for s in TermReview], "review")
    for name in ("term_type", "part_of_speech", "note"):
        if name in changes:
            setattr(term, name, changes[name] or None)
    if "text" in changes or "pinyin" in changes:
        apply_term_text(term, changes.get("text", term.text), changes.get("pinyin", term.pinyin))
        _check_fits(term)
        _ensure_unique(concept, term)
    touch(concept, actor)
    record(session, concept, "edit-term", actor, before, f"edited {term.language} {term.text!r}")
    return term


def remove_term(session: Session, term_id: int, *, version: int | None, actor: str | None) -> Concept:
    term = get_term(session, term_id)
    concept = get_concept(session, term.concept_id)
    check_version(concept, version)
    if len(concept.terms) == 1:
        raise Invalid("cannot remove the last term of a concept; delete the concept instead")
    before = _with_removed_kept(session, snapshot(concept), concept.id, {term.id})
    concept.terms.remove(term)
    touch(concept, actor)
    record(session, concept, "remove-term", actor, before, f"removed {term.language} {term.text!r}")
    return concept


def delete_concept(session: Session, concept_id: int, *, version: int | None, actor: str | None) -> None:
    concept = get_concept(session, concept_id)
    check_version(concept, version)
    before = _with_removed_kept(session, tombstone(concept), concept.id, None)
    record(session, concept, "delete", actor, before, "deleted", deleted=True)
    session.delete(concept)
    session.flush()


def merge_concepts(
    session: Session,
    target_id: int,
    source_id: int,
    *,
    actor: str | None,
    target_version: int | None = None,
    source_version: int | None = None,
) -> Concept:
    """Move the source concept's terms, citations, definitions and comments into the target."""
    if target_id == source_id:
        raise Invalid("cannot merge a concept with itself")
    target = get_concept(session, target_id)
    source = get_concept(session, source_id)
    check_version(target, target_version)
    check_version(source, source_version)
    before_target, before_source = snapshot(target), tombstone(source)
    before_source["kept"] = kept_before_merge(session, source.id, target.id)
    existing = {(t.language, t.normalized): t for t in target.terms}
    twins: dict[int, int] = {}
    for term in list(source.terms):
        twin = existing.get((term.language, term.normalized))
        if twin is not None:
            twins[term.id] = twin.id
        if twin is None:
            source.terms.remove(term)
            target.terms.append(term)
            existing[(term.language, term.normalized)] = term
            continue
        have = {(c.segment_id, c.start) for c in twin.citations}
        for citation in term.citations:
            if (citation.segment_id, citation.start) not in have:
                twin.citations.append(
                    Citation(segment_id=citation.segment_id, start=citation.start, end=citation.end)
                )
    target_definitions = {d.language for d in target.definitions}
    for definition in list(source.definitions):
        if definition.language not in target_definitions:
            target.definitions.append(Definition(language=definition.language, text=definition.text))
    # Without no_autoflush, loading target.comments would flush the comment just removed from
    # the source as a delete-orphan before it reached the target.
    with session.no_autoflush:
        for comment in list(source.comments):
            source.comments.remove(comment)
            target.comments.append(comment)
    target.note = _merged_note(target.note, source.note)
    target.subject_field = target.subject_field or source.subject_field
    touch(target, actor)
    session.flush()
    move_kept(session, source.id, target.id, twins=twins)
    record(
        session, source, "merged-into", actor, before_source, f"merged into concept {target.id}", deleted=True
    )
    session.delete(source)
    record(session, target, "merge", actor, before_target, f"merged concept {source_id} into this one")
    return target


MERGED_INTO_RE = re.compile(r"^merged into concept (\d+)$")
MERGED_FROM_RE = re.compile(r"^merged concept (\d+) into this one$")
UNMERGED_RE = re.compile(r"^undid merge #(\d+)")


def merge_pair(session: Session, entry: HistoryEntry) -> tuple[HistoryEntry, HistoryEntry] | None:
    """The two history entries of one merge, (on the target, on the source), from either of them."""
    if entry.action == "merge" and (found := MERGED_FROM_RE.match(entry.summary or "")):
        source_id, target_id = int(found.group(1)), entry.concept_id
    elif entry.action == "merged-into" and (found := MERGED_INTO_RE.match(entry.summary or "")):
        source_id, target_id = entry.concept_id, int(found.group(1))
    else:
        return None
    # A merge records the source's entry, then the target's, in one transaction.
    on_source = session.scalar(
        select(HistoryEntry)
        .where(
            HistoryEntry.concept_id == source_id,
            HistoryEntry.action == "merged-into",
            HistoryEntry.summary == f"merged into concept {target_id}",
            HistoryEntry.id <= entry.id,
        )
        .order_by(HistoryEntry.id.desc())
        .limit(1)
    )
    on_target = session.scalar(
        select(HistoryEntry)
        .where(
            HistoryEntry.concept_id == target_id,
            HistoryEntry.action == "merge",
            HistoryEntry.summary == f"merged concept {source_id} into this one",
            HistoryEntry.id >= entry.id,
        )
        .order_by(HistoryEntry.id)
        .limit(1)
    )
    if on_source is None or on_target is None:
        return None
    return on_target, on_source


def undoes_merge(session: Session, entry: HistoryEntry) -> bool:
    """Whether reverting this history entry undoes a merge (both concepts come back).

    :raises Invalid: when the entry is half of a merge that was undone already.
    """
    pair = merge_pair(session, entry)
    if pair is None:
        return False
    on_target, on_source = pair
    if _merge_undone(session, on_target):
        raise Invalid(f"the merge #{on_target.id} was undone already")
    return session.get(Concept, on_source.concept_id) is None


def _merge_undone(session: Session, merge_entry: HistoryEntry) -> bool:
    undos = session.scalars(
        select(HistoryEntry.summary).where(
            HistoryEntry.concept_id == merge_entry.concept_id, HistoryEntry.action == "unmerge"
        )
    )
    return any((m := UNMERGED_RE.match(s or "")) and int(m.group(1)) == merge_entry.id for s in undos)


def unmerge(
    session: Session,
    entry: HistoryEntry,
    *,
    actor: str | None,
    target_version: int | None = None,
) -> tuple[Concept, Concept]:
    """Undo one merge, from the history entry of either concept: both come back as they were.

    The source concept is recreated with its id, origin, status, fields, comments and its
    terms: those that moved into the target move back (with any edits made to them since),
    those it shared with the target are rebuilt with their own citations. The target keeps
    its changes made after the merge but loses what the merge brought: the moved terms,
    the citations added to its twins, definitions, note and subject field it took over.
    Returns (target, source).

    :raises Invalid: when the entry is not half of a merge, or the merge was undone already.
    :raises Conflict: when the source concept exists again (restored meanwhile), or the
        target changed since the version the caller saw.
    """
    pair = merge_pair(session, entry)
    if pair is None:
        raise Invalid(f"history entry {entry.id} is not a merge")
    on_target, on_source = pair
    if _merge_undone(session, on_target):
        raise Invalid(f"the merge #{on_target.id} was undone already")
    saved_source = on_source.before or {}
    saved_target = on_target.before or {}
    source_id, target_id = on_source.concept_id, on_target.concept_id
    if session.get(Concept, source_id) is not None:
        raise Conflict(
            f"concept {source_id} exists again; restore the target from its history instead",
            details={"field": "version"},
        )
    target = get_concept(session, target_id)
    check_version(target, target_version)
    before_target = snapshot(target)

    source = Concept(
        id=source_id,
        origin=saved_source.get("origin", "manual"),
        evidence=saved_source.get("evidence"),
        created_by=saved_source.get("created_by", actor),
    )
    for name in CONCEPT_FIELDS:
        setattr(source, name, saved_source.get(name))
    session.add(source)
    _set_definitions(source, saved_source.get("definitions", {}), kept_languages=True)

    target_term_ids = {t["id"] for t in saved_target.get("terms", [])}
    target_cites = {
        t["id"]: {(s, a) for s, a, _ in t.get("citations", [])} for t in saved_target.get("terms", [])
    }
    current = {t.id: t for t in target.terms}
    by_key = {(t.language, t.normalized): t for t in target.terms}
    restored: dict[int, Term] = {}  # the source's terms as they were -> as they come back
    for saved in saved_source.get("terms", []):
        moved = current.get(saved["id"])
        if moved is not None and moved.id not in target_term_ids:
            target.terms.remove(moved)
            source.terms.append(moved)
            restored[saved["id"]] = moved
            continue
        # Shared with the target (or removed from it since): rebuild the source's own term.
        term = build_term(
            TermInput(language=saved["language"], text=saved["text"], pinyin=saved.get("pinyin")),
            kept_languages=True,
        )
        for name in RESTORED_TERM_FIELDS:
            setattr(term, name, saved.get(name))
        for segment_id, start, end in saved.get("citations", []):
            if _segment_exists(session, segment_id):
                term.citations.append(Citation(segment_id=segment_id, start=start, end=end))
        source.terms.append(term)
        restored[saved["id"]] = term
        twin = by_key.get(_saved_key(saved))
        if twin is not None and twin.id in target_term_ids:
            kept = target_cites.get(twin.id, set())
            brought = {(s, a) for s, a, _ in saved.get("citations", [])}
            for citation in list(twin.citations):
                key = (citation.segment_id, citation.start)
                if key in brought and key not in kept:
                    twin.citations.remove(citation)
    if not target.terms:
        raise Invalid(f"undoing the merge would leave concept {target_id} without terms")

    saved_definitions = saved_target.get("definitions", {})
    source_definitions = saved_source.get("definitions", {})
    for definition in list(target.definitions):
        if (
            definition.language not in saved_definitions
            and source_definitions.get(definition.language) == definition.text
        ):
            target.definitions.remove(definition)
    merged_note = _merged_note(saved_target.get("note"), saved_source.get("note"))
    if target.note == merged_note:
        target.note = saved_target.get("note")
    if saved_target.get("subject_field") is None and target.subject_field == saved_source.get(
        "subject_field"
    ):
        target.subject_field = None
    comment_ids = set(saved_source.get("comments", []))
    with session.no_autoflush:
        for comment in list(target.comments):
            if comment.id in comment_ids:
                target.comments.remove(comment)
                source.comments.append(comment)
    touch(target, actor)
    session.flush()
    restore_kept(
        session,
        saved_source.get("kept", {}),
        source_id,
        target_id,
        {old_id: term.id for old_id, term in restored.items()},
    )
    session.flush()
    record(session, source, "unmerge", actor, None, f"undid merge #{on_source.id} into concept {target_id}")
    record(
        session,
        target,
        "unmerge",
        actor,
        before_target,
        f"undid merge #{on_target.id} of concept {source_id}",
    )
    return target, source


def _merged_note(target_note: str | None, source_note: str | None) -> str | None:
    """The note a merge leaves on the target."""
    if target_note and source_note and source_note != target_note:
        return f"{target_note}\n{source_note}"
    return target_note or source_note


def split_concept(
    session: Session, concept_id: int, term_ids: Iterable[int], *, version: int | None, actor: str | None
) -> Concept:
    """Move the chosen terms out into a new concept with the same status and subject field."""
    concept = get_concept(session, concept_id)
    check_version(concept, version)
    chosen = set(term_ids)
    moving = [t for t in concept.terms if t.id in chosen]
    if not moving or len(moving) != len(chosen):
        raise Invalid("choose terms of this concept to split off", details={"field": "term_ids"})
    if len(moving) == len(concept.terms):
        raise Invalid("a split must leave at least one term behind", details={"field": "term_ids"})
    before = snapshot(concept)
    new = Concept(
        subject_field=concept.subject_field,
        status=concept.status,
        origin=concept.origin,
        created_by=actor,
        updated_by=actor,
    )
    for term in moving:
        concept.terms.remove(term)
        new.terms.append(term)
    session.add(new)
    touch(concept, actor)
    session.flush()
    move_kept(session, concept.id, new.id, term_ids=chosen)
    record(
        session, concept, "split", actor, before, f"split {counted(len(moving), 'term')} into a new concept"
    )
    record(session, new, "create", actor, None, f"split from concept {concept.id}")
    return new


def add_comment(session: Session, concept_id: int, *, author: str, body: str) -> Comment:
    body = (body or "").strip()
    if not body:
        raise Invalid("comment is empty", details={"field": "body"})
    if len(body) > 5000:
        raise Invalid("comment is longer than 5000 characters", details={"field": "body"})
    concept = get_concept(session, concept_id)
    comment = Comment(concept=concept, author=author, body=body)
    session.add(comment)
    session.flush()
    return comment


def history(session: Session, concept_id: int) -> list[HistoryEntry]:
    return list(
        session.scalars(
            select(HistoryEntry).where(HistoryEntry.concept_id == concept_id).order_by(HistoryEntry.id.desc())
        )
    )


# The history key under which a change keeps the imported fields and links it deletes.
REMOVED_KEPT = "removed_kept"


def _with_removed_kept(
    session: Session, before: dict[str, Any], concept_id: int, term_ids: set[int] | None
) -> dict[str, Any]:
    """``before`` with the kept fields and links that go away with the concept (``term_ids``
    None) or with these terms, so that reverting the change restores them too."""
    removed = kept_rows(session, concept_id, term_ids=term_ids)
    return {**before, REMOVED_KEPT: removed} if removed else before


def _saved_key(saved: Mapping[str, Any]) -> tuple[str, str]:
    """A snapshot's term as terms are matched: language and normalized text (Term.normalized)."""
    return saved["language"], normalize_term(saved["text"])


def _restore_terms(session: Session, concept: Concept, saved_terms: list[dict[str, Any]]) -> None:
    current = {(t.language, t.normalized): t for t in concept.terms}
    wanted: set[tuple[str, str]] = set()
    for saved in saved_terms:
        key = _saved_key(saved)
        wanted.add(key)
        term = current.get(key)
        if term is None:
            term = build_term(
                TermInput(language=saved["language"], text=saved["text"], pinyin=saved.get("pinyin")),
                kept_languages=True,
            )
            concept.terms.append(term)
        for name in RESTORED_TERM_FIELDS:
            setattr(term, name, saved.get(name))
        apply_term_text(term, saved["text"], saved.get("pinyin"))
        have = {(c.segment_id, c.start) for c in term.citations}
        for segment_id, start, end in saved.get("citations", []):
            if (segment_id, start) not in have and _segment_exists(session, segment_id):
                term.citations.append(Citation(segment_id=segment_id, start=start, end=end))
    for key, term in current.items():
        if key not in wanted:
            concept.terms.remove(term)


def _segment_exists(session: Session, segment_id: int) -> bool:
    return session.get(Segment, segment_id) is not None


def revert(
    session: Session,
    entry_id: int,
    *,
    actor: str | None,
    version: int | None = None,
    expect_deleted: bool = False,
) -> Concept:
    """Restore a concept to how it was before the given history entry.

    Reverting either half of a merge undoes the merge (see :func:`unmerge`): both concepts
    come back in one change.

    :param version: the concept version the caller saw, if it saw the concept at all.
    :param expect_deleted: the caller saw the concept deleted (it offers to bring it back).
    :raises Conflict: when the concept is no longer as the caller saw it: changed, deleted, or
        restored by someone else meanwhile. Restoring on top of that would undo it unseen.
    """
    entry = session.get(HistoryEntry, entry_id)
    if entry is None:
        raise NotFound(f"no history entry {entry_id}")
    if entry.before is None:
        raise Invalid("this change created the concept; delete the concept to undo it")
    if undoes_merge(session, entry):
        if expect_deleted and session.get(Concept, entry.concept_id) is not None:
            raise Conflict(
                f"concept {entry.concept_id} was restored by someone else", details={"field": "version"}
            )
        target, source = unmerge(
            session, entry, actor=actor, target_version=None if entry.action == "merged-into" else version
        )
        return source if entry.action == "merged-into" else target
    saved = entry.before
    concept = session.get(Concept, entry.concept_id)
    if concept is None:
        if version is not None:
            raise Conflict(
                f"concept {entry.concept_id} was deleted by someone else", details={"field": "version"}
            )
        concept = Concept(
            id=entry.concept_id,
            created_by=saved.get("created_by", actor),
            origin=saved.get("origin", "manual"),
            evidence=saved.get("evidence"),
        )
        session.add(concept)
        before = None
    else:
        concept = get_concept(session, entry.concept_id)
        if expect_deleted:
            raise Conflict(
                f"concept {concept.id} was restored by someone else",
                details={"field": "version", "current_version": concept.version},
            )
        check_version(concept, version)
        wanted = {_saved_key(t) for t in saved.get("terms", [])}
        dropped = {t.id for t in concept.terms if (t.language, t.normalized) not in wanted}
        before = (
            _with_removed_kept(session, snapshot(concept), concept.id, dropped)
            if dropped
            else snapshot(concept)
        )
    for name in CONCEPT_FIELDS:
        setattr(concept, name, saved.get(name))
    _set_definitions(
        concept,
        {**{d.language: None for d in concept.definitions}, **saved.get("definitions", {})},
        kept_languages=True,
    )
    _restore_terms(session, concept, saved.get("terms", []))
    if saved.get(REMOVED_KEPT):
        session.flush()
        restored = {(t.language, t.normalized): t.id for t in concept.terms}
        term_ids = {
            t["id"]: restored[key] for t in saved.get("terms", []) if (key := _saved_key(t)) in restored
        }
        restore_kept_rows(session, saved[REMOVED_KEPT], concept.id, term_ids)
    touch(concept, actor)
    record(session, concept, "revert", actor, before, f"reverted change #{entry.id} ({entry.action})")
    return concept
