"""Pure helpers: cutting text into marked pieces, and readable diffs of history snapshots."""

from __future__ import annotations

from termbase.services.documents import Mark, resolve_overlaps
from termbase.web.highlight import TextSpan, pieces, query_spans, snippet
from termbase.web.history import action_label, diff_snapshots


def test_pieces_cover_the_text_exactly_once() -> None:
    text = "尊重网络主权是前提"
    result = pieces(text, [TextSpan(2, 6)])
    assert [(p.text, p.mark is not None) for p in result] == [
        ("尊重", False),
        ("网络主权", True),
        ("是前提", False),
    ]
    assert "".join(p.text for p in result) == text


def test_pieces_drop_overlaps_and_clamp() -> None:
    result = pieces("abcdef", [TextSpan(0, 3), TextSpan(2, 5), TextSpan(4, 99)])
    assert [(p.text, p.mark is not None) for p in result] == [("abc", True), ("d", False), ("ef", True)]
    assert pieces("", [TextSpan(0, 1)]) == []
    assert pieces(None) == []


def test_pieces_keep_markup_as_text() -> None:
    result = pieces("<b>x</b>", [TextSpan(3, 4)])
    assert [p.text for p in result] == ["<b>", "x", "</b>"]  # the template escapes each piece


def test_query_spans_are_case_insensitive() -> None:
    assert query_spans("Cyber cyber CYBER", "cyber") == [TextSpan(0, 5), TextSpan(6, 11), TextSpan(12, 17)]
    assert query_spans("abc", "") == []


def test_resolve_overlaps_is_leftmost_longest_and_prefers_the_page_concept() -> None:
    marks = [
        Mark(0, 4, 1, "approved"),
        Mark(0, 2, 2, "approved"),
        Mark(2, 6, 3, "candidate"),
        Mark(4, 6, 4, "candidate"),
        Mark(4, 6, 5, "approved", own=True),
        Mark(5, 99, 6, "approved"),
    ]
    kept = resolve_overlaps(marks, 8)
    assert [(m.start, m.end, m.concept_id) for m in kept] == [(0, 4, 1), (4, 6, 5)]


def test_diff_snapshots() -> None:
    before = {
        "status": "candidate",
        "note": None,
        "definitions": {},
        "terms": [
            {
                "id": 1,
                "language": "en",
                "text": "cyber attack",
                "usage_status": "admitted",
                "citations": [[1, 0, 5]],
            },
            {"id": 2, "language": "en", "text": "cyberattack", "usage_status": "admitted", "citations": []},
        ],
    }
    after = {
        "status": "approved",
        "note": "checked",
        "definitions": {"en": "An attack through networks."},
        "terms": [
            {
                "id": 1,
                "language": "en",
                "text": "cyber attack",
                "usage_status": "preferred",
                "citations": [[1, 0, 5]],
            },
            {
                "id": 3,
                "language": "zh-Hans",
                "text": "网络攻击",
                "usage_status": "preferred",
                "citations": [],
            },
        ],
    }
    changes = {(c.kind, c.what, c.before, c.after) for c in diff_snapshots(before, after)}
    assert changes == {
        ("changed", "status", "candidate", "approved"),
        ("changed", "note", None, "checked"),
        ("added", "definition", None, "An attack through networks."),
        ("changed", "term usage of “cyber attack”", "admitted", "preferred"),
        ("removed", "term", "cyberattack", None),
        ("added", "term", None, "网络攻击"),
    }
    assert [c.kind for c in diff_snapshots(None, after)] == ["added", "added"]
    assert diff_snapshots(before, None)[0].kind == "removed"
    assert action_label("status:approved") == "approved"
    assert action_label("something-new") == "something new"


def test_snippet_keeps_the_context_around_the_first_mark() -> None:
    text = "word " * 60 + "cyber sovereignty" + " word" * 60
    start = text.index("cyber")
    result = snippet(text, [Mark(start, start + 17, 1, "approved")], radius=40)
    assert result[0].text == "…"
    assert result[-1].text == "…"
    marked = [p for p in result if p.mark is not None]
    assert [p.text for p in marked] == ["cyber sovereignty"]
    assert len("".join(p.text for p in result)) < 120
    short = snippet("尊重网络主权", [Mark(2, 6, 1, "approved")], radius=40)
    assert "".join(p.text for p in short) == "尊重网络主权"


def test_diff_shows_codes_as_words() -> None:
    term = {"id": 1, "language": "en", "text": "WSIS", "usage_status": "admitted", "citations": []}
    before = {"status": "candidate", "definitions": {}, "terms": [term]}
    after = {
        "status": "candidate",
        "definitions": {},
        "terms": [{**term, "term_type": "fullForm", "part_of_speech": "properNoun"}],
    }
    changes = {(c.what, c.before, c.after, c.language) for c in diff_snapshots(before, after)}
    assert changes == {
        ("term type of “WSIS”", None, "full form", None),
        ("term part of speech of “WSIS”", None, "proper noun", None),
    }
