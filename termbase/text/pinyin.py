"""Pinyin for display (tone marks, grouped by word) and toneless keys for search."""

from __future__ import annotations

import re
import unicodedata

from pypinyin import Style, lazy_pinyin

from termbase.text.normalize import has_han, to_simplified
from termbase.text.segment import default_segmenter

_NON_LETTER_RE = re.compile(r"[^a-z]")


def pinyin_marks(text: str) -> str:
    """Hanyu pinyin with tone marks, syllables of one word joined: 网络主权 -> ``wǎngluò zhǔquán``."""
    if not has_han(text):
        return ""
    words = default_segmenter().cut(to_simplified(text))
    parts = []
    for word in words:
        if not word.strip():
            continue
        syllables = lazy_pinyin(word, style=Style.TONE, v_to_u=True)
        parts.append("".join(s for s in syllables if s.strip()))
    return " ".join(p for p in parts if p)


def pinyin_key(text: str) -> str:
    """Toneless pinyin without spaces, for search: 网络主权 -> ``wangluozhuquan``."""
    if not has_han(text):
        return ""
    return _NON_LETTER_RE.sub("", "".join(lazy_pinyin(to_simplified(text), style=Style.NORMAL)).lower())


def pinyin_initials(text: str) -> str:
    """First letters of each syllable: 网络主权 -> ``wlzq``."""
    if not has_han(text):
        return ""
    letters = lazy_pinyin(to_simplified(text), style=Style.FIRST_LETTER)
    return _NON_LETTER_RE.sub("", "".join(letters).lower())


def query_pinyin_key(query: str) -> str:
    """Fold a typed pinyin query to the form of :func:`pinyin_key`.

    Tone marks, tone digits, spaces and apostrophes are dropped; ü is written v as pypinyin does.
    """
    decomposed = unicodedata.normalize("NFD", query.lower().replace("ü", "v").replace("u:", "v"))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_LETTER_RE.sub("", stripped)
