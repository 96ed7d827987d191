"""Paragraphs without web boilerplate, sentences, glued English words, anchors."""

from __future__ import annotations

from pathlib import Path

import pytest

from termbase.ingest.anchors import en_numbers, stem, zh_numbers
from termbase.ingest.glued import find_splits
from termbase.ingest.paragraphs import paragraphs
from termbase.ingest.sentences import split_en, split_zh
from termbase.text.normalize import apply_splits

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def _paragraphs(text: str) -> list[str]:
    return [p.text for p in paragraphs(enumerate(text.splitlines(), start=1))]


PAGE = """\
中文简体 | 中文繁体 | Партнеры | 日本語 | 한글
your position :English > News > China  content
A Speech on Cyberspace
  • Creative USB flash drives
  • First sip of avocado
  • In pics: cute polar bear cubs

Posted on Updated on

The Internet belongs to all. It should be governed by all.

Advertisement
share: 0
Author:    Source: xinhua     Editor: Yang Fan

Thank you.

Leave a Reply

Fill in your details below or click an icon to log in:
You are commenting using your WordPress.com account. Log Out /  Change )
A comment that must not become a segment.
"""


def test_boilerplate_stays_out_and_text_stays_in() -> None:
    assert _paragraphs(PAGE) == [
        "A Speech on Cyberspace",
        "The Internet belongs to all. It should be governed by all.",
        "Thank you.",
    ]


def test_short_bullet_lists_are_kept_when_they_are_not_link_lists() -> None:
    text = "Two principles:\n• Respect sovereignty.\n• Share benefits.\n"
    assert _paragraphs(text) == ["Two principles:", "• Respect sovereignty.", "• Share benefits."]


def test_hard_wrapped_english_lines_are_joined() -> None:
    assert _paragraphs("We must build a\ncommunity of shared future.\n\nNext paragraph.") == [
        "We must build a community of shared future.",
        "Next paragraph.",
    ]


@pytest.mark.parametrize("name", sorted(p.name for p in SEEDS.glob("*.txt")))
def test_no_seed_keeps_page_furniture(name: str) -> None:
    kept = "\n".join(_paragraphs((SEEDS / name).read_text(encoding="utf-8")))
    for furniture in (
        "Posted on",
        "Leave a Reply",
        "Leave a comment",
        "commenting using",
        "Advertisement",
        "share: 0",
    ):
        assert furniture not in kept


def test_chinese_sentences_keep_their_closing_quotes() -> None:
    text = "“天下兼相爱则治,交相恶则乱。”完善全球互联网治理体系!各国应该推进合作"
    assert [text[a:b] for a, b in split_zh(text)] == [
        "“天下兼相爱则治,交相恶则乱。”",
        "完善全球互联网治理体系!",
        "各国应该推进合作",
    ]


def test_english_sentences_skip_abbreviations_and_initials() -> None:
    text = "Mr. Wang met Dr. Li in the U.S. last year. J. Smith agreed! Did he? Yes."
    assert [text[a:b] for a, b in split_en(text)] == [
        "Mr. Wang met Dr. Li in the U.S. last year.",
        "J. Smith agreed!",
        "Did he?",
        "Yes.",
    ]


@pytest.mark.parametrize(
    ("text", "split_view"),
    [
        ("on this golden autumnday to participate", "on this golden autumn day to participate"),
        ("On behalf of theCyberspace Administration", "On behalf of the Cyberspace Administration"),
        ("the China-ASEAN InformationHarbor Forum", "the China-ASEAN Information Harbor Forum"),
        ("President XiJinping proposed", "President Xi Jinping proposed"),
        ("and the ASEANcountries.", "and the ASEAN countries."),
        ("a new chapterof cyberspace cooperation", "a new chapter of cyberspace cooperation"),
        ("We'llshare the fruits", "We'll share the fruits"),
    ],
)
def test_glued_words_are_split(text: str, split_view: str) -> None:
    splits = find_splits(text)
    assert apply_splits(text, splits)[0] == split_view


@pytest.mark.parametrize(
    "text",
    [
        "information interflow and cybergovernance",  # real words, and prefix compounds
        "multistakeholderism and multipolarization",
        "Respected mister Wu Hequan, and Dongjing",  # romanized Chinese names
        "a WordPress.com account on YouTube",
        "see http://english.dbw.cn/news/indexPage.html",
        "smartification of Wuzhen",  # unknown, but no unambiguous cut
    ],
)
def test_real_words_names_and_addresses_are_left_alone(text: str) -> None:
    assert find_splits(text) == ()


def test_splits_map_back_to_the_original() -> None:
    text = "build theChina-ASEAN InformationHarbor"
    view, origin = apply_splits(text, find_splits(text))
    start = view.index("Information Harbor")
    end = start + len("Information Harbor")
    assert text[origin[start] : origin[end]] == "InformationHarbor"


@pytest.mark.parametrize(
    ("zh", "en"),
    [
        (
            "目前,中国有6.7亿网民、413万多家网站",
            "China has 670 million netizens, more than 4.13 million websites",
        ),
        ("(2015年12月16日,乌镇)", "16 December 2015, Wuzhen"),
        ("纵观20年中美互联网交流发展史", "the history of twenty years of Sino-US exchange"),
        ("第七届中美互联网论坛", "the 7th Sino-US Internet Forum"),
        ("二、互相尊重而不是对立指责。", "II, Mutual respect, instead of antagonism"),
        ("总市值近5000亿美元", "nearly 500 billion US Dollars"),
    ],
)
def test_numbers_agree_across_languages(zh: str, en: str) -> None:
    assert zh_numbers(zh) == en_numbers(en)
    assert zh_numbers(zh)


def test_may_is_a_month_only_beside_a_number() -> None:
    assert "5" in en_numbers("on May 11, 2016")
    assert en_numbers("we may cooperate") == frozenset()


def test_stems_join_inflections() -> None:
    assert stem("sharing") == stem("share")
    assert stem("cooperation") == stem("cooperate")
    assert stem("Countries") == stem("country")


def test_readers_import_neither_flask_nor_sqlalchemy() -> None:
    import subprocess
    import sys

    code = (
        "import sys, termbase.ingest.readers, termbase.ingest.manifest; "
        "print(','.join(m for m in ('flask', 'sqlalchemy', 'termbase.models') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
