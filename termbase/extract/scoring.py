"""Confidence from evidence.

A pair's confidence is a part fixed when it was found (how it was explained: dictionary,
co-occurrence, quotation marks; aligned or neighbouring segments; cautions) plus a part that
depends on counts (how often the two were found together, Dice). Both are kept in the evidence.
"""

from __future__ import annotations

METHOD_DICTIONARY = "dictionary"
METHOD_COOCCURRENCE = "co-occurrence"
METHOD_LEARNED = "compositional (learned pairs)"
METHOD_QUOTED = "quoted on both sides"

CAPS = {METHOD_COOCCURRENCE: 0.79, METHOD_QUOTED: 0.79}
DEFAULT_CAP = 0.97
CAUTION_PENALTY = 0.1
FLOOR = 0.05


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
    return 0.0


def confidence_of(method: str, base: float, both: int, score_dice: float, cautions: int = 0) -> float:
    """The confidence of a pair: its fixed part plus its count part, capped by method, less cautions."""
    value = min(base + count_part(method, both, score_dice), CAPS.get(method, DEFAULT_CAP))
    if cautions:
        value = max(value - CAUTION_PENALTY * cautions, FLOOR)
    return round(value, 3)
