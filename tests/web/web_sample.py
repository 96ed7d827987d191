"""A small, realistic termbase built through the services: one bilingual document, cited concepts.

Used by the web tests (and by the browser tests when the ingest and extraction services are
absent). Sentences follow the seed documents' style; citation offsets are computed, not typed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from termbase.models import Document, Segment
from termbase.services.concepts import TermInput, add_term, create_concept, get_concept, update_term
from termbase.text.normalize import match_text

PAIRS = [
    (
        "在网络空间,应当彼此尊重网络主权,彼此尊重对互联网治理模式的选择。",
        "In cyberspace, we should respect each other's cyber sovereignty and each other's choice of "
        "Internet governance models.",
    ),
    (
        "尊重网络主权是构建网络空间命运共同体的前提。",
        "Respect for cyber sovereignty is the precondition for building a community of shared future "
        "in cyberspace.",
    ),
    (
        "各国应共同维护网络安全,反对网络攻击。",
        "All countries should jointly safeguard cybersecurity and oppose cyber attacks.",
    ),
    (
        "网络空间不是法外之地。",
        "Cyberspace is not a place beyond the rule of law.",
    ),
    (
        "我们愿同各国一道,推动全球互联网治理体系变革。",
        "We are ready to work with all countries to reform the global Internet governance system.",
    ),
]


@dataclass
class Sample:
    document_slug: str
    sovereignty: int  # approved: 网络主权 / cyber sovereignty, cited twice
    security: int  # approved: 网络安全 / cybersecurity
    attack: int  # candidate: 网络攻击 / cyber attack (confidence 0.91)
    governance: int  # candidate: 互联网治理 / Internet governance (0.62)
    community: int  # rejected: 命运共同体 / community of shared future
    space: int  # approved, no citations: 网络空间 / cyberspace
    segment_ids: list[int]


def _span(text: str, term: str) -> tuple[int, int]:
    start = match_text(text).find(match_text(term))
    assert start >= 0, (term, text)
    return start, start + len(term)


def _cites(segments: list[Segment], term: str, side: str) -> list[tuple[int, int, int]]:
    found = []
    for segment in segments:
        text = segment.zh_text if side == "zh" else segment.en_text
        if text and match_text(term) in match_text(text):
            start, end = _span(text, term)
            found.append((segment.id, start, end))
    return found


def build_sample(session: Session, *, slug: str = "sample-speech") -> Sample:
    document = Document(
        slug=slug,
        version=1,
        is_current=True,
        title="Speech at the World Internet Conference (sample)",
        author="A. Speaker",
        date="2015-12-16",
        venue="Wuzhen",
        layout="pipe-pairs",
        zh_script="zh-Hans",
        filename=f"{slug}.txt",
        content_hash="0" * 64,
    )
    document.segments = [
        Segment(
            position=i, kind="pair", zh_text=zh, en_text=en, zh_match=match_text(zh), en_match=match_text(en)
        )
        for i, (zh, en) in enumerate(PAIRS)
    ]
    session.add(document)
    session.flush()
    segments = list(document.segments)

    def concept(zh: str, en: str, status: str, confidence: float | None, **extra: object) -> int:
        terms = [
            TermInput(
                language="zh-Hans",
                text=zh,
                usage_status="preferred",
                citations=_cites(segments, zh, "zh"),
                part_of_speech="noun",
            ),
            TermInput(language="en", text=en, usage_status="preferred", citations=_cites(segments, en, "en")),
        ]
        created = create_concept(
            session,
            terms,
            actor="extractor",
            origin="extraction",
            status=status,
            confidence=confidence,
            evidence={"method": "association + dictionary", "cooccurrence": 2, "dictionary_coverage": 1.0},
            **extra,
        )
        return created.id

    sovereignty = concept(
        "网络主权",
        "cyber sovereignty",
        "approved",
        0.97,
        definitions={
            "en": "The authority of a state over the network infrastructure and activity in its territory."
        },
        subject_field="Internet governance",
    )
    sample = Sample(
        document_slug=slug,
        sovereignty=sovereignty,
        security=concept("网络安全", "cybersecurity", "approved", 0.95),
        attack=concept("网络攻击", "cyber attack", "candidate", 0.91),
        governance=concept("互联网治理", "Internet governance", "candidate", 0.62),
        community=concept("命运共同体", "community of shared future", "rejected", 0.4),
        space=create_concept(
            session,
            [
                TermInput(language="zh-Hans", text="网络空间", usage_status="preferred"),
                TermInput(language="en", text="cyberspace", usage_status="preferred"),
            ],
            actor="editor",
            status="approved",
        ).id,
        segment_ids=[s.id for s in segments],
    )
    # A Traditional variant, and a proposed English variant awaiting review.
    current = get_concept(session, sovereignty)
    add_term(
        session,
        sovereignty,
        TermInput(language="zh-Hant", text="網絡主權"),
        version=current.version,
        actor="editor",
    )
    current = get_concept(session, sovereignty)
    variant = add_term(
        session,
        sovereignty,
        TermInput(language="en", text="Internet sovereignty", review="candidate"),
        version=current.version,
        actor="extractor",
    )
    current = get_concept(session, sovereignty)
    update_term(
        session, variant.id, version=current.version, actor="extractor", note="seen in an English-only text"
    )
    return sample
