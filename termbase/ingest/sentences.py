"""Sentence splitting for Chinese and English, as spans into the paragraph.

No NLTK data is needed (punkt is a download); the rules are the usual ones:
Chinese sentences end at 。！？ (and the ASCII forms many web texts use), English
sentences at . ! ? before a capital, except after a known abbreviation or an initial.
Closing quotes and brackets stay with the sentence they close.
"""

from __future__ import annotations

import re

_ZH_END = re.compile(r"(?:[。！？!?]+|……|…)[”’」』）)》〉\"']*")
_EN_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])")
_EN_TOKEN_BEFORE = re.compile(r"(\S+)$")

# Abbreviations after which a full stop does not end a sentence (lower case, without the dot).
ABBREVIATIONS = frozenset(
    {
        "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "no", "nos", "vs", "etc", "e.g", "i.e",
        "cf", "al", "fig", "art", "para", "sec", "vol", "pp", "ed", "eds", "gen", "gov", "sen", "rep",
        "hon", "rev", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
        "dec", "inc", "ltd", "co", "corp", "dept", "u.s", "u.k", "u.n", "p.r.c", "a.m", "p.m", "approx",
    }
)  # fmt: skip


def _spans(text: str, ends: list[int]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for end in [*ends, len(text)]:
        piece = text[start:end]
        stripped_start = start + (len(piece) - len(piece.lstrip()))
        stripped_end = start + len(piece.rstrip())
        if stripped_end > stripped_start:
            spans.append((stripped_start, stripped_end))
        start = end
    return spans


def split_zh(text: str) -> list[tuple[int, int]]:
    """Sentence spans of Chinese text."""
    ends = [m.end() for m in _ZH_END.finditer(text) if m.end() < len(text)]
    return _spans(text, ends)


def split_en(text: str) -> list[tuple[int, int]]:
    """Sentence spans of English text."""
    ends: list[int] = []
    for match in _EN_END.finditer(text):
        if match.group().startswith(".") and len(match.group().rstrip("\"'”’)]")) == 1:
            before = _EN_TOKEN_BEFORE.search(text, 0, match.start())
            token = before.group(1).lstrip("\"'“‘([").lower() if before else ""
            if token in ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
                continue
        ends.append(match.end())
    return _spans(text, ends)


def split(text: str, *, chinese: bool) -> list[tuple[int, int]]:
    return split_zh(text) if chinese else split_en(text)
