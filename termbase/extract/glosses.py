"""High-precision pairs from inside one language: abbreviations defined in the text, and glosses.

* "World Health Organization (WHO)" defines WHO: the abbreviation becomes a second English term
  of the concept whose English is the full form, in whichever order the two are written
  ("WHO (World Health Organization)").
* 中文术语（English term） in Chinese text pairs the Chinese before the bracket with the
  English inside it, and "English term (中文术语)" in English text the other way round.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from termbase.extract.english import text_key

SMALL_WORDS = frozenset({"of", "and", "the", "on", "for", "in", "to", "a", "an", "at", "by", "&"})
MAX_GLOSS_WORDS = 6
_WORD = r"[A-Z][A-Za-z0-9’'-]*"
_SMALL = r"(?:of|and|the|on|for|in|to|at|by|&)"
FULL_THEN_SHORT_RE = re.compile(
    rf"((?:{_WORD})(?:[ -](?:{_SMALL}[ -])*{_WORD}){{1,9}})\s*[(（]\s*([A-Z][A-Za-z0-9.&-]{{1,9}})\s*[)）]"
)
SHORT_THEN_FULL_RE = re.compile(
    rf"\b([A-Z][A-Z0-9.&-]{{1,9}})\s*[(（]\s*((?:{_WORD})(?:[ -](?:{_SMALL}[ -])*{_WORD}){{1,9}})\s*[)）]"
)
EN_GLOSS_RE = re.compile(r"([A-Za-z][A-Za-z0-9' -]{1,80}?)\s*[(（]\s*([\u3400-\u9fff]{2,18})\s*[)）]")
ZH_GLOSS_RE = re.compile(r"([\u3400-\u9fff]{2,18})[（(]\s*([A-Za-z][A-Za-z0-9 ,.'’&-]{2,80}?)\s*[)）]")


def abbreviations(english_texts: Iterable[str]) -> dict[str, str]:
    """Full form's key -> abbreviation, for every abbreviation the texts define."""
    return {text_key(full): short for full, short in definitions(english_texts).items()}


def definitions(english_texts: Iterable[str]) -> dict[str, str]:
    """Full form as written -> abbreviation, for every abbreviation the texts define."""
    out: dict[str, str] = {}
    for text in english_texts:
        for full, short in _definitions(text):
            out.setdefault(full, short)
    return out


def _definitions(text: str) -> Iterator[tuple[str, str]]:
    for match in FULL_THEN_SHORT_RE.finditer(text):
        fitted = _fit(match.group(1), match.group(2))
        if fitted:
            yield fitted, match.group(2)
    for match in SHORT_THEN_FULL_RE.finditer(text):
        full = match.group(2)
        if _fit(full, match.group(1)) == full:
            yield full, match.group(1)


def _fit(full: str, short: str) -> str | None:
    """The shortest tail of ``full`` whose initials spell ``short`` (small words may be skipped)."""
    letters = [c for c in short.upper() if c.isalpha()]
    words = re.split(r"[ -]+", full)
    for first in range(len(words) - 1, -1, -1):
        tail = words[first:]
        if tail[0].lower() in SMALL_WORDS:
            continue
        initials = [w[0].upper() for w in tail if w.lower() not in SMALL_WORDS]
        with_small = [w[0].upper() for w in tail]
        if letters in (initials, with_small):
            return " ".join(tail)
    return None


def chinese_glosses(chinese_texts: Iterable[str]) -> Iterator[tuple[str, str]]:
    """(Chinese, English) pairs written as 中文（English） in Chinese text; the caller finds the
    Chinese term's start among its candidates (the match holds the text before the bracket)."""
    for text in chinese_texts:
        for match in ZH_GLOSS_RE.finditer(text):
            english = match.group(2).strip()
            if len(english.split()) <= 10:
                yield match.group(1), english


def english_glosses(english_texts: Iterable[str]) -> Iterator[tuple[str, str]]:
    """(Chinese, English) pairs written as "English term (中文)" in English text.

    The English is read back from the bracket: a name in capitals with its small words (Right to
    Be Forgotten), otherwise the words back to the nearest function word (… on algorithmic
    transparency), at most six.
    """
    for text in english_texts:
        for match in EN_GLOSS_RE.finditer(text):
            words = match.group(1).split()
            kept: list[str] = []
            for i in range(len(words) - 1, -1, -1):
                word = words[i]
                if len(kept) == MAX_GLOSS_WORDS or word[-1:] in ",.;:":
                    break
                if word.lower() in SMALL_WORDS:
                    named = kept and kept[0][:1].isupper()
                    if not (named and i > 0 and words[i - 1][:1].isupper()):
                        break
                kept.insert(0, word)
            if kept:
                yield match.group(2), " ".join(kept)
