"""What the termbase holds, for a first visit: counts by status and lookup examples that find entries.

Examples are drawn from entries the viewer may see (approved ones for anonymous visitors),
and each is checked with the lookup itself, so the home page, the search placeholder and
the help page never offer a query that answers "No entry matches".
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from termbase.models import Concept
from termbase.records import LANG_EN, LANG_ZH_HANS, LANG_ZH_HANT, TermReview, WorkflowStatus
from termbase.services import search as search_service
from termbase.text.pinyin import toneless

# Entries read to draw examples from: the most confident visible ones.
EXAMPLE_POOL = 12


@dataclass(frozen=True, slots=True)
class Example:
    """A lookup query and what it shows about the lookup box, with the entry it finds."""

    query: str
    kind: str  # how the query is written: "Chinese", "Traditional Chinese", "pinyin", ...
    language: str  # BCP 47 tag for the link's lang attribute
    concept_id: int
    finds: str  # the entry it finds, as "数据主权 · data sovereignty"


@dataclass(frozen=True, slots=True)
class Overview:
    approved: int
    candidates: int
    rejected: int
    proposals: int  # variant proposals awaiting review inside existing entries
    examples: tuple[Example, ...]

    @property
    def total(self) -> int:
        return self.approved + self.candidates

    @property
    def pending(self) -> int:
        return self.candidates + self.proposals


def _entry_forms(concept: Concept) -> tuple[str, str, str | None, str | None, str | None] | None:
    """(Simplified, English, Traditional, pinyin, initials) of an entry, or None without both languages."""
    accepted = [t for t in concept.terms if t.review == TermReview.ACCEPTED.value]
    zh = search_service.preferred_term(accepted, (LANG_ZH_HANS,))
    en = search_service.preferred_term(accepted, (LANG_EN,))
    if zh is None or en is None:
        return None
    traditional = search_service.traditional_form(accepted, zh)
    return zh.text, en.text, traditional, zh.pinyin, zh.pinyin_initials


def _candidate_examples(concepts: list[Concept]) -> list[Example]:
    """One example of each way of writing a query, each from the next entry in turn."""
    entries = [(c.id, forms) for c in concepts if (forms := _entry_forms(c)) is not None]
    if not entries:
        return []
    examples: list[Example] = []
    makers = ("pinyin", "traditional", "initials", "english", "chinese")
    for index, maker in enumerate(makers):
        concept_id, (zh, en, traditional, pinyin, initials) = entries[index % len(entries)]
        finds = f"{zh} · {en}"
        if maker == "pinyin" and pinyin:
            examples.append(Example(toneless(pinyin), "pinyin", "zh-Latn-pinyin", concept_id, finds))
        elif maker == "traditional" and traditional and traditional != zh:
            examples.append(Example(traditional, "Traditional Chinese", LANG_ZH_HANT, concept_id, finds))
        elif maker == "initials" and initials and 2 <= len(initials) <= 12:
            examples.append(Example(initials, "pinyin initials", "zh-Latn-pinyin", concept_id, finds))
        elif maker == "english":
            examples.append(Example(en, "English", LANG_EN, concept_id, finds))
        elif maker == "chinese":
            examples.append(Example(zh, "Chinese", LANG_ZH_HANS, concept_id, finds))
    return examples


def _finds(session: Session, example: Example, include_unapproved: bool) -> bool:
    # Every example is a whole key of its entry: the exact tier finds it, no "contains" scan needed.
    results = search_service.search(
        session,
        example.query,
        include_unapproved=include_unapproved,
        limit=search_service.MAX_LIMIT,
        contains=False,
    )
    return any(hit.concept_id == example.concept_id for hit in results.hits)


def lookup_examples(session: Session, *, include_unapproved: bool, limit: int = 4) -> tuple[Example, ...]:
    """Up to ``limit`` example queries, each finding a visible entry (none when nothing is visible)."""
    concepts = list(
        session.scalars(
            select(Concept)
            .where(Concept.status.in_(search_service.default_statuses(include_unapproved)))
            .options(selectinload(Concept.terms))
            # Approved entries first, then the most confident.
            .order_by(Concept.status, Concept.confidence.is_(None), Concept.confidence.desc(), Concept.id)
            .limit(EXAMPLE_POOL)
        )
    )
    found: list[Example] = []
    seen: set[str] = set()
    for example in _candidate_examples(concepts):
        if example.query in seen or not _finds(session, example, include_unapproved):
            continue
        seen.add(example.query)
        found.append(example)
        if len(found) >= limit:
            break
    return tuple(found)


def overview(session: Session, *, include_unapproved: bool) -> Overview:
    """Counts by status and lookup examples for a viewer who may (or may not) see candidates."""
    counts = search_service.count_by_status(session)
    pending = search_service.pending_review_count(session)
    candidates = counts.get(WorkflowStatus.CANDIDATE.value, 0)
    return Overview(
        approved=counts.get(WorkflowStatus.APPROVED.value, 0),
        candidates=candidates,
        rejected=counts.get(WorkflowStatus.REJECTED.value, 0),
        proposals=pending - candidates,
        examples=lookup_examples(session, include_unapproved=include_unapproved),
    )
