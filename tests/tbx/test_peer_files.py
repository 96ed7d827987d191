"""Files as peers write them: what the reader makes of notes, languages and parts of speech.

Each test writes its own small TBX file, shaped like what another tool produced.
"""

from __future__ import annotations

import io

from termbase.records import ConceptRecord, WorkflowStatus
from termbase.tbx.export import write_tbx
from termbase.tbx.parse import TbxReader
from termbase.tbx.vocab import Generation


def martif(body: str, root_lang: str = "en") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<martif type="TBX-Basic" xml:lang="{root_lang}">\n'
        f"<martifHeader><fileDesc><sourceDesc><p>a peer</p></sourceDesc></fileDesc></martifHeader>\n"
        f"<text><body>\n{body}</body></text></martif>\n"
    ).encode()


def read(data: bytes) -> tuple[list[ConceptRecord], TbxReader]:
    reader = TbxReader(io.BytesIO(data), filename="peer.tbx")
    return list(reader), reader


def test_a_marker_note_joined_with_other_lines_keeps_them() -> None:
    """A peer that joins our notes into one text: the marker is its first line only."""
    data = martif(
        '<termEntry id="e1">\n'
        "<note>termbase: status=approved; confidence=0.97\nPinyin: wǎngluò\nChecked by the editors.</note>\n"
        '<langSet xml:lang="zh"><tig><term>网络</term></tig></langSet>\n'
        '<langSet xml:lang="en"><tig><term>network</term></tig></langSet>\n'
        "</termEntry>\n"
    )
    (record,), reader = read(data)
    assert record.status == WorkflowStatus.APPROVED
    assert record.confidence == 0.97
    assert record.note == "Pinyin: wǎngluò\nChecked by the editors."
    assert reader.warnings == []


def test_han_only_text_in_an_english_language_section_is_chinese_with_a_warning() -> None:
    data = martif(
        '<termEntry id="e1">\n'
        '<langSet xml:lang="zh"><tig><term>网络</term></tig></langSet>\n'
        '<langSet xml:lang="en"><tig><term>network</term></tig>\n<tig><term>网路</term></tig>\n'
        "<tig><term>網絡</term></tig></langSet>\n"
        "</termEntry>\n"
    )
    (record,), reader = read(data)
    assert [(t.language, t.text) for t in record.terms] == [
        ("zh-Hans", "网络"),
        ("en", "network"),
        ("zh-Hans", "网路"),
        ("zh-Hant", "網絡"),
    ]
    assert len(reader.warnings) == 2
    assert reader.warnings[0].startswith("line 8: ")
    assert "'网路' in an English language section is Chinese" in reader.warnings[0]


def test_english_with_a_few_han_characters_stays_english() -> None:
    data = martif(
        '<termEntry id="e1">\n'
        '<langSet xml:lang="en"><tig><term>the 一带一路 initiative</term></tig></langSet>\n'
        "</termEntry>\n"
    )
    (record,), reader = read(data)
    assert [(t.language, t.text) for t in record.terms] == [("en", "the 一带一路 initiative")]
    assert reader.warnings == []


def test_a_definition_in_a_chinese_language_section_is_chinese_under_an_english_root() -> None:
    data = martif(
        '<termEntry id="e1">\n'
        '<langSet xml:lang="zh-CN"><descripGrp><descrip type="definition">计算机互相连接的系统。</descrip>'
        '<admin type="source">自编</admin></descripGrp>'
        '<descrip type="definition">第二种说法。</descrip>'
        "<tig><term>网络</term></tig></langSet>\n"
        '<langSet xml:lang="en-US"><descrip type="definition">Connected computers.</descrip>'
        "<tig><term>network</term></tig></langSet>\n"
        "</termEntry>\n"
    )
    (record,), _reader = read(data)
    assert record.definitions == {
        "zh-Hans": "计算机互相连接的系统。\n第二种说法。",
        "en": "Connected computers.",
    }
    assert record.definition_sources == {"zh-Hans": "自编"}


def test_an_untagged_chinese_definition_on_the_entry_is_chinese_under_an_english_root() -> None:
    data = martif(
        '<termEntry id="e1">\n'
        '<descrip type="definition">计算机互相连接的系统。</descrip>\n'
        '<descripGrp><descrip type="definition">Connected computers.</descrip></descripGrp>\n'
        '<langSet xml:lang="zh"><tig><term>网络</term></tig></langSet>\n'
        '<langSet xml:lang="en"><tig><term>network</term></tig></langSet>\n'
        "</termEntry>\n"
    )
    (record,), _reader = read(data)
    assert record.definitions == {"zh-Hans": "计算机互相连接的系统。", "en": "Connected computers."}


def test_no_part_of_speech_survives_a_peer_round_trip() -> None:
    ours = martif(
        '<termEntry id="e1">\n'
        '<langSet xml:lang="zh"><tig><term>网络</term><termNote type="partOfSpeech">other</termNote></tig></langSet>\n'
        '<langSet xml:lang="en"><tig><term>network</term><termNote type="partOfSpeech">noun</termNote></tig>'
        "</langSet>\n</termEntry>\n"
    )
    (record,), _reader = read(ours)
    assert [(t.text, t.part_of_speech) for t in record.terms] == [("网络", None), ("network", "noun")]
    again = b"".join(write_tbx([record], generation=Generation.TBX_2008))
    assert (
        again.count(b'<termNote type="partOfSpeech">other</termNote>') == 1
    )  # TBX-Basic wants one on each term
