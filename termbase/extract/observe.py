"""Stages 1–3 over the whole run: candidates, alignment and projection, segment by segment.

Each Chinese segment is tokenised once; its candidates (:mod:`.candidates`) are projected into
every English segment aligned with it (:mod:`.align`), and what was seen is added up per
Chinese candidate in an :class:`Observation`. Nothing per token outlives its segment.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from termbase.extract import align, candidates, english
from termbase.extract.corpus import Corpus
from termbase.extract.english import CALENDAR_WORDS, EnToken
from termbase.extract.lexicon import Lexicon
from termbase.ingest.glued import is_pinyin
from termbase.text.normalize import to_simplified


@dataclass(slots=True)
class Seen:
    """One English rendering of one Chinese candidate, over the segments where it was seen."""

    count: int = 0
    zh_coverage: float = 0.0
    en_coverage: float = 0.0
    en_words: int = 0
    kinds: set[str] = field(default_factory=set)
    forms: Counter[str] = field(default_factory=Counter)
    aligned: int = 0  # seen in the segment's own English, not a neighbour's
    fragments: int = 0  # seen as part of a longer English name (Digital Trade [Forum])
    quoted: int = 0  # quoted or title-marked on both sides
    gaps: int = 99  # fewest runs of unexplained Chinese characters in one occurrence
    free: int = 0  # most English words (or parts) no link explains, in one occurrence
    surplus: int = 99  # fewest unlinked English words beyond one per unexplained character
    head_first: int = 0  # occurrences whose Chinese head renders an English modifier
    opening_unexplained: int = 0  # occurrences whose first Chinese word the window leaves unexplained
    headless: int = 0  # occurrences whose Chinese head nothing in the English renders

    @property
    def quality(self) -> float:
        return min(self.zh_coverage, self.en_coverage)


@dataclass(slots=True)
class Observation:
    text: str
    shape: str
    verbal: bool = False
    tags: tuple[str, ...] = ()
    occurrences: int = 0  # segments where the Chinese occurs as a candidate
    renderings: dict[str, Seen] = field(default_factory=dict)
    documents: set[str] = field(default_factory=set)
    traditional: Counter[str] = field(default_factory=Counter)  # how Traditional text writes it

    def ranked(self) -> list[tuple[str, Seen]]:
        """Renderings, the likeliest first: fully explained, frequent, well explained, with no
        English word that answers for nothing in the Chinese (trade fair, not trade fair
        held), then the one that says more."""

        def rank(key: str) -> tuple[bool, int, float, int, int, str]:
            seen = self.renderings[key]
            return (seen.quality >= 0.99, seen.count, seen.quality, -seen.surplus, seen.en_words, key)

        return [(key, self.renderings[key]) for key in sorted(self.renderings, key=rank, reverse=True)]

    def best(self) -> tuple[str, Seen] | None:
        ranked = self.ranked()
        return ranked[0] if ranked else None


def observe(corpus: Corpus, lexicon: Lexicon, general_freq: Mapping[str, int]) -> dict[str, Observation]:
    found: dict[str, Observation] = {}
    pinyin: dict[str, str] = _PinyinCache()
    en_cache: dict[int, list[EnToken] | None] = {}
    for index, text in corpus.zh_match.items():
        tokens = corpus.zh_tokens(index)
        if not tokens:
            continue
        document = corpus.segments[index].document
        original = corpus.segments[index].zh_text or ""
        spans = candidates.candidates_in(
            tokens, text, general_freq, lexicon.has_nominal_sense, lexicon.is_headword
        )
        headings: dict[int, bool] = {}  # per English segment: a heading, whose capitals say nothing
        # The best rendering of each candidate among the English segments aligned with this one.
        rendered: dict[tuple[int, int], tuple[int, align.Rendering, list[EnToken], float]] = {}
        for context in corpus.contexts.get(index, ()):
            en_tokens = en_cache.get(context.segment)
            if context.segment not in en_cache:
                en_tokens = en_cache[context.segment] = corpus.en_tokens(context.segment)
            if not en_tokens:
                continue
            links = align.link(text, tokens, en_tokens, lexicon, pinyin)
            for candidate in spans:
                rendering = align.project(links, en_tokens, candidate.start, candidate.stop)
                if rendering is None:
                    continue
                where = (candidate.start, candidate.stop)
                previous = rendered.get(where)
                score = rendering.zh_coverage + rendering.en_coverage - 0.5 * context.near
                if previous is None or score > previous[3]:
                    rendered[where] = (context.segment, rendering, en_tokens, score)
            if not context.near:
                whole = _whole_segment_pair(
                    text, spans, corpus.segments[context.segment].en_text or "", en_tokens
                )
                if whole is not None:
                    candidate, rendering = whole
                    rendered[(candidate.start, candidate.stop)] = (context.segment, rendering, en_tokens, 2.0)
        if len(en_cache) > 64:
            en_cache.clear()
        for candidate in spans:
            observation = found.get(candidate.text)
            if observation is None:
                observation = found[candidate.text] = Observation(
                    candidate.text, candidate.shape, candidate.verbal, candidate.tags
                )
            elif candidate.shape == "title":
                observation.shape = "title"
            observation.occurrences += 1
            observation.documents.add(document)
            written = original[candidate.start : candidate.stop]
            if written != candidate.text and to_simplified(written) == candidate.text:
                observation.traditional[written] += 1
            entry = rendered.get((candidate.start, candidate.stop))
            if entry is None:
                continue
            en_index, rendering, en_tokens, _ = entry
            window = en_tokens[rendering.first : rendering.end]
            key = english.span_key(window)
            seen = observation.renderings.get(key)
            if seen is None:
                seen = observation.renderings[key] = Seen()
            seen.count += 1
            seen.zh_coverage = max(seen.zh_coverage, rendering.zh_coverage)
            seen.en_coverage = max(seen.en_coverage, rendering.en_coverage)
            seen.en_words = rendering.en_content
            seen.gaps = min(seen.gaps, rendering.gaps)
            seen.free = max(seen.free, rendering.free)
            seen.head_first += rendering.head_first
            seen.opening_unexplained += rendering.opening_unexplained
            seen.headless += rendering.headless
            seen.surplus = min(seen.surplus, rendering.surplus)
            seen.kinds.update(rendering.kinds)
            seen.aligned += en_index == index
            en_original = corpus.segments[en_index].en_text or ""
            heading = headings.get(en_index)
            if heading is None:
                heading = headings[en_index] = _is_heading(en_original, en_tokens)
            # A title marked in both languages is a name, capitalised as written even in a heading.
            titled = candidate.shape == "title" and (
                _en_quoted(en_original, window) or _whole_capitalised(en_original, en_tokens, rendering)
            )
            seen.forms[display_form(en_original, window, heading=heading and not titled)] += 1
            # The Chinese title marks or one word bound the name on the left (欧盟《…》).
            bounded = len(candidate.tags) == 1 or candidate.shape == "title"
            if _part_of_longer_name(en_original, en_tokens, rendering, bounded):
                seen.fragments += 1
            seen.quoted += titled
    return found


# Numbering before a heading or a title line: 一、 （二） 3. (c) IV.
ZH_NUMBERING_RE = re.compile(
    r"^\s*(?:[（(]?[一二三四五六七八九十百\d]+[）)、.．]|第[一二三四五六七八九十百\d]+[章节部分条])\s*"
)
EN_NUMBERING_RE = re.compile(
    r"^\s*(?:\(?(?:\d+|[ivxlc]+|[a-z])[.)]|(?:chapter|part|section)\s+\w+\.?)\s+", re.IGNORECASE
)
EN_ARTICLE_RE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
LINE_PUNCTUATION = " \t。．.!！?？:：;；\"“”'‘’《》〈〉「」"


def _whole_segment_pair(
    text: str, spans: list[candidates.Candidate], en_text: str, en_tokens: list[EnToken]
) -> tuple[candidates.Candidate, align.Rendering] | None:
    """A title or heading line that is one candidate, and its English line as a whole: aligned
    segments of one name each are a pair whatever the dictionary knows of their words."""
    core = ZH_NUMBERING_RE.sub("", text).strip(LINE_PUNCTUATION)
    candidate = next((c for c in spans if c.text == core), None)
    if candidate is None:
        return None
    en_core = EN_ARTICLE_RE.sub("", EN_NUMBERING_RE.sub("", en_text).strip(LINE_PUNCTUATION))
    if not en_core or len(en_core.split()) > HEADING_WORDS or any(p in en_core for p in ".;:!?"):
        return None
    offset = en_text.index(en_core)
    inside = [k for k, t in enumerate(en_tokens) if offset <= t.start and t.end <= offset + len(en_core)]
    if not inside or len({en_tokens[k].chunk for k in inside}) > 1:
        return None
    first, end = inside[0], inside[-1] + 1
    content = sum(1 for t in en_tokens[first:end] if not t.stop)
    length = candidate.stop - candidate.start
    return candidate, align.Rendering(first, end, length, length, content, content, frozenset({"segment"}))


def _capitalised(original: str, token: EnToken) -> bool:
    return original[token.start : token.start + 1].isupper()


def _part_of_longer_name(
    original: str, tokens: list[EnToken], rendering: align.Rendering, bounded: bool
) -> bool:
    """Whether a capitalised window is cut from a longer name.

    A window the name continues into on the right is its opening (Digital Trade [Forum]). One
    the name continues into on the left is a tail (Promoting] Regional Cooperation), unless
    the Chinese is ``bounded`` on the left: one word of its own ([Regional Trade] Agreement ~
    协定), or a name in title marks. A part after a preposition is a complement that names a
    concept itself ([Charter for] Open Data), and so is a head the name goes on from with one
    ([Expert Group] on …). A person's name after it is another name in apposition (Foreign
    Minister [Wang], Minister [Li Hua]), and a day or a month goes on with a date ([…] on Monday).
    """
    first, end = rendering.first, rendering.end
    if not _capitalised(original, tokens[end - 1]):
        return False
    if (
        end < len(tokens)
        and tokens[end].chunk == tokens[end - 1].chunk
        and not rendering.next_name
        and not _person_name(original, tokens, end)
    ):
        following = tokens[end]
        if _capitalised(original, following) and not following.stop:
            return True
        # A complement cut short: [Group on International Norms] in Cyberspace.
        has_complement = any(t.text in CONNECTORS for t in tokens[first:end])
        after = end + 1 < len(tokens) and tokens[end + 1].chunk == following.chunk
        if (
            has_complement
            and following.text in CONNECTORS
            and after
            and _capitalised(original, tokens[end + 1])
            and tokens[end + 1].text not in CALENDAR_WORDS
        ):
            return True
    if first > 0 and tokens[first - 1].chunk == tokens[first].chunk and not bounded:
        before = tokens[first - 1]
        if _capitalised(original, before) and not before.stop:
            return True
    return False


def _whole_capitalised(original: str, tokens: list[EnToken], rendering: align.Rendering) -> bool:
    """Whether the window is a whole run of capitalised words in its clause, as a title is
    written: every content word capitalised, and neither neighbour in the clause."""
    first, end = rendering.first, rendering.end
    chunk = tokens[first].chunk

    def capitalised_word(k: int) -> bool:
        return 0 <= k < len(tokens) and tokens[k].chunk == chunk and _capitalised(original, tokens[k])

    content = [k for k in range(first, end) if not tokens[k].stop]
    return (
        len(content) >= 2
        and all(_capitalised(original, tokens[k]) for k in content)
        and not capitalised_word(first - 1)
        and not capitalised_word(end)
    )


def _person_name(original: str, tokens: list[EnToken], at: int) -> bool:
    """Whether a Chinese person's name in pinyin, surname then given name, starts at ``at``."""
    if at + 1 >= len(tokens) or tokens[at + 1].chunk != tokens[at].chunk:
        return False
    words = [original[t.start : t.end] for t in tokens[at : at + 2]]
    return all(w[:1].isupper() and w[1:].islower() and is_pinyin(w, 1) for w in words)


CONNECTORS = frozenset({"of", "on", "in", "for"})
HEADING_WORDS = 12
QUOTES_BEFORE = ("“", '"', "‘", "'", "《")
QUOTES_AFTER = ("”", '"', "’", "'", "》")


def _en_quoted(original: str, window: list[EnToken]) -> bool:
    before = original[: window[0].start].rstrip()[-1:]
    after = original[window[-1].end :].lstrip()[:1]
    return before in QUOTES_BEFORE and after in QUOTES_AFTER


class _PinyinCache(dict[str, str]):
    """Toneless pinyin of a word, computed on first use."""

    def __missing__(self, word: str) -> str:
        from termbase.text.pinyin import pinyin_key

        value = self[word] = pinyin_key(word)
        return value

    def get(self, word: str, default: str | None = None) -> str | None:  # type: ignore[override]
        return self[word]


def display_form(original: str, tokens: list[EnToken], *, heading: bool = False) -> str:
    """A span as a termbase writes a headword: lower case unless a name or an acronym, singular
    unless the phrase is plural-only in the text (it then keeps the form written). In a heading
    every word has a capital, so there capitals say nothing (Part Two. Trade Rules)."""
    words = [original[t.start : t.end] for t in tokens]
    if heading:
        return _joined(original, tokens, [w if w.isupper() and len(w) > 1 else w.lower() for w in words])
    content = [w for w, t in zip(words, tokens, strict=True) if not t.stop and w[:1].isalpha()]
    if len(content) >= 2 and all(w[:1].isupper() for w in content):
        return _joined(original, tokens, words)  # a name written in title case (Digital Trade Forum)
    kept = []
    for word, token in zip(words, tokens, strict=True):
        if word.isupper() and len(word) > 1 or word[:1].isupper() and word[1:].lower() != word[1:]:
            kept.append(word)  # acronyms and mixed case (ICTs, eBay)
        elif word[:1].isupper() and (word.lower() in PROPER_WORDS or not _opens_sentence(original, token)):
            kept.append(word)  # a capital inside a sentence marks a proper noun (Wuzhen)
        else:
            kept.append(word.lower())
    return _joined(original, tokens, kept)


def _joined(original: str, tokens: list[EnToken], words: list[str]) -> str:
    """Words joined by spaces, or by the apostrophe of a possessive between them (Japan’s)."""
    out = words[0]
    for before, token, word in zip(tokens, tokens[1:], words[1:], strict=False):
        between = original[before.end : token.start]
        out += between if between in ("'", "’") else " "
        out += word
    return out


def _is_heading(original: str, tokens: list[EnToken]) -> bool:
    """A short segment all of whose content words are capitalised: a title or a heading."""
    content = [t for t in tokens if not t.stop and original[t.start : t.start + 1].isalpha()]
    return 2 <= len(content) <= HEADING_WORDS and all(_capitalised(original, t) for t in content)


def _opens_sentence(original: str, token: EnToken) -> bool:
    before = original[: token.start].rstrip(" \"“‘'(")
    return not before or before[-1] in ".!?:;。！？：；\n"


# Common nouns the domain always capitalises.
PROPER_WORDS = frozenset({"internet", "web"})
