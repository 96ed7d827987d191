"""Conflict pages: what an editor sees when someone else changed the entry meanwhile.

Every edit form carries the concept version the page showed. When someone else changed the
entry meanwhile the service raises ``Conflict`` (or the ORM ``StaleDataError``), and the
editor gets a conflict page with both versions, what changed in between, and a way to
re-apply their change to the current version.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import render_template, request
from sqlalchemy.orm.exc import StaleDataError

from termbase.services import concepts as concept_service
from termbase.services.errors import Conflict, NotFound
from termbase.web.helpers import db
from termbase.web.history import action_label, diff_snapshots

T = TypeVar("T")


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


def is_response(value: Any) -> bool:
    return isinstance(value, tuple) or hasattr(value, "status_code")
