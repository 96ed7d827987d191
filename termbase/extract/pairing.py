"""Pairing: which English span renders a Chinese candidate, and how sure are we?

Two independent kinds of evidence (EXTRACTION.md §3, after Gao 1998 and Vintar 2010):

* compositional dictionary coverage -- every meaningful part of the Chinese term is explained
  by some word of the English span and every content word of the span by some part of the term
  (CC-CEDICT, the domain seed lexicon, and pairs already learned in this run);
* co-occurrence over aligned segments -- how often the two are found together (Dice).

Full coverage on both sides is strong enough to propose a pair seen once; partial coverage
needs the pair to recur, and confidence reflects which evidence there was.
"""

from __future__ import annotations

from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import overload

from termbase.extract.chinese import ZhCandidate
from termbase.extract.english import (
    ACRONYM_FLAG,
    CHUNK_SHIFT,
    HYPHENS_RE,
    INNER_WORDS,
    STOP_FLAG,
    EnToken,
    singularize,
    words_key,
)
from termbase.extract.lexicon import Lexicon, stem

# Characters that a translation may leave unexpressed (之 in 赤子之心, 的 in 中国的).
LIGHT_CHARS = frozenset("之的与和及其")
MIN_COMPOUND_PIECE = 3
# English suffixes Porter's stemmer keeps that still point at the base word's meaning:
# "homeless" is about the home (无家 "without a home").
DERIVATIONAL_SUFFIXES = ("less",)
# Generic head nouns a translation leaves implicit when the Chinese word's last character is a
# bound suffix glossed by them: 动态 "dynamic state" is "the dynamic", 态 being "state".
ELIDABLE_HEADS = frozenset(stem(w) for w in ("state", "condition", "situation", "status"))
COORDINATORS = frozenset(["and", "or"])
ADJECTIVE_ENDINGS = ("ic", "al", "ive", "ous", "ful", "ary", "ese", "ish", "less")


@dataclass(frozen=True, slots=True)
class Context:
    segment: int  # index of a segment whose English side may translate the Chinese
    near: bool  # a neighbour of the aligned segment, not the aligned segment itself


class Contexts:
    """Each Chinese segment's contexts, for the whole run in two arrays.

    A tuple of objects per segment cost a run about a third of a MB per MB of text, more
    than the segment's English tokens; here a context is one int (segment and near flag)
    and the objects are made when asked for.
    """

    __slots__ = ("_bounds", "_values")

    def __init__(self, segment_count: int) -> None:
        self._bounds = array("I", [0]) * (2 * segment_count)  # start and end in _values, by segment
        self._values = _Column()  # segment << 1 | near

    def set(self, segment: int, contexts: Iterable[Context]) -> None:
        start = len(self._values.values)
        self._values.extend([context.segment << 1 | context.near for context in contexts])
        self._bounds[2 * segment] = start
        self._bounds[2 * segment + 1] = len(self._values.values)

    def get(self, segment: int) -> tuple[Context, ...]:
        """The contexts of ``segment``; none for a segment without Chinese."""
        values = self._values.values[self._bounds[2 * segment] : self._bounds[2 * segment + 1]]
        return tuple(Context(value >> 1, bool(value & 1)) for value in values)


class StringTable:
    """A run's distinct token texts and span keys, each stored once and numbered in order of appearance."""

    __slots__ = ("_numbers", "strings")

    def __init__(self) -> None:
        self._numbers: dict[str, int] = {}
        self.strings: list[str] = []

    def number(self, text: str) -> int:
        found = self._numbers.get(text)
        if found is None:
            found = self._numbers[text] = len(self.strings)
            self.strings.append(text)
        return found


@dataclass(slots=True)
class EnSide:
    """The English side of one segment: its tokens and candidate spans with their keys.

    A run keeps every segment's side, so a token is not an object here but a position: its
    text, offsets, chunk and flags are held in arrays of ints (a run's sides share one set,
    :class:`EnSides`, and each side reads its part of them), texts and span keys as their
    numbers in the run's :class:`StringTable`, and the few places that read a span as a whole
    get :class:`EnToken` objects from :meth:`tokens`.
    """

    word_numbers: Sequence[int]  # each token's text (EnToken.text)
    offsets: Sequence[int]  # start and end of each token in the original text, one after the other
    flags: Sequence[int]  # STOP_FLAG, ACRONYM_FLAG and the chunk number above them, of each token
    bounds: Sequence[int]  # first and end token of each span, one after the other
    key_numbers: Sequence[int]
    strings: list[str]  # StringTable.strings, shared by the run's sides

    @property
    def words(self) -> tuple[str, ...]:
        """Each token's text (EnToken.text)."""
        return tuple(map(self.strings.__getitem__, self.word_numbers))

    def word(self, k: int) -> str:
        """Token ``k``'s text."""
        return self.strings[self.word_numbers[k]]

    def start(self, k: int) -> int:
        return self.offsets[2 * k]

    def end(self, k: int) -> int:
        return self.offsets[2 * k + 1]

    def chunk(self, k: int) -> int:
        """Token ``k``'s chunk: tokens in different chunks are separated by punctuation."""
        return self.flags[k] >> CHUNK_SHIFT

    @property
    def chunks(self) -> list[int]:
        return [flags >> CHUNK_SHIFT for flags in self.flags]

    @property
    def spans(self) -> Iterator[tuple[int, int, str]]:
        """(first token, end token, key) of each candidate span."""
        keys = map(self.strings.__getitem__, self.key_numbers)
        return zip(self.bounds[::2], self.bounds[1::2], keys, strict=True)

    def tokens(self, first: int = 0, end: int | None = None) -> list[EnToken]:
        """Tokens ``first`` to ``end`` (all by default) as objects."""
        return [
            EnToken(
                self.word(k),
                self.start(k),
                self.end(k),
                self.chunk(k),
                bool(self.flags[k] & STOP_FLAG),
                bool(self.flags[k] & ACRONYM_FLAG),
            )
            for k in range(first, len(self.word_numbers) if end is None else end)
        ]

    def key(self, first: int, end: int) -> str:
        """The grouping key of tokens ``first`` to ``end``."""
        return words_key([self.word(k) for k in range(first, end)])


class EnSides:
    """The English sides of a run's segments, by segment index, in one set of arrays for the run.

    Five small arrays per segment cost more in headers than in values; here each column is one
    array of the smallest type that fits all the run's values (:class:`_Column`), and a side is
    a view of its part of them, made when asked for. Sides are appended in segment order, all
    before the first is read (a read pins the arrays' size).
    """

    __slots__ = (
        "_bounds",
        "_flags",
        "_key_numbers",
        "_offsets",
        "_present",
        "_span_ends",
        "_table",
        "_token_ends",
        "_views",
        "_word_numbers",
    )

    def __init__(self, table: StringTable) -> None:
        self._table = table
        self._present = bytearray()  # 1 where segment index has an English side
        self._token_ends = _Column()  # end of each segment's tokens in the token columns
        self._span_ends = _Column()  # end of each segment's spans in the span columns
        self._word_numbers = _Column()
        self._offsets = _Column()
        self._flags = _Column()
        self._bounds = _Column()
        self._key_numbers = _Column()
        self._views: tuple[memoryview, ...] | None = None

    def append(self, tokens: list[EnToken] | None, spans: Iterable[tuple[int, int, str]] = ()) -> None:
        """The next segment's side; None for a segment without English."""
        self._present.append(tokens is not None)
        if tokens:
            self._word_numbers.extend([self._table.number(t.text) for t in tokens])
            self._offsets.extend([offset for t in tokens for offset in (t.start, t.end)])
            self._flags.extend(
                [t.chunk << CHUNK_SHIFT | STOP_FLAG * t.stop | ACRONYM_FLAG * t.acronym for t in tokens]
            )
            bounds: list[int] = []
            numbers = []
            for first, end, key in spans:
                bounds.append(first)
                bounds.append(end)
                numbers.append(self._table.number(key))
            self._bounds.extend(bounds)
            self._key_numbers.extend(numbers)
        self._token_ends.extend([len(self._flags.values)])
        self._span_ends.extend([len(self._key_numbers.values)])

    def __contains__(self, index: int) -> bool:
        return 0 <= index < len(self._present) and bool(self._present[index])

    def __getitem__(self, index: int) -> EnSide:
        if index not in self:
            raise KeyError(index)
        return self._side(index)

    def get(self, index: int) -> EnSide | None:
        return self._side(index) if index in self else None

    def _side(self, index: int) -> EnSide:
        first_token = self._token_ends.values[index - 1] if index else 0
        end_token = self._token_ends.values[index]
        first_span = self._span_ends.values[index - 1] if index else 0
        end_span = self._span_ends.values[index]
        if self._views is None:
            columns = (self._word_numbers, self._offsets, self._flags, self._bounds, self._key_numbers)
            self._views = tuple(memoryview(column.values) for column in columns)
        word_numbers, offsets, flags, bounds, key_numbers = self._views
        return EnSide(
            word_numbers[first_token:end_token],
            offsets[2 * first_token : 2 * end_token],
            flags[first_token:end_token],
            bounds[2 * first_span : 2 * end_span],
            key_numbers[first_span:end_span],
            self._table.strings,
        )

    def items(self) -> Iterator[tuple[int, EnSide]]:
        """(segment index, side) of each segment with English, in segment order."""
        for index, present in enumerate(self._present):
            if present:
                yield index, self._side(index)


class _Column:
    """Non-negative ints in one array, widened to a larger type when a value needs it."""

    __slots__ = ("values",)

    def __init__(self) -> None:
        self.values: array[int] = array("B")

    def extend(self, values: list[int]) -> None:
        top = max(values, default=0)
        if top > _LIMITS[self.values.typecode]:
            self.values = array(next(t for t, limit in _LIMITS.items() if top <= limit), self.values)
        self.values.extend(values)


_LIMITS = {"B": (1 << 8) - 1, "H": (1 << 16) - 1, "I": (1 << 32) - 1, "Q": (1 << 64) - 1}


@dataclass(slots=True)
class Match:
    key: str
    segment: int
    first: int
    end: int
    cov_zh: float
    cov_en: float
    near: bool
    whole: bool  # explained by the candidate as one dictionary word
    occurrence: int  # index of the Chinese occurrence it renders
    explained: dict[str, list[str]] = field(default_factory=dict)
    whole_only: bool = False
    stand_in: bool = False  # a word is explained only through an interchangeable rendering


class Matches(Sequence[Match]):
    """A candidate's matches in columns; reading them gives :class:`Match` objects.

    A frequent candidate has thousands of matches and the run holds them all while it ranks
    the renderings: as objects they cost about 180 bytes each, here about 50.
    """

    __slots__ = (
        "_cov_en",
        "_cov_zh",
        "_ends",
        "_explained",
        "_firsts",
        "_keys",
        "_near",
        "_occurrences",
        "_segments",
        "_stand_in",
        "_whole",
        "_whole_only",
    )

    def __init__(self, matches: Iterable[Match] = ()) -> None:
        self._keys: list[str] = []
        self._segments: array[int] = array("q")
        self._firsts: array[int] = array("i")
        self._ends: array[int] = array("i")
        self._cov_zh: array[float] = array("d")
        self._cov_en: array[float] = array("d")
        self._near = bytearray()
        self._whole = bytearray()
        self._occurrences: array[int] = array("q")
        self._explained: list[dict[str, list[str]] | None] = []  # None for an empty one
        self._whole_only = bytearray()
        self._stand_in = bytearray()
        for match in matches:
            self.append(match)

    def append(self, match: Match) -> None:
        self._keys.append(match.key)
        self._segments.append(match.segment)
        self._firsts.append(match.first)
        self._ends.append(match.end)
        self._cov_zh.append(match.cov_zh)
        self._cov_en.append(match.cov_en)
        self._near.append(match.near)
        self._whole.append(match.whole)
        self._occurrences.append(match.occurrence)
        self._explained.append(match.explained or None)
        self._whole_only.append(match.whole_only)
        self._stand_in.append(match.stand_in)

    def with_key(self, key: str) -> Matches:
        return Matches(match for match in self if match.key == key)

    def __len__(self) -> int:
        return len(self._keys)

    @overload
    def __getitem__(self, index: int) -> Match: ...

    @overload
    def __getitem__(self, index: slice) -> Matches: ...

    def __getitem__(self, index: int | slice) -> Match | Matches:
        if isinstance(index, slice):
            return Matches(self[i] for i in range(*index.indices(len(self))))
        return Match(
            self._keys[index],
            self._segments[index],
            self._firsts[index],
            self._ends[index],
            self._cov_zh[index],
            self._cov_en[index],
            bool(self._near[index]),
            bool(self._whole[index]),
            self._occurrences[index],
            self._explained[index] or {},
            bool(self._whole_only[index]),
            bool(self._stand_in[index]),
        )

    def __iter__(self) -> Iterator[Match]:
        return map(
            Match,
            self._keys,
            self._segments,
            self._firsts,
            self._ends,
            self._cov_zh,
            self._cov_en,
            map(bool, self._near),
            map(bool, self._whole),
            self._occurrences,
            (explained or {} for explained in self._explained),
            map(bool, self._whole_only),
            map(bool, self._stand_in),
        )


@dataclass(slots=True)
class Assessment:
    cov_zh: float
    cov_en: float
    whole: bool  # the term's own gloss is used
    whole_only: bool  # ... and explains every word
    satisfied: set[int]
    matched: dict[int, set[str]]


class Explainer:
    """Dictionary coverage between one Chinese candidate and English words.

    A gloss counts only when the span contains all of its words ("intellectual property rights"
    explains 知识产权; "rights" alone does not), so part of a gloss never passes for the whole.
    """

    def __init__(self, text: str, lexicon: Lexicon) -> None:
        self.text = text
        self._lexicon = lexicon
        self.units = lexicon.units(text)
        self.glosses: list[tuple[int, frozenset[str]]] = []
        self._index: dict[str, list[int]] = defaultdict(list)
        self._canonical: dict[tuple[int, str], str] = {}
        for unit, (_s, _e, key) in enumerate(self.units):
            for gloss in sorted(lexicon.glosses(key), key=sorted):
                gloss_id = len(self.glosses)
                self.glosses.append((unit, gloss))
                for word_stem in gloss:
                    self._index[word_stem].append(gloss_id)
                    # "web user" also reads "Internet user": the stand-in counts as the gloss word.
                    for synonym in lexicon.synonyms(word_stem) - {word_stem}:
                        self._index[synonym].append(gloss_id)
                        self._canonical[(gloss_id, synonym)] = word_stem
        self._direct = {word_stem for _, gloss in self.glosses for word_stem in gloss}
        self._elidable: dict[int, frozenset[str]] = {}
        for gloss_id, (unit, gloss) in enumerate(self.glosses):
            key = self.units[unit][2]
            if len(key) < 2 or not 2 <= len(gloss) <= 3:
                continue
            suffix = {word_stem for g in lexicon.glosses(key[-1]) if len(g) == 1 for word_stem in g}
            elidable = gloss & ELIDABLE_HEADS & suffix
            if elidable and gloss - elidable:
                self._elidable[gloss_id] = frozenset(elidable)
        self.content = {i for i, c in enumerate(text) if c not in LIGHT_CHARS}
        self._part_cache: dict[str, frozenset[tuple[int, str]]] = {}

    def part_hits(self, part: str) -> frozenset[tuple[int, str]]:
        """(gloss id, stem) pairs one English word part can satisfy; compounds are split."""
        cached = self._part_cache.get(part)
        if cached is not None:
            return cached
        word_stem = stem(part)
        hits = self._hits(word_stem)
        for suffix in DERIVATIONAL_SUFFIXES:
            if not hits and part.endswith(suffix) and len(part) - len(suffix) >= MIN_COMPOUND_PIECE:
                hits = self._hits(stem(part[: -len(suffix)]))
        if not hits and len(part) >= 2 * MIN_COMPOUND_PIECE:
            # cyberspace = cyber + space: both halves must be explained.
            for k in range(MIN_COMPOUND_PIECE, len(part) - MIN_COMPOUND_PIECE + 1):
                left, right = stem(part[:k]), stem(part[k:])
                if left in self._index and right in self._index:
                    hits = self._hits(left) | self._hits(right)
                    break
        result = frozenset(hits)
        self._part_cache[part] = result
        return result

    def by_stand_in(self, word: str) -> bool:
        """Whether a token's text is explained only through an interchangeable rendering (online for web)."""
        return any(
            self.part_hits(singularize(p)) and stem(singularize(p)) not in self._direct
            for p in HYPHENS_RE.split(word)
            if p
        )

    def _hits(self, word_stem: str) -> set[tuple[int, str]]:
        return {(g, self._canonical.get((g, word_stem), word_stem)) for g in self._index.get(word_stem, ())}

    def token_parts(self, token: EnToken) -> list[frozenset[tuple[int, str]]]:
        return self.word_parts(token.text)

    def word_parts(self, word: str) -> list[frozenset[tuple[int, str]]]:
        return [self.part_hits(singularize(p)) for p in HYPHENS_RE.split(word) if p]

    def assess(self, parts: list[frozenset[tuple[int, str]]]) -> Assessment:
        """How well a span's content parts and the Chinese term explain each other."""
        matched: dict[int, set[str]] = defaultdict(set)
        for hits in parts:
            for gloss_id, word_stem in hits:
                matched[gloss_id].add(word_stem)
        satisfied = {g for g, stems in matched.items() if self._satisfies(g, stems)}
        explained = sum(1 for hits in parts if any(g in satisfied for g, _ in hits))
        whole_units = {g for g in satisfied if self._is_whole(self.glosses[g][0])}
        whole_only = bool(parts) and all(any(g in whole_units for g, _ in hits) for hits in parts)
        covered: set[int] = set()
        for gloss_id in satisfied:
            start, end, _ = self.units[self.glosses[gloss_id][0]]
            covered.update(range(start, end))
        cov_zh = len(covered & self.content) / len(self.content) if self.content else 0.0
        cov_en = explained / len(parts) if parts else 0.0
        return Assessment(cov_zh, cov_en, bool(whole_units), whole_only, satisfied, matched)

    def _is_whole(self, unit: int) -> bool:
        start, end, _ = self.units[unit]
        return start == 0 and end == len(self.text)

    def _satisfies(self, gloss_id: int, found: set[str]) -> bool:
        """A gloss of up to three words must be there in full ("bright spot", not "bright"), save
        a generic head the term's suffix character stands for ("dynamic [state]" for 动态);
        longer, descriptive glosses need three words in five."""
        _unit, gloss = self.glosses[gloss_id]
        hit = len(found & gloss)
        if len(gloss) > 3:
            return hit >= 0.6 * len(gloss)
        return (
            hit == len(gloss)
            or bool(found & gloss)
            and gloss - found <= self._elidable.get(gloss_id, frozenset())
        )


def dice(both: int, first: int, second: int) -> float:
    return 2 * both / (first + second) if first + second else 0.0


def full_matches(
    candidate: ZhCandidate,
    explainer: Explainer,
    contexts: Contexts,
    sides: EnSides,
) -> Matches:
    """Spans that explain the candidate completely, and are completely explained by it."""
    out = Matches()
    # A frequent candidate has thousands of matches written with the same few words: they
    # share one explanation per wording rather than holding a dict each.
    explanations: dict[tuple[tuple[str, ...], tuple[int, ...]], dict[str, list[str]]] = {}
    for number, occurrence in enumerate(candidate.occurrences):
        for context in contexts.get(occurrence.segment):
            side = sides.get(context.segment)
            if side is None:
                continue
            words = side.words
            token_parts = [
                None if flags & STOP_FLAG else explainer.word_parts(word)
                for word, flags in zip(words, side.flags, strict=True)
            ]
            usable = [
                flags & STOP_FLAG or bool(parts and all(parts))
                for flags, parts in zip(side.flags, token_parts, strict=True)
            ]
            for first, end, key in side.spans:
                if not all(usable[first:end]):
                    continue
                parts = [p for k in range(first, end) for p in (token_parts[k] or ())]
                assessment = explainer.assess(parts)
                if assessment.cov_zh < 1.0 or assessment.cov_en < 1.0:
                    continue
                if _truncated(explainer, side, words, first, end, assessment.matched, token_parts):
                    continue
                if not _coordination_ok(explainer, words, first, end, assessment.satisfied, token_parts):
                    continue
                if not _compounds_contiguous(explainer, range(first, end), assessment.satisfied, token_parts):
                    continue
                wording = (words[first:end], tuple(f & STOP_FLAG for f in side.flags[first:end]))
                explained = explanations.get(wording)
                if explained is None:
                    explained = _explained(explainer, side, words, first, end, assessment.satisfied)
                    explanations[wording] = explained
                out.append(
                    Match(
                        key,
                        context.segment,
                        first,
                        end,
                        1.0,
                        1.0,
                        context.near,
                        assessment.whole,
                        number,
                        explained,
                        assessment.whole_only,
                        any(
                            explainer.by_stand_in(words[k])
                            for k in range(first, end)
                            if not side.flags[k] & STOP_FLAG
                        ),
                    )
                )
    return out


def _truncated(
    explainer: Explainer,
    side: EnSide,
    words: tuple[str, ...],
    first: int,
    end: int,
    matched: dict[int, set[str]],
    token_parts: list[list[frozenset[tuple[int, str]]] | None],
) -> bool:
    """Whether the span stops short: a neighbouring word belongs to the term ("united [nations]",
    "land outside [the law]"), or the last word is an adjective whose noun follows ("global economic [recovery]")."""
    flags = side.flags
    chunk = side.chunk(first)
    for k, step in ((first - 1, -1), (end, 1)):
        skipped = 0
        coordinated = False
        while 0 <= k < len(words) and flags[k] & STOP_FLAG and words[k] in INNER_WORDS and skipped < 2:
            coordinated = coordinated or words[k] in COORDINATORS
            k += step
            skipped += 1
        if coordinated:
            continue  # "lawful rights [and interests]": a coordinated word may or may not belong
        if not 0 <= k < len(words) or side.chunk(k) != chunk or flags[k] & STOP_FLAG:
            continue
        parts = token_parts[k]
        if parts is None:
            parts = explainer.word_parts(words[k])
        if any(g in matched and word_stem not in matched[g] for hits in parts for g, word_stem in hits):
            return True
        if step == 1 and skipped == 0 and words[end - 1].endswith(ADJECTIVE_ENDINGS):
            return True
    return False


def _coordination_ok(
    explainer: Explainer,
    words: tuple[str, ...],
    first: int,
    end: int,
    satisfied: set[int],
    token_parts: list[list[frozenset[tuple[int, str]]] | None],
) -> bool:
    """ "X and Y" renders a term only when X and Y render different parts of it (经济社会 "economy
    and society") or one gloss holds both ("rights and interests"); "sharing and joint governance"
    for 共治 explains one part twice."""
    for k in range(first + 1, end - 1):
        if words[k] not in COORDINATORS:
            continue
        left = _chars(explainer, range(first, k), satisfied, token_parts)
        right = _chars(explainer, range(k + 1, end), satisfied, token_parts)
        shared = _glosses(range(first, k), satisfied, token_parts) & _glosses(
            range(k + 1, end), satisfied, token_parts
        )
        if left & right and not shared:
            return False
    return True


def _compounds_contiguous(
    explainer: Explainer,
    positions: range,
    satisfied: set[int],
    token_parts: list[list[frozenset[tuple[int, str]]] | None],
) -> bool:
    """A word split into halves renders adjacent parts of the term: "cyberspace" is 网络空间, never
    网络 ... 空间 with 经济 between them (网络经济空间 is not "economic cyberspace")."""
    for k in positions:
        for hits in token_parts[k] or ():
            if len({word_stem for _, word_stem in hits}) < 2:
                continue
            chars = _chars(explainer, range(k, k + 1), satisfied, token_parts)
            if chars and max(chars) - min(chars) + 1 != len(chars):
                return False
    return True


def _glosses(
    positions: range, satisfied: set[int], token_parts: list[list[frozenset[tuple[int, str]]] | None]
) -> set[int]:
    return {g for k in positions for hits in (token_parts[k] or ()) for g, _ in hits if g in satisfied}


def _chars(
    explainer: Explainer,
    positions: range,
    satisfied: set[int],
    token_parts: list[list[frozenset[tuple[int, str]]] | None],
) -> set[int]:
    """Characters explained by each word's narrowest satisfied unit."""
    out: set[int] = set()
    for k in positions:
        for hits in token_parts[k] or ():
            by_stem: dict[str, list[tuple[int, int]]] = defaultdict(list)
            for gloss_id, word_stem in hits:
                if gloss_id in satisfied:
                    start, end, _ = explainer.units[explainer.glosses[gloss_id][0]]
                    by_stem[word_stem].append((start, end))
            for spans in by_stem.values():  # each half of a split compound separately
                start, end = min(spans, key=lambda s: (s[1] - s[0], s[0]))
                out.update(range(start, end))
    return out


def _explained(
    explainer: Explainer, side: EnSide, words: tuple[str, ...], first: int, end: int, satisfied: set[int]
) -> dict[str, list[str]]:
    """Which part of the Chinese term explains which English word (for editors)."""
    out: dict[str, list[str]] = defaultdict(list)
    for k in range(first, end):
        if side.flags[k] & STOP_FLAG:
            continue
        word = words[k]
        units = {
            explainer.glosses[g][0] for hits in explainer.word_parts(word) for g, _ in hits if g in satisfied
        }
        best = max(units, key=lambda u: (explainer.units[u][1] - explainer.units[u][0], -u), default=None)
        if best is not None:
            start, end, _ = explainer.units[best]
            if word not in out[explainer.text[start:end]]:
                out[explainer.text[start:end]].append(word)
    return dict(out)


def partial_coverage(explainer: Explainer, tokens: list[EnToken]) -> tuple[float, float]:
    """(zh coverage, en coverage) of a span that need not be fully explained."""
    parts = [p for t in tokens if not t.stop for p in explainer.token_parts(t)]
    assessment = explainer.assess(parts)
    return assessment.cov_zh, assessment.cov_en


@dataclass(slots=True)
class CooccurrenceChoice:
    key: str
    both: int
    zh_count: int
    en_count: int
    dice: float
    cov_zh: float
    cov_en: float
    matches: Matches


def cooccurrence_choice(
    candidate: ZhCandidate,
    explainer: Explainer,
    contexts: Contexts,
    sides: EnSides,
    en_frequency: Counter[str],
    *,
    claimed: dict[int, int],
) -> CooccurrenceChoice | None:
    """The English span that recurs with the candidate best (Dice), with its partial coverage.

    Tokens already claimed by a fully explained pair in a segment are not offered again, so a
    frequent word cannot grab a partner that another term explains (competitive linking).
    """
    occurrence_segments = sorted({o.segment for o in candidate.occurrences})
    zh_count = len(occurrence_segments)
    if zh_count < 2:
        return None
    # Counted first, gathered after: a frequent candidate meets thousands of spans, only a few
    # of whose keys recur with it often enough to be kept as matches.
    counts: Counter[str] = Counter(
        key for _, _, _, _, key in _cooccurring(occurrence_segments, contexts, sides, claimed)
    )
    per_key: dict[str, Matches] = {
        key: Matches()
        for key, both in counts.items()
        if both >= 2 and dice(both, zh_count, max(en_frequency[key], both)) >= 0.5
    }
    for number, context, first, end, key in _cooccurring(occurrence_segments, contexts, sides, claimed):
        if key in per_key:
            per_key[key].append(
                Match(key, context.segment, first, end, 0.0, 0.0, context.near, False, number)
            )
    best: CooccurrenceChoice | None = None
    best_score = 0.0
    for key, matches in per_key.items():
        both = len(matches)
        en_count = max(en_frequency[key], both)
        score_dice = dice(both, zh_count, en_count)
        if all(_modifier_cut(sides[m.segment], m.end) for m in matches):
            continue  # "(by no) means a stateless [territory]": the adjective's noun is left out
        sample = matches[0]
        tokens = sides[sample.segment].tokens(sample.first, sample.end)
        cov_zh, cov_en = partial_coverage(explainer, tokens)
        if cov_en == 1.0 and cov_zh < 1.0:
            continue  # the English renders only part of the Chinese (苹果设备新增用户 "new users")
        score = score_dice + 0.35 * cov_en + 0.35 * cov_zh + 0.01 * (sample.end - sample.first)
        if best is None or score > best_score + 1e-9 or (abs(score - best_score) < 1e-9 and key < best.key):
            best_score = score
            best = CooccurrenceChoice(key, both, zh_count, en_count, score_dice, cov_zh, cov_en, matches)
    return best


def _cooccurring(
    occurrence_segments: list[int],
    contexts: Contexts,
    sides: EnSides,
    claimed: dict[int, int],
) -> Iterator[tuple[int, Context, int, int, str]]:
    """(occurrence number, context, first, end, key) of each unclaimed span in the contexts of
    each occurrence segment, a key once per occurrence segment."""
    for number, segment in enumerate(occurrence_segments):
        seen: set[str] = set()
        for context in contexts.get(segment):
            side = sides.get(context.segment)
            if side is None:
                continue
            taken = claimed.get(context.segment, 0)  # a bit per claimed token
            for first, end, key in side.spans:
                if key in seen or taken >> first & (1 << end - first) - 1:
                    continue
                seen.add(key)
                yield number, context, first, end, key


def _modifier_cut(side: EnSide, end: int) -> bool:
    """Whether a span ends in an adjective whose noun follows in the same chunk."""
    return (
        end < len(side.word_numbers)
        and side.word(end - 1).endswith(ADJECTIVE_ENDINGS)
        and not side.flags[end] & STOP_FLAG
        and side.chunk(end) == side.chunk(end - 1)
    )


def rendering_counts(matches: Iterable[Match]) -> Counter[str]:
    """How many distinct Chinese occurrences each English key renders."""
    seen: dict[str, set[int]] = defaultdict(set)
    for match in matches:
        seen[match.key].add(match.occurrence)
    return Counter({key: len(occurrences) for key, occurrences in seen.items()})
