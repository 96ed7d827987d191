"""Normalization for matching and search.

Two kinds of normal form:

* :func:`match_text` is *length-preserving* (one output character per input
  character), so offsets found in it are valid in the original text. Segments
  and recognition use it.
* :func:`normalize_term` and :func:`search_key` may change length; they are
  keys stored beside a term for uniqueness and lookup.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

import opencc

WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)
SPACE_RE = re.compile(r"\s+")
HAN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
# Characters that are invisible or reorder text; they never belong in a term or its key:
# control characters other than whitespace (NUL, BEL, ESC, DEL, C1), every bidirectional
# control (LRM/RLM, the Arabic letter mark, embeddings, overrides, isolates) and Unicode's
# default-ignorable code points (soft hyphen, zero-width characters, fillers, variation
# selectors, tags). Left in, they make look-alike duplicates of a term.
INVISIBLE_RE = re.compile(
    "[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5"
    "\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)

_SINGULAR_EXCEPTIONS = {
    "news": "news",
    "series": "series",
    "species": "species",
    "data": "data",
    "media": "media",
    "people": "people",
    "economics": "economics",
    "politics": "politics",
    "analysis": "analysis",
    "basis": "basis",
    "crisis": "crisis",
    "us": "us",
    "status": "status",
    "consensus": "consensus",
    "virus": "virus",
    "campus": "campus",
    "gas": "gas",
    "its": "its",
    "this": "this",
    "is": "is",
    "was": "was",
    "has": "has",
    "as": "as",
    "men": "man",
    "women": "woman",
    "children": "child",
}


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Convert Traditional Chinese to Simplified, keeping the length unchanged."""
    if not text or not HAN_RE.search(text):
        return text
    converted = _t2s().convert(text)
    if len(converted) == len(text):
        return converted
    # t2s is documented as length-preserving; guard offsets anyway, character by character.
    return "".join(c if len(s := _t2s().convert(c)) != 1 else s for c in text)


@lru_cache(maxsize=1)
def _s2t() -> opencc.OpenCC:
    return opencc.OpenCC("s2t")


def to_traditional(text: str) -> str:
    """The Traditional form of a Chinese text (OpenCC ``s2t``, character standard, no regional idiom).

    Every Traditional form the termbase derives comes from here, so a term shows the same
    Traditional form on every page and in every reply.
    """
    if not text or not HAN_RE.search(text):
        return text
    return str(_s2t().convert(to_simplified(text)))


def _fold_char(char: str) -> str:
    folded = unicodedata.normalize("NFKC", char)
    if len(folded) != 1:
        return char
    lowered = folded.lower()
    return lowered if len(lowered) == 1 else folded


def match_text(text: str) -> str:
    """Fold width, case and script (Traditional to Simplified) without changing length."""
    folded = "".join(_fold_char(c) for c in text) if not text.isascii() else text.lower()
    return to_simplified(folded)


def strip_invisible(text: str) -> str:
    return INVISIBLE_RE.sub("", text)


def clean_term_text(text: str) -> str:
    """Tidy a term as a user typed it: drop invisible characters, collapse whitespace."""
    return SPACE_RE.sub(" ", strip_invisible(unicodedata.normalize("NFC", text))).strip()


def normalize_term(text: str) -> str:
    """The key under which a term is unique inside a concept and language (NFKC, Simplified, case-folded)."""
    text = unicodedata.normalize("NFKC", strip_invisible(text))
    return SPACE_RE.sub(" ", to_simplified(text).casefold()).strip()


def singularize(word: str) -> str:
    """Reduce an English word to a singular form, good enough for matching keys."""
    if word in _SINGULAR_EXCEPTIONS:
        return _SINGULAR_EXCEPTIONS[word]
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes", "zzes")):
        return word[:-2]
    if word.endswith(("ss", "us", "is", "ous")):
        return word
    if word.endswith("s"):
        return word[:-1]
    return word


def english_tokens(text: str) -> list[str]:
    """Lower-cased, singular word tokens of English text."""
    return [singularize(w) for w in WORD_RE.findall(normalize_term(text))]


def search_key_parts(text: str, language: str) -> list[str]:
    """The pieces :func:`search_key` joins: the characters of a Chinese key, the words of an English one."""
    return normalized_key_parts(normalize_term(text), language)


def normalized_key_parts(normalized: str, language: str) -> list[str]:
    """:func:`search_key_parts` of a text whose :func:`normalize_term` form is ``normalized``."""
    words = WORD_RE.findall(normalized)
    if language.startswith("zh"):
        return list("".join(words))
    return [singularize(w) for w in words]


def search_key(text: str, language: str) -> str:
    """A compact lookup key: words joined without separators.

    English ignores case, plural and hyphenation ("Cyber-Attacks" and "cyber attack"
    share ``cyberattack``). Chinese is Simplified with spaces and punctuation removed.
    """
    if language.startswith("zh"):
        return "".join(WORD_RE.findall(normalize_term(text)))
    return "".join(english_tokens(text))


def has_han(text: str) -> bool:
    return HAN_RE.search(text) is not None


def han_ratio(text: str) -> float:
    """Share of Han characters among the letters of ``text``."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return 0.0
    return sum(1 for c in letters if HAN_RE.match(c)) / len(letters)


def apply_splits(text: str, splits: Sequence[int]) -> tuple[str, list[int]]:
    """Insert a space at each split offset (glued words such as "theCyberspace").

    Returns the split view and, for every view offset (plus one past the end), the
    offset in ``text`` it came from, so matches found in the view map back to the original.
    An inserted space maps to the offset it was inserted at.
    """
    if not splits:
        return text, list(range(len(text) + 1))
    pieces: list[str] = []
    origin: list[int] = []
    previous = 0
    for split in sorted(set(splits)):
        pieces.append(text[previous:split])
        origin.extend(range(previous, split))
        pieces.append(" ")
        origin.append(split)
        previous = split
    pieces.append(text[previous:])
    origin.extend(range(previous, len(text) + 1))
    return "".join(pieces), origin
