"""Stage 2: word alignment inside one segment pair, from several independent signals.

A link joins a span of Chinese characters (a lexicon unit) to one English token. The signals:

* **dictionary** — CC-CEDICT glosses and the general morpheme renderings of the domain lexicon,
  matched on English stems (governance ~ govern), on the parts of hyphenated words and on the
  ends of one-word compounds (网络 + 空间 ~ cyberspace);
* **numbers** — digits, and Chinese numerals as cardinals and ordinals (第二 ~ second);
* **Latin** — Latin letters written in the Chinese (5G, AI);
* **pinyin** — names transliterated (上海 ~ Shanghai, 习近平 ~ Xi Jinping);
* **acronyms** — an English acronym whose letters are the initials of a gloss (人工智能 ~ AI).

Longer units win: a character inside a multi-character unit that has links contributes no
single-character links of its own (国 inside 国际 never links to "country").

:func:`project` then reads a Chinese candidate's English rendering off the links with the
phrase-extraction rule of statistical MT: the smallest English window holding a link of every
linked unit inside the candidate, with no token linked only to Chinese outside it, extended
over unlinked words where the Chinese has unexplained characters left.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from termbase.extract.english import HYPHENS_RE, STOPWORDS, EnToken
from termbase.extract.lexicon import Lexicon, stem
from termbase.text.segment import Token

MAX_UNIT_CHARS = 8
MIN_GLOSS_SHARE = 0.5
MIN_AFFIX = 4  # a gloss stem may match the start or end of a one-word compound from this length
NUMERALS = {
    "一": ("one", "first"),
    "首": ("first",),
    "二": ("two", "second"),
    "两": ("two", "both"),
    "三": ("three", "third", "triangular"),
    "四": ("four", "fourth"),
    "五": ("five", "fifth"),
    "六": ("six", "sixth"),
    "七": ("seven", "seventh"),
    "八": ("eight", "eighth"),
    "九": ("nine", "ninth"),
    "十": ("ten", "tenth"),
    "百": ("hundred",),
    "千": ("thousand",),
    "万": ("thousand",),
}
LATIN_RE = re.compile(r"[A-Za-z0-9]+")
# Words that join the parts of an English term and may sit inside a rendering unlinked.
JOINERS = frozenset({"of", "for", "on", "in", "with", "and", "the", "a", "an", "to", "between", "by"})


@dataclass(frozen=True, slots=True)
class Link:
    start: int  # Chinese character offsets of the unit
    stop: int
    en: int  # English token index
    kind: str
    weight: float = 1.0  # the share of the unit's gloss found in the English


@dataclass(slots=True)
class Links:
    """All links of one segment pair, indexed both ways."""

    links: list[Link]
    by_en: dict[int, list[Link]]
    en_count: int
    zh_length: int

    @classmethod
    def of(cls, links: list[Link], en_count: int, zh_length: int) -> Links:
        by_en: dict[int, list[Link]] = defaultdict(list)
        for link in links:
            by_en[link.en].append(link)
        return cls(links, dict(by_en), en_count, zh_length)

    def expected(self, start: int, stop: int) -> float:
        """Where the English of Chinese [start, stop) would sit if the word order were the same."""
        return (start + stop) / 2 / max(self.zh_length, 1) * self.en_count


class _EnIndex:
    """English tokens of a segment by stem, by part stem and by spelling."""

    def __init__(self, tokens: list[EnToken]) -> None:
        self.tokens = tokens
        self.by_stem: dict[str, list[int]] = defaultdict(list)
        self.by_text: dict[str, list[int]] = defaultdict(list)
        self.compounds: list[tuple[int, str]] = []
        for k, token in enumerate(tokens):
            self.by_text[token.text].append(k)
            if token.stop:
                continue
            parts = [p for p in HYPHENS_RE.split(token.text) if p]
            for part in parts:
                self.by_stem[stem(part)].append(k)
            if len(parts) == 1 and len(token.text) >= 2 * MIN_AFFIX:
                self.compounds.append((k, token.text))

    def matching(self, gloss_stem: str) -> list[int]:
        found = list(self.by_stem.get(gloss_stem, ()))
        if len(gloss_stem) >= MIN_AFFIX:
            for k, word in self.compounds:
                if word != gloss_stem and (word.startswith(gloss_stem) or word.endswith(gloss_stem)):
                    found.append(k)
        return found


def _units(text: str, tokens: list[Token], lexicon: Lexicon) -> list[tuple[int, int]]:
    """Lexicon units of the segment that respect token edges or lie inside one token."""
    out: list[tuple[int, int]] = []
    edges = {t.start for t in tokens} | {t.end for t in tokens}
    for token in tokens:
        for i in range(token.start, token.end):
            for j in range(i + 1, min(token.end, i + MAX_UNIT_CHARS) + 1):
                if (i, j) != (token.start, token.end) and text[i:j] in lexicon:
                    out.append((i, j))
        if text[token.start : token.end] in lexicon:
            out.append((token.start, token.end))
    for a, first in enumerate(tokens):
        for last in tokens[a + 1 : a + 4]:
            if last.end - first.start > MAX_UNIT_CHARS or first.start not in edges:
                break
            if text[first.start : last.end] in lexicon:
                out.append((first.start, last.end))
    return out


def link(
    text: str, zh_tokens: list[Token], en_tokens: list[EnToken], lexicon: Lexicon, pinyin: dict[str, str]
) -> Links:
    """Links between one Chinese segment (Simplified ``text``) and one English token list.

    ``pinyin`` maps a Chinese word to its toneless pinyin (filled by the caller on demand).
    """
    index = _EnIndex(en_tokens)
    found: list[Link] = []
    linked_units: list[tuple[int, int, dict[int, tuple[str, float]]]] = []
    for start, stop in _units(text, zh_tokens, lexicon):
        targets: dict[int, tuple[str, float]] = {}
        for gloss in lexicon.glosses(text[start:stop]):
            matches = {gloss_stem: index.matching(gloss_stem) for gloss_stem in gloss}
            # A gloss of several words explains the unit in the share of its words that are
            # there (新时代 "new era" is half explained by "new" alone).
            weight = sum(1 for found_at in matches.values() if found_at) / len(matches)
            if weight < MIN_GLOSS_SHARE:
                continue  # one word of a long explanatory gloss is chance, not evidence
            kind = "dictionary" if weight == 1 else "partial"
            for found_at in matches.values():
                for k in found_at:
                    if targets.get(k, ("", 0.0))[1] < weight:
                        targets[k] = (kind, weight)
            initials = "".join(sorted(s[0] for s in gloss))
            if len(gloss) >= 2:
                for k, token in enumerate(en_tokens):
                    if token.acronym and "".join(sorted(token.text)) == initials:
                        targets[k] = ("acronym", 1.0)
        if targets:
            linked_units.append((start, stop, targets))
    covered: set[int] = set()
    for start, stop, _ in linked_units:
        if stop - start >= 2:
            covered.update(range(start, stop))
    for start, stop, targets in linked_units:
        if stop - start == 1 and start in covered:
            continue
        found.extend(Link(start, stop, k, kind, weight) for k, (kind, weight) in sorted(targets.items()))
    found.extend(_literal_links(zh_tokens, index))
    found.extend(_pinyin_links(text, zh_tokens, en_tokens, covered, pinyin))
    return Links.of(_competitive(found), len(en_tokens), len(text))


def _competitive(found: list[Link]) -> list[Link]:
    """One-to-one where the links allow it (Melamed's competitive linking, reduced): an English
    word claimed by several units stays with those for which it is the only match, when the
    others have another word of their own (安全 ~ security, not the "safeguard" of 维护)."""
    units_of: dict[int, set[tuple[int, int]]] = defaultdict(set)
    targets_of: dict[tuple[int, int], set[int]] = defaultdict(set)
    weight: dict[tuple[int, int, int], float] = {}
    for item in found:
        units_of[item.en].add((item.start, item.stop))
        targets_of[(item.start, item.stop)].add(item.en)
        weight[(item.start, item.stop, item.en)] = item.weight
    dropped: set[tuple[int, int, int]] = set()
    for k, units in units_of.items():
        if len(units) < 2:
            continue
        sole = [u for u in units if targets_of[u] == {k}]
        for unit in units:
            mine = weight[(unit[0], unit[1], k)]
            rivals = [
                o
                for o in sole
                if o != unit and (o[1] <= unit[0] or o[0] >= unit[1]) and weight[(o[0], o[1], k)] >= mine
            ]
            if rivals and any(units_of[other] == {unit} for other in targets_of[unit] - {k}):
                dropped.add((unit[0], unit[1], k))
    return [item for item in found if (item.start, item.stop, item.en) not in dropped]


def _literal_links(zh_tokens: list[Token], index: _EnIndex) -> list[Link]:
    out: list[Link] = []
    for token in zh_tokens:
        for match in LATIN_RE.finditer(token.word):
            for k in index.by_text.get(match.group().lower(), ()):
                out.append(Link(token.start + match.start(), token.start + match.end(), k, "literal"))
        if token.flag == "m" or token.word.startswith("第"):
            for offset, char in enumerate(token.word):
                for word in NUMERALS.get(char, ()):
                    for k in index.by_text.get(word, ()):
                        out.append(Link(token.start + offset, token.start + offset + 1, k, "number"))
    return out


def _pinyin_links(
    text: str, zh_tokens: list[Token], en_tokens: list[EnToken], covered: set[int], pinyin: dict[str, str]
) -> list[Link]:
    """Names written in pinyin: one English word for the whole, or surname + given name."""
    out: list[Link] = []
    words = [t.text for t in en_tokens]
    for token in zh_tokens:
        if (
            not 2 <= len(token.word) <= 4
            or token.start in covered
            or token.flag not in {"nr", "ns", "nrt", "nrfg", "nz", "nt", "j"}
        ):
            continue
        key = pinyin.get(token.word)
        if not key:
            continue
        for k, word in enumerate(words):
            if word == key:
                out.append(Link(token.start, token.end, k, "pinyin"))
            elif k + 1 < len(words) and word + words[k + 1] == key and len(word) <= 5:
                out.append(Link(token.start, token.end, k, "pinyin"))
                out.append(Link(token.start, token.end, k + 1, "pinyin"))
    return out


@dataclass(frozen=True, slots=True)
class Rendering:
    """A candidate's English window [first, end) in one segment pair, and how well links explain it."""

    first: int
    end: int
    zh_explained: float  # Chinese characters of the candidate explained by links into the window
    zh_length: int
    en_content: int  # content tokens in the window
    en_linked: int  # of which linked to the candidate
    kinds: frozenset[str]

    @property
    def zh_coverage(self) -> float:
        return self.zh_explained / self.zh_length if self.zh_length else 0.0

    @property
    def en_coverage(self) -> float:
        return self.en_linked / self.en_content if self.en_content else 0.0


def project(
    links: Links, tokens: list[EnToken], start: int, stop: int, max_window: int = 14
) -> Rendering | None:
    """The English rendering of Chinese characters [start, stop), or None when the links give none."""
    inside: dict[tuple[int, int], list[int]] = defaultdict(list)
    explaining: list[Link] = []
    outside_en: set[int] = set()
    for item in links.links:
        if start <= item.start and item.stop <= stop:
            inside[(item.start, item.stop)].append(item.en)
            explaining.append(item)
        elif item.stop <= start or item.start >= stop:
            outside_en.add(item.en)
    if not inside:
        return None
    window = _smallest_window(inside, max_window, links.expected(start, stop))
    if window is None:
        return None
    first, end = window
    inside_en = {k for ks in inside.values() for k in ks}
    # Consistency: no token in the window may be linked only to Chinese outside the candidate.
    for k in range(first, end):
        if k in outside_en and k not in inside_en and not tokens[k].stop:
            return None
    if any(tokens[k].chunk != tokens[first].chunk for k in range(first, end)):
        return None
    first, end = _absorb(inside, tokens, first, end, outside_en)
    explained = _explained(explaining, first, end)
    first, end = _extend(tokens, first, end, outside_en | inside_en, round(stop - start - explained))
    while first < end and tokens[first].stop:
        first += 1
    while end > first and tokens[end - 1].stop:
        end -= 1
    if first >= end:
        return None
    kinds = frozenset(
        item.kind
        for item in links.links
        if start <= item.start and item.stop <= stop and first <= item.en < end
    )
    content = [k for k in range(first, end) if not tokens[k].stop]
    return Rendering(
        first,
        end,
        explained,
        stop - start,
        len(content),
        sum(1 for k in content if k in inside_en),
        kinds,
    )


def _smallest_window(
    inside: dict[tuple[int, int], list[int]], max_window: int, expected: float
) -> tuple[int, int] | None:
    """The smallest [first, end) holding a link of every unit; units that cannot fit are dropped.

    Units contained in a longer linked unit are not required on their own. Of windows equally
    small, the one nearest where the same word order would put it wins (the diagonal prior of
    IBM model 2): "information" of 信息鸿沟 is the one in "the information divide between…".
    """
    units = sorted(inside, key=lambda u: (u[0] - u[1], u[0]))
    required: list[tuple[int, int]] = []
    for unit in units:
        if not any(o[0] <= unit[0] and unit[1] <= o[1] for o in required):
            required.append(unit)
    while required:
        best: tuple[int, int] | None = None
        positions = sorted({k for u in required for k in inside[u]})
        for left in positions:
            right = left
            for unit in required:
                candidates = [k for k in inside[unit] if k >= left]
                if not candidates:
                    right = -1
                    break
                right = max(right, min(candidates))
            if right < 0:
                continue
            if (
                best is None
                or right - left < best[1] - best[0] - 1
                or right - left == best[1] - best[0] - 1
                and abs((left + right) / 2 - expected) < abs((best[0] + best[1] - 1) / 2 - expected)
            ):
                best = (left, right + 1)
        if best is not None and best[1] - best[0] <= max_window:
            return best
        # Drop the unit whose links lie farthest from the others' and try again.
        centre = sorted(positions)[len(positions) // 2]
        required.remove(max(required, key=lambda u: min(abs(k - centre) for k in inside[u])))
    return None


def _absorb(
    inside: dict[tuple[int, int], list[int]], tokens: list[EnToken], first: int, end: int, taken: set[int]
) -> tuple[int, int]:
    """Take in the other words of a gloss that stand right next to the window (白皮书 ~ white + paper)."""
    grown = True
    while grown:
        grown = False
        for (a, b), ks in inside.items():
            held = {tokens[k].text for k in ks if first <= k < end}
            if not held:
                continue
            for k in ks:
                # A word of a longer dictionary word's gloss is taken even when shorter units
                # outside claim it too (知识产权 ~ intellectual property rights).
                if tokens[k].text in held or k in taken and b - a < 3:
                    continue
                if k == first - 1:
                    first, grown = k, True
                elif k == end:
                    end, grown = k + 1, True
    return first, end


def _explained(explaining: list[Link], first: int, end: int) -> float:
    """Characters explained by links into the window, each by its best link's weight."""
    best: dict[int, float] = {}
    for item in explaining:
        if first <= item.en < end:
            for char in range(item.start, item.stop):
                best[char] = max(best.get(char, 0.0), item.weight)
    return sum(best.values())


def _extend(
    tokens: list[EnToken], first: int, end: int, linked: set[int], unexplained: int
) -> tuple[int, int]:
    """Grow the window over unlinked words while the Chinese has unexplained characters left.

    About one English content word renders two Chinese characters. Rightwards the window may take
    a prepositional tail ("… for mankind", "… with a shared future"); leftwards, modifiers.
    """
    budget = (unexplained + 1) // 2
    if budget <= 0:
        return first, end
    chunk = tokens[first].chunk
    left = first
    while budget > 0 and left > 0:
        token = tokens[left - 1]
        if token.chunk != chunk or token.stop or (left - 1) in linked:
            break
        left -= 1
        budget -= 1
    right = end
    while budget > 0 and right < len(tokens):
        k = right
        while k < len(tokens) and tokens[k].stop and tokens[k].text in JOINERS and tokens[k].chunk == chunk:
            k += 1
        if k >= len(tokens) or tokens[k].chunk != chunk or tokens[k].stop or k in linked:
            break
        right = k + 1
        budget -= 1
    return left, right


def en_word_count(tokens: list[EnToken], first: int, end: int) -> int:
    return sum(1 for t in tokens[first:end] if t.text not in STOPWORDS)
