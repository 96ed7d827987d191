"""Readable differences between two history snapshots of a concept."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from termbase.services.concepts import UNMERGED_RE
from termbase.text.wording import label as code_label

CONCEPT_LABELS = {
    "status": "status",
    "subject_field": "subject field",
    "note": "note",
    "confidence": "confidence",
}
TERM_LABELS = {
    "text": "text",
    "usage_status": "usage",
    "pinyin": "pinyin",
    "review": "review",
    "term_type": "type",
    "part_of_speech": "part of speech",
    "note": "note",
}
# Fields holding codes (TBX values, statuses): shown as words ("fullForm" -> "full form").
CODED_FIELDS = {"status", "usage_status", "review", "term_type", "part_of_speech"}
ACTION_LABELS = {
    "create": "created",
    "update": "edited",
    "add-term": "added a term",
    "edit-term": "edited a term",
    "remove-term": "removed a term",
    "delete": "deleted the entry",
    "merge": "merged another entry in",
    "merged-into": "merged this entry into another",
    "split": "split terms off",
    "revert": "reverted",
    "unmerge": "undid a merge",
    "usage": "set a usage status",
    "term:accepted": "accepted a term",
    "term:rejected": "rejected a term",
    "term:candidate": "sent a term back to proposed",
    "remove-citation": "removed a citation",
    "restore-citation": "restored a citation",
    "cite": "cited from the documents",
    "status:approved": "approved",
    "status:rejected": "rejected",
    "status:candidate": "sent back to candidates",
    # Transactions an imported file recorded (importing.TRANSACTION_ACTION_PREFIX), by their person.
    "tbx:origination": "created (in the imported file)",
    "tbx:modification": "modified (in the imported file)",
}


@dataclass(frozen=True, slots=True)
class Change:
    kind: str  # "added", "removed", "changed"
    what: str
    before: str | None = None
    after: str | None = None
    language: str | None = None


def undone_merges(entries: Iterable[Any]) -> set[int]:
    """Ids of the merge history entries (either side) that a later "unmerge" entry undid."""
    found = (UNMERGED_RE.match(e.summary or "") for e in entries if e.action == "unmerge")
    return {int(m.group(1)) for m in found if m}


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action.replace("-", " ").replace(":", " "))


def _text(value: Any, name: str = "") -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, float):
        return f"{value:.2f}"
    if name in CODED_FIELDS:
        return code_label(str(value))
    return str(value)


def _term_key(term: dict[str, Any]) -> tuple[str, Any]:
    return ("id", term["id"]) if term.get("id") is not None else ("text", (term["language"], term["text"]))


def diff_snapshots(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[Change]:
    """What changed from ``before`` to ``after`` (either may be None: creation or deletion)."""
    if before is None and after is None:
        return []
    if before is None:
        assert after is not None
        return [
            Change("added", "term", after=t["text"], language=t["language"]) for t in after.get("terms", [])
        ]
    if after is None:
        return [Change("removed", "entry", before=", ".join(t["text"] for t in before.get("terms", [])))]
    changes: list[Change] = []
    for name, label in CONCEPT_LABELS.items():
        old, new = _text(before.get(name), name), _text(after.get(name), name)
        if old != new:
            changes.append(Change("changed", label, old, new))
    old_defs, new_defs = before.get("definitions") or {}, after.get("definitions") or {}
    for language in sorted(set(old_defs) | set(new_defs)):
        old, new = old_defs.get(language), new_defs.get(language)
        if old != new:
            kind = "added" if old is None else "removed" if new is None else "changed"
            changes.append(Change(kind, "definition", old, new, language))
    old_terms = {_term_key(t): t for t in before.get("terms", [])}
    new_terms = {_term_key(t): t for t in after.get("terms", [])}
    for key, term in old_terms.items():
        if key not in new_terms:
            changes.append(Change("removed", "term", before=term["text"], language=term["language"]))
    for key, term in new_terms.items():
        old_term = old_terms.get(key)
        if old_term is None:
            changes.append(Change("added", "term", after=term["text"], language=term["language"]))
            continue
        for name, label in TERM_LABELS.items():
            old, new = _text(old_term.get(name), name), _text(term.get(name), name)
            if old != new:
                what = label if name == "text" else f"{label} of “{term['text']}”"
                language = term["language"] if name in ("text", "pinyin", "note") else None
                changes.append(Change("changed", f"term {what}", old, new, language))
        old_cites, new_cites = len(old_term.get("citations") or []), len(term.get("citations") or [])
        if old_cites != new_cites:
            changes.append(
                Change(
                    "changed",
                    f"citations of “{term['text']}”",
                    str(old_cites),
                    str(new_cites),
                    term["language"],
                )
            )
    return changes
