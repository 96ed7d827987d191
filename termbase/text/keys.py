"""A term's lookup keys, derived from its cleaned text: one function for every writer.

The editing service, the TBX/CSV import and the synthetic benchmark data all store what
:func:`term_keys` returns, so a term finds the same way however it entered the termbase.
The pinyin key, initials and pinyin suffixes come from one segmentation, and the search key
and its suffixes from one tokenization.
"""

from __future__ import annotations

from typing import NamedTuple

from termbase.text.lang import is_chinese
from termbase.text.normalize import clean_term_text, normalize_term, normalized_key_parts
from termbase.text.pinyin import pinyin_marks, pinyin_syllables
from termbase.text.suffixes import term_suffixes


class TermKeys(NamedTuple):
    """The derived columns of a term and the (field, key) rows of its ``term_suffixes``.

    A tuple, because the import sends them between processes by the hundred thousand.
    """

    normalized: str
    search_key: str
    pinyin: str | None
    pinyin_key: str | None
    pinyin_initials: str | None
    suffixes: list[tuple[str, str]]


def term_keys(language: str, cleaned: str, pinyin: str | None, normalized: str | None = None) -> TermKeys:
    """The keys of a term whose text is ``cleaned`` (:func:`clean_term_text` already applied).

    :param pinyin: pinyin the term was given with (kept, tidied, for display); a Chinese
        term without it gets :func:`pinyin_marks`. The search keys always follow the text.
    :param normalized: :func:`normalize_term` of ``cleaned``, when the caller has it already.
    """
    if normalized is None:
        normalized = normalize_term(cleaned)
    parts = normalized_key_parts(normalized, language)
    if not is_chinese(language):
        return TermKeys(normalized, "".join(parts), None, None, None, term_suffixes(parts))
    keys = pinyin_syllables(cleaned)
    syllables = [key for key, _ in keys]
    return TermKeys(
        normalized,
        "".join(parts),
        clean_term_text(pinyin) if pinyin else pinyin_marks(cleaned),
        "".join(syllables),
        "".join(initial for _, initial in keys),
        term_suffixes(parts, syllables),
    )
