"""Confidence from evidence, and its refresh when later documents add to a candidate's counts.

A pair's confidence is a part fixed when it was found (how it was explained: dictionary,
co-occurrence, quotation marks; aligned or neighbouring segments; cautions) plus a part that
depends on counts (how often the two were found together, Dice). Both parts are kept in the
evidence, so when ``termbase extract`` later reads another document that cites the candidate,
the counts are merged per document and the confidence is recomputed by the same formula.
Counts are kept per document slug: reading a document again replaces its counts, so a second
run changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from termbase.text.wording import counted

METHOD_DICTIONARY = "dictionary"
METHOD_COOCCURRENCE = "co-occurrence"
METHOD_LEARNED = "compositional (learned pairs)"
METHOD_QUOTED = "quoted on both sides"
METHOD_ALIGNED = "aligned"
METHOD_GLOSS = "glossed in the text"

CAPS = {METHOD_COOCCURRENCE: 0.79, METHOD_QUOTED: 0.79}
DEFAULT_CAP = 0.97
CAUTION_PENALTY = 0.1
FLOOR = 0.05
COUNT_FIELDS = ("zh_count", "en_count", "cooccurrence")
LEGACY_PREFIX = "earlier runs: "

# Explanations stored before counts agreed with their nouns say "segment(s)".
_FOUND_RE = re.compile(r"found together in \d+ of [\d,]+ segment(?:\(s\)|s)?")
_DICE_RE = re.compile(r"\(Dice [0-9.]+\)")


def dice(both: int, first: int, second: int) -> float:
    return 2 * both / (first + second) if first + second else 0.0


def count_part(method: str, both: int, score_dice: float) -> float:
    """The share of the confidence that comes from counts."""
    if method in (METHOD_DICTIONARY, METHOD_LEARNED):
        return 0.12 * (both >= 2) + 0.04 * (score_dice >= 0.5)
    if method == METHOD_COOCCURRENCE:
        return 0.25 * score_dice + 0.04 * max(min(both - 2, 3), 0)
    if method == METHOD_QUOTED:
        return 0.08 * (both >= 2)
    if method == METHOD_ALIGNED:
        return 0.1 if both >= 3 else 0.04 * (both == 2)
    return 0.0


def confidence_of(method: str, base: float, both: int, score_dice: float, cautions: int = 0) -> float:
    """The confidence of a pair: its fixed part plus its count part, capped by method, less cautions."""
    value = min(base + count_part(method, both, score_dice), CAPS.get(method, DEFAULT_CAP))
    if cautions:
        value = max(value - CAUTION_PENALTY * cautions, FLOOR)
    return round(value, 3)


def refresh(
    evidence: Mapping[str, Any], counts: Mapping[str, Mapping[str, int]]
) -> tuple[dict[str, Any], float | None] | None:
    """``evidence`` with the per-document ``counts`` of a new run merged in, and the confidence
    they give (None when the evidence holds no fixed part to recompute it from).

    Returns None when nothing changes (the run read the same documents with the same counts).
    """
    old = evidence.get("by_document")
    merged: dict[str, dict[str, int]] = (
        {k: dict(v) for k, v in old.items()} if isinstance(old, dict) else _legacy(evidence, counts)
    )
    for document, values in counts.items():
        merged[document] = {name: int(values.get(name, 0)) for name in COUNT_FIELDS}
    if isinstance(old, dict) and merged == old:
        return None
    zh_count, en_count, both = (sum(v[name] for v in merged.values()) for name in COUNT_FIELDS)
    score_dice = dice(both, zh_count, max(en_count, both))
    new = dict(evidence)
    new["by_document"] = {document: merged[document] for document in sorted(merged)}
    new["zh_count"], new["en_count"], new["cooccurrence"] = zh_count, en_count, both
    new["dice"] = round(score_dice, 3)
    documents: set[str] = set()
    for document, values in merged.items():
        if document.startswith(LEGACY_PREFIX):
            documents.update(document[len(LEGACY_PREFIX) :].split(", "))
        elif values["zh_count"] or values["en_count"]:
            documents.add(document)
    new["documents"] = sorted(documents)
    explanation = new.get("explanation")
    if isinstance(explanation, str):
        explanation = _FOUND_RE.sub(
            f"found together in {both} of {counted(zh_count, 'segment')}", explanation
        )
        new["explanation"] = _DICE_RE.sub(f"(Dice {new['dice']})", explanation)
    base = evidence.get("confidence_base")
    if not isinstance(base, int | float):
        return new, None
    value = confidence_of(
        str(evidence.get("method")), float(base), both, score_dice, int(evidence.get("cautions", 0))
    )
    return new, value


def _legacy(
    evidence: Mapping[str, Any], counts: Mapping[str, Mapping[str, int]]
) -> dict[str, dict[str, int]]:
    """Evidence written before counts were kept per document: its totals stay as one entry,
    unless the new run read every document they came from."""
    documents = [str(d) for d in evidence.get("documents") or ()]
    if not documents or all(d in counts for d in documents):
        return {}
    totals = {name: int(evidence.get(name) or 0) for name in COUNT_FIELDS}
    return {LEGACY_PREFIX + ", ".join(sorted(documents)): totals}
