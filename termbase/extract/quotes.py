"""Quotation marks as evidence: a phrase an author quotes on both sides of a pair is a named thing.

Policy texts put coined expressions, slogans and programme names in quotation marks (“菜篮子工程”
"Vegetable Basket Project", “放管服” "streamline administration"), and translators keep the marks. When the
Chinese and the English side of one aligned segment quote the same number of short, term-like
phrases, the quotes pair up in order, whether or not a dictionary explains them. Quoted sayings
are left out on both sides: Chinese idioms and quotes holding punctuation, English quotes of
more than :data:`MAX_EN_WORDS` words or holding punctuation. When the two sides then disagree
in number, or the order is crossed (one phrase paired with two different ones), the segment
gives no quotation evidence at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from termbase.extract.english import EnToken
from termbase.text.normalize import has_han

ZH_QUOTE_RE = re.compile(r"[“「『\"]([^“”「」『』\"\n]{1,20})[”」』\"]")
EN_QUOTE_RE = re.compile(r"[“\"]([^“”\"\n]{1,80})[”\"]")
# Inside a quoted Chinese term: Han characters, Latin letters, digits, + and the middle dot.
ZH_TERM_RE = re.compile(r"^[\u3400-\u9fffA-Za-z0-9+·]+$")
EN_PUNCTUATION_RE = re.compile(r"[.,;:!?()]")
MIN_ZH_CHARS = 2
MAX_ZH_CHARS = 8
MAX_EN_WORDS = 4
# Characters that cannot start or end a quoted term: particles, pronouns, conjunctions.
EDGE_STOPS = frozenset("的了和与及或在是也都就而之其这那我你他她它们着过被把将对从以为于向等")


def zh_quotes(text: str, is_idiom: Callable[[str], bool]) -> list[tuple[int, int]]:
    """(start, end) of every quoted Chinese phrase in ``text``; sayings are marked (-1, -1)."""
    out = []
    for found in ZH_QUOTE_RE.finditer(text):
        inner = found.group(1)
        start, end = found.start(1), found.end(1)
        if not has_han(inner):
            continue  # a quoted English name inside Chinese text is not a Chinese term
        term_like = (
            MIN_ZH_CHARS <= len(inner) <= MAX_ZH_CHARS
            and ZH_TERM_RE.match(inner) is not None
            and inner[0] not in EDGE_STOPS
            and inner[-1] not in EDGE_STOPS
            and not is_idiom(inner)
        )
        out.append((start, end) if term_like else (-1, -1))
    return out


def en_quotes(original: str, tokens: list[EnToken]) -> list[tuple[int, int]]:
    """(first token, end token) of every quoted English phrase; sayings are marked (-1, -1)."""
    out = []
    for found in EN_QUOTE_RE.finditer(original):
        inner = found.group(1)
        if not any(c.isalpha() for c in inner) or has_han(inner):
            continue
        start, end = found.start(1), found.end(1)
        inside = [k for k, t in enumerate(tokens) if start <= t.start and t.end <= end]
        term_like = (
            bool(inside)
            and len(inside) <= MAX_EN_WORDS
            and EN_PUNCTUATION_RE.search(inner.strip()) is None
            and len({tokens[k].chunk for k in inside}) == 1
            and not tokens[inside[0]].stop
            and not tokens[inside[-1]].stop
        )
        out.append((inside[0], inside[-1] + 1) if term_like else (-1, -1))
    return out


def quote_pairs(
    zh: list[tuple[int, int]], en: list[tuple[int, int]]
) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Quotes paired in order, when both sides quote the same number of phrases."""
    if not zh or len(zh) != len(en):
        return []
    return [(z, e) for z, e in zip(zh, en, strict=True) if z[0] >= 0 and e[0] >= 0]


def consistent(pairs: list[tuple[str, str]]) -> bool:
    """Whether paired quotes match one to one: the same Chinese phrase always with the same
    English one and back. Otherwise the sides quote in different orders."""
    forward: dict[str, str] = {}
    backward: dict[str, str] = {}
    for zh, en in pairs:
        if forward.setdefault(zh, en) != en or backward.setdefault(en, zh) != zh:
            return False
    return True
