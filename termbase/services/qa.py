"""Terminology QA of a translated segment against the approved termbase.

Two checks, each reported with offsets:

* **missing term** – a term of an approved concept occurs in the source, the
  concept has approved (preferred or admitted) terms in the other language, and
  none of them occurs anywhere in the target;
* **deprecated term** – the target uses a deprecated or superseded term of an
  approved concept.

By default only approved concepts and accepted terms take part, so unreviewed
candidates never raise an alarm; on request candidates take part too, and every
issue they cause says it is unreviewed. The longest term in the source is the one
checked (数据主权, not the 主权 inside it). Everything comes from the cached
recognition engine.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from termbase.records import TermReview, UsageStatus
from termbase.services import recognition
from termbase.services.recognition import Equivalent, TermInfo
from termbase.text.lang import is_chinese

MISSING_TERM = "missing_term"
DEPRECATED_TERM = "deprecated_term"
_DISCOURAGED = (UsageStatus.DEPRECATED.value, UsageStatus.SUPERSEDED.value)
_USAGE_ORDER = {UsageStatus.PREFERRED.value: 0, UsageStatus.ADMITTED.value: 1}


@dataclass(frozen=True, slots=True)
class Issue:
    """One terminology problem; ``start``/``end`` are offsets into the side named by ``side``."""

    kind: str  # MISSING_TERM or DEPRECATED_TERM
    side: str  # "source" or "target"
    start: int
    end: int
    text: str
    term_id: int
    concept_id: int
    usage_status: str
    message: str
    # What to use instead: approved target terms, preferred first.
    suggestions: tuple[Equivalent, ...]
    reviewed: bool  # False when an unreviewed candidate term or entry raised it


def _usable(term: TermInfo, include_unapproved: bool) -> bool:
    if include_unapproved:
        return term.review != TermReview.REJECTED.value and term.usage_status in _USAGE_ORDER
    return term.usable


def _suggestions(terms: list[TermInfo]) -> tuple[Equivalent, ...]:
    ordered = sorted(terms, key=lambda t: (_USAGE_ORDER.get(t.usage_status, 9), t.language, t.id))
    return tuple(Equivalent(t.id, t.language, t.text, t.usage_status, t.approved) for t in ordered)


def _quoted(terms: tuple[Equivalent, ...]) -> str:
    return " / ".join(f"“{t.text}”" for t in terms)


def _unreviewed_note(reviewed: bool) -> str:
    return "" if reviewed else " (unreviewed: an editor has not approved this yet)"


def check(session: Session, source: str, target: str, *, include_unapproved: bool = False) -> list[Issue]:
    """Terminology problems of ``target`` as a translation of ``source``, source side first.

    :param include_unapproved: also check against candidate entries and terms; their issues
        have ``reviewed`` false.
    """
    engine = recognition.get_engine(session)
    unapproved = include_unapproved
    source_matches = engine.matches(
        source, engine.find(source, include_unapproved=unapproved), include_unapproved=unapproved
    )
    target_matches = engine.matches(
        target, engine.find(target, include_unapproved=unapproved), include_unapproved=unapproved
    )
    # Every occurrence counts as present, also one inside a longer term.
    present = engine.term_ids(
        e for hit in engine.find(target, include_unapproved=unapproved, overlapping=True) for e in hit.ids
    )
    issues: list[Issue] = []
    for match in source_matches:
        wanted = [
            t
            for t in engine.concept_terms(match.concept_id)
            if _usable(t, unapproved) and is_chinese(t.language) != is_chinese(match.language)
        ]
        if not wanted or any(t.id in present for t in wanted):
            continue
        suggestions = _suggestions(wanted)
        issues.append(
            Issue(
                kind=MISSING_TERM,
                side="source",
                start=match.start,
                end=match.end,
                text=match.text,
                term_id=match.term_id,
                concept_id=match.concept_id,
                usage_status=match.usage_status,
                message=f"“{match.text}” should be translated as {_quoted(suggestions)}, "
                "which the target does not contain"
                f"{_unreviewed_note(match.reviewed and all(t.reviewed for t in suggestions))}.",
                suggestions=suggestions,
                reviewed=match.reviewed and all(t.reviewed for t in suggestions),
            )
        )
    for match in target_matches:
        if match.usage_status not in _DISCOURAGED:
            continue
        suggestions = _suggestions(
            [
                t
                for t in engine.concept_terms(match.concept_id)
                if _usable(t, unapproved) and is_chinese(t.language) == is_chinese(match.language)
            ]
        )
        instead = f"; use {_quoted(suggestions)} instead" if suggestions else ""
        issues.append(
            Issue(
                kind=DEPRECATED_TERM,
                side="target",
                start=match.start,
                end=match.end,
                text=match.text,
                term_id=match.term_id,
                concept_id=match.concept_id,
                usage_status=match.usage_status,
                message=f"“{match.text}” is a {match.usage_status} term{instead}{_unreviewed_note(match.reviewed)}.",
                suggestions=suggestions,
                reviewed=match.reviewed,
            )
        )
    return issues
