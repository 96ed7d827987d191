"""Pinyin for display (tone marks, grouped by word) and toneless keys for search."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING

from termbase.text.normalize import has_han, to_simplified
from termbase.text.segment import default_segmenter

if TYPE_CHECKING:
    from pypinyin.core import Pinyin

_NON_LETTER_RE = re.compile(r"[^a-z]")


# pypinyin is imported when first used, not with the module: its phrase dictionary costs a
# process 60 MB, which commands that never convert (an export) should not pay.
@lru_cache(maxsize=1)
def _pinyin() -> Pinyin:
    from pypinyin.converter import DefaultConverter
    from pypinyin.core import Pinyin

    return Pinyin(DefaultConverter())


def pinyin_marks(text: str) -> str:
    """Hanyu pinyin with tone marks written word by word: 数据主权 -> ``shùjù zhǔquán``.

    The syllables of a word are joined and words are separated by a space; a compound of
    four or more characters is written by its parts (电子商务 -> ``diànzi shāngwù``,
    :meth:`~termbase.text.segment.Segmenter.split_compound`), so the same word is written
    the same way in every term. Every stored and displayed pinyin comes from here.
    """
    if not has_han(text):
        return ""
    from pypinyin import Style, lazy_pinyin

    segmenter = default_segmenter()
    parts = []
    for word in segmenter.cut(to_simplified(text)):
        if not word.strip():
            continue
        for part in segmenter.split_compound(word):
            syllables = lazy_pinyin(part, style=Style.TONE, v_to_u=True)
            parts.append("".join(s for s in syllables if s.strip()))
    return " ".join(p for p in parts if p)


# Tone marks only: the diaeresis of ü stays, since a typed "lü" and "lu" are different syllables.
_TONE_MARKS = {"\u0300", "\u0301", "\u0304", "\u030c"}


def toneless(pinyin: str) -> str:
    """Pinyin without its tone marks, spaces kept: ``wǎngluò zhǔquán`` -> ``wangluo zhuquan``."""
    decomposed = unicodedata.normalize("NFD", pinyin)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONE_MARKS))


def pinyin_key(text: str) -> str:
    """Toneless pinyin without spaces, for search: 气候变化 -> ``qihoubianhua``."""
    if not has_han(text):
        return ""
    from pypinyin import Style, lazy_pinyin

    return _NON_LETTER_RE.sub("", "".join(lazy_pinyin(to_simplified(text), style=Style.NORMAL)).lower())


def pinyin_initials(text: str) -> str:
    """First letters of each syllable: 气候变化 -> ``qhbh``."""
    if not has_han(text):
        return ""
    from pypinyin import Style, lazy_pinyin

    letters = lazy_pinyin(to_simplified(text), style=Style.FIRST_LETTER)
    return _NON_LETTER_RE.sub("", "".join(letters).lower())


@lru_cache(maxsize=200_000)
def _segment_syllables(segment: str) -> tuple[tuple[str, str], ...]:
    """Toneless pinyin and initial of each syllable of one segment, as pypinyin converts it (memoised: pure)."""
    from pypinyin import Style

    converter = _pinyin()._converter
    normal = converter.convert(segment, Style.NORMAL, False, "default", True)
    initials = converter.convert(segment, Style.FIRST_LETTER, False, "default", True)
    return tuple(
        (_NON_LETTER_RE.sub("", "".join(n).lower()), _NON_LETTER_RE.sub("", "".join(i).lower()))
        for n, i in zip(normal, initials, strict=True)
    )


# Memoised by the Simplified form, so a term's Traditional and Simplified forms share one entry.
@lru_cache(maxsize=20_000)
def _text_syllables(simplified: str) -> tuple[tuple[str, str], ...]:
    return tuple(
        syllable
        for segment in _pinyin().seg(simplified)
        for syllable in _segment_syllables(segment)
        if syllable[0] or syllable[1]
    )


def pinyin_syllables(text: str) -> list[tuple[str, str]]:
    """(toneless pinyin, initial) of each syllable of ``text``, from one phrase-aware segmentation.

    Joined, the first items give :func:`pinyin_key` and the second :func:`pinyin_initials`:
    pypinyin segments the text and converts each segment on its own, and both keys are made of
    per-syllable operations (lower-casing, dropping non-letters). A run of other characters
    ("5G") counts as one syllable; syllables that keep no letter are left out.
    """
    if not has_han(text):
        return []
    return list(_text_syllables(to_simplified(text)))


def query_pinyin_key(query: str) -> str:
    """Fold a typed pinyin query to the form of :func:`pinyin_key`.

    Tone marks, tone digits, spaces and apostrophes are dropped; ü is written v as pypinyin does.
    """
    decomposed = unicodedata.normalize("NFD", query.lower().replace("ü", "v").replace("u:", "v"))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_LETTER_RE.sub("", stripped)
