"""BCP 47 language tags as the termbase uses them."""

from __future__ import annotations

import re
from functools import lru_cache

from termbase.records import LANG_EN, LANG_ZH_HANS, LANG_ZH_HANT, LANGUAGES

_HANT_REGIONS = {"tw", "hk", "mo"}


@lru_cache(maxsize=1024)
def normalize_language_tag(tag: str) -> str | None:
    """Map a tag from any tool to ``zh-Hans``, ``zh-Hant`` or ``en``; None when it is neither language.

    >>> normalize_language_tag("zh_TW")
    'zh-Hant'
    """
    parts = [p.lower() for p in tag.strip().replace("_", "-").split("-") if p]
    if not parts:
        return None
    if parts[0] in {"zh", "zho", "chi", "cmn"}:
        rest = set(parts[1:])
        if "hant" in rest or rest & _HANT_REGIONS:
            return LANG_ZH_HANT
        return LANG_ZH_HANS
    if parts[0] in {"en", "eng"}:
        return LANG_EN
    return None


def is_chinese(language: str) -> bool:
    return language.startswith("zh")


_TAG_PART_RE = re.compile(r"^[A-Za-z0-9]{1,8}$")
MAX_TAG_LENGTH = 16  # the width of the language columns


@lru_cache(maxsize=1024)
def term_language(tag: str) -> str | None:
    """The language a term of a file's ``tag`` is kept in: a termbase language, or the tag itself.

    Other languages (``fr``, ``de-AT``, ``zu``) are kept as BCP 47 tags in their usual case
    (language lower, script title, region upper); None for a tag that is not one or does not fit.

    >>> term_language("pt_br")
    'pt-BR'
    """
    known = normalize_language_tag(tag)
    if known is not None:
        return known
    parts = [p for p in tag.strip().replace("_", "-").split("-")]
    if not parts or not all(_TAG_PART_RE.match(p) for p in parts) or not parts[0].isalpha():
        return None
    shaped = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            shaped.append(part.title())
        elif len(part) == 2 and part.isalpha():
            shaped.append(part.upper())
        else:
            shaped.append(part.lower())
    result = "-".join(shaped)
    return result if len(result) <= MAX_TAG_LENGTH else None


def is_termbase_language(language: str) -> bool:
    """Whether lookup, extraction and recognition work on terms of ``language`` (Chinese, English)."""
    return language in LANGUAGES
