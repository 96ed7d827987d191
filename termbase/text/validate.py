"""What a term's text may hold: one rule for the editing forms, the API and every import."""

from __future__ import annotations

import unicodedata

import regex

from termbase.text.lang import is_chinese
from termbase.text.normalize import HAN_RE

# Emoji and other pictographs, flag letters, and the selector that turns a character into an emoji.
_PICTOGRAPH_RE = regex.compile(r"[\p{Extended_Pictographic}\p{Regional_Indicator}\uFE0F]")


def _is_mark(char: str) -> bool:
    return unicodedata.category(char).startswith("M")


def _lone_mark(text: str) -> int | None:
    """The index of the first combining mark that belongs to no letter (Han characters take none)."""
    for index, char in enumerate(text):
        if not _is_mark(char):
            continue
        base = index - 1
        while base >= 0 and _is_mark(text[base]):
            base -= 1
        if base < 0 or not text[base].isalpha() or HAN_RE.match(text[base]):
            return index
    return None


def term_text_problem(language: str, text: str) -> str | None:
    """Why ``text`` cannot be a term of ``language``, in plain words; None when it can.

    A Chinese term holds no emoji or pictograph and no combining mark without a letter to
    carry it (a stray accent or enclosing mark after a Han character or at the start).
    """
    if not is_chinese(language):
        return None
    found = _PICTOGRAPH_RE.search(text)
    if found is not None:
        return (
            f"a Chinese term cannot contain an emoji or pictograph "
            f"(U+{ord(found.group()):04X} at character {found.start() + 1})"
        )
    lone = _lone_mark(text)
    if lone is not None:
        name = unicodedata.name(text[lone], "combining mark").lower()
        return (
            f"a Chinese term cannot contain a combining mark that belongs to no letter "
            f"({name}, U+{ord(text[lone]):04X} at character {lone + 1})"
        )
    return None
