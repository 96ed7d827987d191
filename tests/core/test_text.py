"""Normalization, search keys, pinyin and language tags."""

from __future__ import annotations

import pytest

from termbase.text.lang import normalize_language_tag
from termbase.text.normalize import (
    apply_splits,
    match_text,
    normalize_term,
    search_key,
    singularize,
    to_traditional,
)
from termbase.text.pinyin import pinyin_initials, pinyin_key, pinyin_marks, query_pinyin_key, toneless
from termbase.text.wording import counted, label


@pytest.mark.parametrize(
    ("text", "expected"),
    [("網絡主權", "网络主权"), ("ＡＢＣ１２３", "abc123"), ("Cyber Sovereignty", "cyber sovereignty")],
)
def test_match_text_folds_without_changing_length(text: str, expected: str) -> None:
    assert match_text(text) == expected
    assert len(match_text(text)) == len(text)


def test_normalize_term_is_simplified_nfkc_casefolded() -> None:
    assert normalize_term("  網絡\u200b主權 ") == "网络主权"
    assert normalize_term("Cyber  SECURITY") == "cyber security"


@pytest.mark.parametrize(
    ("a", "b"),
    [("Cyber-Attacks", "cyber attack"), ("cybersecurity", "cyber security"), ("policies", "Policy")],
)
def test_english_search_keys_ignore_case_plural_and_hyphen(a: str, b: str) -> None:
    assert search_key(a, "en") == search_key(b, "en")


@pytest.mark.parametrize(
    ("word", "singular"), [("attacks", "attack"), ("process", "process"), ("news", "news")]
)
def test_singularize(word: str, singular: str) -> None:
    assert singularize(word) == singular


def test_pinyin_forms() -> None:
    assert pinyin_marks("网络主权") == "wǎngluò zhǔquán"
    assert pinyin_key("網絡主權") == "wangluozhuquan"
    assert pinyin_initials("网络主权") == "wlzq"
    assert query_pinyin_key("wǎngluò zhǔquán") == query_pinyin_key("wangluo zhuquan") == "wangluozhuquan"
    assert query_pinyin_key("wang3luo4") == "wangluo"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # jieba keeps these compounds whole; pinyin is written by their words all the same.
        ("网络空间", "wǎngluò kōngjiān"),
        ("国际网络空间治理", "guójì wǎngluò kōngjiān zhìlǐ"),
        ("人工智能", "réngōng zhìnéng"),
        ("信息基础设施", "xìnxī jīchǔ shèshī"),
        ("互联网", "hùliánwǎng"),  # a three-character word stays one word
        ("绿色发展", "lǜsè fāzhǎn"),
    ],
)
def test_pinyin_is_written_word_by_word(text: str, expected: str) -> None:
    assert pinyin_marks(text) == expected


def test_toneless_pinyin_keeps_spaces_and_umlaut() -> None:
    assert toneless("wǎngluò kōngjiān") == "wangluo kongjian"
    assert toneless("lǜsè fāzhǎn") == "lüse fazhan"
    assert query_pinyin_key(toneless("lǜsè")) == pinyin_key("绿色")


@pytest.mark.parametrize(
    ("text", "expected"), [("网络主权", "網絡主權"), ("網絡主權", "網絡主權"), ("cyber", "cyber")]
)
def test_traditional_form_is_derived_with_opencc(text: str, expected: str) -> None:
    assert to_traditional(text) == expected


@pytest.mark.parametrize(
    ("count", "noun", "expected"),
    [
        (1, "entry", "1 entry"),
        (2, "entry", "2 entries"),
        (0, "segment", "0 segments"),
        (1, "segment", "1 segment"),
        (1200, "approved entry", "1,200 approved entries"),
        (3, "match", "3 matches"),
        (2, "day", "2 days"),
    ],
)
def test_counted_agrees_in_number(count: int, noun: str, expected: str) -> None:
    assert counted(count, noun) == expected


def test_labels_for_stored_codes() -> None:
    assert label("fullForm") == "full form"
    assert label("transliteratedForm") == "transliterated form"
    assert label("someNewCode") == "some new code"
    assert label(None) == ""


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("zh", "zh-Hans"),
        ("zh-CN", "zh-Hans"),
        ("zh_CN", "zh-Hans"),
        ("zh-SG", "zh-Hans"),
        ("zh-Hans", "zh-Hans"),
        ("zh-TW", "zh-Hant"),
        ("zh-HK", "zh-Hant"),
        ("zh-Hant", "zh-Hant"),
        ("en-US", "en"),
        ("fr", None),
    ],
)
def test_language_tags(tag: str, expected: str | None) -> None:
    assert normalize_language_tag(tag) == expected


def test_apply_splits_maps_back_to_original() -> None:
    view, origin = apply_splits("theCyberspace of", [3])
    assert view == "the Cyberspace of"
    start = view.index("Cyberspace")
    assert origin[start] == 3
    assert origin[start + len("Cyberspace")] == 13
