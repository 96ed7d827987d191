"""The two language sides on their own: English tokens and spans, the lexicon, Chinese candidates."""

from __future__ import annotations

import pytest

from termbase.extract import english
from termbase.extract.lexicon import Lexicon, gloss_stems, iter_cedict, stem


def test_tokens_carry_offsets_into_the_original_text() -> None:
    text = "The ICTs and Cyber-Security of theCyberspace"
    tokens = english.tokenize(text, splits=(text.index("Cyberspace"),))
    assert [text[t.start : t.end] for t in tokens] == [
        "The",
        "ICTs",
        "and",
        "Cyber-Security",
        "of",
        "the",
        "Cyberspace",
    ]
    assert tokens[1].acronym
    assert not tokens[1].stop
    assert tokens[0].stop
    assert tokens[2].stop


@pytest.mark.parametrize("variant", ["cyber-security", "cybersecurity", "Cyber Security", "cyber securities"])
def test_hyphen_space_and_plural_variants_share_one_key(variant: str) -> None:
    assert english.text_key(variant) == english.span_key(english.tokenize(variant)) == "cybersecurity"


def test_tokens_in_different_chunks_are_separated_by_punctuation() -> None:
    tokens = english.tokenize("the rules of the road, and its signs")
    assert [t.chunk for t in tokens] == [0, 0, 0, 0, 0, 1, 1, 1]


def test_stems_fold_inflection() -> None:
    assert stem("governance") == stem("govern")
    assert stem("economy") == stem("economic")


def test_cedict_parser_keeps_homographs_and_drops_cross_references() -> None:
    lines = [
        "# comment",
        "行 行 [xing2] /to walk/capable/",
        "行 行 [hang2] /row/line/profession/",
        "㳒 法 [fa3] /variant of 法[fa3]/",
    ]
    entries = list(iter_cedict(lines))
    assert [e[1] for e in entries] == ["行", "行", "法"]
    lexicon = Lexicon()
    lexicon.add_cedict(lines)
    stems = {s for gloss in lexicon.glosses("行") for s in gloss}
    assert {"walk", "row", "profess"} <= stems
    assert lexicon.glosses("法") == set()
    assert gloss_stems("(fig.) wide gap") == {"wide", "gap"}
