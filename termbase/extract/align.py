"""Stage 2: word alignment inside one segment pair, from several independent signals.

A link joins a span of Chinese characters (a lexicon unit) to one English token. The signals:

* **dictionary** — CC-CEDICT glosses and the general morpheme renderings of the domain lexicon,
  matched on English stems (governance ~ govern), on the parts of hyphenated words and on the
  ends of one-word compounds (网络 + 欺凌 ~ cyberbullying);
* **numbers** — digits, and Chinese numerals as cardinals and ordinals (第二 ~ second);
* **Latin** — Latin letters written in the Chinese (5G, AI);
* **pinyin** — names transliterated (杭州 ~ Hangzhou, 张伟 ~ Zhang Wei);
* **acronyms** — an English acronym whose letters are the initials of a gloss (物联网 ~ IoT);
* **affixes** — a morpheme the dictionary renders by an affix explains the affix of the English
  word its neighbour links to (孤立 + 主义 ~ isolation + ism).

Longer units win: a character inside a multi-character unit that has links contributes no
single-character links of its own (国 inside 国际 never links to "country").

:func:`project` then reads a Chinese candidate's English rendering off the links with the
phrase-extraction rule of statistical MT: the smallest English window holding a link of every
linked unit inside the candidate, with no token linked only to Chinese outside it, extended
over unlinked words where the Chinese has unexplained characters left.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from termbase.extract.candidates import COORDINATORS
from termbase.extract.english import CALENDAR_WORDS, HYPHENS_RE, EnToken
from termbase.extract.lexicon import Lexicon, light_gloss, stem
from termbase.text.segment import Token

MAX_UNIT_CHARS = 8
MIN_GLOSS_SHARE = 0.5
MIN_AFFIX = 4
DERIVED_PREFIX = 5  # the shortest stem prefix two derived words of one root are matched on
# English prefixes: as the root of a derived word they would find every word made with them.
PREFIXES = frozenset(
    {"inter", "intra", "trans", "super", "under", "multi", "extra", "hyper", "micro", "macro"}
)
COMPOUND_PART_ZIPF = 3.0  # a gloss stem may match the start or end of a one-word compound from this length
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
# Chinese conjunctions that join two conjuncts, as "and" does (规则和标准 ~ rules and standards):
# the coordinators of candidates, but for 同 and 并, which are more often "with" and "also".
CONJUNCTIONS = COORDINATORS - {"同", "并"}
HAN_CHAR_RE = re.compile(r"[\u3400-\u9fff]")
# Words that join a prepositional tail to an English term (community [with a shared future]).
JOINERS = frozenset({"of", "for", "on", "in", "with", "the", "a", "an", "to", "between", "by"})


@dataclass(frozen=True, slots=True)
class Link:
    start: int  # Chinese character offsets of the unit
    stop: int
    en: int  # English token index
    kind: str
    gloss: int = 0  # which gloss of the unit (links of one gloss explain it together)
    size: int = 1  # how many words that gloss has
    word: str = ""  # the gloss word this link found (e and commerce both find e-commerce)


@dataclass(slots=True)
class Links:
    """All links of one segment pair, indexed both ways."""

    links: list[Link]
    by_en: dict[int, list[Link]]
    en_count: int
    zh_length: int
    unlinked_han: frozenset[int] = frozenset()  # Chinese characters no link explains

    @classmethod
    def of(cls, links: list[Link], en_count: int, text: str) -> Links:
        by_en: dict[int, list[Link]] = defaultdict(list)
        linked: set[int] = set()
        for link in links:
            by_en[link.en].append(link)
            linked.update(range(link.start, link.stop))
        unlinked = frozenset(i for i, char in enumerate(text) if i not in linked and HAN_CHAR_RE.match(char))
        return cls(links, dict(by_en), en_count, len(text), unlinked)

    def expected(self, start: int, stop: int) -> float:
        """Where the English of Chinese [start, stop) would sit if the word order were the same."""
        return (start + stop) / 2 / max(self.zh_length, 1) * self.en_count


class _EnIndex:
    """English tokens of a segment by stem, by part stem, by spelling and by the halves of
    one-word compounds (cyber|bullying), each half standing for a gloss word."""

    def __init__(self, tokens: list[EnToken]) -> None:
        self.tokens = tokens
        self.by_stem: dict[str, list[int]] = defaultdict(list)
        self.by_text: dict[str, list[int]] = defaultdict(list)
        self.by_half: dict[str, list[int]] = defaultdict(list)
        self.by_prefix: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for k, token in enumerate(tokens):
            self.by_text[token.text].append(k)
            if token.stop:
                continue
            parts = [p for p in HYPHENS_RE.split(token.text) if p]
            for part in parts:
                part_stem = stem(part)
                self.by_stem[part_stem].append(k)
                if len(part_stem) >= DERIVED_PREFIX:
                    self.by_prefix[part_stem[:DERIVED_PREFIX]].append((k, part_stem))
                base = _underived(part)
                if base:
                    self.by_stem[stem(base)].append(k)  # isolation|ism ~ 孤立 + 主义
            if len(parts) == 1 and len(token.text) >= 2 * MIN_AFFIX:
                self._add_halves(k, token.text)

    def _add_halves(self, k: int, word: str) -> None:
        for cut in range(MIN_AFFIX, len(word) - 2):
            head, tail = word[:cut], word[cut:]
            if _is_word(tail):  # cyber|bullying, not intern|et
                self.by_half[head].append(k)
        for cut in range(3, len(word) - MIN_AFFIX + 1):
            head, tail = word[:cut], word[cut:]
            if _is_word(head):
                self.by_half[tail].append(k)

    def matching(self, gloss_stem: str) -> list[int]:
        found = self.by_stem.get(gloss_stem, [])
        if len(gloss_stem) > DERIVED_PREFIX and gloss_stem[:-1] not in PREFIXES:
            # A noun and its adjective part in their last letter: syste|m ~ syste|matic,
            # democrac|y ~ democra|tic. A root that is an English prefix (inter of intern,
            # international's stem) would find every word made with it (internet).
            root = gloss_stem[:-1]
            derived = {
                k for k, word in self.by_prefix.get(root[:DERIVED_PREFIX], ()) if word.startswith(root)
            }
            if derived:
                found = sorted(set(found) | derived)
        halves = self.by_half.get(gloss_stem) if len(gloss_stem) >= MIN_AFFIX else None
        return found + halves if halves else found


# Suffixes that derive a noun from a word (Porter's stemmer keeps them: isolationism ~ isolation).
DERIVING_SUFFIXES = ("ism", "ist", "ness")


def _underived(word: str) -> str | None:
    """The word a derived noun is made from (isolationism -> isolation), or None."""
    for suffix in DERIVING_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_AFFIX:
            return word[: -len(suffix)]
    return None


@lru_cache(maxsize=50_000)
def _is_word(text: str) -> bool:
    """Whether the rest of a one-word compound is an English word of its own."""
    from wordfreq import zipf_frequency

    return len(text) >= 3 and zipf_frequency(text, "en") >= COMPOUND_PART_ZIPF


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
    linked_units: list[tuple[int, int, list[Link]]] = []
    for start, stop in _units(text, zh_tokens, lexicon):
        unit_links: list[Link] = []
        for number, gloss in enumerate(sorted(lexicon.glosses(text[start:stop]), key=sorted)):
            matches = {gloss_stem: index.matching(gloss_stem) for gloss_stem in gloss}
            weighed = light_gloss(text[start:stop], gloss)
            found_share = sum(1 for s in weighed if matches[s]) / len(weighed)
            if found_share < MIN_GLOSS_SHARE:
                continue  # one word of a longer gloss is chance, not evidence
            kind = "dictionary" if found_share == 1 else "partial"
            for gloss_stem, found_at in matches.items():
                unit_links.extend(
                    Link(start, stop, k, kind, number, len(weighed), gloss_stem) for k in found_at
                )
            initials = "".join(sorted(s[0] for s in gloss))
            if len(gloss) >= 2:
                for k, token in enumerate(en_tokens):
                    if token.acronym and "".join(sorted(token.text)) == initials:
                        unit_links.append(Link(start, stop, k, "acronym", -1 - number, 1))
        if unit_links:
            linked_units.append((start, stop, unit_links))
    covered: set[int] = set()
    for start, stop, _ in linked_units:
        if stop - start >= 2:
            covered.update(range(start, stop))
    # Units a gloss explains in full, all of whose words are in the English.
    whole = [(start, stop) for start, stop, links in linked_units if any(x.kind != "partial" for x in links)]
    for start, stop, unit_links in linked_units:
        # A unit inside a longer one the English renders in full says nothing more (中国 inside
        # 发展中国家 is no "China"); a lone character inside any linked word says nothing at all.
        inside_longer = any(a <= start and stop <= b and (a, b) != (start, stop) for a, b in whole)
        if inside_longer or stop - start == 1 and start in covered:
            continue
        found.extend(unit_links)
    found.extend(_literal_links(zh_tokens, index))
    found.extend(_pinyin_links(text, zh_tokens, en_tokens, covered, pinyin))
    kept = _competitive(found)
    # After the competition: an affix shares its English word with the stem, it does not rival it.
    kept.extend(_affix_links(text, zh_tokens, en_tokens, lexicon, kept))
    return Links.of(kept, len(en_tokens), text)


def _affix_links(
    text: str, zh_tokens: list[Token], en_tokens: list[EnToken], lexicon: Lexicon, found: list[Link]
) -> list[Link]:
    """Links of morphemes rendered by an affix (性 "-ity") to the English word that their
    neighbour links to, when that word carries the affix (可见 + 性 ~ visib + ility)."""
    by_edge: dict[int, set[int]] = defaultdict(set)
    for item in found:
        by_edge[item.start].add(item.en)
        by_edge[item.stop].add(item.en)
    out: list[Link] = []
    for token in zh_tokens:
        for start in range(token.start, token.end):
            for stop in range(start + 1, min(token.end, start + 2) + 1):
                affixes = lexicon.affixes(text[start:stop])
                if not affixes:
                    continue
                for k in by_edge.get(start, set()) | by_edge.get(stop, set()):
                    if any(_carries(en_tokens[k].text, affix) for affix in affixes):
                        out.append(Link(start, stop, k, "affix"))
    return out


def _carries(word: str, affix: str) -> bool:
    """Whether an English word ends in the affix, or in a form of it (-able in visibility,
    -ization in modernisation)."""
    if len(word) < len(affix) + 3:
        return False
    forms = {affix, affix.replace("iz", "is")}
    if affix in ("able", "ible"):
        forms.update(("able", "ible", "ability", "ibility"))  # -able + -ity = -ability
    return word.endswith(tuple(forms)) or len(affix) >= 4 and stem(word).endswith(stem(affix))


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
        weight[(item.start, item.stop, item.en)] = max(
            weight.get((item.start, item.stop, item.en), 0.0), 1.0 if item.kind != "partial" else 0.5
        )
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
        if token.word in CONJUNCTIONS:
            for k in _conjunction_tokens(index.tokens):
                out.append(Link(token.start, token.end, k, "conjunction", word="and"))
        if token.flag == "m" or token.word.startswith("第"):
            for offset, char in enumerate(token.word):
                for word in NUMERALS.get(char, ()):
                    for k in index.by_stem.get(stem(word), ()):  # five, five-point
                        out.append(Link(token.start + offset, token.start + offset + 1, k, "number"))
    return out


def _conjunction_tokens(tokens: list[EnToken]) -> list[int]:
    """English tokens that join two conjuncts: "and", "&", and each word of "as well as"."""
    out: list[int] = []
    for k, token in enumerate(tokens):
        if token.text in ("and", "&"):
            out.append(k)
        elif (
            token.text == "well"
            and 0 < k < len(tokens) - 1
            and tokens[k - 1].text == tokens[k + 1].text == "as"
        ):
            out.extend((k - 1, k, k + 1))
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
    gaps: int = 0  # runs of Chinese characters nothing explains
    next_name: bool = False  # the word after the window transliterates another name (Minister [Wang])
    free: int = 0  # content words (or parts of hyphenated ones) no link explains
    head_first: bool = False  # the Chinese head renders an English word that modifies the next
    opening_unexplained: bool = False  # no link into the window explains the span's first character
    headless: bool = False  # the Chinese head is unexplained and the English head renders another unit

    @property
    def zh_coverage(self) -> float:
        return self.zh_explained / self.zh_length if self.zh_length else 0.0

    @property
    def surplus(self) -> int:
        """Unlinked English words beyond one per unexplained Chinese character."""
        unexplained = math.ceil(max(self.zh_length - self.zh_explained, 0.0) - 1e-9)
        return max(self.en_content - self.en_linked - unexplained, 0)

    @property
    def en_coverage(self) -> float:
        """Linked content words, and unlinked ones up to one per unexplained Chinese character:
        命运 left unexplained answers for "shared future" in "community with a shared future"."""
        if not self.en_content:
            return 0.0
        unexplained = max(self.zh_length - self.zh_explained, 0.0)
        return min(self.en_linked + unexplained, self.en_content) / self.en_content


def project(
    links: Links, tokens: list[EnToken], start: int, stop: int, max_window: int = 14
) -> Rendering | None:
    """The English rendering of Chinese characters [start, stop), or None when the links give none."""
    inside: list[Link] = []
    outside_en: set[int] = set()
    affixed_outside: set[int] = set()  # words whose affix renders the Chinese right beside (孤立|主义)
    for item in links.links:
        if start <= item.start and item.stop <= stop:
            inside.append(item)
        else:  # outside, or a dictionary word the span cuts (国务 of 国务卿 ~ secretary)
            outside_en.add(item.en)
            if item.kind == "affix" and (item.stop == start or item.start == stop):
                affixed_outside.add(item.en)
    # An affix explains its word only beside the stem it was found with (主义 alone is no "-ism").
    stems_en = {item.en for item in inside if item.kind != "affix"}
    inside = [item for item in inside if item.kind != "affix" or item.en in stems_en]
    if not inside:
        return None
    inside_en = {item.en for item in inside}
    foreign = outside_en - inside_en | affixed_outside
    window = _best_window(inside, tokens, foreign, max_window, links.expected(start, stop))
    if window is None:
        return None
    first, end = _absorb(inside, tokens, *window, outside_en)
    explained = _explained(inside, tokens, first, end)
    gaps = _gaps(inside, first, end, start, stop)
    touched = {char for item in inside if first <= item.en < end for char in range(item.start, item.stop)}
    head_unexplained = stop - 1 not in touched
    first, end = _extend(
        tokens,
        first,
        end,
        outside_en | inside_en,
        round(stop - start - explained),
        head_unexplained,
        start not in touched or start - 1 not in links.unlinked_han,
    )
    while first < end and tokens[first].stop:
        first += 1
    while end > first and tokens[end - 1].stop:
        end -= 1
    if first >= end or _cut_across(inside, tokens, first, end, foreign):
        return None
    kinds = frozenset(item.kind for item in inside if first <= item.en < end)
    content = [k for k in range(first, end) if not tokens[k].stop]
    return Rendering(
        first,
        end,
        explained,
        stop - start,
        len(content),
        sum(1 for k in content if k in inside_en),
        kinds,
        gaps,
        any(item.kind == "pinyin" for item in links.by_en.get(end, ()))
        and all(item.stop <= start or item.start >= stop for item in links.by_en.get(end, ())),
        _free_words(inside, tokens, content),
        _head_first(inside, tokens, first, end, stop),
        start not in touched,
        head_unexplained and _english_head(tokens, first, end) in inside_en,
    )


def _cut_across(inside: list[Link], tokens: list[EnToken], first: int, end: int, foreign: set[int]) -> bool:
    """Whether a unit of the span is rendered only outside the window, in the same clause, with
    one content word between that renders Chinese outside the span: the English interleaves the
    span with its neighbour ("Regional Convention for Protection" for 区域保护公约 has no
    window for 区域保护), so no window renders the span alone. Further away, the unit's word is
    more likely another mention than a part cut off."""
    chunk = tokens[first].chunk
    by_unit: dict[tuple[int, int], set[int]] = defaultdict(set)
    for item in inside:
        if item.kind != "affix":
            by_unit[(item.start, item.stop)].add(item.en)
    for ens in by_unit.values():
        if any(first <= k < end for k in ens):
            continue
        for k in ens:
            between = range(k + 1, first) if k < first else range(end, k)
            content = [j for j in between if not tokens[j].stop]
            if tokens[k].chunk == chunk and len(content) == 1 and content[0] in foreign:
                return True
    return False


def _head_first(inside: list[Link], tokens: list[EnToken], first: int, end: int, stop: int) -> bool:
    """Whether the span's last unit, a compound's head in Chinese, renders an English word that
    a content word follows with no preposition between. English compounds put the head last
    too, so the Chinese was a subject and its predicate (数据共享 rendered "shared data")."""
    heads = [item.en for item in inside if item.stop == stop and first <= item.en < end]
    if not heads:
        return False
    after = tokens[max(heads) + 1 : end]
    return any(not t.stop for t in after) and not any(t.text in JOINERS for t in after)


def _english_head(tokens: list[EnToken], first: int, end: int) -> int:
    """The head of an English window: its last content word before a prepositional tail."""
    for k in range(first, end):
        if tokens[k].text in JOINERS and k > first:
            end = k
            break
    return max((k for k in range(first, end) if not tokens[k].stop), default=end - 1)


def _free_words(inside: list[Link], tokens: list[EnToken], content: list[int]) -> int:
    """Content words, or parts of hyphenated ones (eco-tourism), that no link explains."""
    found: dict[int, set[str]] = defaultdict(set)
    for item in inside:
        found[item.en].add(item.word)
    free = 0
    for k in content:
        if k not in found:
            free += 1
        elif "" not in found[k]:
            parts = [p for p in HYPHENS_RE.split(tokens[k].text) if p]
            free += len(parts) > 1 and any(stem(p) not in found[k] for p in parts)
    return free


def _best_window(
    inside: list[Link], tokens: list[EnToken], foreign: set[int], max_window: int, expected: float
) -> tuple[int, int] | None:
    """The window between two linked words that explains most of the Chinese.

    A window may not hold a word linked only to Chinese outside the span (the consistency rule of
    phrase extraction) nor cross punctuation. Of windows explaining as much, the one with fewer
    unlinked words wins, then the one nearest where the same word order would put it (the
    diagonal prior of IBM model 2): "data" of 数据孤岛 is the one in "the data silos
    between…", not the one in "data centres".
    """
    positions = sorted({item.en for item in inside})
    linked = set(positions)
    best: tuple[float, int, float] | None = None
    chosen: tuple[int, int] | None = None
    for a, left in enumerate(positions):
        for right in positions[a:]:
            if right - left >= max_window:
                break
            if tokens[right].chunk != tokens[left].chunk:
                break
            if any(k in foreign and not tokens[k].stop for k in range(left, right + 1)):
                break
            explained = round(_explained(inside, tokens, left, right + 1), 2)
            unlinked = sum(1 for k in range(left, right + 1) if k not in linked and not tokens[k].stop)
            score = (-explained, unlinked, abs((left + right) / 2 - expected))
            if best is None or score < best:
                best, chosen = score, (left, right + 1)
    return chosen


def _absorb(
    inside: list[Link], tokens: list[EnToken], first: int, end: int, taken: set[int]
) -> tuple[int, int]:
    """Take in the other words of a gloss that stand right next to the window (蓝皮书 ~ blue + book)."""
    by_gloss: dict[tuple[int, int, int], list[int]] = defaultdict(list)
    for item in inside:
        by_gloss[(item.start, item.stop, item.gloss)].append(item.en)
    grown = True
    while grown:
        grown = False
        for (a, b, _), ks in by_gloss.items():
            held = {tokens[k].text for k in ks if first <= k < end}
            if not held:
                continue
            for k in ks:
                # A word of a longer dictionary word's gloss is taken even when shorter units
                # outside claim it too (可再生能源 ~ renewable energy, when
                # 能源 elsewhere in the segment claims "energy").
                if tokens[k].text in held or k in taken and b - a < 3:
                    continue
                if k == first - 1:
                    first, grown = k, True
                elif k == end:
                    end, grown = k + 1, True
    return first, end


def _gaps(inside: list[Link], first: int, end: int, start: int, stop: int) -> int:
    """Runs of the span's characters that no link into the window explains at all."""
    touched = {char for item in inside if first <= item.en < end for char in range(item.start, item.stop)}
    missing = [char not in touched for char in range(start, stop)]
    return sum(1 for i, gap in enumerate(missing) if gap and (i == 0 or not missing[i - 1]))


def _explained(inside: list[Link], tokens: list[EnToken], first: int, end: int) -> float:
    """Characters explained by links into the window: a unit is explained in the share of one of
    its glosses' words found there (新时代 "new era" is half explained by "new" alone)."""
    words: dict[tuple[int, int, int], set[str]] = defaultdict(set)
    sizes: dict[tuple[int, int, int], int] = {}
    for item in inside:
        if first <= item.en < end:
            key = (item.start, item.stop, item.gloss)
            words[key].add(item.word or tokens[item.en].text)
            sizes[key] = item.size
    best: dict[int, float] = {}
    for (a, b, gloss), found in words.items():
        share = min(len(found), sizes[(a, b, gloss)]) / sizes[(a, b, gloss)]
        for char in range(a, b):
            best[char] = max(best.get(char, 0.0), share)
    return sum(best.values())


def _extend(
    tokens: list[EnToken],
    first: int,
    end: int,
    linked: set[int],
    unexplained: int,
    head_unexplained: bool,
    leftwards: bool = True,
) -> tuple[int, int]:
    """Grow the window over unlinked words while the Chinese has unexplained characters left.
    ``leftwards`` is False when an unexplained Chinese word stands right before a span that opens
    explained: a free word before the window renders that word, not the span.

    About one English content word renders two Chinese characters. Leftwards the window takes
    modifiers; rightwards a prepositional tail ("… of origin", "… for cross-border trade"), or the
    next word when the Chinese head itself is unexplained (数字鸿沟 ~ "digital divide", 鸿沟
    being "chasm" in the dictionary): English puts its head last too.
    """
    budget = (unexplained + 1) // 2
    if budget <= 0:
        return first, end
    chunk = tokens[first].chunk
    left = first
    while leftwards and budget > 0 and left > 0:
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
        if right == end and k == end and not head_unexplained:
            break  # a tail opens with a preposition: "conference [held]" is not one
        if k >= len(tokens) or tokens[k].chunk != chunk or tokens[k].stop or k in linked:
            break
        if k > right and tokens[k].text in CALENDAR_WORDS:
            break  # "… on Monday" dates the clause, it is no tail of the term
        right = k + 1
        budget -= 1
    return left, right
