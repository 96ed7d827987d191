"""Stage 0: the run's segments as the later stages read them.

Only what every stage needs is kept for the whole run: each Chinese segment's Simplified match
text, its word edges (for citing terms only where they occur as words) and the English segments
aligned with it. Tokens are made again where a stage needs them, so a run's memory does not grow
with a token object per word of input.
"""

from __future__ import annotations

from array import array
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from termbase.extract import english
from termbase.extract.english import EnToken
from termbase.extract.records import SOURCE_ALIGNMENT, SegmentInput
from termbase.text.normalize import match_text
from termbase.text.segment import Segmenter, Token

POSITION_WINDOW = 0.03  # share of a document an unaligned Chinese segment may drift from its English


@dataclass(frozen=True, slots=True)
class Context:
    """An English segment aligned with a Chinese one; ``near`` when only a neighbour."""

    segment: int
    near: bool


class Corpus:
    def __init__(self, segments: Sequence[SegmentInput], segmenter: Segmenter) -> None:
        self.segments = list(segments)
        self.segmenter = segmenter
        self.zh_match: dict[int, str] = {}
        self.zh_edges: dict[int, array[int]] = {}
        self.contexts: dict[int, tuple[Context, ...]] = {}
        for index, segment in enumerate(self.segments):
            if segment.zh_text:
                zh = segment.zh_match
                if zh is None or len(zh) != len(segment.zh_text):
                    zh = match_text(segment.zh_text)
                self.zh_match[index] = segment.zh_text if zh == segment.zh_text else zh
        self._build_contexts()

    def zh_tokens(self, index: int) -> list[Token]:
        """The segment's tagged tokens; their edges are remembered for :meth:`is_word`."""
        tokens = self.segmenter.tag(self.zh_match[index])
        self.zh_edges[index] = array("i", [t.start for t in tokens] + [tokens[-1].end] if tokens else [])
        return tokens

    def is_word(self, index: int, start: int, stop: int) -> bool:
        """Whether [start, stop) of a Chinese segment begins and ends on word edges."""
        edges = self.zh_edges.get(index)
        if edges is None:
            self.zh_tokens(index)
            edges = self.zh_edges[index]
        return _contains(edges, start) and _contains(edges, stop)

    def en_tokens(self, index: int) -> list[EnToken] | None:
        segment = self.segments[index]
        if not segment.en_text:
            return None
        return english.tokenize(segment.en_text, segment.en_match, segment.en_splits)

    def english(self) -> Iterator[tuple[int, list[EnToken]]]:
        for index, segment in enumerate(self.segments):
            if segment.en_text:
                tokens = self.en_tokens(index)
                if tokens:
                    yield index, tokens

    def _build_contexts(self) -> None:
        by_document: dict[str, list[int]] = defaultdict(list)
        for index, segment in enumerate(self.segments):
            by_document[segment.document].append(index)
        for indices in by_document.values():
            indices.sort(key=lambda i: self.segments[i].position)
            en_positions = _relative_positions(
                indices, [len(self.segments[i].en_text or "") for i in indices]
            )
            zh_positions = _relative_positions(
                indices, [len(self.segments[i].zh_text or "") for i in indices]
            )
            with_en = [i for i in indices if self.segments[i].en_text]
            for rank, index in enumerate(indices):
                if index not in self.zh_match:
                    continue
                segment = self.segments[index]
                contexts: list[Context] = []
                if segment.en_text:
                    contexts.append(Context(index, near=False))
                    if segment.alignment != SOURCE_ALIGNMENT:
                        for other in (rank - 1, rank + 1):
                            if 0 <= other < len(indices) and self.segments[indices[other]].en_text:
                                contexts.append(Context(indices[other], near=True))
                else:
                    # A Chinese segment without English: look at the English at the same relative place.
                    start, end = zh_positions[index]
                    for other in with_en:
                        e_start, e_end = en_positions[other]
                        if e_end >= start - POSITION_WINDOW and e_start <= end + POSITION_WINDOW:
                            contexts.append(Context(other, near=True))
                self.contexts[index] = tuple(contexts)


def _contains(edges: array[int], value: int) -> bool:
    from bisect import bisect_left

    at = bisect_left(edges, value)
    return at < len(edges) and edges[at] == value


def _relative_positions(indices: list[int], lengths: list[int]) -> dict[int, tuple[float, float]]:
    total = sum(lengths) or 1
    out = {}
    position = 0
    for index, size in zip(indices, lengths, strict=True):
        out[index] = (position / total, (position + size) / total)
        position += size
    return out
