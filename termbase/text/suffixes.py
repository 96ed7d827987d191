"""Proper suffixes of a term's lookup keys, which the "contains" search tier matches by prefix.

A query found inside a term is a prefix of one of the term's suffixes, so storing the
suffixes beside the term (``term_suffixes``) turns substring search into the same B-tree
range scan as prefix search, on both databases, for queries of any length (trigram
indexes do not serve the one- and two-character queries most Chinese lookups are).
Where a suffix may start depends on the key:

* the search key of a Chinese term: at every character (true substring search; Chinese
  terms are short), so 变化 finds 气候变化 and, folded to Simplified, 氣候變化;
* the search key of an English term: at every word, so "change" finds "climate
  change" but "hange" finds nothing;
* the pinyin key of a Chinese term: at every syllable, so "bianhua" finds 气候变化.

Position 0 is left out: the whole key is what the exact and prefix tiers match.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import accumulate

from termbase.text.normalize import search_key_parts
from termbase.text.pinyin import pinyin_syllables

FIELD_TEXT = "text"  # suffixes of Term.search_key
FIELD_PINYIN = "pinyin"  # suffixes of Term.pinyin_key
FIELDS = (FIELD_TEXT, FIELD_PINYIN)
# A stored suffix keeps this many characters: a longer query is matched on its first
# SUFFIX_LENGTH characters and then checked against the whole key.
SUFFIX_LENGTH = 64
# Suffixes start at no more than this many positions of one key: a substring that starts
# further into a very long term (a sentence pasted as a term) is not found by "contains".
MAX_STARTS = 100


def suffixes(parts: Sequence[str]) -> list[str]:
    """Suffixes of ``"".join(parts)`` starting at each boundary between parts after the first.

    Each is cut to :data:`SUFFIX_LENGTH` characters; duplicates and empty ones are dropped.
    """
    key = "".join(parts)
    length = len(key)
    starts = [
        start
        for part, start in zip(parts, accumulate(map(len, parts[:-1])), strict=False)
        if part and start < length
    ]
    return list(dict.fromkeys(key[start : start + SUFFIX_LENGTH] for start in starts[:MAX_STARTS]))


def term_suffixes(key_parts: Sequence[str], syllables: Sequence[str] = ()) -> list[tuple[str, str]]:
    """The (field, suffix) rows of one term.

    :param key_parts: the pieces of its search key
        (:func:`termbase.text.normalize.search_key_parts`).
    :param syllables: the toneless pinyin syllables of a Chinese term, from the same
        segmentation as its pinyin key (:func:`termbase.text.pinyin.pinyin_syllables`).
    """
    rows = [(FIELD_TEXT, suffix) for suffix in suffixes(key_parts)]
    rows.extend((FIELD_PINYIN, suffix) for suffix in suffixes(syllables))
    return rows


def text_suffixes(text: str, language: str) -> list[tuple[str, str]]:
    """The (field, suffix) rows of a term given by its (cleaned) text and language tag."""
    syllables = [key for key, _ in pinyin_syllables(text)] if language.startswith("zh") else []
    return term_suffixes(search_key_parts(text, language), syllables)
