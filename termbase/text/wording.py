"""Wording shared by every page, reply and command: counts with their noun, labels for stored codes."""

from __future__ import annotations

# Plurals that adding "s" would get wrong.
_PLURALS = {
    "child": "children",
    "person": "people",
}

# Stored codes (TBX data categories, workflow and usage values) as a reader says them.
_LABELS = {
    "fullForm": "full form",
    "acronym": "acronym",
    "abbreviation": "abbreviation",
    "shortForm": "short form",
    "variant": "variant",
    "phrase": "phrase",
    "equation": "equation",
    "formula": "formula",
    "internationalism": "internationalism",
    "transliteratedForm": "transliterated form",
    "transcribedForm": "transcribed form",
    "symbol": "symbol",
    "noun": "noun",
    "verb": "verb",
    "adjective": "adjective",
    "adverb": "adverb",
    "properNoun": "proper noun",
    "other": "other",
    "preferred": "preferred",
    "admitted": "admitted",
    "deprecated": "deprecated",
    "superseded": "superseded",
    "candidate": "candidate",
    "approved": "approved",
    "rejected": "rejected",
    "accepted": "accepted",
    "extraction": "extracted from the documents",
    "import": "imported",
    "manual": "added by hand",
    "pipe-pairs": "line pairs (中文 | English)",
    "en-then-zh": "English text, then Chinese text",
    "en-only": "English only",
    "tmx": "TMX translation memory",
    "text-pair": "pair of text files",
    "tsv": "tab-separated pairs",
    "zh-Hans": "Chinese (Simplified)",
    "zh-Hant": "Chinese (Traditional)",
    "en": "English",
}


def plural(noun: str, count: int) -> str:
    """``noun`` in the number ``count`` calls for: plural("entry", 2) -> "entries".

    Only the last word of a phrase changes: "approved entry" -> "approved entries".
    """
    if count == 1:
        return noun
    head, space, last = noun.rpartition(" ")
    if last in _PLURALS:
        last = _PLURALS[last]
    elif last.endswith(("s", "x", "ch", "sh")):
        last += "es"
    elif last.endswith("y") and last[-2:-1] not in ("a", "e", "i", "o", "u", ""):
        last = last[:-1] + "ies"
    else:
        last += "s"
    return head + space + last


def counted(count: int, noun: str) -> str:
    """A count with its noun in agreement: counted(1, "segment") -> "1 segment", 1,200 entries."""
    return f"{count:,} {plural(noun, count)}"


def label(code: str | None) -> str:
    """A stored code as a reader says it: "fullForm" -> "full form"; unknown camelCase is split."""
    if not code:
        return ""
    if code in _LABELS:
        return _LABELS[code]
    spaced = "".join(f" {c.lower()}" if c.isupper() and i else c for i, c in enumerate(code))
    return spaced.replace("_", " ").strip()
