"""The Aho–Corasick term matcher: leftmost-longest, word boundaries, scripts, flags."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from termbase.text.match import Hit, TermMatcher, fold, surface_form, word_key, word_pattern
from termbase.text.normalize import match_text

APPROVED = 1


@pytest.fixture(scope="module")
def matcher() -> TermMatcher:
    return TermMatcher(
        [
            (1, "网络主权", APPROVED),
            (2, "网络", APPROVED),
            (3, "cyber sovereignty", APPROVED),
            (4, "cyber attack", 0),
            (5, "cyber", APPROVED),
            (6, "IP地址", APPROVED),
            (7, "data", APPROVED),
            (8, "data protect", APPROVED),
            (9, "網絡空間", APPROVED),
            (10, "policy", APPROVED),
            (11, "cyber-attack", APPROVED),
            (12, "互联网", APPROVED),
            (13, "联网", APPROVED),
        ]
    )


def spans(hits: list[Hit], text: str) -> list[tuple[str, tuple[int, ...]]]:
    return [(text[h.start : h.end], h.ids) for h in hits]


def test_chinese_is_leftmost_longest_and_script_insensitive(matcher: TermMatcher) -> None:
    text = "尊重網絡主權，建设网络空间"
    assert spans(matcher.find(text), text) == [("網絡主權", (1,)), ("网络空间", (9,))]


def test_leftmost_wins_over_a_longer_later_match(matcher: TermMatcher) -> None:
    # 互联网 starts first, so the overlapping 联网… is not taken.
    text = "互联网络"
    assert spans(matcher.find(text), text) == [("互联网", (12,))]


def test_overlapping_mode_returns_every_occurrence(matcher: TermMatcher) -> None:
    text = "网络主权"
    assert spans(matcher.find(text, overlapping=True), text) == [("网络主权", (1,)), ("网络", (2,))]


@pytest.mark.parametrize(
    "text",
    ["Cyber-Attacks", "cyber attacks", "CYBER ATTACK", "cyberattacks", "cyber\u2011attack", "cyber  attack"],
)
def test_english_ignores_case_plural_and_hyphen(matcher: TermMatcher, text: str) -> None:
    [hit] = matcher.find(text)
    assert (hit.start, hit.end) == (0, len(text))
    assert set(hit.ids) == {4, 11}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cybersecurity policies", ["policies"]),  # no match inside a word
        ("hypercyber", []),
        ("datapolicy", []),
        ("cyber, attack", ["cyber"]),  # other punctuation breaks a multi-word term
        ("cyber.", ["cyber"]),
    ],
)
def test_english_matches_only_whole_words(matcher: TermMatcher, text: str, expected: list[str]) -> None:
    assert [text[h.start : h.end] for h in matcher.find(text)] == expected


def test_a_longest_candidate_that_fails_the_boundary_leaves_the_shorter_one(matcher: TermMatcher) -> None:
    # "data protect" would match "data protection" only inside a word; "data" still counts.
    text = "data protection"
    assert spans(matcher.find(text), text) == [("data", (7,))]


def test_latin_edges_of_chinese_terms_respect_word_boundaries(matcher: TermMatcher) -> None:
    text = "IPv6地址和IP地址"
    assert spans(matcher.find(text), text) == [("IP地址", (6,))]


def test_required_flags_keep_the_acceptable_entries_of_the_longest_span(matcher: TermMatcher) -> None:
    text = "Cyber Attacks"
    # Entry 4 is unapproved but shares the pattern with the approved 11.
    assert spans(matcher.find(text, require=APPROVED), text) == [("Cyber Attacks", (11,))]


def test_the_longest_term_owns_its_span_even_when_filtered_out() -> None:
    # A shorter approved term inside a longer unreviewed one is not offered in its place:
    # 主权 is not what 网络主权 means, and "cyber" is not what "cyber attack" means.
    terms = TermMatcher(
        [(1, "cyber attack", 0), (2, "cyber", APPROVED), (3, "网络主权", 0), (4, "主权", APPROVED)]
    )
    text = "Cyber Attacks on 网络主权 and 主权"
    assert spans(terms.find(text, require=APPROVED), text) == [("主权", (4,))]
    assert spans(terms.find(text), text) == [("Cyber Attacks", (1,)), ("网络主权", (3,)), ("主权", (4,))]
    # Every acceptable occurrence is still there for callers that ask for all of them.
    assert spans(terms.find(text, require=APPROVED, overlapping=True), text) == [
        ("Cyber", (2,)),
        ("主权", (4,)),
        ("主权", (4,)),
    ]


def test_mixed_text_finds_both_languages(matcher: TermMatcher) -> None:
    text = "维护网络主权 (cyber sovereignty) 与 data"
    assert spans(matcher.find(text), text) == [
        ("网络主权", (1,)),
        ("cyber sovereignty", (3,)),
        ("data", (7,)),
    ]


def test_offsets_refer_to_the_original_text_with_wide_characters() -> None:
    matcher = TermMatcher([(1, "ICANN", 0), (2, "𠀀网络", 0)])
    text = "ＩＣＡＮＮ和𠀀網絡"
    assert spans(matcher.find(text), text) == [("ＩＣＡＮＮ", (1,)), ("𠀀網絡", (2,))]


def test_homographs_share_a_span() -> None:
    matcher = TermMatcher([(1, "安全", 0), (2, "安全", 0), (3, "Security", 0), (4, "securities", 0)])
    assert matcher.find("网络安全") == [Hit(2, 4, (1, 2))]
    assert matcher.find("security") == [Hit(0, 8, (3, 4))]
    assert matcher.pattern_count == 2


def test_empty_matcher_and_empty_text() -> None:
    empty = TermMatcher([])
    assert len(empty) == 0
    assert empty.find("网络 cyber") == []
    assert TermMatcher([(1, "网络", 0)]).find("") == []


def test_terms_without_words_are_ignored() -> None:
    matcher = TermMatcher([(1, "--", 0), (2, "网络", 0)])
    assert len(matcher) == 2
    assert matcher.pattern_count == 1


def test_word_key_joins_soft_gaps_and_marks_hard_ones() -> None:
    key = word_key("china's cyber-attacks, today")
    assert key.key == "chinascyberattack|today"
    assert key.starts == {0: 0, 5: 6, 6: 8, 11: 14, 18: 23}
    assert key.ends == {5: 5, 6: 7, 11: 13, 17: 21, 23: 28}
    assert word_pattern("Cyber-Attacks") == word_pattern("cyber attack") == "cyberattack"
    assert word_pattern("U.S.") == "u|s"
    assert word_pattern("--") == ""


@pytest.mark.parametrize("text", ["cybersecurity", "cyber-security", "Cyber Security", "cyber securities"])
def test_closed_compound_terms_match_split_spellings(text: str) -> None:
    matcher = TermMatcher([(1, "cybersecurity", 0), (2, "cybersecurity law", 0)])
    [hit] = matcher.find(text)
    assert (hit.start, hit.end, hit.ids) == (0, len(text), (1,))
    [hit] = matcher.find(f"the {text} law")
    assert (hit.start, hit.end, hit.ids) == (4, len(text) + 8, (2,))


def test_surface_form_keeps_punctuation() -> None:
    assert surface_form("Cyber-Attacks") == surface_form("cyber-attack") != surface_form("cyber attack")
    assert surface_form("網絡") == "网络"


@given(st.text(max_size=60))
def test_fold_is_match_text(text: str) -> None:
    assert fold(text) == match_text(text)


def _brute_force(terms: list[str], text: str) -> list[tuple[int, int]]:
    """Leftmost-longest by definition: at each position take the longest term starting there."""
    spans = []
    position = 0
    while position < len(text):
        lengths = [len(t) for t in terms if text.startswith(t, position)]
        if lengths:
            spans.append((position, position + max(lengths)))
            position += max(lengths)
        else:
            position += 1
    return spans


@settings(max_examples=200)
@given(
    st.lists(
        st.text(alphabet="网络主权空间安全", min_size=1, max_size=4), min_size=1, max_size=12, unique=True
    ),
    st.text(alphabet="网络主权空间安全，", max_size=40),
)
def test_chinese_hits_are_leftmost_longest(terms: list[str], text: str) -> None:
    matcher = TermMatcher([(i, t, 0) for i, t in enumerate(terms)])
    assert [(h.start, h.end) for h in matcher.find(text)] == _brute_force(terms, text)
    everything = {(h.start, h.end) for h in matcher.find(text, overlapping=True)}
    expected = {(i, i + len(t)) for t in terms for i in range(len(text)) if text.startswith(t, i)}
    assert everything == expected
