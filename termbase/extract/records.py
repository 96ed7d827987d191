"""Plain records the extractor consumes and produces (no database objects)."""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

SOURCE_ALIGNMENT = "source"


@dataclass(frozen=True, slots=True)
class SegmentInput:
    """One segment of a document as the extractor sees it.

    ``key`` is the caller's identifier (the segment id); ``position`` orders segments inside
    ``document``. ``*_match`` are the length-preserving normalised texts (computed when None).
    ``alignment`` tells how a pair was made: "source" pairs were aligned by the author and are
    trusted; computed pairs also look at their neighbours for the other language.
    """

    key: int
    document: str
    position: int
    zh_text: str | None = None
    en_text: str | None = None
    zh_match: str | None = None
    en_match: str | None = None
    en_splits: tuple[int, ...] = ()
    alignment: str = SOURCE_ALIGNMENT


@dataclass(frozen=True, slots=True)
class KnownTerm:
    id: int
    language: str
    text: str
    review: str = "accepted"


@dataclass(frozen=True, slots=True)
class KnownConcept:
    """A concept already in the termbase, in any status (rejected ones are matched and left alone)."""

    id: int
    status: str
    terms: tuple[KnownTerm, ...]


@dataclass(frozen=True, slots=True)
class Span:
    """An occurrence: segment key plus offsets into the original text of one language side."""

    segment: int
    start: int
    end: int


class Spans:
    """A term's occurrences, held as ints rather than a :class:`Span` each: a run keeps every
    term's until it ends, some thirty thousand per MB of text. Iterating gives :class:`Span` objects."""

    __slots__ = ("_values",)

    def __init__(self, spans: Iterable[Span] = ()) -> None:
        self._values: array[int] = array("i")  # segment, start and end of each, one after the other
        for span in spans:
            self.add(span.segment, span.start, span.end)

    def add(self, segment: int, start: int, end: int) -> None:
        if self._values.typecode == "i" and not _INT32_MIN <= segment <= _INT32_MAX:
            self._values = array("q", self._values)  # a caller's segment keys beyond 32 bits
        self._values.extend((segment, start, end))

    def sort(self) -> None:
        """In text order (segment, start, end), each occurrence once."""
        values = self._values
        triples = zip(values[::3], values[1::3], values[2::3], strict=True)
        if all(a < b for a, b in pairwise(triples)):
            return  # found in order, the usual case: no copy of a frequent term's thousands
        ordered = sorted(set(zip(values[::3], values[1::3], values[2::3], strict=True)))
        self._values = array(values.typecode, [value for triple in ordered for value in triple])

    def segments(self) -> array[int]:
        """The segment of each occurrence."""
        return self._values[::3]

    def __len__(self) -> int:
        return len(self._values) // 3

    def __iter__(self) -> Iterator[Span]:
        values = self._values
        return map(Span, values[::3], values[1::3], values[2::3])

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Spans) and list(self) == list(other)

    def __repr__(self) -> str:
        return f"Spans({list(self)!r})"


_INT32_MIN, _INT32_MAX = -(1 << 31), (1 << 31) - 1


@dataclass(slots=True)
class ProposedTerm:
    language: str
    text: str
    spans: Spans = field(default_factory=Spans)
    evidence: dict[str, Any] | None = None
    review: str = "accepted"  # "candidate" for a variant proposed inside a concept


@dataclass(slots=True)
class ProposedConcept:
    """A new candidate concept: its terms with their citations, a confidence and the evidence."""

    terms: list[ProposedTerm]
    confidence: float
    evidence: dict[str, Any]

    @property
    def zh(self) -> str:
        return next(t.text for t in self.terms if t.language == "zh-Hans")

    @property
    def en(self) -> list[str]:
        """The English renderings proposed with the concept (variant candidates not included)."""
        return [t.text for t in self.terms if t.language == "en" and t.review == "accepted"]

    @property
    def variants(self) -> list[ProposedTerm]:
        """Look-alike renderings proposed for review inside the new concept."""
        return [t for t in self.terms if t.review == "candidate"]


@dataclass(slots=True)
class ProposedVariant:
    """Another rendering of a known concept, proposed to editors as a candidate term."""

    concept_id: int
    term: ProposedTerm


@dataclass(slots=True)
class ExtractionResult:
    concepts: list[ProposedConcept] = field(default_factory=list)
    variants: list[ProposedVariant] = field(default_factory=list)
    # Occurrences of terms already in the termbase: term id -> spans.
    citations: dict[int, Spans] = field(default_factory=dict)
    # Candidate concepts already in the termbase that this run cites: concept id -> counts per
    # document slug (zh_count, en_count, cooccurrence), to refresh their evidence (scoring.refresh).
    counts: dict[int, dict[str, dict[str, int]]] = field(default_factory=dict)
    skipped_rejected: int = 0
    skipped_approved: int = 0
    matched_existing: int = 0
