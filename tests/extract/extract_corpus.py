"""A small invented corpus in the style of Internet-governance speeches (none of it from the seeds)."""

from __future__ import annotations

from termbase.extract.records import SegmentInput

PAIRS = [
    ("各国应当共同维护数据安全。", "All countries should jointly safeguard data security."),
    ("数据安全是数字时代的基础。", "Data security is the foundation of the digital age."),
    ("云计算正在改变世界经济。", "Cloud computing is changing the world economy."),
    ("我们坚决反对网络谣言。", "We firmly oppose online rumours."),
    ("网络谣言损害公众利益。", "Online rumours harm the public interest."),
    ("发展云计算需要国际合作。", "Developing cloud computing requires international cooperation."),
]
TRADITIONAL_PAIRS = [("數據安全關乎國家利益。", "Data security concerns national interests.")]
ENGLISH_ONLY = [
    "Internet rumours spread faster than the truth.",
    "Every government must protect data security and fight online rumours.",
]


def pair_segments(pairs: list[tuple[str, str]], document: str, first_key: int) -> list[SegmentInput]:
    return [
        SegmentInput(key=first_key + i, document=document, position=i, zh_text=zh, en_text=en)
        for i, (zh, en) in enumerate(pairs)
    ]


def english_segments(texts: list[str], document: str, first_key: int) -> list[SegmentInput]:
    return [
        SegmentInput(key=first_key + i, document=document, position=i, en_text=en)
        for i, en in enumerate(texts)
    ]
