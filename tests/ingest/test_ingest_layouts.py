"""Layouts told apart from each paragraph's language, and aligned."""

from __future__ import annotations

import pytest
from bilingual_fixtures import PAIRS, TITLE, paragraphs, score

from termbase.ingest.decode import InputFile
from termbase.ingest.errors import IngestError
from termbase.ingest.layout import split_bilingual
from termbase.ingest.readers import read_document
from termbase.records import Layout, SegmentKind


def _read(text: str, name: str = "doc.txt"):  # type: ignore[no-untyped-def]
    return read_document(InputFile.from_bytes(name, text.encode("utf-8")))


def _pairs(document) -> list[tuple[str | None, str | None]]:  # type: ignore[no-untyped-def]
    return [(s.zh_text, s.en_text) for s in document.segments if s.kind == SegmentKind.PAIR]


@pytest.mark.parametrize(
    ("layout", "expected"),
    [
        ("alternating", Layout.ALTERNATING),
        ("zh-then-en", Layout.ZH_THEN_EN),
        ("en-then-zh", Layout.EN_THEN_ZH),
    ],
)
@pytest.mark.parametrize("separator", ["\n\n", "\n"])
def test_each_bilingual_layout_is_found_and_aligned(layout: str, expected: Layout, separator: str) -> None:
    title = f"{TITLE[0]} {TITLE[1]}"
    document = _read(separator.join([title, *paragraphs(layout)]) + "\n")
    assert document.layout == expected
    assert score(_pairs(document), PAIRS) >= 0.95
    assert (document.segments[0].zh_text, document.segments[0].en_text) == TITLE  # the bilingual title line
    assert document.title == title


def test_alternating_keeps_document_order_and_leaves_a_one_sided_paragraph_unaligned() -> None:
    items = paragraphs("alternating")
    untranslated = "本段为编者按，英文版未收录。"
    items.insert(8, untranslated)  # between the 4th and the 5th pair
    document = _read("\n\n".join(items))
    assert document.layout == Layout.ALTERNATING
    assert score(_pairs(document), PAIRS) >= 0.95
    zh_only = [s for s in document.segments if s.kind == SegmentKind.ZH]
    assert [s.zh_text for s in zh_only] == [untranslated]
    order = [s.zh_text for s in document.segments]
    assert order.index(untranslated) == 4  # where it stood, not at the end
    assert [z for z in order if z != untranslated] == [z for z, _ in PAIRS]


def test_lines_holding_both_languages_are_pairs() -> None:
    text = "\n".join(f"{zh} {en}" for zh, en in PAIRS[:8])
    document = _read(text)
    assert document.layout == Layout.LINE_PAIRS
    assert _pairs(document) == PAIRS[:8]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("网络主权 Cyber Sovereignty", ("网络主权", "Cyber Sovereignty")),
        ("Cyber Sovereignty 网络主权", ("网络主权", "Cyber Sovereignty")),
        ("2024年工作报告 2024 Work Report", ("2024年工作报告", "2024 Work Report")),
        ("我们推动构建网络空间命运共同体（community with a shared future）", None),
        ("这项服务由 Example Labs 提供。", None),  # a Chinese sentence with a name in it
        ("我们使用了 AI", None),  # too little English to be a translation
        ("网络主权 | Cyber Sovereignty", ("网络主权", "Cyber Sovereignty")),
        ("Cyber Sovereignty / 网络主权", ("网络主权", "Cyber Sovereignty")),
        ("只有中文", None),
        ("Only English", None),
    ],
)
def test_bilingual_line_split(line: str, expected: tuple[str, str] | None) -> None:
    assert split_bilingual(line) == expected


def test_chinese_only_document_gives_chinese_sentences() -> None:
    document = _read("数据治理需要合作。各方应当加强沟通。\n\n第二段只有一句话。\n")
    assert document.layout == Layout.ZH_ONLY
    assert [s.zh_text for s in document.segments] == [
        "数据治理需要合作。",
        "各方应当加强沟通。",
        "第二段只有一句话。",
    ]
    assert {s.kind for s in document.segments} == {SegmentKind.ZH}


@pytest.mark.parametrize(
    ("items", "message"),
    [
        (
            [p for pair in PAIRS[:6] for p in pair] + [z for z, _ in PAIRS[6:]],
            "paragraphs 1–12 alternate, 13–30 are all Chinese",
        ),
        (
            [e for _, e in PAIRS[:8]] + [p for pair in PAIRS[8:14] for p in pair],
            "paragraphs 1–8 are all English, 9–20 alternate",
        ),
    ],
)
def test_ambiguous_layout_is_refused_with_what_was_seen(items: list[str], message: str) -> None:
    with pytest.raises(IngestError, match=f"ambiguous layout: {message}") as caught:
        _read("\n\n".join(items), name="mixed.txt")
    assert caught.value.file == "mixed.txt"


@pytest.mark.parametrize("english_first", [False, True])
def test_a_long_alternating_text_is_aligned_piece_by_piece(english_first: bool) -> None:
    pairs = [(e, z) for z, e in PAIRS] if english_first else PAIRS
    items = [p for pair in pairs * 5 for p in pair]  # 240 paragraphs: several pieces
    items.insert(0, "本文只有中文的导语。" if english_first else "A lead paragraph in English only.")
    items.insert(121, "编者按：此段无译文。")
    document = _read("\n\n".join(items))
    assert document.layout == Layout.ALTERNATING
    assert _pairs(document) == PAIRS * 5
    one_sided = [s.zh_text or s.en_text for s in document.segments if s.kind != SegmentKind.PAIR]
    assert one_sided == [items[0], "编者按：此段无译文。"]


def test_traditional_chinese_alternating_lines() -> None:
    text = "\n".join(
        [
            "網絡空間是人類共同的活動空間。",
            "Cyberspace is a common space of human activity.",
            "各國應當加強對話與合作。",
            "All countries should strengthen dialogue and cooperation.",
            "數據安全關係到每一個人。",
            "Data security concerns every one of us.",
        ]
    )
    document = _read(text)
    assert document.layout == Layout.ALTERNATING
    assert document.zh_script == "zh-Hant"
    assert _pairs(document)[1] == (
        "各國應當加強對話與合作。",
        "All countries should strengthen dialogue and cooperation.",
    )
