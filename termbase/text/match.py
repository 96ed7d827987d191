"""Find known terms in a text: Aho–Corasick (pyahocorasick) over normalized forms.

Two automata share one index of entries (an entry is a term id plus flag bits):

* **Characters** – terms containing Han characters are matched character by
  character on :func:`~termbase.text.normalize.match_text`, which folds width,
  case and Traditional to Simplified *without changing length*, so offsets found
  there are offsets into the original text. Chinese gets no word-boundary check
  (it has no spaces), except where a pattern begins or ends with a Latin letter or
  digit (``5G网络``, ``IP地址``): that edge must not continue a Latin word.
* **Words** – all other terms are matched on a word key: the text's words,
  lower-cased and singularized, separated by one space where the original had
  spaces, hyphens or apostrophes, and by ``" | "`` where it had other punctuation.
  Patterns are padded with spaces, so every match lies on word boundaries by
  construction; ``Cyber-Attacks`` and ``cyber attack`` share ``" cyber attack "``,
  and a multi-word term also matches its closed compound (``cyberattacks``).

Matches are leftmost-longest and non-overlapping (or, on request, every
occurrence). Searching costs time in the length of the text and the number of
matches, not the number of terms.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import ahocorasick

from termbase.text.normalize import has_han, match_text, singularize

# A "word" is a run of letters or digits that are not Han characters.
_NON_HAN_WORD = r"[^\W_\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]"
WORD_RE = re.compile(_NON_HAN_WORD + "+")
WORD_CHAR_RE = re.compile(_NON_HAN_WORD)
# Gaps between words that keep a multi-word term together: spaces, hyphens, apostrophes.
SOFT_GAP_RE = re.compile(r"[\s\-\u2010\u2011'\u2019\u02bc]*")
HARD_GAP = "| "

_FOLD_BATCH = 5000
_LEFT_EDGE = 1
_RIGHT_EDGE = 2


@dataclass(frozen=True, slots=True)
class Hit:
    """A span of the searched text ``[start, end)`` and the ids of the entries found there."""

    start: int
    end: int
    ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class WordKey:
    """The word key of a text and where each word sits, in the key and in the text."""

    key: str
    lead: dict[int, int]  # key offset of the space before word i -> i
    trail: dict[int, int]  # key offset of the space after word i -> i
    starts: list[int]  # offset of word i in the text
    ends: list[int]
    soft: bool  # every gap between words is a soft one


def word_key(folded: str) -> WordKey:
    """Build the word key of ``folded`` (a :func:`match_text` result)."""
    parts = [" "]
    position = 1
    lead: dict[int, int] = {}
    trail: dict[int, int] = {}
    starts: list[int] = []
    ends: list[int] = []
    soft = True
    for index, found in enumerate(WORD_RE.finditer(folded)):
        if ends and not SOFT_GAP_RE.fullmatch(folded, ends[-1], found.start()):
            parts.append(HARD_GAP)
            position += len(HARD_GAP)
            soft = False
        word = singularize(found.group())
        lead[position - 1] = index
        parts.append(word)
        parts.append(" ")
        position += len(word) + 1
        trail[position - 1] = index
        starts.append(found.start())
        ends.append(found.end())
    return WordKey("".join(parts), lead, trail, starts, ends, soft)


def word_patterns(text: str) -> list[str]:
    """The word-key patterns under which a term without Han characters is found (none if it has no word)."""
    key = word_key(match_text(text))
    if not key.starts:
        return []
    patterns = [key.key]
    if len(key.starts) > 1 and key.soft:
        words = key.key.split()
        patterns.append(" " + "".join(words) + " ")
    return patterns


def surface_form(text: str) -> str:
    """``match_text`` with every word singularized and punctuation kept.

    Tells apart variants that share a pattern: ``cyber-attacks`` has the surface form
    of ``cyber-attack``, not of ``cyber attack``.
    """
    return WORD_RE.sub(lambda found: singularize(found.group()), match_text(text))


def _edge_flags(pattern: str) -> int:
    flags = 0
    if WORD_CHAR_RE.match(pattern[0]):
        flags |= _LEFT_EDGE
    if WORD_CHAR_RE.match(pattern[-1]):
        flags |= _RIGHT_EDGE
    return flags


def _fold_many(texts: Sequence[str]) -> list[str]:
    """:func:`match_text` for many short texts at once (one OpenCC call instead of one per text)."""
    if not texts:
        return []
    if any("\n" in t for t in texts):
        return [match_text(t) for t in texts]
    folded = match_text("\n".join(texts)).split("\n")
    if len(folded) != len(texts):  # pragma: no cover - match_text keeps length, so newlines stay put
        return [match_text(t) for t in texts]
    return folded


class TermMatcher:
    """An immutable index of term entries ``(id, text, flags)``, searchable in linear time.

    ``flags`` are caller-defined bits; :meth:`find` can require some of them (for
    example "approved") *before* choosing the longest match, so a filtered-out long
    term never hides a shorter acceptable one.
    """

    def __init__(self, entries: Iterable[tuple[int, str, int]]) -> None:
        self._chars = ahocorasick.Automaton(ahocorasick.STORE_INTS)
        self._words = ahocorasick.Automaton(ahocorasick.STORE_INTS)
        self._entry_ids = array("q")
        self._entry_flags = array("B")
        self._pat_len = array("I")
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
            for pattern in word_patterns(text):
                self._add(self._words, pattern, entry, 0)
        self._add_han(han)
        for automaton in (self._chars, self._words):
            if len(automaton):
                automaton.make_automaton()

    def _add_han(self, batch: list[tuple[int, str]]) -> None:
        for (entry, _text), pattern in zip(batch, _fold_many([t for _e, t in batch]), strict=True):
            if pattern:
                self._add(self._chars, pattern, entry, _edge_flags(pattern))

    def _add(self, automaton: ahocorasick.Automaton, pattern: str, entry: int, edges: int) -> None:
        flags = self._entry_flags[entry]
        existing = automaton.get(pattern, -1)
        if existing >= 0:
            if self._pat_first[existing] != entry and entry not in self._pat_more.get(existing, ()):
                self._pat_more.setdefault(existing, []).append(entry)
                self._pat_or[existing] |= flags
                self._pat_and[existing] &= flags
            return
        index = len(self._pat_len)
        automaton.add_word(pattern, index)
        self._pat_len.append(len(pattern))
        self._pat_edges.append(edges)
        self._pat_first.append(entry)
        self._pat_or.append(flags)
        self._pat_and.append(flags)

    def __len__(self) -> int:
        return len(self._entry_ids)

    @property
    def pattern_count(self) -> int:
        return len(self._pat_len)

    def _acceptable(self, pattern: int, require: int) -> bool:
        """Whether at least one entry under ``pattern`` has all ``require`` bits."""
        if require & self._pat_and[pattern] == require:
            return True
        if require & self._pat_or[pattern] != require:
            return False
        flags = self._entry_flags
        entries = [self._pat_first[pattern], *self._pat_more.get(pattern, ())]
        return any(flags[e] & require == require for e in entries)

    def _ids(self, pattern: int, require: int) -> list[int]:
        entries = [self._pat_first[pattern], *self._pat_more.get(pattern, ())]
        if require & self._pat_and[pattern] == require:
            return [self._entry_ids[e] for e in entries]
        flags = self._entry_flags
        return [self._entry_ids[e] for e in entries if flags[e] & require == require]

    def _candidates(self, text: str, require: int) -> dict[tuple[int, int], list[int]]:
        """Every valid occurrence: (start, end) in ``text`` -> pattern indices."""
        found: dict[tuple[int, int], list[int]] = {}
        if not text:
            return found
        folded = match_text(text)
        pat_len, acceptable = self._pat_len, self._acceptable
        if len(self._chars) and has_han(folded):
            edges = self._pat_edges
            size = len(folded)
            for last, pattern in self._chars.iter(folded):
                if require and not acceptable(pattern, require):
                    continue
                start = last - pat_len[pattern] + 1
                edge = edges[pattern]
                if edge:
                    if edge & _LEFT_EDGE and start > 0 and WORD_CHAR_RE.match(folded[start - 1]):
                        continue
                    if edge & _RIGHT_EDGE and last + 1 < size and WORD_CHAR_RE.match(folded[last + 1]):
                        continue
                found.setdefault((start, last + 1), []).append(pattern)
        if len(self._words):
            key = word_key(folded)
            if key.starts:
                lead, trail, starts, ends = key.lead, key.trail, key.starts, key.ends
                for last, pattern in self._words.iter(key.key):
                    if require and not acceptable(pattern, require):
                        continue
                    first_word = lead[last - pat_len[pattern] + 1]
                    span = (starts[first_word], ends[trail[last]])
                    found.setdefault(span, []).append(pattern)
        return found

    def _hit(self, start: int, end: int, patterns: list[int], require: int) -> Hit | None:
        ids: list[int] = []
        for pattern in patterns:
            ids.extend(i for i in self._ids(pattern, require) if i not in ids)
        return Hit(start, end, tuple(ids)) if ids else None

    def find(self, text: str, *, require: int = 0, overlapping: bool = False) -> list[Hit]:
        """Known terms in ``text`` whose entry has all ``require`` flag bits.

        By default the hits are leftmost-longest and do not overlap; with
        ``overlapping=True`` every occurrence is returned, ordered by start and then
        by length (longest first).
        """
        found = self._candidates(text, require)
        hits: list[Hit] = []
        if overlapping:
            for (start, end), patterns in sorted(found.items(), key=lambda item: (item[0][0], -item[0][1])):
                if (hit := self._hit(start, end, patterns, require)) is not None:
                    hits.append(hit)
            return hits
        longest: dict[int, tuple[int, list[int]]] = {}
        for (start, end), patterns in found.items():
            best = longest.get(start)
            if best is None or end > best[0]:
                longest[start] = (end, patterns)
        reached = 0
        for start in sorted(longest):
            if start < reached:
                continue
            end, patterns = longest[start]
            # Candidates only hold patterns with an acceptable entry, so a hit is never empty here.
            hit = self._hit(start, end, patterns, require)
            if hit is not None:
                hits.append(hit)
                reached = end
        return hits
