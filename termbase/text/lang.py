"""BCP 47 language tags as the termbase uses them."""

from __future__ import annotations

from functools import lru_cache

from termbase.records import LANG_EN, LANG_ZH_HANS, LANG_ZH_HANT

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
