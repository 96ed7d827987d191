"""Key suffixes behind the "contains" search tier: where they start, deduplication, caps."""

from __future__ import annotations

from termbase.text.pinyin import pinyin_initials, pinyin_key, pinyin_syllables
from termbase.text.suffixes import MAX_STARTS, SUFFIX_LENGTH, suffixes, text_suffixes


def test_chinese_suffixes_start_at_every_character_of_the_simplified_key() -> None:
    assert text_suffixes("網絡主權", "zh-Hant") == [
        ("text", "络主权"),
        ("text", "主权"),
        ("text", "权"),
        ("pinyin", "luozhuquan"),
        ("pinyin", "zhuquan"),
        ("pinyin", "quan"),
    ]


def test_english_suffixes_start_at_word_boundaries_of_the_search_key() -> None:
    assert text_suffixes("cyber sovereignty", "en") == [("text", "sovereignty")]
    assert text_suffixes("Cyber-Attacks on Networks", "en") == [
        ("text", "attackonnetwork"),
        ("text", "onnetwork"),
        ("text", "network"),
    ]
    assert text_suffixes("sovereignty", "en") == []


def test_pinyin_suffixes_follow_the_phrase_aware_segmentation_of_the_pinyin_key() -> None:
    text = "中华人民共和国网络安全法"
    syllables = pinyin_syllables(text)
    assert "".join(k for k, _ in syllables) == pinyin_key(text)
    assert "".join(i for _, i in syllables) == pinyin_initials(text)
    pinyin = [key for field, key in text_suffixes(text, "zh-Hans") if field == "pinyin"]
    assert pinyin[0] == pinyin_key(text)[len("zhong") :]
    assert "wangluoanquanfa" in pinyin
    assert "angluoanquanfa" not in pinyin  # syllable boundaries only
    assert [key for key, _ in pinyin_syllables("5G网络")] == ["g", "wang", "luo"]


def test_suffixes_are_deduplicated_and_capped() -> None:
    assert suffixes(list("主权主权")) == ["权主权", "主权", "权"]
    assert suffixes(["a"]) == []
    assert suffixes(["", "ab", "c"]) == ["c"]
    long = suffixes(list("网络" * 200))
    assert len(long) == 2  # two distinct suffixes once cut to SUFFIX_LENGTH
    assert all(len(s) == SUFFIX_LENGTH for s in long)
    distinct = suffixes([chr(0x4E00 + i) for i in range(400)])
    assert len(distinct) == MAX_STARTS
