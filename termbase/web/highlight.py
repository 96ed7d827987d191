"""Split text into plain and marked pieces, so templates can highlight without ``|safe``.

Every piece is rendered through Jinja's autoescape; no HTML is ever built from term
or document text in Python.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


class Span(Protocol):
    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...


@dataclass(frozen=True, slots=True)
class Piece:
    text: str
    mark: Span | None = None


def pieces(text: str | None, spans: Sequence[Span] = ()) -> list[Piece]:
    """``text`` cut at the spans' edges; spans must not overlap (later overlapping ones are dropped)."""
    if not text:
        return []
    out: list[Piece] = []
    position = 0
    for span in sorted(spans, key=lambda s: (s.start, s.end)):
        start, end = max(span.start, position), min(span.end, len(text))
        if start >= end or span.start < position:
            continue
        if start > position:
            out.append(Piece(text[position:start]))
        out.append(Piece(text[start:end], span))
        position = end
    if position < len(text):
        out.append(Piece(text[position:]))
    return out


@dataclass(frozen=True, slots=True)
class TextSpan:
    start: int
    end: int


def query_spans(text: str | None, needle: str) -> list[TextSpan]:
    """Case-insensitive occurrences of ``needle`` in ``text`` (for marking a typed query in a term)."""
    if not text or not needle:
        return []
    haystack, needle = text.casefold(), needle.casefold()
    if len(haystack) != len(text):  # case folding changed lengths: offsets would be wrong
        return []
    spans, start = [], haystack.find(needle)
    while start >= 0:
        spans.append(TextSpan(start, start + len(needle)))
        start = haystack.find(needle, start + len(needle))
    return spans


ELLIPSIS = "…"


def snippet(text: str | None, spans: Sequence[Span], radius: int) -> list[Piece]:
    """Like :func:`pieces`, but only the part of a long text around its first span (keyword in context).

    Cuts fall on spaces where there are any near the edge, and are shown with an ellipsis.
    Spans must be dataclasses (as marks are), so they can be shifted.
    """
    if not text:
        return []
    if not spans or len(text) <= 2 * radius + 20:
        return pieces(text, spans)
    first = min(spans, key=lambda s: s.start)
    start, end = max(0, first.start - radius), min(len(text), first.end + radius)
    if start > 0 and (space := text.find(" ", start, first.start)) >= 0 and space - start < 20:
        start = space + 1
    if end < len(text) and (space := text.rfind(" ", first.end, end)) >= 0 and end - space < 20:
        end = space
    inner = [
        dataclasses.replace(s, start=s.start - start, end=s.end - start)  # type: ignore[type-var]
        for s in spans
        if s.start >= start and s.end <= end
    ]
    out = pieces(text[start:end], inner)
    if start > 0:
        out.insert(0, Piece(ELLIPSIS))
    if end < len(text):
        out.append(Piece(ELLIPSIS))
    return out
