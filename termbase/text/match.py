"""Find known terms in a text: Aho–Corasick (pyahocorasick) over normalized forms.

Two automata share one index of entries (an entry is a term id plus flag bits):

* **Characters** – terms containing Han characters are matched character by
  character on :func:`~termbase.text.normalize.match_text`, which folds width,
  case and Traditional to Simplified *without changing length*, so offsets found
  there are offsets into the original text. Chinese gets no word-boundary check
  (it has no spaces), except where a pattern begins or ends with a Latin letter or
  digit (``5G网络``, ``IP地址``): that edge must not continue a Latin word.
* **Words** – all other terms are matched on a word key: the text's words,
  lower-cased and singularized, joined *without* separators where the original
  has spaces, hyphens or apostrophes, and with ``|`` where it has other
  punctuation. ``Cyber-Attacks``, ``cyber attack`` and ``cyberattacks`` all
  become ``cyberattack``, so spacing, hyphenation, case and plural never matter.
  A match counts only if it starts and ends at word edges, so ``cyber`` is not
  found inside ``cybersecurity``. The price: words that happen to spell a term
  when joined (``a ward`` for ``award``) are taken for it.

Matches are leftmost-longest and non-overlapping (or, on request, every
occurrence). Searching costs time in the length of the text and the number of
matches, not the number of terms.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import ahocorasick

from termbase.text.normalize import has_han, singularize, to_simplified

# A "word" is a run of letters or digits that are not Han characters.
_NON_HAN_WORD = r"[^\W_\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]"
WORD_RE = re.compile(_NON_HAN_WORD + "+")
WORD_CHAR_RE = re.compile(_NON_HAN_WORD)
# Gaps between words that keep a multi-word term together: spaces, hyphens, apostrophes.
SOFT_GAP_RE = re.compile(r"[\s\-\u2010\u2011'\u2019\u02bc]*")
HARD_GAP = "|"

_FOLD_BATCH = 5000
_LEFT_EDGE = 1
_RIGHT_EDGE = 2


class Hit(NamedTuple):
    """A span of the searched text ``[start, end)`` and the ids of the entries found there."""

    start: int
    end: int
    ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class WordKey:
    """The word key of a text, with the text offsets of the words' edges."""

    key: str
    starts: dict[int, int]  # key offset where a word starts -> its offset in the text
    ends: dict[int, int]  # key offset where a word ends -> its end offset in the text


def word_key(folded: str) -> WordKey:
    """Build the word key of ``folded`` (a :func:`match_text` result).

    Words are singularized and joined without separators where the text has spaces,
    hyphens or apostrophes, and with ``|`` where it has other punctuation.
    """
    parts: list[str] = []
    position = 0
    starts: dict[int, int] = {}
    ends: dict[int, int] = {}
    previous_end = -1
    for found in WORD_RE.finditer(folded):
        if previous_end >= 0 and not SOFT_GAP_RE.fullmatch(folded, previous_end, found.start()):
            parts.append(HARD_GAP)
            position += 1
        word = singularize(found.group())
        starts[position] = found.start()
        parts.append(word)
        position += len(word)
        ends[position] = previous_end = found.end()
    return WordKey("".join(parts), starts, ends)


def word_pattern(text: str) -> str:
    """The word-key pattern of a term without Han characters ("" when it has no word)."""
    return word_key(fold(text)).key


def surface_form(text: str) -> str:
    """``match_text`` with every word singularized and punctuation kept.

    Tells apart variants that share a pattern: ``cyber-attacks`` has the surface form
    of ``cyber-attack``, not of ``cyber attack``.
    """
    return WORD_RE.sub(lambda found: singularize(found.group()), fold(text))


class _FoldTable(dict[int, str]):
    """``str.translate`` table doing :func:`match_text`'s per-character folding, filled on demand."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        folded = unicodedata.normalize("NFKC", char)
        if len(folded) == 1:
            lowered = folded.lower()
            char = lowered if len(lowered) == 1 else folded
        self[code] = char
        return char


class _EncodeTable(dict[int, str]):
    """Spell each character as two symbols (high and low byte) for the character automaton.

    pyahocorasick finds a node's child by scanning its children; with thousands of
    distinct Han characters under the root that scan dominates the search. Two
    symbols from alphabets of at most 4,352 and 256 keep every scan short (about
    three times faster on a million terms). The two alphabets are disjoint, so
    matches always begin on a character.
    """

    def __missing__(self, code: int) -> str:
        symbols = chr(0x100 + (code >> 8)) + chr(0x1200 + (code & 0xFF))
        self[code] = symbols
        return symbols


_FOLD = _FoldTable()
_ENCODE = _EncodeTable()


def fold(text: str) -> str:
    """Exactly :func:`~termbase.text.normalize.match_text`, faster on long texts."""
    return to_simplified(text.translate(_FOLD))


def _edge_flags(pattern: str) -> int:
    flags = 0
    if WORD_CHAR_RE.match(pattern[0]):
        flags |= _LEFT_EDGE
    if WORD_CHAR_RE.match(pattern[-1]):
        flags |= _RIGHT_EDGE
    return flags


def _fold_many(texts: Sequence[str]) -> list[str]:
    """:func:`fold` for many short texts at once (one OpenCC call instead of one per text)."""
    if not texts:
        return []
    if any("\n" in t for t in texts):
        return [fold(t) for t in texts]
    folded = fold("\n".join(texts)).split("\n")
    if len(folded) != len(texts):  # pragma: no cover - fold keeps length, so newlines stay put
        return [fold(t) for t in texts]
    return folded


class TermMatcher:
    """An immutable index of term entries ``(id, text, flags)``, searchable in linear time.

    ``flags`` are caller-defined bits; :meth:`find` can require some of them (for
    example "approved"). The longest match is chosen *before* they filter: where a long
    term (数据主权) covers a shorter one (主权), the span is the long term's, and if the long
    term lacks the required bits the span reports nothing rather than the shorter term,
    which would misread the text.
    """

    def __init__(self, entries: Iterable[tuple[int, str, int]]) -> None:
        self._chars = ahocorasick.Automaton(ahocorasick.STORE_INTS)
        self._words = ahocorasick.Automaton(ahocorasick.STORE_INTS)
        self._entry_ids = array("q")
        self._entry_flags = array("B")
        self._pat_len = array("I")  # in characters of the folded text (chars) or of the word key (words)
        self._pat_edges = array("B")
        self._pat_first = array("I")
        self._pat_or = array("B")
        self._pat_and = array("B")
        self._pat_more: dict[int, list[int]] = {}
        han: list[tuple[int, str]] = []
        for entry_id, text, flags in entries:
            entry = len(self._entry_ids)
            self._entry_ids.append(entry_id)
            self._entry_flags.append(flags)
            if has_han(text):
                han.append((entry, text))
                if len(han) >= _FOLD_BATCH:
                    self._add_han(han)
                    han = []
                continue
            if pattern := word_pattern(text):
                self._add(self._words, pattern, len(pattern), entry, 0)
        self._add_han(han)
        for automaton in (self._chars, self._words):
            if len(automaton):
                automaton.make_automaton()

    def _add_han(self, batch: list[tuple[int, str]]) -> None:
        for (entry, _text), pattern in zip(batch, _fold_many([t for _e, t in batch]), strict=True):
            if pattern:
                self._add(self._chars, pattern.translate(_ENCODE), len(pattern), entry, _edge_flags(pattern))

    def _add(self, automaton: ahocorasick.Automaton, key: str, length: int, entry: int, edges: int) -> None:
        flags = self._entry_flags[entry]
        existing = automaton.get(key, -1)
        if existing >= 0:
            if self._pat_first[existing] != entry and entry not in self._pat_more.get(existing, ()):
                self._pat_more.setdefault(existing, []).append(entry)
                self._pat_or[existing] |= flags
                self._pat_and[existing] &= flags
            return
        index = len(self._pat_len)
        automaton.add_word(key, index)
        self._pat_len.append(length)
        self._pat_edges.append(edges)
        self._pat_first.append(entry)
        self._pat_or.append(flags)
        self._pat_and.append(flags)

    def __len__(self) -> int:
        return len(self._entry_ids)

    @property
    def pattern_count(self) -> int:
        return len(self._pat_len)

    def stats(self) -> dict[str, int]:
        """Sizes, for monitoring and benchmarks."""
        sizes = [a.get_stats()["total_size"] if len(a) else 0 for a in (self._chars, self._words)]
        return {
            "entries": len(self),
            "patterns": self.pattern_count,
            "automaton_bytes": sum(sizes),
            "index_bytes": sum(
                a.itemsize * len(a)
                for a in (
                    self._entry_ids,
                    self._entry_flags,
                    self._pat_len,
                    self._pat_edges,
                    self._pat_first,
                    self._pat_or,
                    self._pat_and,
                )
            ),
        }

    def _acceptable(self, pattern: int, require: int) -> bool:
        """Whether at least one entry under ``pattern`` has all ``require`` bits."""
        if require & self._pat_and[pattern] == require:
            return True
        if require & self._pat_or[pattern] != require:
            return False
        flags = self._entry_flags
        entries = [self._pat_first[pattern], *self._pat_more.get(pattern, ())]
        return any(flags[e] & require == require for e in entries)

    def _ids(self, patterns: list[int], require: int) -> tuple[int, ...]:
        entry_ids = self._entry_ids
        if len(patterns) == 1 and patterns[0] not in self._pat_more:
            return (entry_ids[self._pat_first[patterns[0]]],)
        flags = self._entry_flags
        ids: list[int] = []
        for pattern in patterns:
            for entry in (self._pat_first[pattern], *self._pat_more.get(pattern, ())):
                if flags[entry] & require == require and entry_ids[entry] not in ids:
                    ids.append(entry_ids[entry])
        return tuple(ids)

    def _occurrences(self, text: str, require: int) -> list[tuple[int, int, int]]:
        """Every valid occurrence as (start, end, pattern), offsets into ``text``."""
        found: list[tuple[int, int, int]] = []
        if not text:
            return found
        add = found.append
        folded = fold(text)
        pat_len, acceptable = self._pat_len, self._acceptable
        if len(self._chars) and has_han(folded):
            edges = self._pat_edges
            size = len(folded)
            for last_symbol, pattern in self._chars.iter(folded.translate(_ENCODE)):
                end = (last_symbol + 1) >> 1
                start = end - pat_len[pattern]
                edge = edges[pattern]
                if edge:
                    if edge & _LEFT_EDGE and start > 0 and WORD_CHAR_RE.match(folded[start - 1]):
                        continue
                    if edge & _RIGHT_EDGE and end < size and WORD_CHAR_RE.match(folded[end]):
                        continue
                if require and not acceptable(pattern, require):
                    continue
                add((start, end, pattern))
        if len(self._words):
            key = word_key(folded)
            starts, ends = key.starts, key.ends
            for last, pattern in self._words.iter(key.key):
                # Only whole words: the match must begin and end at word edges.
                start = starts.get(last - pat_len[pattern] + 1)
                if start is None:
                    continue
                end = ends.get(last + 1)
                if end is None or (require and not acceptable(pattern, require)):
                    continue
                add((start, end, pattern))
        return found

    def find(self, text: str, *, require: int = 0, overlapping: bool = False) -> list[Hit]:
        """Known terms in ``text`` whose entry has all ``require`` flag bits.

        By default the hits are leftmost-longest over *every* term and do not overlap; a
        span whose longest term has no entry with the ``require`` bits is left out (a
        shorter term inside it is not offered instead). With ``overlapping=True`` every
        occurrence of an acceptable entry is returned, ordered by start and then by
        length (longest first).
        """
        if overlapping:
            spans: dict[tuple[int, int], list[int]] = {}
            for start, end, pattern in self._occurrences(text, require):
                spans.setdefault((start, end), []).append(pattern)
            ordered = sorted(spans.items(), key=lambda item: (item[0][0], -item[0][1]))
            return [Hit(start, end, self._ids(patterns, require)) for (start, end), patterns in ordered]
        occurrences = self._occurrences(text, 0)
        new = tuple.__new__  # Hit(...) without NamedTuple's argument handling: this loop is hot
        # start -> [furthest end, its patterns...]
        longest: dict[int, list[int]] = {}
        for start, end, pattern in occurrences:
            best = longest.get(start)
            if best is None or end > best[0]:
                longest[start] = [end, pattern]
            elif end == best[0]:
                best.append(pattern)
        entry_ids, first, more = self._entry_ids, self._pat_first, self._pat_more
        hits: list[Hit] = []
        reached = 0
        for start in sorted(longest):
            if start >= reached:
                best = longest[start]
                reached = best[0]
                if require:
                    ids = self._ids([p for p in best[1:] if self._acceptable(p, require)], require)
                    if not ids:
                        continue  # the span is an unacceptable term's: report nothing there
                elif len(best) == 2 and best[1] not in more:
                    ids = (entry_ids[first[best[1]]],)
                else:
                    ids = self._ids(best[1:], 0)
                hits.append(new(Hit, (start, reached, ids)))
        return hits
